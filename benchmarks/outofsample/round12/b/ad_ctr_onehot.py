"""Click-through prediction for display ads from six categorical fields (site, app
category, device, hour, ad size, advertiser) plus two counters. Categoricals go in as
sparse one-hot columns (left unscaled; only the counters are standardised); about 12%
of impressions are clicks, weighted up in the loss. bf16 autocast, OneCycleLR."""
import numpy as np
import torch
from sklearn.metrics import log_loss, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
FIELDS = {"site": 60, "app_cat": 15, "device": 5, "hour": 24, "ad_size": 8, "advertiser": 40}


EFF = {f: rng.normal(0, s, k) for (f, k), s in zip(FIELDS.items(), [0.6, 0.5, 0.3, 0.3, 0.4, 0.7])}
INTER = rng.normal(0, 0.8, (FIELDS["site"], FIELDS["ad_size"]))          # site x ad-size interaction


def impressions(n):
    cats = {f: rng.integers(0, k, n) for f, k in FIELDS.items()}
    prev_clicks = rng.poisson(1.5, n).astype(float)
    session_len = rng.gamma(2.0, 60.0, n)
    z = (-2.6 + sum(EFF[f][cats[f]] for f in FIELDS) + INTER[cats["site"], cats["ad_size"]]
         + 0.35 * np.log1p(prev_clicks) - 0.002 * session_len)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    return cats, np.stack([prev_clicks, session_len], 1), y


def encode(cats, dense, mu, sd):
    blocks = [np.eye(k, dtype=np.float32)[cats[f]] for f, k in FIELDS.items()]
    return np.concatenate(blocks + [((dense - mu) / sd).astype(np.float32)], 1)


cats_all, dense_all, y_all = impressions(15000)
cats_tr = {f: v[:12000] for f, v in cats_all.items()}
cats_va = {f: v[12000:] for f, v in cats_all.items()}
dense_tr, dense_va, ytr, yva = dense_all[:12000], dense_all[12000:], y_all[:12000], y_all[12000:]

mu, sd = dense_tr.mean(0), dense_tr.std(0)
Xtr, Xva = encode(cats_tr, dense_tr, mu, sd), encode(cats_va, dense_va, mu, sd)
print(f"{Xtr.shape[1]} input columns, click rate {ytr.mean():.3f}")
train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=256, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=1000)

model = nn.Sequential(nn.Linear(Xtr.shape[1], 96), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(96, 32), nn.ReLU(), nn.Linear(32, 1))
pos_weight = torch.tensor((1 - ytr.mean()) / ytr.mean() / 2)
loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
epochs = 8
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_dl))

for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb).squeeze(-1)
        loss = loss_fn(logits.float(), yb)
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        scores = torch.cat([torch.sigmoid(model(xb).squeeze(-1)) for xb, _ in val_dl]).numpy()
    print(f"epoch {epoch + 1} train loss {loss.item():.4f} val AUC {roc_auc_score(yva, scores):.4f}")

print(f"final val AUC {roc_auc_score(yva, scores):.4f}  (weighted-loss scores; log loss not calibrated: "
      f"{log_loss(yva, scores):.4f})")
