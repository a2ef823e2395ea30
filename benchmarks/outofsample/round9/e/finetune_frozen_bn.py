"""Transfer on the 8x8 digits: pretrain a BatchNorm CNN on digits 0-4, save it whole, then
fine-tune it on digits 5-9 from only 20 labelled scans per class.

With batches of 16 the BatchNorm statistics of the target set would be noisy, so, as
detectron2 and most fine-tuning recipes do, the BN layers are frozen: running statistics kept
from pretraining (BN modules in eval mode) and their affine parameters not trained. The conv
weights train at a 10x lower LR than the new head.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset


def backbone():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten())


def freeze_bn(module):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
            for p in m.parameters():
                p.requires_grad_(False)


@torch.no_grad()
def accuracy(model, X, y):
    model.eval()
    return (model(X).argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8)
    X = (X - 4.88) / 6.02                     # pixel mean/std of the digits
    y = torch.tensor(y)

    # ---- stage 1: source task, digits 0-4 ----
    src = torch.as_tensor(np.flatnonzero(y.numpy() < 5))
    src_model = nn.Sequential(backbone(), nn.Linear(64, 5))
    opt = torch.optim.Adam(src_model.parameters(), lr=2e-3)
    loader = DataLoader(TensorDataset(X[src], y[src]), batch_size=64, shuffle=True)
    for epoch in range(6):
        src_model.train()
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(src_model(xb), yb).backward()
            opt.step()
    print(f"source acc (train, 0-4) {accuracy(src_model, X[src], y[src]):.4f}")
    path = os.path.join(tempfile.mkdtemp(), "digits04_backbone.pt")
    torch.save(src_model[0], path)

    # ---- stage 2: target task, digits 5-9, 20 labels per class ----
    tgt = np.flatnonzero(y.numpy() >= 5)
    rng.shuffle(tgt)
    per_class = {c: [i for i in tgt if y[i] == c] for c in range(5, 10)}
    train_idx = torch.as_tensor(np.concatenate([v[:20] for v in per_class.values()]))
    test_idx = torch.as_tensor(np.concatenate([v[20:] for v in per_class.values()]))
    Xtr, ytr = X[train_idx], y[train_idx] - 5
    Xte, yte = X[test_idx], y[test_idx] - 5

    feat = torch.load(path, weights_only=False)
    model = nn.Sequential(feat, nn.Linear(64, 5))
    freeze_bn(model)
    opt = torch.optim.SGD([
        {"params": [p for p in feat.parameters() if p.requires_grad], "lr": 0.005},
        {"params": model[1].parameters(), "lr": 0.05},
    ], momentum=0.9, weight_decay=1e-4)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=16, shuffle=True)
    epochs = 30
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for epoch in range(epochs):
        model.train()
        freeze_bn(model)
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        sched.step()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1:2d} target test acc {accuracy(model, Xte, yte):.4f}")
    print(f"final target test_acc {accuracy(model, Xte, yte):.4f} ({len(ytr)} labelled, {len(yte)} test)")


if __name__ == "__main__":
    main()
