"""Cathedral ring of eight bells: which bell was struck, from a short log-spectrogram.

A tower microphone cuts a 32-frame window around each strike (40 log-frequency bins). A
bell's partials (hum, prime, tierce, quint, nominal) sit at fixed ratios of its strike
note, so the classes differ by where the ladder of partials sits, not by level. Training
uses augmentation (random onset shift, random gain, a masked frequency band), SGD with
Nesterov momentum, a linear warm-up then cosine decay stepped per batch, and the trained
model is saved whole and reloaded for the final evaluation.
"""
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

F, T, N_BELLS = 40, 32, 8
PARTIALS = np.array([0.5, 1.0, 1.2, 1.5, 2.0])          # hum, prime, tierce, quint, nominal
strike_hz = 440 * 2 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12]) / 12) / 2
bins_hz = np.geomspace(80, 1200, F)


def partials(spec, bell, onset, level):
    detune = rng.normal(1.0, 0.006)
    for k, ratio in enumerate(PARTIALS):
        f = strike_hz[bell] * ratio * detune
        b = np.log(f / bins_hz[0]) / np.log(bins_hz[-1] / bins_hz[0]) * (F - 1)
        profile = np.exp(-0.5 * ((np.arange(F) - b) / 1.1) ** 2)
        decay = rng.uniform(0.08, 0.25) * (1 + 0.3 * k)
        env = np.where(np.arange(T) >= onset, np.exp(-decay * (np.arange(T) - onset)), 0)
        amp = level * rng.uniform(3, 6) * (1.2 if k == 4 else 1.0)
        spec += amp * profile[:, None] * env[None, :]


def strike(bell):
    spec = np.full((F, T), -6.0) + rng.normal(0, 1.3, (F, T))
    # in change ringing the previous bell is still sounding when the next one strikes
    other = (bell + rng.integers(1, N_BELLS)) % N_BELLS
    onset = int(rng.integers(3, 19))
    partials(spec, other, onset - int(rng.integers(3, 12)), rng.uniform(0.6, 1.3))
    partials(spec, bell, onset, 1.0)
    return spec.astype(np.float32)


y = rng.integers(0, N_BELLS, 1900)
X = np.stack([strike(b) for b in y])[:, None]
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]
mu, sd = Xtr.mean(), Xtr.std()


class Strikes(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = torch.from_numpy((X - mu) / sd), torch.from_numpy(y).long(), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            x = torch.roll(x, int(torch.randint(-3, 4, ())), dims=2)
            x = x + 0.3 * torch.randn(())
            if torch.rand(()) < 0.5:
                f0 = int(torch.randint(0, F - 4, ()))
                x = x.clone()
                x[:, f0:f0 + 3] = 0.0
        return x, self.y[i]


train_loader = DataLoader(Strikes(Xtr, ytr, True), batch_size=64, shuffle=True)
val_loader = DataLoader(Strikes(Xva, yva, False), batch_size=200)


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


# pool over time only: the pitch ladder's position along the frequency axis is the signal
model = nn.Sequential(
    block(1, 16), nn.MaxPool2d((1, 2)),
    block(16, 24), nn.MaxPool2d((1, 2)),
    block(24, 24),
    nn.AdaptiveMaxPool2d((F, 1)), nn.Flatten(),
    nn.Dropout(0.2), nn.Linear(24 * F, N_BELLS),
)

EPOCHS, WARMUP = 10, 20
total_steps = EPOCHS * len(train_loader)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)


def lr_lambda(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    return 0.5 * (1 + math.cos(math.pi * (step - WARMUP) / (total_steps - WARMUP)))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    model.train()
    seen, loss_sum = 0, 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += loss.item() * len(yb)
        seen += len(yb)
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)
    print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.4f} train_loss {loss_sum / seen:.4f} val_acc {correct / len(yva):.3f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "bell_cnn.pt")
    torch.save(model, path)
    restored = torch.load(path, weights_only=False)
restored.eval()
with torch.no_grad():
    correct = sum((restored(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)
print(f"final val_acc (reloaded model) {correct / len(yva):.4f}")
