"""Choir rehearsal recordings: classify each sustained chord-tone phrase by intonation
behaviour (steady / sagging flat / creeping sharp / wide vibrato).

Each phrase is a 2-second contour at 50 frames/s: deviation from the equal-tempered target
(cents), RMS energy (dB) and voicing probability from the pitch tracker. A small
conv + transformer encoder is trained under CPU bfloat16 autocast (weights stay fp32; bf16
needs no loss scaling), with AdamW and a step-decay schedule.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

T, N = 100, 1800
t = np.linspace(0, 2, T)


def phrase(c):
    base = rng.normal(0, 6)
    vib_rate, vib_depth = rng.uniform(4.5, 6.5), rng.uniform(8, 30)
    cents = base + vib_depth * np.sin(2 * np.pi * vib_rate * t + rng.uniform(0, 6.3))
    if c == 1:
        cents -= rng.uniform(5, 25) * (t / 2) ** rng.uniform(0.8, 1.6)
    elif c == 2:
        cents += rng.uniform(5, 25) * (t / 2) ** rng.uniform(0.8, 1.6)
    elif c == 3:
        cents = base + rng.uniform(30, 50) * np.sin(2 * np.pi * vib_rate * t + rng.uniform(0, 6.3))
    cents += rng.normal(0, 6, T)
    energy = -20 + 6 * np.sin(np.pi * t / 2) + rng.normal(0, 1.5, T)
    voicing = np.clip(0.93 + rng.normal(0, 0.05, T), 0, 1)
    dropout = rng.random(T) < 0.04             # tracker drop-outs: unvoiced frames read 0 cents
    cents[dropout] = 0.0
    voicing[dropout] = 0.05
    return np.stack([cents / 50.0, (energy + 20) / 6.0, (voicing - 0.5) * 2], 1)


y = rng.integers(0, 4, N)
X = np.stack([phrase(c) for c in y]).astype(np.float32)
idx = rng.permutation(N)
tr, va = idx[:1500], idx[1500:]
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=300)


class IntonationNet(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(3, d, 5, padding=2), nn.GELU(), nn.Conv1d(d, d, 5, padding=2, stride=2), nn.GELU())
        self.pos = nn.Parameter(torch.randn(1, T // 2, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=96, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 4)

    def forward(self, x):                        # x: (B, T, 3)
        h = self.conv(x.transpose(1, 2)).transpose(1, 2) + self.pos
        return self.head(self.enc(h).mean(1))


model = IntonationNet()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.02)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
EPOCHS = 12

for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_loader:
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(yb)
        n += len(yb)
    sched.step()
    model.eval()
    correct = 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch + 1:2d} lr={sched.get_last_lr()[0]:.1e} train_loss={total / n:.4f} val_acc={correct / len(va):.4f}")

print(f"final val_accuracy={correct / len(va):.4f}")
