"""Bobbin-lace stitch recognition from pillow tension traces.

A strain gauge under the lace pillow records thread tension while the lacemaker works;
each 160-sample window covers one stitch. Recordings were exported one folder per stitch
type. A small 1-D CNN classifies the stitch (cloth, half, whole, twist, picot).
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

STITCHES = ["cloth", "half", "whole", "twist", "picot"]
T = 160


def record_folder(stitch, n, rng):
    t = np.linspace(0, 1, T)
    rows = []
    for _ in range(n):
        crosses = {0: 2, 1: 1, 2: 3, 3: 0, 4: 2}[stitch]
        twists = {0: 1, 1: 1, 2: 2, 3: 3, 4: 1}[stitch]
        sig = 0.2 * np.sin(2 * np.pi * rng.uniform(0.8, 1.2) * t)
        for k in range(crosses):
            c = rng.uniform(0.15, 0.85)
            sig += rng.uniform(0.8, 1.2) * np.exp(-((t - c) / 0.03) ** 2)
        for k in range(twists):
            c = rng.uniform(0.1, 0.9)
            sig -= rng.uniform(0.4, 0.7) * np.exp(-((t - c) / 0.06) ** 2)
        if stitch == 4:  # picot: pin loop gives a slow ramp
            sig += np.clip((t - rng.uniform(0.3, 0.6)) * 2.5, 0, 0.8)
        sig += rng.normal(0, 0.25, T)
        rows.append(sig)
    return np.stack(rows).astype(np.float32)


def load_recordings(n_per_stitch, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for s in range(len(STITCHES)):
        xs.append(record_folder(s, n_per_stitch, rng))
        ys.append(np.full(n_per_stitch, s))
    return np.concatenate(xs)[:, None, :], np.concatenate(ys).astype(np.int64)


class StitchNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        return self.fc(x.mean(dim=2))


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} last batch loss {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    torch.manual_seed(3)
    X_tr, y_tr = load_recordings(240, seed=1)
    X_te, y_te = load_recordings(80, seed=2)
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)),
                             batch_size=200)

    model = StitchNet(len(STITCHES))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    for epoch in range(1, 9):
        train(model, train_loader, optimizer, epoch)
        scheduler.step()
    test_loss, acc = test(model, test_loader)
    print(f"test loss {test_loss:.4f} test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
