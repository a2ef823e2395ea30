"""Classify tennis serves from Hawk-Eye-style ball tracks.

Each serve is the ball position (x, y, z in metres) and speed sampled at 50 Hz for 0.8 s after
contact. Nine classes: serve type (flat, slice, kick) x target (wide, body, T). A GRU reads the
track; the weights are averaged with an EMA copy, which is what gets evaluated and saved.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
np.random.seed(5)

T, DT = 40, 0.02
TYPES, TARGETS = ["flat", "slice", "kick"], ["wide", "body", "T"]


def simulate_serves(n):
    X = np.zeros((n, T, 4), dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        kind, tgt = np.random.randint(3), np.random.randint(3)
        speed = {0: 55.0, 1: 47.0, 2: 42.0}[kind] + np.random.normal(0, 3.0)      # m/s
        side_spin = {0: 0.0, 1: 9.0, 2: 3.0}[kind] + np.random.normal(0, 1.5)
        top_spin = {0: 1.0, 1: 2.0, 2: 10.0}[kind] + np.random.normal(0, 1.5)
        aim = {0: 2.9, 1: 1.6, 2: 0.3}[tgt] + np.random.normal(0, 0.35)            # lateral landing (m)
        pos = np.array([np.random.normal(0.5, 0.3), -11.9, np.random.normal(2.9, 0.1)])
        dist = 18.3
        vel = np.array([aim / dist * speed, speed * 0.99, -speed * np.random.uniform(0.04, 0.09)])
        k0 = np.random.randint(0, 12)                          # tracking starts during the toss
        for t in range(k0):
            X[i, t, :3] = pos + np.array([0.0, 0.0, 0.4 * (1 - ((t - k0 / 2) / (k0 / 2 + 1)) ** 2)])
            X[i, t, :3] += np.random.normal(0, 0.03, 3)
            X[i, t, 3] = abs(np.random.normal(2.0, 0.5))
        for t in range(k0, T):
            speed_t = np.linalg.norm(vel)
            acc = np.array([side_spin * 0.35, -0.012 * speed_t * vel[1] / 10, -9.81 - top_spin * 0.9])
            acc[0] -= 0.01 * speed_t * vel[0]
            vel = vel + acc * DT
            pos = pos + vel * DT
            if pos[2] < 0:                                   # bounce
                pos[2] = -pos[2]
                vel[2] = -0.75 * vel[2] + 0.25 * top_spin
                vel[0] += 0.15 * side_spin
                vel[1] *= 0.7
            X[i, t, :3] = pos + np.random.normal(0, 0.03, 3)
            X[i, t, 3] = np.linalg.norm(vel) + np.random.normal(0, 0.5)
        y[i] = kind * 3 + tgt
    return X, y


class ServeNet(nn.Module):
    def __init__(self, n_feat, n_classes, hidden=64):
        super().__init__()
        self.gru = nn.GRU(n_feat, n_feat, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(self.gru.hidden_size, n_classes))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(p.detach(), alpha=1 - decay)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    for xb, yb in loader:
        logits = model(xb)
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss / total, correct / total


def main():
    X, y = simulate_serves(3000)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.reshape(-1, 4).mean(0), X_tr.reshape(-1, 4).std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=300)

    model = ServeNet(n_feat=4, n_classes=len(TYPES) * len(TARGETS))
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-2)

    for epoch in range(1, 16):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            ema_update(ema, model, decay=0.98)
        if epoch % 3 == 0:
            vl, va = evaluate(ema, val_loader)
            print(f"epoch {epoch:2d}  train loss {loss.item():.3f}  ema val loss {vl:.3f}  acc {va:.3f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "serve_gru_ema.pt")
        torch.save(ema, path)
        restored = torch.load(path, weights_only=False)
    vl, va = evaluate(restored, val_loader)
    print(f"final EMA model (reloaded): val loss {vl:.3f}  val accuracy {va:.3f}")


if __name__ == "__main__":
    main()
