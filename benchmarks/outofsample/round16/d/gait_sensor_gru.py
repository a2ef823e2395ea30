"""Gait-phase anomaly detector: a GRU over long wearable-IMU streams (200 steps, 3 axes).

Classes: normal gait, limp (asymmetric stride), shuffle (short, low-amplitude stride).
Gradient-norm clipping is kept on as routine insurance for the recurrent net.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
T = 200


def simulate(n_per_class):
    t = np.arange(T) / 50.0
    X, y = [], []
    for cls in range(3):
        for _ in range(n_per_class):
            f = rng.uniform(0.8, 1.2) * (1.4 if cls == 2 else 1.0)
            amp = rng.uniform(0.8, 1.2) * (0.5 if cls == 2 else 1.0)
            phase = rng.uniform(0, 2 * np.pi)
            vert = amp * np.sin(2 * np.pi * f * t + phase)
            if cls == 1:
                vert = vert * np.where(np.sin(np.pi * f * t + phase) > 0, 1.0, 0.3)
            fwd = 0.5 * amp * np.cos(2 * np.pi * f * t + phase)
            lat = 0.2 * np.sin(np.pi * f * t + phase)
            sig = np.stack([vert, fwd, lat], 1) + rng.normal(0, 0.2, (T, 3))
            X.append(sig)
            y.append(cls)
    X = np.asarray(X, dtype=np.float32)
    return torch.from_numpy(X), torch.tensor(y)


class GaitGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([out.mean(dim=1), h[-1]], dim=1))


X_tr, y_tr = simulate(120)
X_va, y_va = simulate(50)
mean, std = X_tr.mean((0, 1)), X_tr.std((0, 1))
X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)

model = GaitGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.5)
criterion = nn.CrossEntropyLoss()

for epoch in range(14):
    model.train()
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        running += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = criterion(logits, y_va).item()
        val_acc = (logits.argmax(1) == y_va).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch + 1}: train_loss={running / len(X_tr):.4f} val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
