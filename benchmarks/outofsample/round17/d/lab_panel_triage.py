"""Emergency-department triage from a routine lab panel (3 acuity levels).

Synthetic cohort that mimics the units a LIS export arrives in (mg/dL, mmol/L, g/dL ...).
MLP classifier, AdamW, EMA of the weights kept with deepcopy, best EMA checkpoint saved with
torch.save and reloaded for the final test report.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

torch.manual_seed(7)
np.random.seed(7)

COLUMNS = ["age", "sbp", "cholesterol", "glucose", "platelets", "sodium", "potassium",
           "creatinine", "bilirubin", "hemoglobin", "lactate", "albumin"]


def make_cohort(n=3600, rng=np.random.default_rng(7)):
    age = rng.normal(58, 16, n).clip(18, 95)
    sbp = rng.normal(132, 19, n)
    chol = rng.normal(198, 38, n)
    glucose = rng.lognormal(np.log(105), 0.22, n)
    platelets = rng.normal(250, 62, n)
    sodium = rng.normal(139, 3.2, n)
    potassium = rng.normal(4.2, 0.5, n)
    creat = rng.lognormal(np.log(1.0), 0.35, n)
    bili = rng.lognormal(np.log(0.8), 0.45, n)
    hgb = rng.normal(13.4, 1.7, n)
    lactate = rng.lognormal(np.log(1.4), 0.4, n)
    albumin = rng.normal(4.0, 0.45, n)
    X = np.column_stack([age, sbp, chol, glucose, platelets, sodium, potassium,
                         creat, bili, hgb, lactate, albumin])
    # acuity: lactate, renal, electrolyte and haematology markers dominate
    risk = (1.8 * (lactate - 1.4) / 0.6 + 1.4 * (creat - 1.0) / 0.35
            + 1.1 * np.abs(potassium - 4.2) / 0.5 - 1.0 * (hgb - 13.4) / 1.7
            + 0.8 * (bili - 0.8) / 0.4 - 0.7 * (albumin - 4.0) / 0.45
            + 0.5 * np.abs(sodium - 139) / 3.2 + 0.4 * (age - 58) / 16
            + 0.3 * (glucose - 105) / 25 + rng.normal(0, 0.6, n))
    y = np.digitize(risk, np.quantile(risk, [0.55, 0.85]))
    return X.astype(np.float32), y.astype(np.int64)


X, y = make_cohort()
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=7)
X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=7)

mu, sd = X_tr.mean(), X_tr.std()
X_tr, X_va, X_te = [(a - mu) / sd for a in (X_tr, X_va, X_te)]

to_t = lambda a, b: TensorDataset(torch.from_numpy(a), torch.from_numpy(b))
train_loader = DataLoader(to_t(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(to_t(X_va, y_va), batch_size=256)
test_loader = DataLoader(to_t(X_te, y_te), batch_size=256)

model = nn.Sequential(
    nn.Linear(len(COLUMNS), 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 3),
)
ema = copy.deepcopy(model).requires_grad_(False)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
criterion = nn.CrossEntropyLoss()


@torch.no_grad()
def ema_update(decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def predict(net, loader):
    net.eval()
    preds, ys = [], []
    for xb, yb in loader:
        preds.append(net(xb).argmax(1))
        ys.append(yb)
    return torch.cat(ys).numpy(), torch.cat(preds).numpy()


ckpt = os.path.join(tempfile.mkdtemp(), "triage_best.pt")
best = -1.0
for epoch in range(30):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        ema_update()
        running += loss.item() * len(xb)
    yv, pv = predict(ema, val_loader)
    bacc = balanced_accuracy_score(yv, pv)
    if bacc > best:
        best = bacc
        torch.save(ema, ckpt)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  train_loss {running / len(X_tr):.4f}  val_bacc {bacc:.4f}")

final = torch.load(ckpt, weights_only=False)
yt, pt = predict(final, test_loader)
print(f"test balanced accuracy {balanced_accuracy_score(yt, pt):.4f}")
