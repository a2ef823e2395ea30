"""Rolling-bearing condition from long vibration-envelope traces (150 samples, 2 axes).

Classes: normal, outer-race defect (impacts at a steady period), inner-race defect (impacts
at a shorter period, amplitude-modulated by shaft rotation). A single-layer GRU reads the whole
trace; an EMA copy of the weights (deepcopy) is what gets evaluated, checkpointed with
torch.save, and early stopping watches its validation loss.
"""
import copy
import io

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
rng = np.random.default_rng(42)
T = 150


def trace(label):
    t = np.arange(T)
    x = rng.normal(0, 0.45, (T, 2))
    shaft = rng.uniform(0.03, 0.06)
    x[:, 0] += 0.3 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6))
    if label > 0:
        period = rng.uniform(11, 15) if label == 1 else rng.uniform(6.5, 9)
        amp = rng.uniform(1.0, 1.9)
        for k in np.arange(rng.uniform(0, period), T, period):
            i = int(k)
            gain = amp * (1.0 if label == 1 else 0.6 + 0.4 * np.sin(2 * np.pi * shaft * i))
            decay = np.exp(-np.arange(min(5, T - i)) / (2.0 if label == 1 else 0.7))
            x[i:i + len(decay), 0] += gain * decay
            x[i:i + len(decay), 1] += 0.5 * gain * decay
    return x


y = rng.integers(0, 3, 1600)
X = np.stack([trace(c) for c in y]).astype(np.float32)
X = (X - X[:1200].mean((0, 1))) / X[:1200].std((0, 1))
train_ds = TensorDataset(torch.from_numpy(X[:1200]), torch.from_numpy(y[:1200]))
val_ds = TensorDataset(torch.from_numpy(X[1200:]), torch.from_numpy(y[1200:]))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=400)


class EnvelopeGRU(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.mean(1))


model = EnvelopeGRU()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.CrossEntropyLoss()


def evaluate(net):
    net.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = net(xb)
            loss += criterion(logits, yb).item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss / n, correct / n


best_loss, patience, bad_epochs = float("inf"), 3, 0
buffer = io.BytesIO()
for epoch in range(20):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 0.1)
    vloss, vacc = evaluate(ema)
    print(f"epoch {epoch + 1:2d} train_loss {loss.item():.4f} ema_val_loss {vloss:.4f} ema_val_acc {vacc:.4f}")
    if vloss < best_loss - 1e-3:
        best_loss, bad_epochs = vloss, 0
        buffer.seek(0), buffer.truncate()
        torch.save(ema, buffer)
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break

buffer.seek(0)
best = torch.load(buffer, weights_only=False)
vloss, vacc = evaluate(best)
print(f"best EMA checkpoint: val loss {vloss:.4f} val accuracy {vacc:.4f}")
