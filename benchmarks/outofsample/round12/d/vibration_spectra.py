"""Fault-type classification from accelerometer traces of a rotating machine.

Each trace holds an impact response (the ring-down after a scheduled tap) whose frequency and
decay depend on the fault type, on top of ordinary running vibration. Features are the log
magnitude spectra of the two sensors; a fully-connected classifier reads them.
Prints validation accuracy per epoch and a final test accuracy.
"""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEQ_LEN = 128
N_CLASSES = 6
torch.manual_seed(7)
np.random.seed(7)


def make_traces(n, rng):
    t = np.arange(SEQ_LEN, dtype=np.float32)
    y = rng.integers(0, N_CLASSES, n)
    freqs = np.array([0.09, 0.11, 0.14, 0.17, 0.21, 0.24])
    decay = np.array([0.05, 0.12, 0.05, 0.12, 0.05, 0.12])
    x = np.zeros((n, 2, SEQ_LEN), dtype=np.float32)
    for k in range(n):
        onset = rng.integers(0, 40)
        tt = np.clip(t - onset, 0, None)
        f = freqs[y[k]] * rng.uniform(0.95, 1.05)
        ring = np.where(t >= onset, np.exp(-decay[y[k]] * tt) * np.sin(2 * math.pi * f * tt), 0.0)
        shaft = rng.uniform(0.3, 1.2) * np.sin(2 * math.pi * rng.uniform(0.03, 0.06) * t + rng.uniform(0, 2 * math.pi))
        x[k, 0] = rng.uniform(1.2, 2.0) * ring + shaft + rng.normal(0, 0.25, SEQ_LEN)
        x[k, 1] = 0.5 * shaft + 0.3 * ring + rng.normal(0, 0.25, SEQ_LEN)  # housing sensor
    spec = np.log1p(np.abs(np.fft.rfft(x * np.hanning(SEQ_LEN), axis=-1)))[..., :48]  # up to 0.37 cycles/sample
    return torch.from_numpy(spec.reshape(n, -1).astype(np.float32)), torch.from_numpy(y).long()


def mlp(n_in, width, depth, n_out, act=nn.Sigmoid):
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), act()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    nll = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            nll += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            total += len(yb)
    return nll / total, correct / total


def main():
    rng = np.random.default_rng(7)
    x, y = make_traces(5000, rng)
    mean, std = x[:3500].mean(0), x[:3500].std(0)
    x = (x - mean) / std
    train = DataLoader(TensorDataset(x[:3500], y[:3500]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[3500:4250], y[3500:4250]), batch_size=750)
    test = DataLoader(TensorDataset(x[4250:], y[4250:]), batch_size=750)

    model = mlp(x.shape[1], 64, 5, N_CLASSES)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=2e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(1, 8):
        model.train()
        running = 0.0
        for xb, yb in train:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(yb)
        scheduler.step()
        val_loss, val_acc = evaluate(model, val)
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.1e} train_loss {running / 3500:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.3f}")
    print(f"test_acc {evaluate(model, test)[1]:.3f}")


if __name__ == "__main__":
    main()
