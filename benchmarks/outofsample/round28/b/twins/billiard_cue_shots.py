"""Shot-type recognition from an instrumented billiard cue.

A 3-axis accelerometer in the cue butt records 128 samples (1 kHz) around tip contact.
Coaches label the stroke: stun, follow, draw, left side, right side, masse.
1-D CNN with BatchNorm and dropout, trained with SGD + momentum and a step schedule.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
EPOCHS = 8
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_CLASSES, T = 6, 128
t = np.linspace(0, 1, T)


def strokes(n):
    y = rng.integers(0, N_CLASSES, n)
    X = np.zeros((n, 3, T), np.float32)
    for i, c in enumerate(y):
        hit = rng.uniform(0.35, 0.55)
        power = rng.lognormal(0, 0.35)
        env = np.exp(-((t - hit) / 0.04) ** 2)
        ring = np.sin(2 * np.pi * rng.uniform(38, 46) * (t - hit)) * np.exp(-np.clip(t - hit, 0, None) / 0.08) * (t > hit)
        follow = {0: 0.0, 1: 0.8, 2: -0.8, 3: 0.1, 4: 0.1, 5: -0.3}[c]
        side = {0: 0.0, 1: 0.0, 2: 0.0, 3: -0.9, 4: 0.9, 5: 0.4}[c]
        lift = 1.2 if c == 5 else 0.0
        after = np.clip(t - hit, 0, None)
        X[i, 0] = power * (env + 0.5 * ring + follow * after * 3 * np.exp(-after * 6))
        X[i, 1] = power * (side * (env * 0.7 + after * 2 * np.exp(-after * 5)) + 0.2 * ring)
        X[i, 2] = power * (lift * env + 0.3 * ring * (1 + lift)) + 0.15 * np.sin(2 * np.pi * 2 * t + rng.uniform(0, 6))
        X[i] += rng.normal(0, 0.25, (3, T))
    return X, y


X, y = strokes(1600)
Xtr, ytr, Xva, yva = X[:1300], y[:1300], X[1300:], y[1300:]
mu = Xtr.mean(axis=(0, 2), keepdims=True)
sd = Xtr.std(axis=(0, 2), keepdims=True)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=250)


class CueNet(nn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv1d(cin, cout, 5, padding=2, bias=False), nn.BatchNorm1d(cout), nn.ReLU(),
                                 nn.Conv1d(cout, cout, 5, padding=2, bias=False), nn.BatchNorm1d(cout), nn.ReLU(),
                                 nn.MaxPool1d(2))
        self.features = nn.Sequential(block(3, 24), block(24, 48), block(48, 48))
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(48, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.fc(self.drop(h))


model = CueNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.3)


def test(loader):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


print("untrained val loss {:.3f} acc {:.3f}".format(*test(val_loader)))
for epoch in range(1, EPOCHS + 1):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    scheduler.step()
    vl, va = test(val_loader)
    print(f"epoch {epoch:2d} train loss {loss.item():.3f} val loss {vl:.3f} val acc {va:.3f}")

vl, va = test(val_loader)
print(f"final val accuracy {va:.4f} (loss {vl:.3f})")
