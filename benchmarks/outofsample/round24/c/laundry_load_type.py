"""Fabric-type detection for a washing machine's auto programme.

During the first 30 s of a cycle the drum tumbles dry and the controller logs the motor
current (64 samples). The trace depends on load mass, how the fabric falls and how much it
drags. We classify the load into five programme families with a small 1-D CNN trained by
plain SGD written out by hand (the firmware team's reference implementation).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FABRICS = ["cotton", "synthetics", "wool", "denim", "delicates"]
T = 64


def log_cycles(per_class=260, seed=11):
    """Traces as exported by the test rig, one folder per fabric."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, T, dtype=np.float32)
    # fabric: (mass kg mean, drop period, drop sharpness, drag)
    props = {0: (4.5, 5.0, 2.0, 0.30), 1: (2.5, 6.5, 1.2, 0.15), 2: (2.0, 4.0, 0.8, 0.45),
             3: (6.0, 4.5, 3.0, 0.35), 4: (1.5, 7.0, 0.6, 0.10)}
    traces, labels = [], []
    for k in range(len(FABRICS)):
        mass_mu, period, sharp, drag = props[k]
        for _ in range(per_class):
            mass = rng.normal(mass_mu, 0.6)
            phase = rng.uniform(0, 2 * np.pi)
            per = period * rng.uniform(0.9, 1.1)
            drop = np.abs(np.sin(per * np.pi * t + phase)) ** (1.0 + sharp)
            ramp = 1 - np.exp(-t * rng.uniform(6, 10))
            current = (0.8 + 0.25 * mass) * ramp + 0.35 * mass * drop * (1 - drag * t) \
                + drag * 1.5 * t + rng.normal(0, 0.12, T)
            traces.append(current.astype(np.float32))
            labels.append(k)
    return np.stack(traces), np.array(labels)


class TraceCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 5, padding=2)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x.unsqueeze(1)))
        x = F.max_pool1d(x, 2)
        x = F.relu(self.conv2(x))
        x = x.mean(dim=2)
        return self.fc(x)


def main():
    torch.manual_seed(0)
    X, y = log_cycles()
    is_val = np.arange(len(y)) % 5 == 0
    X = (X - X[~is_val].mean()) / X[~is_val].std()
    X_tr, y_tr = torch.from_numpy(X[~is_val]), torch.from_numpy(y[~is_val])
    X_va, y_va = torch.from_numpy(X[is_val]), torch.from_numpy(y[is_val])

    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32)
    model = TraceCNN(len(FABRICS))
    base_lr, epochs = 0.1, 40
    for epoch in range(epochs):
        lr = base_lr * (0.3 ** (epoch // 15))
        model.train()
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        if epoch % 5 == 4:
            model.eval()
            with torch.no_grad():
                out = model(X_va)
                print(f"epoch {epoch + 1} loss {loss.item():.4f} val_loss {F.cross_entropy(out, y_va).item():.4f} "
                      f"val_acc {(out.argmax(1) == y_va).float().mean().item():.4f}")
    model.eval()
    with torch.no_grad():
        acc = (model(X_va).argmax(1) == y_va).float().mean().item()
    print(f"final val_acc {acc:.4f}")


if __name__ == "__main__":
    main()
