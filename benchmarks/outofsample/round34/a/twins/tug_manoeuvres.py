"""Harbour tug telemetry: classify the manoeuvre a tug is performing from a 2-minute
window of six telemetry channels (1 Hz). 1-D CNN, plain loop, EMA weights for evaluation."""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
torch.set_num_threads(1)

MANOEUVRES = ["transit", "push_berthing", "towing_astern", "escort_braking", "standby"]
CHANNELS = ["rpm_port", "rpm_stbd", "azimuth_deg", "yaw_rate", "sog_kn", "line_tension_t"]
T = 120


def telemetry(n=2000, seed=5):
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    y = rng.integers(0, len(MANOEUVRES), n)
    X = np.zeros((n, len(CHANNELS), T), np.float32)
    for i, c in enumerate(y):
        base_rpm = {0: 1500, 1: 900, 2: 1400, 3: 1200, 4: 650}[c] * rng.uniform(0.75, 1.25)
        period = rng.uniform(15, 60)
        phase = rng.uniform(0, 2 * np.pi)
        wave = np.sin(2 * np.pi * t / period + phase)
        pulse = (wave > rng.uniform(0.0, 0.6)).astype(float)
        if c == 0:
            rpm_p = base_rpm + 40 * wave; rpm_s = rpm_p + rng.normal(0, 30)
            az = rng.normal(0, 4) + 3 * wave; sog = rng.uniform(7, 12) + 0.3 * wave; tension = np.zeros(T)
        elif c == 1:
            rpm_p = base_rpm * (0.6 + 0.5 * pulse); rpm_s = base_rpm * (0.6 + 0.5 * np.roll(pulse, rng.integers(0, 8)))
            az = rng.uniform(-30, 30) + 25 * wave; sog = rng.uniform(0, 2) + 0.5 * pulse; tension = np.zeros(T)
        elif c == 2:
            rpm_p = base_rpm + 80 * wave; rpm_s = rpm_p - rng.normal(0, 60)
            az = 180 + rng.normal(0, 10) + 8 * wave; sog = rng.uniform(2, 6) + 0.4 * wave
            tension = rng.uniform(20, 45) * (1 + 0.2 * wave)
        elif c == 3:
            rpm_p = base_rpm + 150 * pulse; rpm_s = rpm_p + rng.normal(0, 80)
            az = rng.choice([-1, 1]) * rng.uniform(35, 60) + 10 * wave
            sog = np.linspace(rng.uniform(8, 11), rng.uniform(4, 7), T)
            tension = rng.uniform(25, 55) * (1 + 0.5 * pulse)
        else:
            rpm_p = base_rpm + 30 * wave; rpm_s = rpm_p + rng.normal(0, 40)
            az = rng.uniform(-180, 180) + 15 * wave; sog = rng.uniform(0, 1.5) + 0.2 * wave
            tension = rng.uniform(0, 6) * pulse
        yaw = np.gradient(az) * rng.uniform(0.02, 0.08) + rng.normal(0, 0.3, T)
        sig = np.stack([rpm_p, rpm_s, az, yaw, sog, tension])
        noise = rng.normal(0, 1, sig.shape) * np.array([800, 800, 140, 2.0, 8.0, 55])[:, None]
        X[i] = sig + noise
    return X, y.astype(np.int64)


class TugNet(nn.Module):
    def __init__(self, c_in, n_cls):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(c_in, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 64, 5, stride=2, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 5, stride=2, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.classifier = nn.Linear(64, n_cls)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


X, y = telemetry()
n_tr = 1600
mu = X[:n_tr].mean(axis=(0, 2), keepdims=True)
sd = X[:n_tr].std(axis=(0, 2), keepdims=True)
X = (X - mu) / sd
train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=128)

model = TugNet(len(CHANNELS), len(MANOEUVRES))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
ema_decay = 0.98


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss_sum, correct = 0.0, 0
    for xb, yb in val_loader:
        logits = net(xb)
        loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    return loss_sum / len(val_ds), correct / len(val_ds)


for epoch in range(1, 11):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        update_ema()
    val_loss, val_acc = evaluate(ema)
    print(f"epoch {epoch:2d}  loss {loss.item():.4f}  ema val_loss {val_loss:.4f}  ema val_acc {val_acc:.4f}")

print(f"final ema val_acc {val_acc:.4f}  val_loss {val_loss:.4f}")
