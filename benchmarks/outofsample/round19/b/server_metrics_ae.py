"""Autoencoder over per-minute host metrics of a web tier, scored on held-out days.

48 metrics (cpu, memory, disk, network, latency percentiles, queue depths) driven by a few
hidden load factors. The model is trained on normal days only; an EMA copy is evaluated,
and reconstruction error ranks a day with injected incidents (AUROC).
"""
import copy
import math

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)

N_METRICS = 48
N_FACTORS = 6
MIN_PER_DAY = 1440


def make_days(rng, n_days, mixing, offsets):
    t = np.arange(n_days * MIN_PER_DAY)
    hour = (t % MIN_PER_DAY) / 60.0
    traffic = 1.0 + 0.8 * np.sin(2 * np.pi * (hour - 9) / 24) + 0.1 * rng.standard_normal(len(t))
    batch = ((hour > 1) & (hour < 3)).astype(float) + 0.05 * rng.standard_normal(len(t))
    gc = rng.gamma(1.5, 0.3, size=len(t))
    cache = np.cumsum(rng.normal(0, 0.02, len(t)))
    cache -= np.convolve(cache, np.ones(240) / 240, mode="same")
    conn = np.tanh(traffic * 1.3 - 0.5) + 0.1 * rng.standard_normal(len(t))
    io = batch * 0.7 + 0.3 * traffic * rng.uniform(0.8, 1.2, len(t))
    Z = np.stack([traffic, batch, gc, cache, conn, io], axis=1)
    raw = np.tanh(Z @ mixing) * 2.0 + np.log1p(np.abs(Z @ mixing[:, ::-1])) + offsets
    return raw + 0.05 * rng.standard_normal(raw.shape)


rng = np.random.default_rng(3)
mixing = rng.normal(0, 0.6, size=(N_FACTORS, N_METRICS))
offsets = rng.uniform(0, 5, size=N_METRICS)
train_raw = make_days(rng, 5, mixing, offsets)
val_raw = make_days(rng, 1, mixing, offsets)
test_raw = make_days(rng, 1, mixing, offsets)

is_incident = np.zeros(len(test_raw), dtype=bool)
for start in rng.choice(len(test_raw) - 30, size=12, replace=False):
    cols = rng.choice(N_METRICS, size=6, replace=False)
    test_raw[start:start + 20, cols] += rng.normal(0, 1.5, size=(1, 6)) * test_raw[:, cols].std(0)
    is_incident[start:start + 20] = True

mu, sd = train_raw.mean(0), train_raw.std(0)
to_t = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
X_train, X_val, X_test = to_t(train_raw), to_t(val_raw), to_t(test_raw)


class MetricAE(nn.Module):
    def __init__(self, d, widths=(128, 64, 16)):
        super().__init__()
        enc, dec = [], []
        sizes = [d, *widths]
        for a, b in zip(sizes[:-1], sizes[1:]):
            enc += [nn.Linear(a, b), nn.Tanh()]
        rs = sizes[::-1]
        for i, (a, b) in enumerate(zip(rs[:-1], rs[1:])):
            dec.append(nn.Linear(a, b))
            if i < len(rs) - 2:
                dec.append(nn.Tanh())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 1.0 / m.in_features)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = MetricAE(N_METRICS)
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

loader = DataLoader(TensorDataset(X_train), batch_size=128, shuffle=True)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
loss_fn = nn.MSELoss()
decay = 0.99


@torch.no_grad()
def ema_update():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def recon_error(net, X):
    return ((net(X) - X) ** 2).mean(1)


for epoch in range(1, 9):
    model.train()
    total = 0.0
    for (xb,) in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), xb)
        loss.backward()
        opt.step()
        ema_update()
        total += loss.item() * len(xb)
    val_mse = recon_error(ema, X_val).mean().item()
    print(f"epoch {epoch} train_mse {total / len(X_train):.4f} val_mse(ema) {val_mse:.4f}")

score = recon_error(ema, X_test).numpy()
auc = roc_auc_score(is_incident, score)
print(f"final val_mse {val_mse:.4f} incident_auroc {auc:.4f}")
