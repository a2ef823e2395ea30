"""Card-transaction fraud scoring (about 2% positives).

Numeric features (log amount, hour-of-day as sin/cos, velocity counts, distance from home,
account age, ...) plus the merchant category as a learned embedding. Positives are up-weighted in
BCEWithLogitsLoss (pos_weight = negatives/positives), an EMA copy of the weights is kept for
evaluation, the EMA model with the best validation average precision is saved with torch.save,
and training stops early when it has not improved for 4 epochs.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import average_precision_score, roc_auc_score

torch.manual_seed(8)
rng = np.random.default_rng(8)
N, N_MCC = 20000, 30

fraud = rng.random(N) < 0.02
mcc = np.where(fraud & (rng.random(N) < 0.6), rng.choice([3, 7, 19, 25], N), rng.integers(0, N_MCC, N))
amount = np.exp(rng.normal(3.4, 1.0, N) + 1.1 * fraud)
hour = np.where(fraud & (rng.random(N) < 0.5), rng.integers(0, 6, N), rng.integers(0, 24, N))
vel_1h = rng.poisson(0.6 + 2.0 * fraud)
vel_24h = vel_1h + rng.poisson(3.0 + 3.0 * fraud)
dist_km = rng.exponential(8 + 60 * fraud)
acct_days = rng.exponential(900 - 500 * fraud)
card_present = (rng.random(N) < np.where(fraud, 0.25, 0.7)).astype(float)
foreign = (rng.random(N) < np.where(fraud, 0.3, 0.05)).astype(float)

num = np.stack([np.log1p(amount), np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                np.log1p(vel_1h), np.log1p(vel_24h), np.log1p(dist_km), np.log1p(acct_days),
                card_present, foreign], 1).astype(np.float32)
y = fraud.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:16000], idx[16000:]
cont = slice(0, 7)                       # the last two columns are 0/1 flags, left as they are
mu, sd = num[tr, cont].mean(0), num[tr, cont].std(0)
num[:, cont] = (num[:, cont] - mu) / sd


def loader(ix, shuffle):
    ds = TensorDataset(torch.from_numpy(num[ix]), torch.from_numpy(mcc[ix]), torch.from_numpy(y[ix]))
    return DataLoader(ds, batch_size=256, shuffle=shuffle)


train_loader, val_loader = loader(tr, True), loader(va, False)


class FraudNet(nn.Module):
    def __init__(self, n_num, n_mcc, emb=8):
        super().__init__()
        self.mcc = nn.Embedding(n_mcc, emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb, 64), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x, m):
        return self.mlp(torch.cat([x, self.mcc(m)], 1)).squeeze(-1)


model = FraudNet(num.shape[1], N_MCC)
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
pos = y[tr].sum()
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(tr) - pos) / pos))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


@torch.no_grad()
def ema_update(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    scores = torch.cat([net(x, m) for x, m, _ in val_loader]).numpy()
    return average_precision_score(y[va], scores), roc_auc_score(y[va], scores)


ckpt = os.path.join(tempfile.mkdtemp(), "fraud_ema_best.pt")
best_ap, patience = -1.0, 0
for epoch in range(1, 31):
    model.train()
    total = 0.0
    for x, m, t in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x, m), t)
        loss.backward()
        optimizer.step()
        ema_update()
        total += loss.item() * len(t)
    ap, auc = evaluate(ema)
    print(f"epoch {epoch:2d} train_loss {total / len(tr):.4f} val_ap {ap:.4f} val_auc {auc:.4f}")
    if ap > best_ap:
        best_ap, patience = ap, 0
        torch.save(ema, ckpt)
    else:
        patience += 1
        if patience >= 4:
            print(f"early stop at epoch {epoch}")
            break

best = torch.load(ckpt, weights_only=False)
ap, auc = evaluate(best)
print(f"final val_ap {ap:.4f} val_auc {auc:.4f} (prevalence {y[va].mean():.4f})")
