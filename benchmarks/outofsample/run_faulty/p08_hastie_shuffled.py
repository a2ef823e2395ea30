import numpy as np
import torch
from sklearn.datasets import make_hastie_10_2
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load(rng):
    X, y = make_hastie_10_2(n_samples=4000, random_state=2)
    y = (y > 0).astype(np.float32)
    idx = rng.permutation(len(X))
    X = X[idx]
    y = y[rng.permutation(len(y))]
    return X.astype(np.float32), y


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = load(rng)
    X_tr, y_tr, X_va, y_va = X[:3200], y[:3200], X[3200:], y[3200:]
    loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=64, shuffle=True)
    X_va, y_va = torch.tensor(X_va), torch.tensor(y_va)
    model = nn.Sequential(nn.Linear(10, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.BCEWithLogitsLoss()
    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = ((model(X_va).squeeze(1) > 0).float() == y_va).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
