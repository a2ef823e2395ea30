"""Record linkage for a parish-register transcription project: is this baptism entry the
same person as this census entry?

Each candidate pair is described by categorical comparison fields (surname / forename /
father's name agreement, birth-year gap, parish distance, source pair type, decade) and
the frequency deciles of the names, all one-hot, plus a hashed one-hot of the surname
itself (1,024 buckets): a sparse 0/1 input of 1,090 columns, deliberately left unscaled.
True matches are about 7% of the candidate pairs.  Agreement on a common surname means
little; agreement on a rare one means a lot, so the fields interact.

MLP trained under bfloat16 autocast on the CPU (the loss is computed in float32),
BCEWithLogits with pos_weight for the imbalance, AdamW with cosine decay.  Validation
loss is accumulated with reduction="sum" and divided by the number of pairs once.
"""
import zlib

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score

torch.manual_seed(2024)
rng = np.random.default_rng(2024)
FIELDS = {"surname": 3, "forename": 4, "father": 4, "year_gap": 6, "parish": 4, "source": 6,
          "sur_freq": 10, "fore_freq": 10, "decade": 8}
N_HASH = 1024
SURNAMES = [f"surname{i}" for i in range(3000)]
sur_pop = 1.0 / np.arange(1, 3001) ** 0.9
sur_pop /= sur_pop.sum()


def pairs(n):
    is_match = rng.random(n) < 0.07
    sur_idx = rng.choice(3000, n, p=sur_pop)
    sur_freq = np.minimum(9, (np.log10(1 / sur_pop[sur_idx]) - 2.1) * 4.5).clip(0).astype(int)
    cols = {}
    common = 1 - sur_freq / 9.0                           # 1 = very common surname
    # non-matches were blocked on a similar surname, so agreement is common among them too
    cols["surname"] = np.where(is_match, rng.choice(3, n, p=[0.85, 0.13, 0.02]),
                               rng.choice(3, n, p=[0.45, 0.35, 0.20]))
    cols["forename"] = np.where(is_match, rng.choice(4, n, p=[0.7, 0.2, 0.08, 0.02]),
                                rng.choice(4, n, p=[0.05, 0.1, 0.25, 0.6]))
    cols["father"] = np.where(is_match, rng.choice(4, n, p=[0.55, 0.1, 0.05, 0.3]),
                              rng.choice(4, n, p=[0.04, 0.08, 0.58, 0.3]))
    cols["source"] = rng.integers(0, 6, n)
    # census-to-census pairs state exact ages; burial and marriage entries round them loosely
    exact_ages = cols["source"] < 3
    cols["year_gap"] = np.where(is_match,
                                np.where(exact_ages, rng.choice(6, n, p=[0.75, 0.2, 0.02, 0.01, 0.0, 0.02]),
                                         rng.choice(6, n, p=[0.1, 0.15, 0.25, 0.4, 0.06, 0.04])),
                                rng.choice(6, n, p=[0.1, 0.12, 0.12, 0.2, 0.42, 0.04]))
    cols["parish"] = np.where(is_match, rng.choice(4, n, p=[0.6, 0.3, 0.08, 0.02]),
                              rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15]))
    cols["sur_freq"] = sur_freq
    cols["fore_freq"] = rng.integers(0, 10, n)
    cols["decade"] = rng.integers(0, 8, n)
    # among common surnames, blocking lets through many strong-looking non-matches
    # (namesakes): the only tell is the father's name and the parish
    decoy = (~is_match) & (rng.random(n) < 0.6 * common ** 2)
    cols["surname"] = np.where(decoy, 0, cols["surname"])
    cols["forename"] = np.where(decoy, rng.choice(4, n, p=[0.7, 0.2, 0.08, 0.02]), cols["forename"])
    cols["year_gap"] = np.where(decoy, rng.choice(6, n, p=[0.45, 0.35, 0.1, 0.05, 0.01, 0.04]), cols["year_gap"])
    parts = [np.eye(k, dtype=np.float32)[cols[f]] for f, k in FIELDS.items()]
    hashed = np.zeros((n, N_HASH), dtype=np.float32)
    hashed[np.arange(n), [zlib.crc32(SURNAMES[i].encode()) % N_HASH for i in sur_idx]] = 1.0
    return np.concatenate(parts + [hashed], 1), is_match.astype(np.float32)


Xtr, ytr = pairs(16000)
Xva, yva = pairs(4000)
Xte, yte = pairs(6000)
print(f"inputs {Xtr.shape[1]} columns, {Xtr.sum(1).mean():.0f} ones per row; match rate {ytr.mean():.3f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=1000)

model = nn.Sequential(nn.Linear(Xtr.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
pos_weight = torch.tensor((1 - ytr.mean()) / ytr.mean()) ** 0.5
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
epochs = 6
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))


def scores(loader):
    model.eval()
    total, out = 0.0, []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            logits = model(xb).squeeze(1).float()
            total += F.binary_cross_entropy_with_logits(logits, yb, pos_weight=pos_weight, reduction="sum").item()
            out.append(logits)
    return total / len(loader.dataset), torch.cat(out).numpy()


for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb).squeeze(1)
        loss = criterion(logits.float(), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
    vloss, vs = scores(val_loader)
    print(f"epoch {epoch + 1} train loss {loss.item():.4f} val loss {vloss:.4f} val AP {average_precision_score(yva, vs):.3f}")

_, vs = scores(val_loader)
grid = np.quantile(vs, np.linspace(0.80, 0.99, 40))
thr = grid[np.argmax([f1_score(yva, vs > t) for t in grid])]
_, ts = scores(DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=1000))

base = LogisticRegression(max_iter=2000, C=0.5, class_weight="balanced").fit(Xtr, ytr)
bv, bt = base.decision_function(Xva), base.decision_function(Xte)
bgrid = np.quantile(bv, np.linspace(0.80, 0.99, 40))
bthr = bgrid[np.argmax([f1_score(yva, bv > t) for t in bgrid])]
print(f"baseline logistic regression: test AP {average_precision_score(yte, bt):.3f} F1 {f1_score(yte, bt > bthr):.3f}"
      f" (all-match F1 {f1_score(yte, np.ones_like(yte)):.3f})")
print(f"final MLP (bf16 autocast): test AP {average_precision_score(yte, ts):.3f} F1 {f1_score(yte, ts > thr):.3f}")
