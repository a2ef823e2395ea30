"""Sleep staging from per-epoch EEG/EOG/EMG band powers (30 s epochs, 5 AASM stages).

Nights are simulated from a Markov hypnogram; every night is z-scored on its own (the
usual per-recording normalisation), and each epoch sees its neighbours as context.
Subjects are split, never epochs, so validation nights are unseen people.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = 11
torch.manual_seed(SEED)
np.random.seed(SEED)

STAGES = ["W", "N1", "N2", "N3", "REM"]
BANDS = ["delta", "theta", "alpha", "sigma", "beta"]

# log band power (EEG Fpz-Cz, Pz-Oz) per stage, then log EOG and log EMG power
STAGE_MEAN = np.array([
    # delta theta alpha sigma beta | delta theta alpha sigma beta | eog  emg
    [0.2, 0.3, 1.2, 0.1, 0.9, 0.1, 0.3, 1.4, 0.1, 0.8, 1.1, 1.3],   # W
    [0.6, 0.9, 0.4, 0.2, 0.4, 0.5, 0.9, 0.5, 0.2, 0.3, 0.6, 0.6],   # N1
    [1.1, 0.7, 0.2, 0.9, 0.1, 1.0, 0.6, 0.2, 0.8, 0.1, 0.1, 0.3],   # N2
    [1.9, 0.6, 0.0, 0.3, -0.2, 1.8, 0.5, 0.0, 0.3, -0.2, 0.0, 0.2],  # N3
    [0.5, 1.0, 0.3, 0.0, 0.5, 0.4, 1.0, 0.4, 0.0, 0.4, 1.3, -0.4],  # REM
])

TRANS = np.array([
    [0.90, 0.08, 0.02, 0.00, 0.00],
    [0.06, 0.55, 0.33, 0.00, 0.06],
    [0.02, 0.03, 0.85, 0.06, 0.04],
    [0.01, 0.00, 0.10, 0.89, 0.00],
    [0.03, 0.04, 0.03, 0.00, 0.90],
])


def simulate_night(rng, n_epochs=420):
    s = 0
    hyp = np.empty(n_epochs, dtype=np.int64)
    for t in range(n_epochs):
        hyp[t] = s
        s = rng.choice(5, p=TRANS[s])
    gain = rng.normal(0, 0.35, size=STAGE_MEAN.shape[1])          # electrode impedance, age
    feats = STAGE_MEAN[hyp] * rng.uniform(0.8, 1.2) + gain
    noise = np.zeros_like(feats)
    for t in range(1, n_epochs):                                     # slow drifts between epochs
        noise[t] = 0.6 * noise[t - 1] + rng.normal(0, 0.35, size=feats.shape[1])
    feats = feats + noise
    feats = (feats - feats.mean(0)) / feats.std(0)                 # per-night z-score
    ctx = np.concatenate([np.roll(feats, 1, 0), feats, np.roll(feats, -1, 0)], axis=1)
    return ctx[1:-1].astype(np.float32), hyp[1:-1]


rng = np.random.default_rng(SEED)
nights = [simulate_night(rng) for _ in range(36)]
train_nights, val_nights = nights[:28], nights[28:]
X_tr = torch.from_numpy(np.concatenate([n[0] for n in train_nights]))
y_tr = torch.from_numpy(np.concatenate([n[1] for n in train_nights]))
X_va = torch.from_numpy(np.concatenate([n[0] for n in val_nights]))
y_va = torch.from_numpy(np.concatenate([n[1] for n in val_nights]))


class StageNet(nn.Module):
    def __init__(self, n_in, n_classes=5):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.out = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        bound = math.sqrt(6.0 / m.in_features)
        nn.init.uniform_(m.weight, bound, bound)
        nn.init.zeros_(m.bias)


def cohen_kappa(y, p, k=5):
    cm = np.zeros((k, k))
    np.add.at(cm, (y, p), 1)
    n = cm.sum()
    po = np.trace(cm) / n
    pe = (cm.sum(0) * cm.sum(1)).sum() / n ** 2
    return (po - pe) / (1 - pe)


model = StageNet(X_tr.shape[1])
model.apply(init_weights)

lr = 0.05
batch_size = 64
epochs = 12
for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        logits = model(X_tr[idx])
        loss = F.cross_entropy(logits, y_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        va_logits = model(X_va)
        va_loss = F.cross_entropy(va_logits, y_va).item()
        pred = va_logits.argmax(1)
    acc = (pred == y_va).float().mean().item()
    print(f"epoch {epoch:2d} train_loss {running / len(X_tr):.4f} val_loss {va_loss:.4f} val_acc {acc:.4f}")

kappa = cohen_kappa(y_va.numpy(), pred.numpy())
print(f"final val_acc {acc:.4f} cohen_kappa {kappa:.4f}")
