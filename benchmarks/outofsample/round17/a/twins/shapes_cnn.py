"""Defect-patch classifier for a visual inspection line: 24x24 grey patches
cut around blobs found on a printed panel, classified as ring, bar, cross,
blob or scratch. BatchNorm CNN, SGD + OneCycle, EMA weights for evaluation,
best EMA checkpoint saved with torch.save."""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

KINDS = ["ring", "bar", "cross", "blob", "scratch"]


def render(kind, rng, size=24):
    yy, xx = np.mgrid[:size, :size].astype(np.float32)
    cy, cx = rng.uniform(8, 16, 2)
    r = rng.uniform(4, 7)
    ang = rng.uniform(0, np.pi)
    u = (xx - cx) * np.cos(ang) + (yy - cy) * np.sin(ang)
    v = -(xx - cx) * np.sin(ang) + (yy - cy) * np.cos(ang)
    d = np.hypot(xx - cx, yy - cy)
    if kind == "ring":
        img = np.exp(-((d - r) ** 2) / 1.5)
    elif kind == "bar":
        img = np.exp(-(v ** 2) / 2.0) * (np.abs(u) < r)
    elif kind == "cross":
        img = np.maximum(np.exp(-(v ** 2) / 1.5) * (np.abs(u) < r),
                         np.exp(-(u ** 2) / 1.5) * (np.abs(v) < r))
    elif kind == "blob":
        img = np.exp(-(d ** 2) / (0.5 * r ** 2))
    else:
        img = np.exp(-(v ** 2) / 0.3) * (np.abs(u) < 2.2 * r) * 0.6
    img = img * rng.uniform(0.5, 1.0) + rng.uniform(0.1, 0.4)
    img = img + rng.normal(0, 0.32, img.shape)
    return img.astype(np.float32)


def make_patches(n, rng):
    y = rng.integers(0, len(KINDS), n)
    x = np.stack([render(KINDS[k], rng) for k in y])[:, None]
    return torch.tensor(x), torch.tensor(y)


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class PatchNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(conv_bn(1, 16), conv_bn(16, 16), nn.MaxPool2d(2),
                                      conv_bn(16, 32), conv_bn(32, 32), nn.MaxPool2d(2),
                                      conv_bn(32, 64), nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = 0
    for x, y in loader:
        correct += (model(x).argmax(1) == y).sum().item()
    return correct / len(loader.dataset)


@torch.no_grad()
def ema_update(ema, model, step, decay=0.98):
    decay = min(decay, (1 + step) / (10 + step))
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def main():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    x_tr, y_tr = make_patches(2000, rng)
    x_va, y_va = make_patches(600, rng)
    mean, std = x_tr.mean(), x_tr.std()
    x_tr, x_va = (x_tr - mean) / std, (x_va - mean) / std
    train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_va, y_va), batch_size=300)

    model = PatchNet(len(KINDS))
    ema = copy.deepcopy(model)
    epochs = 6
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    ckpt = os.path.join(tempfile.mkdtemp(), "patchnet_ema.pt")

    print(f"before training: val acc {evaluate(model, val_loader):.4f}")
    best, step = 0.0, 0
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in train_loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, step)
            step += 1
            total += loss.item() * len(y)
        acc = evaluate(ema, val_loader)
        if acc > best:
            best = acc
            torch.save(ema, ckpt)
        print(f"epoch {epoch}: train loss {total / len(train_loader.dataset):.4f} ema val acc {acc:.4f}")

    final = torch.load(ckpt, weights_only=False)
    print(f"best checkpoint val acc {evaluate(final, val_loader):.4f}")


if __name__ == "__main__":
    main()
