import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_glyphs(n, rng):
    """uint8 12x12 images: a ring, a cross or a filled block, at a random place, on a textured background."""
    X = rng.integers(0, 90, size=(n, 1, 12, 12)).astype(np.uint8)
    y = rng.integers(0, 3, size=n)
    for i in range(n):
        r, c = rng.integers(1, 8, size=2)
        patch = X[i, 0, r:r + 4, c:c + 4]
        if y[i] == 0:
            patch[[0, 3], :] = 255
            patch[:, [0, 3]] = 255
        elif y[i] == 1:
            patch[1:3, :] = 255
            patch[:, 1:3] = 255
        else:
            patch[:] = 200
    return torch.tensor(X), torch.tensor(y)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = make_glyphs(2400, rng)
    X_va, y_va = make_glyphs(600, rng)
    loader = DataLoader(TensorDataset(X_tr.float(), y_tr), batch_size=32, shuffle=True)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1),
        nn.Flatten(), nn.Linear(32, 3),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(5):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(X_va.float()).argmax(1) == y_va).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
