"""Rotating-machine fault classifier from vibration spectra (log-magnitude FFT bands)."""
import argparse
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FAULTS = ["healthy", "imbalance", "misalignment", "looseness", "bearing_outer", "bearing_inner"]


def simulate(n, rng, fs=2048, T=512):
    t = np.arange(T) / fs
    X, y = [], []
    for _ in range(n):
        k = rng.integers(len(FAULTS))
        f0 = rng.uniform(20, 40)                       # shaft speed (Hz)
        sig = np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6.3))
        if k == 1:
            sig *= rng.uniform(1.6, 2.4)
        elif k == 2:
            sig += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * 2 * f0 * t)
        elif k == 3:
            for h in range(2, 7):
                sig += rng.uniform(0.1, 0.35) * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 6.3))
        elif k in (4, 5):
            bpf = f0 * (3.1 if k == 4 else 4.9)
            period = max(int(fs / bpf), 1)
            imp = np.zeros(T)
            imp[rng.integers(period)::period] = rng.uniform(1.0, 2.0)
            ring = np.exp(-np.arange(40) / 6.0) * np.sin(2 * np.pi * 600 * np.arange(40) / fs)
            sig += np.convolve(imp, ring)[:T]
        sig += rng.normal(0, 0.4, T)
        spec = np.abs(np.fft.rfft(sig * np.hanning(T)))[1:257]
        X.append(np.log1p(spec.reshape(64, 4).mean(1)))
        y.append(k)
    return np.array(X, np.float32), np.array(y)


class SpectrumNet(nn.Module):
    def __init__(self, d_in, n_classes, width=128, depth=16):
        super().__init__()
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def evaluate(model, loader):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=0.02)
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = simulate(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=256)

    model = SpectrumNet(X.shape[1], len(FAULTS))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
        if epoch % 5 == 4:
            vl, va = evaluate(model, val_loader)
            print(f"epoch {epoch + 1} val_loss {vl:.4f} val_acc {va:.4f}")
    vl, va = evaluate(model, val_loader)
    print(f"final val_loss={vl:.4f} val_acc={va:.4f}")


if __name__ == "__main__":
    main()
