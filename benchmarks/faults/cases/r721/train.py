import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import wave_sequences


class SequenceEncoder(nn.Module):
    def __init__(self, length=24, dim=32, classes=4):
        super().__init__()
        self.embed = nn.Linear(1, dim)
        self.position = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        h = self.encoder(self.embed(x) + self.position)
        return self.head(h.mean(dim=1))


def evaluate(model, loader):
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(model(xb).argmax(dim=1))
            targets.append(yb)
    model.train()
    return balanced_accuracy_score(torch.cat(targets).numpy(), torch.cat(preds).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = wave_sequences(n=4000, length=24, classes=4, seed=4)
    rng = np.random.default_rng(4)
    keep = (y == 0) | (rng.random(len(y)) < 0.05)
    X, y = X[keep], y[keep]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train_loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(X_val), torch.tensor(y_val)), batch_size=64)

    model = SequenceEncoder()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(6):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f} val {evaluate(model, val_loader):.3f}")

    print(f"final_val_metric={evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
