"""Tag recipes with dietary / cuisine labels from their method-text bag-of-words.

Each recipe may carry several tags (or none), so the head is one logit per tag under
BCEWithLogitsLoss; rare tags get a pos_weight. Inputs are log(1 + count) term frequencies,
sparse and non-negative, fed as they are. Validation reports the summed BCE over every
(recipe, tag) pair divided by their number, plus micro / macro F1.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader, TensorDataset

SEED = 21
torch.manual_seed(SEED)

X, Y = make_multilabel_classification(n_samples=4000, n_features=800, n_classes=12, n_labels=2,
                                      length=300, allow_unlabeled=True, random_state=SEED)
X = np.log1p(X).astype(np.float32)
Y = Y.astype(np.float32)
X_tr, X_va, Y_tr, Y_va = X[:3200], X[3200:], Y[:3200], Y[3200:]

pos = Y_tr.sum(0)
pos_weight = torch.tensor(np.clip((len(Y_tr) - pos) / np.maximum(pos, 1), 1.0, 10.0), dtype=torch.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)), batch_size=500)


class Tagger(nn.Module):
    def __init__(self, n_in, n_tags, hidden=256):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.3))
        self.out = nn.Linear(hidden, n_tags)

    def forward(self, x):
        return self.out(self.body(x))


model = Tagger(X.shape[1], Y.shape[1])
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)


def evaluate():
    model.eval()
    total, n, probs = 0.0, 0, []
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            total += nn.functional.binary_cross_entropy_with_logits(logits, yb, reduction="sum").item()
            n += yb.numel()
            probs.append(torch.sigmoid(logits))
    P = torch.cat(probs).numpy()
    pred = (P > 0.5).astype(int)
    return (total / n, f1_score(Y_va, pred, average="micro", zero_division=0),
            f1_score(Y_va, pred, average="macro", zero_division=0))


for epoch in range(1, 9):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    bce, micro, macro = evaluate()
    print(f"epoch {epoch}  train loss {running / len(X_tr):.4f}  val bce/pair {bce:.4f}  "
          f"micro-F1 {micro:.3f}  macro-F1 {macro:.3f}")

print(f"final: val micro-F1 {micro:.4f}  macro-F1 {macro:.4f}  (label cardinality {Y_va.sum(1).mean():.2f})")
