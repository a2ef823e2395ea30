"""Shoe-last family recommendation from 3D foot-scan measurements.

A last maker wants to pre-select one of six last families for a customer from the
eleven measurements the in-store scanner exports. Small MLP, plain PyTorch loop,
best checkpoint saved with torch.save and reloaded for the final report.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

FAMILIES = ["slim-dress", "standard", "wide-comfort", "high-instep", "athletic", "orthopaedic"]


def scan_measurements(n):
    length = rng.normal(262, 13, n)                       # mm
    ball_w = 0.38 * length + rng.normal(0, 5.5, n)
    heel_w = 0.25 * length + rng.normal(0, 3.5, n)
    ball_girth = 2.45 * ball_w + rng.normal(0, 6, n)
    instep_girth = 0.95 * ball_girth + rng.normal(0, 9, n)
    arch_h = rng.gamma(9, 2.0, n)                         # mm
    toe_depth = rng.normal(24, 3, n)
    hallux_angle = np.abs(rng.normal(9, 6, n))            # degrees
    pronation = rng.normal(2, 4, n)                       # degrees
    bmi = rng.normal(26, 4, n)
    age = rng.uniform(16, 85, n)
    X = np.stack([length, ball_w, heel_w, ball_girth, instep_girth, arch_h,
                  toe_depth, hallux_angle, pronation, bmi, age], 1)
    z = (X - X.mean(0)) / X.std(0)
    wr = (ball_w / length - 0.38) / 0.02                 # relative width
    ir = (instep_girth / ball_girth - 0.95) / 0.035      # relative instep
    s = np.stack([
        -1.4 * wr - 0.6 * z[:, 9] + 0.5 * z[:, 5] - 0.4 * z[:, 10],
        1.5 - 0.8 * np.abs(wr) - 0.8 * np.abs(ir),
        1.5 * wr + 0.7 * z[:, 9] - 0.3 * z[:, 5],
        2.0 * np.maximum(ir, 0) + 0.6 * np.maximum(z[:, 5], 0) - 0.5,
        1.4 * np.minimum(-z[:, 10], -z[:, 9]) + 0.6 * np.abs(z[:, 8]) + 0.3 * z[:, 6],
        1.6 * np.maximum(z[:, 7] - 0.5, 0) + 0.7 * z[:, 10] + 0.4 * np.minimum(z[:, 8], 2.5) ** 2 - 1.0,
    ], 1)
    y = np.argmax(s + rng.gumbel(0, 0.2, s.shape), 1)
    return X.astype(np.float32), y


X, y = scan_measurements(6000)
perm = rng.permutation(len(X))
tr, va = perm[:4800], perm[4800:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xs = (X - mu) / sd

train_ds = TensorDataset(torch.tensor(Xs[tr]), torch.tensor(y[tr]))
val_ds = TensorDataset(torch.tensor(Xs[va]), torch.tensor(y[va]))
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)


class LastNet(nn.Module):
    def __init__(self, d_in, n_cls, width=64):
        super().__init__()
        self.fc1 = nn.Linear(d_in, width)
        self.fc2 = nn.Linear(width, width)
        self.fc3 = nn.Linear(width, width // 2)
        self.out = nn.Linear(width // 2, n_cls)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
        nn.init.constant_(m.bias, 0.01)


model = LastNet(X.shape[1], len(FAMILIES))
model.apply(init_weights)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
criterion = nn.CrossEntropyLoss()


def evaluate(net):
    net.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = net(xb)
            loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss / total, correct / total


ckpt = os.path.join(tempfile.mkdtemp(), "lastnet_best.pt")
best = -1.0
for epoch in range(1, 21):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    val_loss, val_acc = evaluate(model)
    if val_acc > best:
        best = val_acc
        torch.save(model, ckpt)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} train_loss {running / len(train_ds):.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.3f}")

final = torch.load(ckpt, weights_only=False)
val_loss, val_acc = evaluate(final)
print(f"final best-checkpoint val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
