"""Generated 16x16 images of shapes (disc, square, triangle, cross) with noise, random
size and position.  Small residual CNN with BatchNorm, SGD with Nesterov momentum,
OneCycleLR stepped every batch, mixup on the training batches."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

SIZE = 16


def make_shapes(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    imgs = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    labels = rng.integers(0, 4, size=n)
    for i, c in enumerate(labels):
        r = rng.uniform(2.5, 5)
        cx, cy = rng.uniform(r, SIZE - r, size=2)
        if c == 0:    # disc
            m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
        elif c == 1:  # square
            m = (np.abs(xx - cx) <= r * 0.8) & (np.abs(yy - cy) <= r * 0.8)
        elif c == 2:  # triangle (pointing up)
            m = (yy - cy <= r * 0.8) & (yy - cy >= -r) & (np.abs(xx - cx) <= (yy - cy + r) * 0.55)
        else:         # cross
            m = ((np.abs(xx - cx) <= 1) & (np.abs(yy - cy) <= r)) | ((np.abs(yy - cy) <= 1) & (np.abs(xx - cx) <= r))
        imgs[i][m] = rng.uniform(0.6, 1.0)
    imgs += rng.normal(0, 0.3, size=imgs.shape).astype(np.float32)
    imgs = (imgs - 0.15) / 0.4
    return torch.tensor(imgs).unsqueeze(1), torch.tensor(labels)


class Block(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(ch)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(ch)

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        return F.relu(out + x)


class ResNetSmall(nn.Module):
    def __init__(self, n_classes=4, ch=24):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU())
        self.layer1 = Block(ch)
        self.down = nn.Sequential(nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(2 * ch), nn.ReLU())
        self.layer2 = Block(2 * ch)
        self.head = nn.Linear(2 * ch, n_classes)

    def forward(self, x):
        x = self.layer2(self.down(self.layer1(self.stem(x))))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


def mixup(x, y, alpha=0.2):
    lam = float(np.random.beta(alpha, alpha))
    idx = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[idx], y, y[idx], lam


def main():
    rng = np.random.default_rng(0)
    X_tr, y_tr = make_shapes(2000, rng)
    X_va, y_va = make_shapes(600, rng)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=200)

    model = ResNetSmall()
    epochs = 10
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    criterion = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        model.train()
        tot = 0.0
        for x, y in train_loader:
            x, ya, yb, lam = mixup(x, y)
            optimizer.zero_grad()
            out = model(x)
            loss = lam * criterion(out, ya) + (1 - lam) * criterion(out, yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            tot += loss.item() * len(y)
        model.eval()
        correct, vloss = 0, 0.0
        with torch.no_grad():
            for x, y in val_loader:
                out = model(x)
                vloss += criterion(out, y).item() * len(y)
                correct += (out.argmax(1) == y).sum().item()
        print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.4f} train_loss {tot / len(X_tr):.4f} "
              f"val_loss {vloss / len(X_va):.4f} val_acc {correct / len(X_va):.4f}")
    print(f"final val_acc {correct / len(X_va):.4f}")


if __name__ == "__main__":
    main()
