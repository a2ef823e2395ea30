"""Ice-core layer profiles: assign a core segment to a climate stage.

Each segment is 80 depth samples of (electrical conductivity, dust count, d18O anomaly)
from the continuous-flow analysis line.  Annual layers and instrument noise dominate any
single sample; the stage (stadial / transition / interstadial) shows only as a small shift
in the dust and isotope baselines over the whole segment.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
T, N = 80, 1800
STAGES = ["stadial", "transition", "interstadial"]


def segments(n):
    y = rng.integers(0, len(STAGES), n)
    depth = np.arange(T)
    x = np.zeros((n, T, 3), dtype=np.float32)
    for i in range(n):
        period = rng.uniform(9, 15)                 # samples per annual layer
        phase = rng.uniform(0, 2 * np.pi)
        season = np.sin(2 * np.pi * depth / period + phase)
        warmth = y[i] - 1
        x[i, :, 0] = 0.4 * season + rng.normal(0, 0.8, T)
        x[i, :, 1] = 0.5 * np.maximum(season, 0) - 0.17 * warmth + rng.normal(0, 0.8, T)
        x[i, :, 2] = 0.6 * season + 0.17 * warmth + rng.normal(0, 0.8, T)
    return torch.from_numpy(x), torch.from_numpy(y)


X, Y = segments(N)
X = (X - X[:1350].mean((0, 1))) / X[:1350].std((0, 1))
train_loader = DataLoader(TensorDataset(X[:1350], Y[:1350]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[1350:], Y[1350:]), batch_size=200)


class StageNet(nn.Module):
    def __init__(self, n_in=3, hidden=64, n_cls=3):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_cls)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = StageNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def evaluate():
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss_sum / n, correct / n


for epoch in range(1, 13):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss, val_acc = evaluate()
    print(f"epoch {epoch:2d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
