"""Bearing / rotor fault classification from engineered vibration features.

Test-rig recordings: three accelerometer axes plus the tachometer channel, 256-sample
windows at 2 kHz. Each window is turned into per-channel statistics and FFT band energies;
a small MLP classifies the machine state. The scaler is baked into the model so the
exported module takes raw feature vectors straight from the edge gateway.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

FS, WIN, SHAFT_HZ = 2000, 256, 25.0
CLASSES = ["healthy", "inner_race", "outer_race", "imbalance", "misalignment"]
t = np.arange(WIN) / FS


def impulses(freq, decay, amp):
    sig = np.zeros(WIN)
    phase = rng.uniform(0, 1 / freq)
    for t0 in np.arange(phase, WIN / FS, 1 / freq):
        k = t >= t0
        sig[k] += amp * np.exp(-decay * (t[k] - t0)) * np.sin(2 * np.pi * 610 * (t[k] - t0))
    return sig


def record(label):
    f = SHAFT_HZ * rng.uniform(0.97, 1.03)
    ph = rng.uniform(0, 2 * np.pi, 3)
    x = 0.3 * np.sin(2 * np.pi * f * t + ph[0]) + rng.normal(0, 0.5, WIN)
    y = 0.3 * np.sin(2 * np.pi * f * t + ph[1]) + rng.normal(0, 0.5, WIN)
    z = 0.1 * np.sin(2 * np.pi * f * t + ph[2]) + rng.normal(0, 0.5, WIN)
    a = rng.uniform(0.4, 1.2)
    if label == 1:
        imp = impulses(5.4 * f, 120, 1.2 * a) * (1 + 0.5 * np.sin(2 * np.pi * f * t))
        x, y = x + imp, y + 0.6 * imp
    elif label == 2:
        imp = impulses(3.6 * f, 120, 1.2 * a)
        x, y = x + 0.6 * imp, y + imp
    elif label == 3:
        x = x + 0.9 * a * np.sin(2 * np.pi * f * t + ph[0])
        y = y + 0.9 * a * np.cos(2 * np.pi * f * t + ph[0])
    elif label == 4:
        z = z + 0.8 * a * np.sin(2 * np.pi * 2 * f * t + ph[2])
        x = x + 0.3 * a * np.sin(2 * np.pi * 2 * f * t + ph[0])
    tach = np.full(WIN, 1500.0)  # rig runs speed-controlled; tach logged in rpm
    return np.stack([x, y, z, tach])


def features(win):
    feats = []
    for ch in win:
        spec = np.abs(np.fft.rfft(ch - ch.mean())) / WIN
        bands = [spec[lo:hi].sum() for lo, hi in [(1, 5), (5, 9), (9, 17), (17, 33), (33, 65), (65, 129)]]
        feats += [ch.mean(), ch.std(), ch.max() - ch.min(), np.sqrt((ch ** 2).mean())] + bands
    return np.array(feats)


def make_split(n_per_class):
    X, y = [], []
    for c in range(len(CLASSES)):
        for _ in range(n_per_class):
            X.append(features(record(c)))
            y.append(c)
    return np.array(X, dtype=np.float32), np.array(y)


X_train, y_train = make_split(240)
X_val, y_val = make_split(80)


class FeatureScaler(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean))
        self.register_buffer("std", torch.as_tensor(std))

    def forward(self, x):
        return (x - self.mean) / self.std


class FaultNet(nn.Module):
    def __init__(self, n_in, n_out, mean, std):
        super().__init__()
        self.scale = FeatureScaler(mean, std)
        self.body = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, n_out),
        )

    def forward(self, x):
        return self.body(self.scale(x))


mu = X_train.mean(0)
sd = X_train.std(0)
model = FaultNet(X_train.shape[1], len(CLASSES), mu, sd)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_val), torch.from_numpy(y_val)), batch_size=256)

optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.3)
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


for epoch in range(1, 13):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    val_loss, val_acc = evaluate()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  train_loss {running / len(X_train):.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")

print(f"final val_acc {evaluate()[1]:.4f}")
