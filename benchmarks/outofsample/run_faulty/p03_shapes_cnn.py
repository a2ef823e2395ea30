import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_shapes(n, rng):
    X = rng.normal(0, 0.5, size=(n, 1, 16, 16)).astype(np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        r, c = rng.integers(2, 12, size=2)
        if y[i] == 0:
            X[i, 0, r, c - 2:c + 3] += 1.0
        elif y[i] == 1:
            X[i, 0, r - 2:r + 3, c] += 1.0
        elif y[i] == 2:
            X[i, 0, r - 1:r + 2, c - 1:c + 2] += 1.0
        else:
            for k in range(-2, 3):
                X[i, 0, r + k, c + k] += 1.0
    return torch.tensor(X), torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32, 4), nn.Softmax(dim=1))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = make_shapes(2000, rng)
    X_va, y_va = make_shapes(500, rng)
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
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
