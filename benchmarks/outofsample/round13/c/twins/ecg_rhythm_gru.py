"""Single-lead ECG rhythm classification with a GRU over 200 ms patches."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FS = 50                     # Hz after decimation
SECONDS = 6
PATCH = 10                  # samples per GRU step (200 ms)
RHYTHMS = ["sinus", "afib", "brady", "tachy", "pvc"]
CLIP_NORM = 1.0


def beat(t, width=0.04, qrs_amp=1.0, p_wave=True):
    w = qrs_amp * np.exp(-0.5 * (t / width) ** 2) - 0.15 * np.exp(-0.5 * ((t - 0.05) / 0.02) ** 2)
    w += 0.3 * np.exp(-0.5 * ((t - 0.25) / 0.06) ** 2)                      # T wave
    if p_wave:
        w += 0.15 * np.exp(-0.5 * ((t + 0.16) / 0.03) ** 2)
    return w


def synth_ecg(n_per_class=500, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(FS * SECONDS) / FS
    X, y = [], []
    for label, rhythm in enumerate(RHYTHMS):
        for _ in range(n_per_class):
            hr = {"sinus": 72, "afib": 95, "brady": 48, "tachy": 125, "pvc": 75}[rhythm] * rng.uniform(0.9, 1.1)
            rr = 60.0 / hr
            beats, cur = [], rng.uniform(-rr, 0)
            while cur < SECONDS + 0.5:
                beats.append(cur)
                jitter = rng.uniform(-0.35, 0.35) * rr if rhythm == "afib" else rng.normal(0, 0.02) * rr
                cur += rr + jitter
            sig = np.zeros_like(t)
            for k, b in enumerate(beats):
                wide = rhythm == "pvc" and rng.random() < 0.3
                sig += beat(t - b, width=0.09 if wide else 0.03, qrs_amp=1.6 if wide else 1.0,
                            p_wave=(rhythm != "afib" and not wide))
            sig += 0.1 * np.sin(2 * np.pi * rng.uniform(0.15, 0.4) * t + rng.uniform(0, 6.3))   # baseline wander
            sig += rng.normal(0, 0.05, size=t.shape)
            X.append(sig)
            y.append(label)
    X = np.array(X, dtype=np.float32)
    X = X.reshape(len(X), -1, PATCH)
    y = np.array(y, dtype=np.int64)
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


class RhythmGRU(nn.Module):
    def __init__(self, n_in=PATCH, hidden=64, n_classes=len(RHYTHMS)):
        super().__init__()
        self.proj = nn.Linear(n_in, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h, _ = self.gru(torch.relu(self.proj(x)))
        return self.out(h.mean(dim=1))


def main():
    torch.manual_seed(3)
    X, y = synth_ecg()
    n_tr = 2000
    mu, sd = X[:n_tr].mean(), X[:n_tr].std()
    X = (X - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])), batch_size=256)

    model = RhythmGRU()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, 11):
        model.train()
        tot, n, clipped, steps = 0.0, 0, 0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            clipped += int(norm > CLIP_NORM)
            steps += 1
            optimizer.step()
            tot += loss.item() * len(yb)
            n += len(yb)
        scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        acc = correct / len(val_loader.dataset)
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} train loss {tot / n:.4f} "
              f"clipped {clipped}/{steps} val acc {acc:.4f}")
    print(f"final: val acc {acc:.4f} train loss {tot / n:.4f}")


if __name__ == "__main__":
    main()
