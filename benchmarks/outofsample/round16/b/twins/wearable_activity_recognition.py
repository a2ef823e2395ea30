"""Human activity recognition from a wrist-worn 3-axis accelerometer (50 Hz, 2.56 s windows).

Sessions are recorded one activity at a time; each window is summarised by hand-crafted
time/frequency features (per-axis mean, std, range, energy, dominant frequency, magnitude stats,
axis correlations) and classified by an MLP. The best epoch (validation accuracy) is kept.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(2)
rng = np.random.default_rng(2)
FS, WIN = 50, 128
ACTIVITIES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying"]
t = np.arange(WIN) / FS

# gravity direction (x, y, z), step frequency (Hz), step amplitude per activity
PROFILE = {
    "walking": ((0.1, -0.95, 0.2), 1.9, 0.35),
    "upstairs": ((0.25, -0.9, 0.3), 1.6, 0.30),
    "downstairs": ((0.05, -0.97, 0.15), 2.1, 0.45),
    "sitting": ((0.55, -0.6, 0.55), 0.0, 0.0),
    "standing": ((0.1, -0.98, 0.1), 0.0, 0.0),
    "lying": ((0.9, 0.1, 0.4), 0.0, 0.0),
}


def record_window(activity):
    g, f, a = PROFILE[activity]
    g = np.array(g) + 0.12 * rng.standard_normal(3)
    f = f * (1 + 0.08 * rng.standard_normal()) if f else 0.0
    sig = np.repeat(g[:, None], WIN, 1)
    if f:
        ph = rng.uniform(0, 2 * np.pi, 3)
        amp = a * (1 + 0.3 * rng.standard_normal(3)) * np.array([0.6, 1.0, 0.5])
        sig += amp[:, None] * np.sin(2 * np.pi * f * t[None] + ph[:, None])
        sig += 0.3 * amp[:, None] * np.sin(4 * np.pi * f * t[None] + 2 * ph[:, None])
    sig += (0.03 + 0.02 * rng.random()) * rng.standard_normal((3, WIN))
    return sig


def features(sig):
    mag = np.linalg.norm(sig, axis=0)
    spec = np.abs(np.fft.rfft(sig - sig.mean(1, keepdims=True), axis=1))
    freqs = np.fft.rfftfreq(WIN, 1 / FS)
    c = np.corrcoef(sig + 1e-6 * rng.standard_normal(sig.shape))
    return np.concatenate([sig.mean(1), sig.std(1), np.ptp(sig, 1), (sig ** 2).mean(1),
                           freqs[spec.argmax(1)], spec.max(1),
                           [mag.mean(), mag.std(), np.ptp(mag)], c[np.triu_indices(3, 1)]])


X, y = [], []
for label, activity in enumerate(ACTIVITIES):
    for session in range(4):
        for _ in range(rng.integers(90, 130)):
            X.append(features(record_window(activity)))
            y.append(label)
X = np.array(X, dtype=np.float32)
y = np.array(y)

X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, stratify=y, random_state=2)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_val), torch.from_numpy(y_val)),
                        batch_size=256)

model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(96, 48), nn.ReLU(), nn.Linear(48, len(ACTIVITIES)))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
criterion = nn.CrossEntropyLoss()

best_acc, best_model = -1.0, None
for epoch in range(1, 21):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            vloss += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    acc = correct / len(y_val)
    if acc > best_acc:
        best_acc, best_model = acc, copy.deepcopy(model)
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d} train_loss {total / len(y_train):.4f} "
              f"val_loss {vloss / len(y_val):.4f} val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f} best val_acc {best_acc:.4f}")
