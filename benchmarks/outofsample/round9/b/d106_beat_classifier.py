"""Heartbeat morphology classifier (simulated single-lead beats, 96 samples at 120 Hz).

Classes: 0 normal sinus, 1 premature ventricular, 2 atrial premature.
Holter recordings are mostly normal beats.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import balanced_accuracy_score, f1_score
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
T = 96
t = np.linspace(-0.4, 0.4, T)


def g(mu, sig, amp):
    return amp * np.exp(-((t - mu) ** 2) / (2 * sig ** 2))


def beat(kind):
    s = rng.normal(1.0, 0.08)
    if kind == 0:
        w = g(-0.2, 0.025, 0.15) + g(0, 0.012 * s, 1.0) - g(0.025, 0.01, 0.2) + g(0.22, 0.045, 0.3)
    elif kind == 1:
        w = g(0.01, 0.03 * s, 1.1) - g(0.07, 0.03, 0.35) - g(0.24, 0.06, 0.25)
    else:
        w = g(-0.13, 0.02, 0.12) + g(0, 0.012 * s, 0.95) - g(0.025, 0.01, 0.2) + g(0.2, 0.045, 0.28)
    shift = rng.integers(-4, 5)
    w = np.roll(w, shift)
    wander = 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.3))
    return w * rng.normal(1.0, 0.15) + wander + rng.normal(0, 0.06, T)


N = 5000
y = rng.choice(3, size=N, p=[0.94, 0.04, 0.02])
X = np.stack([beat(k) for k in y]).astype(np.float32)
X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)

idx = rng.permutation(N)
tr, va = idx[:4000], idx[4000:]
train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]).unsqueeze(1), torch.tensor(y[tr])),
                          batch_size=64, shuffle=True, num_workers=0)
val_x, val_y = torch.tensor(X[va]).unsqueeze(1), y[va]


class BeatNet(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


model = BeatNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3, 5], gamma=0.3)

for epoch in range(6):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        pred = model(val_x).argmax(1).numpy()
    print(f"epoch {epoch + 1} loss {running / len(tr):.4f} val_acc {(pred == val_y).mean():.4f} "
          f"bal_acc {balanced_accuracy_score(val_y, pred):.4f}")

print(f"final val_acc {(pred == val_y).mean():.4f} balanced_acc {balanced_accuracy_score(val_y, pred):.4f} "
      f"macro_f1 {f1_score(val_y, pred, average='macro'):.4f}")
