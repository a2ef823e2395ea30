"""Paper machine: will the web break in the next 30 minutes?

Two stages, as run at the mill. (1) A 1-D conv encoder is pretrained on a
large pool of unlabelled 64-minute windows of six process signals (draw,
tension, moisture, headbox consistency, steam, speed) to forecast the next
8 minutes. (2) Labelled break history is small, so the first two conv blocks
are frozen and only the last block and a new head are fine-tuned, with a
class-weighted BCE for the ~15% break windows.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score

torch.manual_seed(31)
rng = np.random.default_rng(31)
C, T, H = 6, 64, 8


def simulate(n, with_breaks):
    t = np.arange(T + H)
    base = rng.normal(0, 1, (n, C, 1)) * 0.3
    x = np.zeros((n, C, T + H), np.float32)
    ar = np.zeros((n, C))
    for k in range(T + H):
        ar = 0.85 * ar + rng.normal(0, 0.35, (n, C))
        x[:, :, k] = ar
    x += base + 0.4 * np.sin(2 * np.pi * t / rng.uniform(12, 30, (n, 1, 1)) + rng.uniform(0, 6, (n, 1, 1)))
    x[:, 1] += 0.5 * x[:, 0]            # tension follows draw
    x[:, 2] -= 0.3 * x[:, 4]            # steam dries the sheet
    y = np.zeros(n, np.float32)
    if with_breaks:
        risk = rng.random(n) < 0.15
        onset = rng.integers(20, 50, n)
        for i in np.where(risk)[0]:
            ramp = np.clip((t - onset[i]) / 15, 0, None)
            x[i, 1] += 0.9 * ramp * np.sin(2 * np.pi * t / 5)      # tension flutter grows
            x[i, 2] += 0.6 * ramp                                   # moisture drifts up
        y = risk.astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


def block(cin, cout, dil):
    return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2 * dil, dilation=dil), nn.BatchNorm1d(cout), nn.GELU())


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1, self.b2, self.b3 = block(C, 32, 1), block(32, 32, 2), block(32, 48, 4)

    def forward(self, x):
        return self.b3(self.b2(self.b1(x)))


# ---- stage 1: self-supervised forecasting on unlabelled windows
Xu, _ = simulate(4000, with_breaks=False)
mu = Xu[:, :, :T].mean((0, 2), keepdim=True)
sd = Xu[:, :, :T].std((0, 2), keepdim=True)
Xu = (Xu - mu) / sd
enc = Encoder()
forecast = nn.Sequential(nn.Flatten(), nn.Linear(48 * 8, C * H))
pool8 = nn.AdaptiveAvgPool1d(8)
opt = torch.optim.Adam(list(enc.parameters()) + list(forecast.parameters()), lr=3e-3)
pre_sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6 * 32)
for epoch in range(6):
    perm = torch.randperm(len(Xu))
    tot = 0.0
    for i in range(0, len(Xu), 128):
        xb = Xu[perm[i:i + 128]]
        pred = forecast(pool8(enc(xb[:, :, :T]))).view(-1, C, H)
        loss = nn.functional.mse_loss(pred, xb[:, :, T:])
        opt.zero_grad(); loss.backward(); opt.step(); pre_sched.step()
        tot += loss.item() * len(xb)
    print(f"pretrain epoch {epoch + 1} forecast MSE {tot / len(Xu):.3f}")

# ---- stage 2: fine-tune on the labelled break history
X, y = simulate(1400, with_breaks=True)
X = ((X - mu) / sd)[:, :, :T]
Xtr, ytr, Xva, yva = X[:1000], y[:1000], X[1000:], y[1000:]

for blk in (enc.b1, enc.b2):
    for p in blk.parameters():
        p.requires_grad_(False)


class BreakClassifier(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc
        self.head = nn.Sequential(nn.Linear(96, 32), nn.ReLU(), nn.Linear(32, 1))

    def train(self, mode=True):
        super().train(mode)
        self.enc.b1.eval(); self.enc.b2.eval()  # frozen blocks keep their pretrained BN statistics
        return self

    def forward(self, x):
        f = self.enc(x)
        return self.head(torch.cat([f.mean(2), f.amax(2)], 1)).squeeze(1)


clf = BreakClassifier(enc)
pos_w = (1 - ytr.mean()) / ytr.mean()
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_w)
opt = torch.optim.AdamW([p for p in clf.parameters() if p.requires_grad], lr=1e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=15)
for epoch in range(15):
    clf.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        b = perm[i:i + 32]
        loss = criterion(clf(Xtr[b]), ytr[b])
        opt.zero_grad(); loss.backward(); opt.step()
    sched.step()
    clf.eval()
    with torch.no_grad():
        s = torch.sigmoid(clf(Xva))
        val_loss = nn.functional.binary_cross_entropy(s, yva).item()
    if (epoch + 1) % 3 == 0:
        print(f"finetune epoch {epoch + 1:2d} val BCE {val_loss:.3f} val AUC {roc_auc_score(yva, s):.3f}")
recall = ((s > 0.5) & (yva > 0)).sum().item() / yva.sum().item()
print(f"val ROC-AUC {roc_auc_score(yva, s):.3f}  break recall@0.5 {recall:.2f}  (breaks {int(yva.sum())} of {len(yva)})")
