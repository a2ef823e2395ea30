"""Cathedral bells: from a 1024-sample close-mic recording of one strike (downsampled to 4 kHz),
tell the bell-hanger whether the bell is sound, has a hairline crack (beating partials,
short decay) or a loose clapper (rebound clicks after the strike).
Bells in the tower differ in pitch, so the net must not key on a single frequency."""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SR, N = 4000, 1024
PARTIALS = np.array([0.5, 1.0, 1.2, 1.5, 2.0])   # hum, prime, tierce, quint, nominal


def strike(rng, cond):
    t = np.arange(N) / SR
    f0 = rng.uniform(180, 420)
    x = np.zeros(N)
    for k, r in enumerate(PARTIALS):
        amp = rng.uniform(0.4, 1.0) / (1 + 0.3 * k)
        tau = rng.uniform(0.25, 0.45) / (1 + 0.4 * k)
        if cond == 1:
            tau *= 0.4
            x += amp * 0.5 * np.exp(-t / tau) * np.sin(2 * np.pi * f0 * r * (1 + 0.015) * t)
        x += amp * np.exp(-t / tau) * np.sin(2 * np.pi * f0 * r * t + rng.uniform(0, 2 * np.pi))
    click = np.exp(-np.arange(48) / 8.0)
    if cond == 2:                                     # clapper rebounds and rattles
        for lag in rng.integers(100, 600, rng.integers(2, 4)):
            x[lag:lag + 48] += rng.normal(0, rng.uniform(0.6, 1.0), 48) * click
    x *= rng.uniform(0.5, 1.5)
    x += rng.normal(0, 0.05, N)
    return (x / (np.abs(x).max() + 1e-8)).astype(np.float32)


def make_set(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = np.stack([strike(rng, c) for c in y])[:, None, :]
    return torch.from_numpy(X), torch.from_numpy(y)


class StrikeNet(nn.Module):
    def __init__(self, n_cls=3):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 9, padding=4)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 32, 9, stride=2, padding=4)
        self.bn2 = nn.BatchNorm1d(32)
        self.conv3 = nn.Conv1d(32, 32, 9, stride=2, padding=4)
        self.bn3 = nn.BatchNorm1d(32)
        self.fc = nn.Linear(64, n_cls)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 4)
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x = torch.cat([x.mean(-1), x.amax(-1)], 1)
        return self.fc(x)


@torch.no_grad()
def evaluate(model, X, y, bs=250):
    model.eval()
    nll, correct = 0.0, 0
    for i in range(0, len(y), bs):
        out = model(X[i:i + bs])
        nll += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
        correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    return nll / len(y), correct / len(y)


def main():
    torch.manual_seed(4)
    X_tr, y_tr = make_set(2000, seed=1)
    X_va, y_va = make_set(600, seed=2)

    model = StrikeNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    lr, wd, decay, bs, epochs = 0.01, 5e-4, 0.98, 32, 8
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    step = 0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(y_tr))
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            model.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    v.mul_(0.9).add_(p.grad + wd * p)
                    p -= lr * v
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
            step += 1
        vl, va = evaluate(model, X_va, y_va)
        print(f"epoch {epoch + 1}  train_loss {loss.item():.4f}  val_nll {vl:.4f}  val_acc {va:.4f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "strike_ema.pt")
        torch.save(ema, path)
        best = torch.load(path, weights_only=False)
    vl, va = evaluate(best, X_va, y_va)
    print(f"EMA model: val_nll {vl:.4f}  val_acc {va:.4f}")


if __name__ == "__main__":
    main()
