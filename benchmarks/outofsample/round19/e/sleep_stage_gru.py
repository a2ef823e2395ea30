"""Sleep staging from a two-channel (Fpz-Cz EEG + horizontal EOG) recording.

Each example is one 6 s window at 50 Hz. A strided conv front end shortens the window
to 75 frames, a GRU reads them, and a class-weighted cross-entropy handles the usual
stage imbalance (N2 is about half the night, N1 is rare).
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FS, SECONDS = 50, 6
STAGES = ["W", "N1", "N2", "N3", "REM"]
STAGE_SHARE = [0.14, 0.08, 0.46, 0.14, 0.18]


def background(n, rng, scale):
    # 1/f-like background: integrated white noise, high-passed by differencing a smoothed copy
    w = np.cumsum(rng.normal(0, 1, n))
    w -= np.convolve(w, np.ones(25) / 25, mode="same")
    return scale * w / (w.std() + 1e-6) + rng.normal(0, scale * 0.5, n)


def stage_pattern(stage, t, rng, a):
    eeg = np.zeros_like(t)
    eog = np.zeros_like(t)
    ph = rng.uniform(0, 2 * np.pi, 4)
    if stage == 0:      # wake: alpha, blinks, muscle
        eeg += 14 * np.sin(2 * np.pi * rng.uniform(8.5, 11.5) * t + ph[0])
        eeg += rng.normal(0, 6, t.size)
        for c in rng.uniform(0.5, 5.5, rng.integers(1, 4)):
            eog += 70 * np.exp(-((t - c) / 0.12) ** 2)
    elif stage == 1:    # N1: theta, slow rolling eyes
        eeg += 12 * np.sin(2 * np.pi * rng.uniform(4, 7) * t + ph[0])
        eog += 25 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t + ph[1])
    elif stage == 2:    # N2: spindles and K-complexes on a theta background
        eeg += 9 * np.sin(2 * np.pi * rng.uniform(4, 7) * t + ph[0])
        for c in rng.uniform(0.8, 5.2, rng.integers(1, 3)):
            env = np.exp(-((t - c) / 0.35) ** 2)
            eeg += 22 * env * np.sin(2 * np.pi * rng.uniform(12, 14) * t)
        if rng.random() < 0.6:
            c = rng.uniform(1, 5)
            eeg += -60 * np.exp(-((t - c) / 0.15) ** 2) + 35 * np.exp(-((t - c - 0.35) / 0.2) ** 2)
    elif stage == 3:    # N3: large slow waves
        eeg += rng.uniform(45, 80) * np.sin(2 * np.pi * rng.uniform(0.7, 2.0) * t + ph[0])
        eeg += 10 * np.sin(2 * np.pi * rng.uniform(2, 3.5) * t + ph[1])
    else:               # REM: sawtooth theta, rapid eye movements
        f = rng.uniform(2.5, 4.5)
        eeg += 14 * (2 * ((f * t + ph[0]) % 1.0) - 1) + 6 * np.sin(2 * np.pi * 6 * t + ph[1])
        for c in rng.uniform(0.3, 5.7, rng.integers(2, 6)):
            eog += rng.choice([-1, 1]) * 55 * np.tanh((t - c) / 0.05) * np.exp(-((t - c) / 0.4) ** 2)
    return eeg * a, eog * a


NEIGHBOURS = {0: [1, 4], 1: [0, 2, 4], 2: [1, 3, 4], 3: [2], 4: [1, 2, 0]}


def synth_epoch(stage, rng):
    t = np.arange(FS * SECONDS) / FS
    eeg = background(t.size, rng, 12.0)              # microvolts
    eog = background(t.size, rng, 10.0)
    e, o = stage_pattern(stage, t, rng, rng.uniform(0.45, 1.0))
    eeg, eog = eeg + e, eog + o
    if rng.random() < 0.3:                           # transition window: part of a neighbouring stage
        e, o = stage_pattern(rng.choice(NEIGHBOURS[stage]), t, rng, rng.uniform(0.3, 0.7))
        eeg, eog = eeg + e, eog + o
    return np.stack([eeg, eog])


def make_dataset(n, rng):
    y = rng.choice(5, size=n, p=STAGE_SHARE)
    X = np.stack([synth_epoch(s, rng) for s in y]).astype(np.float32)
    return X, y


class ConvGRUStager(nn.Module):
    def __init__(self, n_classes=5, hidden=48):
        super().__init__()
        self.front = nn.Sequential(
            nn.Conv1d(2, 32, kernel_size=7, stride=2, padding=3), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 48, kernel_size=5, stride=2, padding=2), nn.BatchNorm1d(48), nn.ReLU(),
        )
        self.gru = nn.GRU(48, hidden, batch_first=True)
        self.fc = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        h = self.front(x).transpose(1, 2)            # (B, T', C)
        out, last = self.gru(h)
        feats = torch.cat([last[-1], out.mean(dim=1)], dim=1)
        return self.fc(feats)


def evaluate(model, loader):
    model.eval()
    ys, ps = [], []
    with torch.no_grad():
        for xb, yb in loader:
            ps.append(model(xb).argmax(1))
            ys.append(yb)
    y, p = torch.cat(ys).numpy(), torch.cat(ps).numpy()
    return balanced_accuracy_score(y, p), f1_score(y, p, average="macro"), (y == p).mean()


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = make_dataset(3000, rng)
    n_tr = 2400
    Xtr, ytr, Xva, yva = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]
    ch_mean = Xtr.mean(axis=(0, 2), keepdims=True)
    ch_std = Xtr.std(axis=(0, 2), keepdims=True)
    Xtr, Xva = (Xtr - ch_mean) / ch_std, (Xva - ch_mean) / ch_std

    counts = np.bincount(ytr, minlength=5)
    weights = torch.tensor(len(ytr) / (5 * counts), dtype=torch.float32)
    print("train stage counts:", dict(zip(STAGES, counts.tolist())))

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

    model = ConvGRUStager()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.5, patience=2)

    for epoch in range(1, 13):
        model.train()
        total, n = 0.0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb, weight=weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
            optimizer.step()
            total += loss.item() * len(yb)
            n += len(yb)
        bacc, mf1, acc = evaluate(model, val_loader)
        scheduler.step(bacc)
        print(f"epoch {epoch:2d} loss {total / n:.4f} val bal-acc {bacc:.3f} macro-F1 {mf1:.3f} "
              f"lr {optimizer.param_groups[0]['lr']:.1e}")
    print(f"final: val balanced accuracy {bacc:.3f}  macro-F1 {mf1:.3f}  accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
