"""Classify single heartbeats (128-sample windows around the R peak) into
normal / premature ventricular / atrial premature / bundle-branch-block morphology."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

BEATS = ["N", "V", "A", "L"]
L = 128


def bump(t, mu, sigma, amp):
    return amp * np.exp(-0.5 * ((t - mu) / sigma) ** 2)


def synth_beats(n, rng):
    t = np.arange(L, dtype=np.float64)
    y = rng.integers(0, len(BEATS), n)
    X = np.empty((n, L))
    for i, c in enumerate(y):
        r = 64 + rng.normal(0, 2)
        amp = rng.uniform(0.8, 1.3)
        qrs_w = {0: 2.5, 1: 6.5, 2: 2.5, 3: 5.0}[c] * rng.uniform(0.85, 1.15)
        sig = bump(t, r, qrs_w, amp) - bump(t, r + 2.2 * qrs_w, qrs_w, 0.25 * amp)
        if c == 3:
            sig += bump(t, r + 1.3 * qrs_w, 1.8, 0.35 * amp)
        if c != 1:
            p_pos = r - (18 if c == 2 else 28) + rng.normal(0, 2)
            sig += bump(t, p_pos, 4.0, (0.08 if c == 2 else 0.15) * amp * rng.uniform(0.7, 1.3))
        t_sign = -1.0 if c == 1 else 1.0
        sig += t_sign * bump(t, r + 35 + rng.normal(0, 3), 8.0, 0.3 * amp)
        wander = 0.15 * np.sin(2 * np.pi * t / L * rng.uniform(0.2, 1.0) + rng.uniform(0, 6.28))
        X[i] = sig + wander + rng.normal(0, 0.04, L)
    return X.astype(np.float32), y


class BeatNet(nn.Module):
    def __init__(self, n_classes=len(BEATS)):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.fc1 = nn.Linear(32 * 16, 64)
        self.fc2 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.max_pool1d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def main():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    X, y = synth_beats(4000, rng)
    X = (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
    X, y = torch.from_numpy(X).unsqueeze(1), torch.from_numpy(y)
    X_tr, y_tr, X_te, y_te = X[:3200], y[:3200], X[3200:], y[3200:]

    model = BeatNet()
    lr = 1e-3
    batch_size = 32
    for epoch in range(1, 9):
        model.train()
        perm = torch.randperm(len(y_tr))
        total = 0.0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            out = model(X_te)
            test_loss = F.cross_entropy(out, y_te).item()
            acc = (out.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch} train_loss {total / len(y_tr):.4f} test_loss {test_loss:.4f} test_acc {acc:.4f}")
    print(f"final test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
