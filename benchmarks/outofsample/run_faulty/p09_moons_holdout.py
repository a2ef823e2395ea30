import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def split(X, y, rng):
    idx = rng.permutation(len(X))
    n_train = int(0.8 * len(X))
    train_idx = idx[:n_train]
    val_idx = idx[: len(X) - n_train]
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = make_moons(n_samples=1500, noise=0.35, random_state=4)
    X = X.astype(np.float32)
    X_tr, y_tr, X_va, y_va = split(X, y, rng)
    loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=32, shuffle=True)
    X_va, y_va = torch.tensor(X_va), torch.tensor(y_va)
    model = nn.Sequential(nn.Linear(2, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(40):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(X_va).argmax(1) == y_va).float().mean().item()
        if epoch % 10 == 0:
            print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
