import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_otg import topic_docs


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim, classes):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.fc = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, classes))

    def forward(self, tokens):
        return self.fc(self.embedding(tokens))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = topic_docs(n=2400, length=32, vocab=5000, topics=4, share=0.2, weights=(0.91, 0.03, 0.03, 0.03), seed=9)
    X, y = torch.tensor(X), torch.tensor(y)
    loader = DataLoader(TensorDataset(X[:1800], y[:1800]), batch_size=32, shuffle=True)
    X_val, y_val = X[1800:], y[1800:]

    criterion = nn.CrossEntropyLoss()
    model = BagOfEmbeddings(5000, 32, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    for epoch in range(8):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            pred = model(X_val).argmax(dim=1).numpy()
        print(f"epoch {epoch} loss {loss.item():.4f} val {balanced_accuracy_score(y_val.numpy(), pred):.3f}")

    with torch.no_grad():
        pred = model(X_val).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
