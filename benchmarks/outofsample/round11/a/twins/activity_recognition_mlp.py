"""Human activity recognition (sit / lie / walk / run / stairs up / stairs down) from
2-second windows of a 25 Hz wrist accelerometer, summarised into time and spectral features.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

FS, T = 25, 50
ACTIVITIES = ["sitting", "lying", "walking", "running", "upstairs", "downstairs"]
# dominant step frequency (Hz), motion amplitude (g), gravity direction
PROFILE = {
    0: (0.0, 0.02, (0.0, 0.0, 1.0)),
    1: (0.0, 0.03, (0.0, 1.0, 0.0)),
    2: (1.8, 0.35, (0.0, 0.0, 1.0)),
    3: (2.6, 0.80, (0.0, 0.0, 1.0)),
    4: (1.6, 0.45, (0.3, 0.0, 0.95)),
    5: (1.5, 0.50, (-0.3, 0.0, 0.95)),
}


def record_window(activity):
    f, amp, g = PROFILE[activity]
    t = np.arange(T) / FS
    f *= rng.uniform(0.85, 1.15)
    amp *= rng.uniform(0.7, 1.3)
    g = np.array(g) + rng.normal(0, 0.12, 3)
    sig = np.stack([g[i] + amp * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
                    for i in range(3)], axis=1)
    return sig + rng.normal(0, 0.08, sig.shape)


def features(w):
    spec = np.abs(np.fft.rfft(w - w.mean(0), axis=0))
    mag = np.linalg.norm(w, axis=1)
    corr_xz = np.corrcoef(w[:, 0], w[:, 2])[0, 1]
    return np.concatenate([
        w.mean(0), w.std(0), w.min(0), w.max(0),
        spec.argmax(0) / T * FS, spec.max(0),
        [mag.mean(), mag.std(), corr_xz],
    ])


labels = rng.integers(0, len(ACTIVITIES), 5000)
X = np.stack([features(record_window(a)) for a in labels]).astype(np.float32)
n_train = 4000
mean, std = X[:n_train].mean(0), X[:n_train].std(0)
X = (X - mean) / std
X, y = torch.from_numpy(X), torch.from_numpy(labels)

train_loader = DataLoader(TensorDataset(X[:n_train], y[:n_train]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(X[n_train:], y[n_train:]), batch_size=500)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, len(ACTIVITIES)),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=3e-2, momentum=0.9)


def validate():
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    n = len(val_loader.dataset)
    return loss_sum / n, correct / n


for epoch in range(1, 13):
    model.train()
    seen, total = 0, 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        seen += len(yb)
    if epoch % 3 == 0:
        vl, va = validate()
        print(f"epoch {epoch:2d}  train loss {total / seen:.4f}  val loss {vl:.4f}  val acc {va:.4f}")

vl, va = validate()
print(f"final val loss {vl:.4f}  val accuracy {va:.4f}")
