import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata2 import topic_documents


def load_data():
    X, y = topic_documents(n=1400, length=48, vocab=10000, topics=5, seed=23)
    X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=1100, random_state=23, stratify=y)
    return TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), TensorDataset(torch.tensor(X_val), torch.tensor(y_val))


class DocumentClassifier(nn.Module):
    def __init__(self, vocab=10000, length=48, dim=64, n_out=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=2 * dim, dropout=0.0, batch_first=True)
        self.body = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(dim, n_out)

    def forward(self, tokens):
        h = self.body(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def evaluate(model, loader, loss_fn):
    model.eval()
    total, preds, targets = 0.0, [], []
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += loss_fn(out, yb).item() * len(yb)
            preds.append(out.argmax(dim=1))
            targets.append(yb)
    targets = torch.cat(targets)
    return total / len(targets), balanced_accuracy_score(targets.numpy(), torch.cat(preds).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, val = load_data()
    train_loader = DataLoader(train, batch_size=32, shuffle=True)
    val_loader = DataLoader(val, batch_size=250)
    model = DocumentClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(6):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        val_loss, metric = evaluate(model, val_loader, loss_fn)
        print(f"epoch {epoch} loss {loss.item():.4f} val_loss {val_loss:.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, val_loader, loss_fn)[1]:.4f}")


if __name__ == "__main__":
    main()
