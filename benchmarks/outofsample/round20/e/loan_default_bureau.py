"""Probability of default for personal-loan applications from credit-bureau fields.

About 7% of loans default. The positive class is up-weighted in the loss
(pos_weight = negatives / positives), categorical bureau fields go through small
embeddings, missing "months since last delinquency" gets an indicator column, and the
epoch with the best validation ROC-AUC is kept.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)

N = 9000
HOME = ["rent", "mortgage", "own", "other"]
PURPOSE = ["debt_consolidation", "credit_card", "home_improvement", "car", "medical",
           "small_business", "wedding", "moving", "other"]

income = rng.lognormal(10.8, 0.55, N)
dti = np.clip(rng.gamma(3.0, 6.0, N), 0, 60)
util = np.clip(rng.beta(2.0, 3.0, N) * 1.2, 0, 1.3)
inquiries = rng.poisson(1.2, N)
open_lines = rng.poisson(9, N) + 1
history_months = np.clip(rng.normal(150, 80, N), 6, 600)
ever_delinquent = rng.random(N) < 0.35
months_since_delinq = np.where(ever_delinquent, rng.exponential(30, N), np.nan)
loan_amount = np.clip(rng.lognormal(9.4, 0.6, N), 1000, 40000)
home = rng.choice(len(HOME), N, p=[0.42, 0.40, 0.12, 0.06])
purpose = rng.choice(len(PURPOSE), N, p=[0.45, 0.2, 0.08, 0.07, 0.05, 0.05, 0.03, 0.03, 0.04])

score = (-5.6 + 0.06 * dti + 2.2 * util + 0.3 * inquiries - 0.004 * history_months
         - 0.55 * (np.log(income) - 10.8) + 0.35 * np.log(loan_amount / income * 10)
         + np.where(ever_delinquent, 1.3 * np.exp(-np.nan_to_num(months_since_delinq) / 18), 0)
         + np.array([0.25, -0.2, -0.35, 0.1])[home]
         + np.array([0.0, -0.1, -0.2, -0.15, 0.4, 0.75, 0.1, 0.2, 0.15])[purpose])
default = (rng.random(N) < 1 / (1 + np.exp(-score))).astype(np.float32)
print(f"default rate {default.mean():.3f}")

msd_filled = np.where(np.isnan(months_since_delinq), 0.0, np.log1p(np.nan_to_num(months_since_delinq)))
num = np.column_stack([
    np.log(income), dti, util, np.log1p(inquiries), np.log(open_lines), history_months,
    msd_filled, np.log(loan_amount), np.log(loan_amount / income),
]).astype(np.float32)
missing_flag = np.isnan(months_since_delinq).astype(np.float32)[:, None]
cat = np.column_stack([home, purpose]).astype(np.int64)

# out-of-time style: applications are already in arrival order; last 20% for validation
cut = int(0.8 * N)
tr, va = slice(0, cut), slice(cut, N)
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd
num = np.concatenate([num, missing_flag], axis=1)


class BureauNet(nn.Module):
    def __init__(self, n_num, cards, emb_dim=4, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in cards])
        self.mlp = nn.Sequential(
            nn.Linear(n_num + emb_dim * len(cards), hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden // 2), nn.ReLU(),
            nn.Linear(hidden // 2, 1),
        )

    def forward(self, x_num, x_cat):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([x_num] + e, dim=1)).squeeze(1)


def tensors(s):
    return (torch.from_numpy(num[s]), torch.from_numpy(cat[s]), torch.from_numpy(default[s]))


train_ds, val_ds = TensorDataset(*tensors(tr)), TensorDataset(*tensors(va))
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=1024)

pos = default[tr].sum()
neg = cut - pos
model = BureauNet(num.shape[1], [len(HOME), len(PURPOSE)])
criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(neg / pos))
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4, weight_decay=1e-5)


def evaluate():
    model.eval()
    logits, ys, loss = [], [], 0.0
    with torch.no_grad():
        for xn, xc, yb in val_loader:
            out = model(xn, xc)
            loss += criterion(out, yb).item() * len(yb)
            logits.append(out)
            ys.append(yb)
    p = torch.sigmoid(torch.cat(logits)).numpy()
    y = torch.cat(ys).numpy()
    return loss / len(y), roc_auc_score(y, p), balanced_accuracy_score(y, p > 0.5)


best_auc, best_state, best_epoch, patience = 0.0, None, 0, 0
for epoch in range(1, 41):
    model.train()
    for xn, xc, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xn, xc), yb)
        loss.backward()
        optimizer.step()
    val_loss, auc, bacc = evaluate()
    print(f"epoch {epoch:2d} val loss {val_loss:.4f} auc {auc:.4f} bal-acc {bacc:.3f}")
    if auc > best_auc + 1e-4:
        best_auc, best_epoch, patience = auc, epoch, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        patience += 1
        if patience >= 6:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
val_loss, auc, bacc = evaluate()
print(f"best epoch {best_epoch}: val ROC-AUC {auc:.4f}, balanced accuracy {bacc:.3f}")
