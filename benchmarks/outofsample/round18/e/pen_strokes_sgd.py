"""Online pen-gesture recognition (8 editing gestures) with a 1-D CNN over stroke deltas.

Each gesture is a resampled pen trajectory of 64 points, given as (dx, dy, speed)
per step after removing the start position and normalising by the stroke's bounding
box. The update is written by hand: SGD with heavy-ball momentum and decoupled
weight decay on the conv/linear weights only, a short linear warm-up and a step decay.
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

GESTURES = ["circle", "check", "caret", "zigzag", "arrow_right", "pigtail", "delete_x", "brace"]
N_POINTS = 64


def template(name, s):
    if name == "circle":
        a = 2 * np.pi * s
        return np.cos(a), np.sin(a)
    if name == "check":
        return np.where(s < 0.35, s, s), np.where(s < 0.35, -s, -0.35 + 2.2 * (s - 0.35))
    if name == "caret":
        return s, np.where(s < 0.5, s, 1 - s)
    if name == "zigzag":
        return s, 0.25 * np.sign(np.sin(6 * np.pi * s)) * np.abs(np.sin(6 * np.pi * s)) ** 0.3
    if name == "arrow_right":
        x = np.where(s < 0.6, s / 0.6, 1 - 0.5 * (s - 0.6) / 0.4)
        y = np.where(s < 0.6, 0.0, 0.5 * (s - 0.6) / 0.4)
        return x, y
    if name == "pigtail":
        a = 3 * np.pi * s
        return s + 0.3 * np.cos(a + np.pi), 0.3 * np.sin(a)
    if name == "delete_x":
        x = np.where(s < 0.5, 2 * s, 2 * (s - 0.5))
        y = np.where(s < 0.5, 2 * s, 1 - 2 * (s - 0.5))
        return x, y
    if name == "brace":
        return 0.15 * np.sin(2 * np.pi * s) * np.sign(s - 0.5), s
    raise ValueError(name)


def draw(k, rng):
    s = np.sort(rng.beta(1.3, 1.3, N_POINTS))
    s = (s - s[0]) / (s[-1] - s[0])
    s = rng.uniform(0.0, 0.12) + s * rng.uniform(0.7, 0.88)
    x, y = template(GESTURES[k], s)
    pts = np.stack([x, y], 1)
    ang = rng.normal(0, 0.5)
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    shear = np.array([[1, rng.normal(0, 0.3)], [0, 1]]) * rng.uniform(0.6, 1.4, 2)
    pts = pts @ (rot @ shear).T
    pts = pts + np.cumsum(rng.normal(0, 0.035, pts.shape), 0)
    pts = pts - pts[0]
    span = np.ptp(pts, 0).max() + 1e-6
    pts = pts / span
    d = np.diff(pts, axis=0, prepend=pts[:1])
    speed = np.linalg.norm(d, axis=1, keepdims=True)
    return np.concatenate([d * 10, speed * 10], 1).T.astype(np.float32)


class GestureCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 32, 5, padding=2)
        self.conv2 = nn.Conv1d(32, 64, 5, padding=2)
        self.conv3 = nn.Conv1d(64, 64, 3, padding=1)
        self.fc = nn.Linear(128, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.cat([x.mean(-1), x.amax(-1)], 1)
        return self.fc(x)


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    ys = rng.integers(0, len(GESTURES), 2000)
    X = torch.from_numpy(np.stack([draw(k, rng) for k in ys]))
    y = torch.from_numpy(ys)
    Xtr, ytr, Xte, yte = X[:1400], y[:1400], X[1400:], y[1400:]

    model = GestureCNN(len(GESTURES))
    params = list(model.parameters())
    bufs = [torch.zeros_like(p) for p in params]
    decay = [p.dim() > 1 for p in params]
    base_lr, momentum, wd, batch = 0.05, 0.9, 5e-4, 32
    steps_per_epoch = math.ceil(len(Xtr) / batch)
    epochs, warmup = 15, steps_per_epoch

    step = 0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        total, correct, seen = 0.0, 0, 0
        for i in range(0, len(Xtr), batch):
            idx = perm[i:i + batch]
            xb, yb = Xtr[idx], ytr[idx]
            lr = base_lr * min(1.0, (step + 1) / warmup) * (0.2 ** (epoch // 6))
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            model.zero_grad(set_to_none=True)
            loss.backward()
            with torch.no_grad():
                for p, v, d in zip(params, bufs, decay):
                    if d:
                        p -= lr * wd * p
                    v.mul_(momentum).add_(p.grad)
                    p -= lr * v
            step += 1
            total += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            seen += len(yb)
        model.eval()
        with torch.no_grad():
            te_acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1:2d}  lr {lr:.4f}  train loss {total / seen:.4f}  "
              f"train acc {correct / seen:.3f}  test acc {te_acc:.3f}")

    print(f"final test accuracy {te_acc:.3f}")


if __name__ == "__main__":
    main()
