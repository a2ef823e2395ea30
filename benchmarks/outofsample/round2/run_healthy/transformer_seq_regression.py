import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(99)
np.random.seed(99)

SEQ, D_IN = 24, 4


def make(n, g):
    x = torch.randn(n, SEQ, D_IN, generator=g)
    gate = (x[:, :, 0] > 0.5).float()
    target = (gate * x[:, :, 1]).sum(1) / 3 + 0.5 * x[:, :8, 2].mean(1) - 0.3 * x[:, :, 3].max(1).values
    return x, target


g = torch.Generator().manual_seed(0)
X_tr, y_tr = make(8000, g)
X_va, y_va = make(1000, g)
y_mu, y_sd = y_tr.mean(), y_tr.std()
train_dl = DataLoader(TensorDataset(X_tr, (y_tr - y_mu) / y_sd), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(X_va, (y_va - y_mu) / y_sd), batch_size=500)


class SeqRegressor(nn.Module):
    def __init__(self, d_model=64, nhead=4, layers=2):
        super().__init__()
        self.inp = nn.Linear(D_IN, d_model)
        self.pos = nn.Parameter(torch.randn(1, SEQ, d_model) * 0.02)
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 1)

    def forward(self, x):
        h = self.inp(x) + self.pos
        h = torch.cat([self.cls.expand(len(x), -1, -1), h], 1)
        h = self.enc(h)
        return self.head(self.norm(h[:, 0])).squeeze(1)


model = SeqRegressor()
EPOCHS = 8
total_steps = EPOCHS * len(train_dl)
warmup = int(0.1 * total_steps)
decay, no_decay = [], []
for n, p in model.named_parameters():
    (no_decay if p.ndim < 2 or n in ("pos", "cls") else decay).append(p)
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=1e-3, betas=(0.9, 0.98))
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total_steps - s) / (total_steps - warmup)))
loss_fn = nn.MSELoss()

step = 0
for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_dl:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        gn = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
    model.eval()
    with torch.no_grad():
        se = sum(((model(xb) - yb) ** 2).sum().item() for xb, yb in val_dl)
    r2 = 1 - se / ((y_va - y_mu) / y_sd).var(unbiased=False).item() / len(y_va)
    print(f"epoch {epoch} last_loss {loss.item():.4f} grad_norm {gn:.3f} lr {sched.get_last_lr()[0]:.2e} val_R2 {r2:.4f}")

print(f"final val R^2 {r2:.4f}, RMSE {math.sqrt(se / len(y_va)) * y_sd.item():.4f}")
