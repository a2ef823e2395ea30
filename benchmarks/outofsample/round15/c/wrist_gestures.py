"""Wrist-worn IMU gesture recognition (accelerometer + gyroscope, 50 Hz, ~2.5 s windows).

Training windows are augmented on the fly (gain, sensor noise, time shift, dropout of one
channel) and the model uses dropout, so the training-batch accuracy reads below validation.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

GESTURES = ["swipe_left", "swipe_right", "circle", "shake", "tap", "raise"]
T = 128


def record(n):
    y = rng.integers(0, len(GESTURES), n)
    t = np.linspace(0, 2.56, T)
    X = np.zeros((n, 6, T), dtype=np.float32)
    for k in range(n):
        g = y[k]
        speed = rng.uniform(0.8, 1.25)
        onset = rng.uniform(0.2, 0.9)
        tt = np.clip((t - onset) * speed, 0, None)
        env = np.exp(-((tt - 0.6) / 0.35) ** 2)
        sig = np.zeros((6, T))
        if g in (0, 1):
            sig[0] = (1 if g == 0 else -1) * np.sin(2 * np.pi * 1.2 * tt) * env
            sig[5] = 0.5 * (1 if g == 0 else -1) * env
        elif g == 2:
            sig[0] = np.sin(2 * np.pi * 1.5 * tt) * env
            sig[1] = 0.5 * np.cos(2 * np.pi * 1.5 * tt) * env
        elif g == 3:
            sig[1] = 0.8 * np.sin(2 * np.pi * 5.0 * tt) * env
            sig[3] = 0.6 * np.sin(2 * np.pi * 5.0 * tt + 1) * env
        elif g == 4:
            sig[2] = 1.5 * np.exp(-((tt - 0.6) / 0.05) ** 2)
        else:
            sig[2] = 0.7 * env
            sig[4] = 0.6 * np.gradient(env) * 20
        gravity = np.array([0, 0, 1.0, 0, 0, 0])[:, None] * rng.uniform(0.9, 1.1)
        X[k] = sig * rng.uniform(0.4, 1.2) + gravity + rng.normal(0, 0.55, (6, T))
    return X, y


class Windows(Dataset):
    def __init__(self, X, y, augment):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i].clone()
        if self.augment:
            x = x * (1 + 0.2 * torch.randn(6, 1))
            x = x + 0.2 * torch.randn_like(x)
            x = torch.roll(x, int(torch.randint(-12, 13, (1,))), dims=1)
            if torch.rand(1) < 0.3:
                x[torch.randint(0, 6, (1,))] = 0.0
        return x, self.y[i]


X_tr, y_tr = record(2400)
X_va, y_va = record(600)
ch_mu, ch_sd = X_tr.mean((0, 2), keepdims=True), X_tr.std((0, 2), keepdims=True)
X_tr, X_va = (X_tr - ch_mu) / ch_sd, (X_va - ch_mu) / ch_sd
train_loader = DataLoader(Windows(X_tr, y_tr, augment=True), batch_size=64, shuffle=True)
val_loader = DataLoader(Windows(X_va, y_va, augment=False), batch_size=300)


class ConvGRU(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(6, 32, 5, stride=2, padding=2), nn.BatchNorm1d(32), nn.ReLU())
        self.gru = nn.GRU(32, 64, batch_first=True)
        self.drop = nn.Dropout(0.4)
        self.head = nn.Linear(128, n_classes)

    def forward(self, x):
        h = self.conv(x).transpose(1, 2)           # (B, T/2, 32)
        out, _ = self.gru(h)
        pooled = torch.cat([out.mean(1), out.amax(1)], dim=1)
        return self.head(self.drop(pooled))


model = ConvGRU(len(GESTURES))
EPOCHS = 12
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=1e-4)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, EPOCHS + 1):
    model.train()
    correct, seen, running = 0, 0, 0.0
    for xb, yb in train_loader:
        logits = model(xb)
        loss = criterion(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running += loss.item() * len(yb)
        correct += (logits.argmax(1) == yb).sum().item()
        seen += len(yb)
    scheduler.step()
    model.eval()
    v_correct, v_loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            v_loss += nn.functional.cross_entropy(out, yb, reduction="sum").item()
            v_correct += (out.argmax(1) == yb).sum().item()
    print(f"epoch {epoch:2d}  train loss {running / seen:.4f} acc {correct / seen:.3f}  "
          f"val loss {v_loss / len(y_va):.4f} acc {v_correct / len(y_va):.3f}")

print(f"final val accuracy {v_correct / len(y_va):.4f}  (train-batch accuracy {correct / seen:.4f})")
