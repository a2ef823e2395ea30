"""Click-through model for an ad slot: field embeddings + MLP.

Memory on the serving box is tight, so we train with micro-batches of 32 and
accumulate gradients over 8 of them (effective batch 256), clipping once per
optimizer step.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, log_loss
from sklearn.preprocessing import OneHotEncoder

torch.manual_seed(7)
rng = np.random.default_rng(7)

CARD = {"segment": 12, "category": 20, "hour": 24, "device": 3}
N = 24000


def make_logs(n):
    cols = {k: rng.integers(0, c, n) for k, c in CARD.items()}
    dwell = rng.gamma(2.0, 1.5, n)                     # seconds on previous page
    pos = rng.integers(1, 6, n).astype(np.float64)      # slot position 1..5
    return cols, dwell, pos


cols, dwell, pos = make_logs(N)
seg_eff = rng.normal(0, 0.4, CARD["segment"])
cat_eff = rng.normal(0, 0.4, CARD["category"])
affinity = rng.normal(0, 1.5, (CARD["segment"], CARD["category"]))  # who likes what
hour_eff = 0.5 * np.sin(np.arange(24) / 24 * 2 * np.pi)
dev_eff = np.array([0.0, -0.3, 0.2])
logit = (-2.2 + seg_eff[cols["segment"]] + cat_eff[cols["category"]]
         + affinity[cols["segment"], cols["category"]] + hour_eff[cols["hour"]]
         + dev_eff[cols["device"]] + 0.25 * np.log1p(dwell) - 0.35 * (pos - 1))
clicks = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

cat_mat = np.stack([cols[k] for k in CARD], 1)
num = np.stack([np.log1p(dwell), pos], 1)
split = int(0.8 * N)
mu, sd = num[:split].mean(0), num[:split].std(0)
num = ((num - mu) / sd).astype(np.float32)

tr = TensorDataset(torch.from_numpy(cat_mat[:split]).long(), torch.from_numpy(num[:split]),
                   torch.from_numpy(clicks[:split]))
va = TensorDataset(torch.from_numpy(cat_mat[split:]).long(), torch.from_numpy(num[split:]),
                   torch.from_numpy(clicks[split:]))
train_loader = DataLoader(tr, batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(va, batch_size=1024)


class CTRNet(nn.Module):
    def __init__(self, dim=8):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, dim) for c in CARD.values())
        self.mlp = nn.Sequential(nn.Linear(dim * len(CARD) + 2, 128), nn.ReLU(),
                                 nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))
        p = clicks[:split].mean()
        nn.init.constant_(self.mlp[-1].bias, float(np.log(p / (1 - p))))

    def forward(self, cats, nums):
        e = [emb(cats[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [nums], 1)).squeeze(1)


model = CTRNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
criterion = nn.BCEWithLogitsLoss()
ACCUM = 8
EPOCHS = 8


def evaluate():
    model.eval()
    total, probs = 0.0, []
    with torch.no_grad():
        for c, x, y in val_loader:
            out = model(c, x)
            total += nn.functional.binary_cross_entropy_with_logits(out, y, reduction="sum").item()
            probs.append(torch.sigmoid(out))
    probs = torch.cat(probs).numpy()
    return total / len(va), roc_auc_score(clicks[split:], probs)


for epoch in range(EPOCHS):
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for i, (c, x, y) in enumerate(train_loader):
        loss = criterion(model(c, x), y) / ACCUM
        loss.backward()
        running += loss.item()
        if (i + 1) % ACCUM == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            optimizer.zero_grad()
    val_ll, val_auc = evaluate()
    print(f"epoch {epoch + 1}: train logloss {running * ACCUM / len(train_loader):.4f} "
          f"val logloss {val_ll:.4f} val AUC {val_auc:.4f}")

enc = OneHotEncoder(handle_unknown="ignore").fit(cat_mat[:split])
Xtr = np.hstack([enc.transform(cat_mat[:split]).toarray(), num[:split]])
Xva = np.hstack([enc.transform(cat_mat[split:]).toarray(), num[split:]])
lr = LogisticRegression(max_iter=2000, C=1.0).fit(Xtr, clicks[:split])
pb = lr.predict_proba(Xva)[:, 1]
print(f"baseline one-hot logistic: val logloss {log_loss(clicks[split:], pb):.4f} "
      f"AUC {roc_auc_score(clicks[split:], pb):.4f}")
print(f"final: val AUC {val_auc:.4f} val logloss {val_ll:.4f}")
