"""8x8 handwritten digits with a small BatchNorm CNN.

SGD with momentum under a triangular2 cyclic LR (Smith 2017), stepped every batch, with the
momentum cycled inversely. Training uses random one-pixel shifts; evaluation averages the
softmax over the identity and the four one-pixel shifts (test-time augmentation).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SHIFTS = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]


def shift(x, dy, dx):
    if dy == 0 and dx == 0:
        return x
    x = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
    if dy > 0:
        x[:, :, :dy] = -1
    elif dy < 0:
        x[:, :, dy:] = -1
    if dx > 0:
        x[:, :, :, :dx] = -1
    elif dx < 0:
        x[:, :, :, dx:] = -1
    return x


def random_shift(x, g):
    out = torch.empty_like(x)
    idx = torch.randint(0, len(SHIFTS), (len(x),), generator=g)
    for k, (dy, dx) in enumerate(SHIFTS):
        m = idx == k
        if m.any():
            out[m] = shift(x[m].clone(), dy, dx)
    return out


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.features(x))


@torch.no_grad()
def evaluate(model, loader, tta):
    model.eval()
    correct = 0
    for x, y in loader:
        views = SHIFTS if tta else SHIFTS[:1]
        p = sum(F.softmax(model(shift(x.clone(), dy, dx)), 1) for dy, dx in views) / len(views)
        correct += (p.argmax(1) == y).sum().item()
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 8.0 - 1.0   # pixels 0..16 -> [-1, 1]
    y = torch.tensor(y)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=200)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True)
    epochs = 12
    half_cycle = 2 * len(train_loader)                       # 2 epochs up, 2 epochs down
    sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.005, max_lr=0.2, step_size_up=half_cycle,
                                              mode="triangular2", cycle_momentum=True,
                                              base_momentum=0.85, max_momentum=0.95)
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            xb = random_shift(xb, g)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(yb)
        print(f"epoch {epoch + 1:2d} lr {sched.get_last_lr()[0]:.4f} loss {total / len(Xtr):.4f} "
              f"test_acc {evaluate(model, test_loader, tta=False):.4f}")
    plain, tta = evaluate(model, test_loader, False), evaluate(model, test_loader, True)
    print(f"final test_acc {plain:.4f}  with TTA {tta:.4f}")


if __name__ == "__main__":
    main()
