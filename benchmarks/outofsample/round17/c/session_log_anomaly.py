"""Flag anomalous service sessions from their sequence of parsed log-template ids.

Each session is 48 template ids (Drain-style parsing output). Normal sessions follow a
request lifecycle with background noise; anomalous ones (~5%) contain a retry storm, a
lifecycle step out of order, or a rare error template. Detector: template embeddings,
a width-3 convolution and max-over-time pooling, trained with plain hand-written SGD and a
positive-class weight for the rare anomalies.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import average_precision_score, f1_score

torch.manual_seed(5)
rng = np.random.default_rng(5)

N_TEMPLATES = 64
SEQ = 48
LIFECYCLE = [3, 7, 12, 15, 21, 9]          # open, auth, fetch, render, flush, close
BACKGROUND = np.arange(30, 60)
ERRORS = [61, 62, 63]


def session(anomalous):
    seq = list(rng.choice(BACKGROUND, SEQ))
    n_req = rng.integers(2, 6)
    starts = np.sort(rng.choice(SEQ - len(LIFECYCLE), n_req, replace=False))
    for s in starts:
        for k, t in enumerate(LIFECYCLE):
            if rng.uniform() < 0.9:
                seq[s + k] = t
    if anomalous:
        kind = rng.integers(0, 3)
        s = rng.integers(0, SEQ - 8)
        if kind == 0:                                       # retry storm
            seq[s:s + 6] = [12, 44, 12, 44, 12, 44]
        elif kind == 1:                                     # close before flush
            seq[s:s + 3] = [9, 21, 15]
        else:                                               # rare error template
            seq[s] = int(rng.choice(ERRORS))
    return seq


def make(n, rate=0.05):
    y = (rng.uniform(size=n) < rate).astype(np.float32)
    X = np.array([session(bool(a)) for a in y], dtype=np.int64)
    return torch.from_numpy(X), torch.from_numpy(y)


X_tr, y_tr = make(4000)
X_va, y_va = make(1500)


class ConvDetector(nn.Module):
    def __init__(self, n_templates, dim=24, channels=48):
        super().__init__()
        self.embed = nn.Embedding(n_templates, dim)
        self.conv = nn.Conv1d(dim, channels, kernel_size=3, padding=1)
        self.out = nn.Linear(channels, 1)

    def forward(self, ids):
        h = self.embed(ids).transpose(1, 2)                 # (B, dim, T)
        h = F.relu(self.conv(h))
        h = h.max(dim=2).values                             # any window that looks wrong
        return self.out(h).squeeze(-1)


model = ConvDetector(N_TEMPLATES)
pos_weight = (1 - y_tr.mean()) / y_tr.mean()
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
LR, EPOCHS, BATCH = 0.05, 14, 32

for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(y_tr))
    total = 0.0
    for i in range(0, len(perm), BATCH):
        idx = perm[i:i + BATCH]
        loss = criterion(model(X_tr[idx]), y_tr[idx])
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        with torch.no_grad():
            for p in model.parameters():
                p -= LR * p.grad
        total += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        scores = torch.sigmoid(model(X_va)).numpy()
    ap = average_precision_score(y_va.numpy(), scores)
    if epoch % 3 == 2 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d}  train loss {total / len(y_tr):.4f}  val AP {ap:.4f}")

f1 = f1_score(y_va.numpy(), scores > 0.5)
print(f"final: val average precision {ap:.4f}  F1@0.5 {f1:.4f}  (anomaly rate {y_va.mean():.3f})")
