"""Classify synthetic single-lead heartbeat windows (normal / PVC / AF-like / noise burst)
with a 1-D CNN. One-cycle LR per batch, weight EMA kept as a deepcopy, light augmentation
(random circular shift, amplitude scaling, baseline wander). The EMA weights are what we ship.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

FS, LEN = 100, 256
CLASSES = ["normal", "pvc", "af", "artifact"]


def beat(t, centre, width=0.025, amp=1.0):
    return amp * np.exp(-((t - centre) ** 2) / (2 * width ** 2))


def synth(n):
    t = np.arange(LEN) / FS
    X = np.zeros((n, LEN), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        hr = rng.uniform(55, 100) / 60.0
        rr = 1.0 / hr
        sig = np.zeros(LEN)
        pos = rng.uniform(0, rr)
        while pos < LEN / FS:
            if y[i] == 2:   # irregular rhythm, no P wave
                sig += beat(t, pos, 0.02, 1.0)
                pos += rr * rng.uniform(0.8, 1.2)
            else:
                sig += beat(t, pos - 0.16, 0.03, 0.12)        # P
                sig += beat(t, pos, 0.02, 1.0)                # QRS
                sig += beat(t, pos + 0.25, 0.06, 0.3)         # T
                pos += rr
        if y[i] == 1:       # one wide premature beat
            c = rng.uniform(0.5, LEN / FS - 0.5)
            sig += beat(t, c, 0.05, -0.5)
        if y[i] == 3:       # motion artefact burst
            c = rng.integers(30, LEN - 60)
            sig[c:c + 50] += rng.normal(0, 0.25, 50)
        sig += rng.normal(0, 0.2, LEN)
        X[i] = sig
    return X, y


def augment(x):
    shift = torch.randint(0, LEN, (x.size(0),))
    idx = (torch.arange(LEN)[None, :] + shift[:, None]) % LEN
    x = torch.gather(x, 2, idx[:, None, :])
    x = x * torch.empty(x.size(0), 1, 1).uniform_(0.8, 1.2)
    phase = torch.rand(x.size(0), 1, 1) * 6.28
    wander = 0.1 * torch.sin(torch.linspace(0, 6.28, LEN)[None, None, :] * 0.5 + phase)
    return x + wander


class BeatNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.head = nn.Linear(64 * 2, n_classes)

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)


@torch.no_grad()
def ema_update(ema, model, decay):
    msd = model.state_dict()
    for name, v in ema.state_dict().items():
        if v.dtype.is_floating_point:
            v.mul_(decay).add_(msd[name].detach(), alpha=1 - decay)
        else:
            v.copy_(msd[name])


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        total += yb.numel()
    return loss / total, correct / total


def main():
    X_tr, y_tr = synth(2000)
    X_va, y_va = synth(500)
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr = torch.tensor((X_tr - mu) / sd)[:, None, :]
    X_va = torch.tensor((X_va - mu) / sd)[:, None, :]
    train_loader = DataLoader(TensorDataset(X_tr, torch.tensor(y_tr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, torch.tensor(y_va)), batch_size=256)

    model = BeatNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    epochs = 10
    updates = 0
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            xb = augment(xb)
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            updates += 1
            ema_update(ema, model, decay=min(0.99, (1 + updates) / (10 + updates)))
            running += loss.item() * yb.numel()
        vl, va = evaluate(model, val_loader)
        el, ea = evaluate(ema, val_loader)
        print(f"epoch {epoch}  train {running / len(X_tr):.4f}  val {vl:.4f}/{va:.3f}  "
              f"ema {el:.4f}/{ea:.3f}  lr {scheduler.get_last_lr()[0]:.2e}")

    path = os.path.join(tempfile.mkdtemp(), "beatnet_ema.pt")
    torch.save(ema, path)
    shipped = torch.load(path, weights_only=False)
    loss, acc = evaluate(shipped, val_loader)
    print(f"final: EMA model val accuracy {acc:.4f}  val loss {loss:.4f}")


if __name__ == "__main__":
    main()
