"""Commercial laundry: diagnose a washer-extractor from the spin phase's motor current.

Each sample is the drive's RMS current over the 20 s spin ramp (200 points at
10 Hz) from one cycle, labelled by the service log: healthy, unbalanced load,
worn drum bearing, or a clogged drain pump. Faults are rarer than healthy
cycles, so the cross-entropy is class-weighted (inverse square root of the
class frequency) and the model is judged on balanced accuracy. An exponential
moving average of the weights (a deepcopy updated after every step) is what
gets evaluated and saved.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 44
T = 200
CLASSES = ["healthy", "unbalanced", "bearing", "drain_clog"]
SHARES = [0.66, 0.16, 0.11, 0.07]


def spin_traces(n, rng):
    y = rng.choice(len(CLASSES), size=n, p=SHARES)
    t = np.linspace(0, 20, T)
    X = np.empty((n, T), dtype=np.float32)
    for i in range(n):
        ramp = 2.0 + 4.5 / (1 + np.exp(-(t - rng.uniform(5, 8)) / 1.2))
        rpm_hz = 0.2 + 0.9 * (t / 20) ** 1.3
        phase = np.cumsum(rpm_hz) * (20 / T) * 2 * np.pi
        wobble = rng.uniform(0.05, 0.15) * np.sin(phase + rng.uniform(0, 6.3))
        noise = rng.normal(0, 0.12, T)
        sig = ramp + wobble + noise
        if y[i] == 1:                                   # once-per-rev load oscillation
            sig += rng.uniform(0.25, 0.6) * np.sin(phase + rng.uniform(0, 6.3)) * (t > 6)
        elif y[i] == 2:                                 # broadband roughness growing with speed
            sig += rng.normal(0, 1, T) * rng.uniform(0.12, 0.25) * (t / 20)
        elif y[i] == 3:                                 # current stays high: water not draining
            sig += rng.uniform(0.5, 1.0) * np.exp(-((t - rng.uniform(3, 6)) / 2.5) ** 2) + 0.35 * (t < 9)
        X[i] = sig
    return X, y


class SpinNet(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8), nn.Flatten(),
        )
        self.head = nn.Linear(32 * 8, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def predict(model, loader):
    model.eval()
    return torch.cat([model(xb).argmax(1) for xb, _ in loader]).numpy()


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X, y = spin_traces(2600, rng)
    X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]
    counts = np.bincount(y_tr, minlength=len(CLASSES))
    print("train class counts:", dict(zip(CLASSES, counts.tolist())))

    mu, sd = X_tr.mean(), X_tr.std()
    to_t = lambda a: torch.from_numpy(((a - mu) / sd).astype(np.float32)).unsqueeze(1)
    train_loader = DataLoader(TensorDataset(to_t(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(to_t(X_va), torch.from_numpy(y_va)), batch_size=256)

    model = SpinNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    weights = torch.tensor(1.0 / np.sqrt(counts / counts.sum()), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weights / weights.mean())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)

    for epoch in range(12):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            ema_update(ema, model, decay=0.98)
        bal = balanced_accuracy_score(y_va, predict(ema, val_loader))
        print(f"epoch {epoch:2d}  loss {loss.item():.4f}  ema val bal_acc {bal:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "spin_ema.pt")
    torch.save(ema.state_dict(), path)
    print(f"final val balanced_accuracy={bal:.4f} (raw weights "
          f"{balanced_accuracy_score(y_va, predict(model, val_loader)):.4f})")


if __name__ == "__main__":
    main()
