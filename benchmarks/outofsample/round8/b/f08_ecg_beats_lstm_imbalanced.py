"""Flag ectopic heartbeats in single-lead ECG windows with an LSTM.
About 1 window in 20 contains an ectopic beat."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
rng = np.random.default_rng(11)
T = 60


def beat_windows(n):
    t = np.arange(T)
    y = (rng.random(n) < 0.05).astype(np.float32)
    period = rng.uniform(18, 24, size=(n, 1))
    phase = rng.uniform(0, 20, size=(n, 1))
    pos = (t - phase) % period
    qrs = np.exp(-0.5 * ((pos - 3) / 1.0) ** 2)                  # R peaks
    twave = 0.3 * np.exp(-0.5 * ((pos - 10) / 2.5) ** 2)
    x = qrs + twave
    for i in np.flatnonzero(y):                                    # one premature, wider beat
        c = rng.uniform(15, 45)
        x[i] += rng.uniform(0.4, 0.9) * np.exp(-0.5 * ((t - c) / 2.2) ** 2)
    x += 0.04 * np.sin(2 * np.pi * t / rng.uniform(40, 90, size=(n, 1)))   # baseline wander
    x += rng.normal(0, 0.15, size=x.shape)
    return torch.tensor(x[..., None], dtype=torch.float32), torch.tensor(y)


class BeatLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(h.mean(1)).squeeze(-1)


X_tr, y_tr = beat_windows(2400)
X_va, y_va = beat_windows(1000)
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)

model = BeatLSTM()
pos_weight = None
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=8)

for epoch in range(8):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = criterion(logits, y_va).item()
    pred = (logits > 0).float()
    acc = (pred == y_va).float().mean().item()
    rec_pos = (pred[y_va == 1] == 1).float().mean().item()
    rec_neg = (pred[y_va == 0] == 0).float().mean().item()
    print(f"epoch {epoch} train_loss {total / len(X_tr):.4f} val_loss {val_loss:.4f} "
          f"acc {acc:.4f} recall(ectopic) {rec_pos:.3f}")

print(f"positives in train {int(y_tr.sum())}/{len(y_tr)}")
print(f"final val acc {acc:.4f} balanced_acc {(rec_pos + rec_neg) / 2:.4f} recall_ectopic {rec_pos:.3f}")
