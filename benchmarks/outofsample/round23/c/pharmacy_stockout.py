"""Weekly stock-out risk for (pharmacy, product) pairs.

Branch and SKU effects are learned as embeddings (sparse gradients, SparseAdam), the dense
inventory features go through a small MLP trained with AdamW.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_PHARM, N_SKU, RANK = 250, 400, 4
N = 60000

pharm_f = rng.normal(0, 1, (N_PHARM, RANK))
sku_f = rng.normal(0, 1, (N_SKU, RANK))
pharm_b = rng.normal(0, 0.5, N_PHARM)
sku_b = rng.normal(0, 0.7, N_SKU)

ph = rng.integers(0, N_PHARM, N)
sk = rng.integers(0, N_SKU, N)
days_of_cover = rng.gamma(2.0, 6.0, N)
lead_time = rng.integers(1, 15, N).astype(float)
supplier_fill = rng.beta(8, 2, N)
promo = (rng.random(N) < 0.12).astype(float)
week = rng.integers(0, 52, N)
flu_season = np.cos(2 * np.pi * (week - 2) / 52)

logit = (
    -1.2
    + 0.8 * (pharm_f[ph] * sku_f[sk]).sum(1)
    + pharm_b[ph] + sku_b[sk]
    - 0.12 * (days_of_cover - lead_time)
    - 2.5 * (supplier_fill - 0.8)
    + 0.7 * promo
    + 0.4 * flu_season
)
y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

dense = np.column_stack([days_of_cover, lead_time, supplier_fill, promo,
                         np.sin(2 * np.pi * week / 52), np.cos(2 * np.pi * week / 52)]).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:50000], perm[50000:]
mu, sd = dense[tr].mean(0), dense[tr].std(0)
dense = (dense - mu) / sd

T = lambda a: torch.from_numpy(np.ascontiguousarray(a))
ph_t, sk_t, dense_t, y_t = T(ph), T(sk), T(dense), T(y)


class StockoutModel(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.pharm = nn.Embedding(N_PHARM, dim, sparse=True)
        self.sku = nn.Embedding(N_SKU, dim, sparse=True)
        self.pharm_bias = nn.Embedding(N_PHARM, 1, sparse=True)
        self.sku_bias = nn.Embedding(N_SKU, 1, sparse=True)
        for emb in (self.pharm, self.sku):
            nn.init.normal_(emb.weight, std=0.1)
        for emb in (self.pharm_bias, self.sku_bias):
            nn.init.zeros_(emb.weight)
        self.dense_net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, p, s, d):
        inter = (self.pharm(p) * self.sku(s)).sum(1)
        bias = self.pharm_bias(p).squeeze(1) + self.sku_bias(s).squeeze(1)
        return self.dense_net(d).squeeze(1) + inter + bias


model = StockoutModel()
sparse_params = [m.weight for m in (model.pharm, model.sku, model.pharm_bias, model.sku_bias)]
dense_params = list(model.dense_net.parameters())
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=5e-3)
opt_dense = torch.optim.AdamW(dense_params, lr=2e-3, weight_decay=1e-4)

pos_rate = y[tr].mean()
print(f"train positives {pos_rate:.3f}")


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(ph_t[va], sk_t[va], dense_t[va])
        loss = F.binary_cross_entropy_with_logits(logits, y_t[va]).item()
    auc = roc_auc_score(y[va], logits.numpy())
    return loss, auc


tr_t = torch.from_numpy(tr)
for epoch in range(9):
    model.train()
    order = tr_t[torch.randperm(len(tr_t))]
    tot = 0.0
    for i in range(0, len(order), 512):
        b = order[i:i + 512]
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(ph_t[b], sk_t[b], dense_t[b]), y_t[b])
        loss.backward()
        opt_dense.step()
        tot += loss.item() * len(b)
    val_loss, val_auc = evaluate()
    print(f"epoch {epoch} train_bce {tot / len(order):.4f} val_bce {val_loss:.4f} val_auc {val_auc:.4f}")

print(f"FINAL val_auc {val_auc:.4f} val_bce {val_loss:.4f}")
