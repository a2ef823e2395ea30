"""Handwritten-digit scans (8x8, sklearn) with a small CNN: random-shift augmentation, OneCycle LR
stepped per batch, an exponential moving average of the weights kept as a deepcopy, and the EMA
model saved whole with torch.save for the serving side. Evaluation sums the per-sample losses."""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset


class Scans(Dataset):
    def __init__(self, images, labels, augment=False):
        self.x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 8.0 - 1.0   # 0..16 -> [-1, 1]
        self.y = torch.tensor(labels)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            pad = F.pad(x, (1, 1, 1, 1), value=-1.0)
            dy, dx = torch.randint(0, 3, (2,)).tolist()
            x = pad[:, dy:dy + 8, dx:dx + 8]
        return x, self.y[i]


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.body(x)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss_sum, correct = 0.0, 0
    for x, y in loader:
        out = model(x)
        loss_sum += F.cross_entropy(out, y, reduction="sum").item()
        correct += (out.argmax(1) == y).sum().item()
    n = len(loader.dataset)
    return loss_sum / n, correct / n


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    d = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(d.images, d.target, test_size=0.25, random_state=0, stratify=d.target)
    train_loader = DataLoader(Scans(Xtr, ytr, augment=True), batch_size=32, shuffle=True)
    test_loader = DataLoader(Scans(Xte, yte), batch_size=200)

    model = SmallCNN()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 8
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, epochs=epochs, steps_per_epoch=len(train_loader))

    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
            loss.backward()
            opt.step()
            sched.step()
            ema_update(ema, model, decay=0.98)
        tl, ta = evaluate(model, test_loader)
        el, ea = evaluate(ema, test_loader)
        print(f"epoch {epoch + 1}: model loss {tl:.4f} acc {ta:.4f} | ema loss {el:.4f} acc {ea:.4f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "digits_ema.pt")
        torch.save(ema, path)
        served = torch.load(path, weights_only=False)
        sl, sa = evaluate(served, test_loader)
    print(f"final test_acc={sa:.4f} test_loss={sl:.4f} (EMA, reloaded)")


if __name__ == "__main__":
    main()
