import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_signals(n, rng):
    t = np.linspace(0, 1, 64, dtype=np.float32)
    y = rng.integers(0, 3, size=n)
    freq = np.array([3.0, 5.0, 8.0])[y] + rng.normal(0, 0.3, size=n)
    phase = rng.uniform(0, 2 * np.pi, size=n)
    X = np.sin(2 * np.pi * freq[:, None] * t[None, :] + phase[:, None]) + rng.normal(0, 0.5, size=(n, 64))
    return torch.tensor(X[:, None, :], dtype=torch.float32), torch.tensor(y)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = make_signals(2400, rng)
    X_va, y_va = make_signals(600, rng)
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)
    model = nn.Sequential(
        nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        nn.Flatten(), nn.Linear(32, 3),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(6):
        model.train()
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(X_va).argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
