"""Human-activity recognition from 3-axis accelerometer windows (synthetic recordings of
6 activities), 1D CNN with BatchNorm, trained with hand-rolled batching (no DataLoader)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)
ACTIVITIES = ["walk", "run", "stairs_up", "stairs_down", "sit", "stand"]
WIN = 64


def record(activity, n):
    t = np.arange(WIN) / 32.0
    f = {0: 1.8, 1: 2.8, 2: 1.4, 3: 1.6, 4: 0.0, 5: 0.0}[activity] * rng.uniform(0.85, 1.15, (n, 1))
    a = {0: 1.0, 1: 2.0, 2: 0.8, 3: 1.1, 4: 0.05, 5: 0.08}[activity]
    tilt = {0: 0.0, 1: 0.0, 2: 0.35, 3: -0.35, 4: 0.9, 5: 0.05}[activity]
    ph = rng.uniform(0, 2 * np.pi, (n, 1))
    x = a * np.sin(2 * np.pi * f * t + ph) + tilt
    yax = 0.5 * a * np.sin(4 * np.pi * f * t + ph) + (0.6 if activity in (2, 3) else 0.0) * np.sign(tilt)
    z = 1.0 + 0.3 * a * np.abs(np.sin(2 * np.pi * f * t + ph)) - (0.5 if activity == 4 else 0.0)
    sig = np.stack([x, yax, z], 1) + rng.normal(0, 0.35, (n, 3, WIN))
    return sig.astype(np.float32)


# recordings are stored per activity; keep 20% of each activity for validation
X_train, y_train, X_val, y_val = [], [], [], []
for k in range(len(ACTIVITIES)):
    sig = record(k, 300)
    n_val = len(sig) // 5
    X_val.append(sig[:n_val]); y_val += [k] * n_val
    X_train.append(sig[n_val:]); y_train += [k] * (len(sig) - n_val)
X_train = torch.from_numpy(np.concatenate(X_train)); y_train = torch.tensor(y_train)
X_val = torch.from_numpy(np.concatenate(X_val)); y_val = torch.tensor(y_val)


class HARNet(nn.Module):
    def __init__(self, n_classes=6):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 32, 5, padding=2)
        self.bn1 = nn.BatchNorm1d(32)
        self.conv2 = nn.Conv1d(32, 64, 5, padding=2)
        self.bn2 = nn.BatchNorm1d(64)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(x.mean(-1))


model = HARNet()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
batch_size, epochs = 48, 8

for epoch in range(epochs):
    model.train()
    running = 0.0
    for i in range(0, len(X_train), batch_size):
        xb, yb = X_train[i:i + batch_size], y_train[i:i + batch_size]
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        val_loss = F.cross_entropy(logits, y_val).item()
        val_acc = (logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}: train_loss {running / len(X_train):.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
