"""Multi-label topic tagger over bag-of-words counts (40 tags, each rare).

Plain PyTorch loop, OneCycleLR stepped per batch, early-stopping-free fixed budget.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

SEED = 0
N_TAGS = 40
EPOCHS = 6
BATCH = 64

torch.manual_seed(SEED)
np.random.seed(SEED)

X, Y = make_multilabel_classification(n_samples=6000, n_features=80, n_classes=N_TAGS,
                                      n_labels=1, length=60, allow_unlabeled=True,
                                      random_state=SEED)
X = np.log1p(X)
Xtr, Xva, Ytr, Yva = train_test_split(X, Y, test_size=0.2, random_state=SEED)
mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(to_t(Xtr), to_t(Ytr)), batch_size=BATCH, shuffle=True)
val_loader = DataLoader(TensorDataset(to_t(Xva), to_t(Yva)), batch_size=512)

prevalence = torch.tensor(Ytr.mean(0), dtype=torch.float32).clamp(1e-4, 1 - 1e-4)
print(f"tag prevalence: mean {prevalence.mean():.3f}, min {prevalence.min():.3f}, max {prevalence.max():.3f}")


class Tagger(nn.Module):
    def __init__(self, d_in, n_tags, hidden=256, p_drop=0.1):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(p_drop),
            nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(p_drop),
        )
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, x):
        return self.head(self.encoder(x))


model = Tagger(X.shape[1], N_TAGS)
with torch.no_grad():
    nn.init.zeros_(model.head.bias)

criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))


def evaluate():
    model.eval()
    probs, tot = [], 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            tot += criterion(logits, yb).item() * len(xb)
            probs.append(torch.sigmoid(logits))
    P = torch.cat(probs).numpy()
    keep = Yva.sum(0) > 0
    return (tot / len(Yva), average_precision_score(Yva[:, keep], P[:, keep], average="macro"),
            f1_score(Yva, P > 0.5, average="micro", zero_division=0))


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
    vl, vap, vf1 = evaluate()
    print(f"epoch {epoch + 1}: train_loss {running / len(train_loader):.4f} "
          f"val_loss {vl:.4f} val_mAP {vap:.4f} val_microF1 {vf1:.4f}")

print(f"final val_mAP {vap:.4f} val_microF1 {vf1:.4f}")
