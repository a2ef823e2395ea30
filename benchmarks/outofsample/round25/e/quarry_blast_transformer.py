"""Peak particle velocity at the nearest dwelling from a quarry blast's hole-by-hole design.

Each blast is a set of 8-40 holes (charge kg, firing delay ms, distance to the monitor m,
burden m). Vibration follows the scaled-distance law on the largest charge that fires within
one 8 ms window, so the model has to relate holes to each other: a small Transformer encoder
with a padding mask and masked mean pooling. Batches are bucketed by hole count (buckets
shuffled every epoch) and gradients are accumulated over four micro-batches.
"""
import math
import random
import numpy as np
import torch
from torch import nn

random.seed(37)
np.random.seed(37)
torch.manual_seed(37)
torch.set_num_threads(1)

MAXH = 40
rng = np.random.default_rng(37)


def blast():
    h = int(rng.integers(8, MAXH + 1))
    charge = rng.uniform(20, 120) * rng.lognormal(0, 0.15, h)
    pattern = rng.choice([17, 25, 42])
    delays = np.arange(h) * pattern / rng.integers(1, 4) + rng.normal(0, 1.5, h)   # some holes share delays
    dist = rng.uniform(250, 900) + rng.normal(0, 15, h)
    burden = rng.uniform(2.5, 4.5) + rng.normal(0, 0.1, h)
    order = np.argsort(delays)
    charge, delays, dist, burden = charge[order], delays[order], dist[order], burden[order]
    w8 = max(charge[(delays >= d) & (delays < d + 8)].sum() for d in delays)
    sd = dist.mean() / math.sqrt(w8)
    ppv = 1100 * sd ** -1.45 * np.exp(-0.08 * (burden.mean() - 3.5)) * rng.lognormal(0, 0.12)
    feats = np.column_stack([np.log(charge), delays / 100, np.log(dist), burden]).astype(np.float32)
    return feats, math.log(ppv)


data = [blast() for _ in range(2400)]
train, val = data[:2000], data[2000:]
allf = np.concatenate([f for f, _ in train])
f_mu, f_sd = allf.mean(0), allf.std(0)
t_mu = np.mean([t for _, t in train])
t_sd = np.std([t for _, t in train])


def collate(rows):
    L = max(len(f) for f, _ in rows)
    x = torch.zeros(len(rows), L, 4)
    pad = torch.ones(len(rows), L, dtype=torch.bool)
    for i, (f, _) in enumerate(rows):
        x[i, :len(f)] = torch.from_numpy((f - f_mu) / f_sd)
        pad[i, :len(f)] = False
    y = torch.tensor([(t - t_mu) / t_sd for _, t in rows], dtype=torch.float32)
    return x, pad, y


def bucketed_batches(rows, bs):
    idx = sorted(range(len(rows)), key=lambda i: (len(rows[i][0]), random.random()))
    batches = [idx[i:i + bs] for i in range(0, len(idx), bs)]
    random.shuffle(batches)
    return [collate([rows[i] for i in b]) for b in batches]


class BlastEncoder(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.inp = nn.Linear(4, d)
        layer = nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.out = nn.Sequential(nn.Linear(2 * d, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x, pad):
        h = self.enc(self.inp(x), src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        mean = (h * keep).sum(1) / keep.sum(1)
        mx = h.masked_fill(pad.unsqueeze(-1), -1e4).amax(1)
        return self.out(torch.cat([mean, mx], dim=1)).squeeze(1)


model = BlastEncoder()
ACCUM, MICRO, EPOCHS = 4, 16, 10
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
updates_per_epoch = math.ceil(len(train) / MICRO / ACCUM)
total, warm = EPOCHS * updates_per_epoch, updates_per_epoch
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: min((s + 1) / warm, max(0.02, (total - s) / (total - warm))))
val_batches = [collate(val[i:i + 100]) for i in range(0, len(val), 100)]


def evaluate():
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for x, pad, y in val_batches:
            se += ((model(x, pad) - y) ** 2).sum().item()
            n += len(y)
    return se / n


for epoch in range(EPOCHS):
    model.train()
    batches = bucketed_batches(train, MICRO)
    optimizer.zero_grad()
    for i, (x, pad, y) in enumerate(batches):
        loss = nn.functional.mse_loss(model(x, pad), y) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0 or i + 1 == len(batches):
            nn.utils.clip_grad_norm_(model.parameters(), 2.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    if (epoch + 1) % 2 == 0:
        print(f"epoch {epoch + 1:2d}  val mse (z) {evaluate():.4f}")

mse = evaluate()
print(f"final: val R2 on log PPV {1 - mse:.3f} (RMSE {math.sqrt(mse) * t_sd:.3f} in log mm/s; noise floor 0.12)")
