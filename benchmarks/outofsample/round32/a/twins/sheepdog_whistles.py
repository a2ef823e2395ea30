"""Sheepdog-trial whistle commands from handler microphones.

Six commands (come-bye, away, walk-up, lie-down, steady, that'll-do) are whistled by different
handlers with their own pitch and tempo, over wind noise and the odd bleat. Log-spectrogram
frames (whistle band, 32 bins, in dB) feed a 1-D CNN over time. Labelled clips are scarce
(a few hundred from one trial weekend), so the network normalises each bin with an input
BatchNorm and augments with random pitch shifts and time masks while training.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
rng = np.random.default_rng(11)

SR, DUR = 8000, 0.8
T = int(SR * DUR)
COMMANDS = ["come-bye", "away", "walk-up", "lie-down", "steady", "thatll-do"]


def contour(cmd, t, base, tempo):
    """Pitch contour in Hz for a command (t in seconds, already tempo-scaled)."""
    u = np.clip(t * tempo / DUR, 0, 1)
    if cmd == 0:   # come-bye: rise then fall
        return base * (1 + 0.35 * np.sin(np.pi * u))
    if cmd == 1:   # away: fall then rise
        return base * (1.35 - 0.35 * np.sin(np.pi * u))
    if cmd == 2:   # walk-up: two rising notes
        return base * (1 + 0.25 * ((2 * u) % 1.0))
    if cmd == 3:   # lie-down: one long descending note
        return base * (1.4 - 0.4 * u)
    if cmd == 4:   # steady: flat with vibrato
        return base * (1.15 + 0.03 * np.sin(2 * np.pi * 9 * u))
    return base * np.where(u < 0.3, 1.3, np.where(u < 0.45, 1.0, 1.2 - 0.15 * u))  # that'll-do


def envelope(cmd, t, tempo):
    u = np.clip(t * tempo / DUR, 0, 1.2)
    env = np.clip(np.minimum(u / 0.05, (1.0 - u) / 0.08), 0, 1)
    if cmd == 2:
        env = env * (np.abs(((2 * u) % 1.0) - 0.5) < 0.45)
    if cmd == 5:
        env = env * ((u < 0.27) | (u > 0.33))
    return env


def whistle(cmd):
    t = np.arange(T) / SR
    base = rng.uniform(1500, 2300)
    tempo = rng.uniform(0.85, 1.25)
    shift = rng.uniform(0, 0.12)
    ts = np.clip(t - shift, 0, None)
    f = contour(cmd, ts, base, tempo)
    phase = 2 * np.pi * np.cumsum(f) / SR
    sig = envelope(cmd, ts, tempo) * (t > shift) * np.sin(phase)
    sig *= rng.uniform(0.02, 1.0)                                   # distance to the handler
    wind = np.cumsum(rng.normal(0, 1, T)); wind -= np.convolve(wind, np.ones(64) / 64, "same")
    sig += rng.uniform(0.02, 0.6) * wind / (wind.std() + 1e-8)
    if rng.random() < 0.3:                                           # a bleat
        s = rng.integers(0, T - 2000); bt = np.arange(2000) / SR
        sig[s:s + 2000] += 0.3 * np.sin(2 * np.pi * 500 * bt * (1 + 0.1 * np.sin(40 * bt))) * np.hanning(2000)
    return sig + rng.normal(0, 0.02, T)


def log_spec(sig, nfft=256, hop=128):
    frames = np.lib.stride_tricks.sliding_window_view(sig, nfft)[::hop] * np.hanning(nfft)
    p = np.abs(np.fft.rfft(frames, axis=1)) ** 2                     # (frames, 129)
    band = p[:, 40:104].reshape(p.shape[0], 32, 2).mean(-1)           # 1250-3250 Hz in 32 bins
    return (10 * np.log10(band + 1e-6)).T.astype(np.float32)           # dB, (32, frames)


N = 700
labels = rng.integers(0, len(COMMANDS), N)
specs = np.stack([log_spec(whistle(c)) for c in labels])
X, y = torch.from_numpy(specs), torch.from_numpy(labels).long()
train_ds = TensorDataset(X[:240], y[:240])
val_ds = TensorDataset(X[240:470], y[240:470])
test_ds = TensorDataset(X[470:], y[470:])
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=128)
test_loader = DataLoader(test_ds, batch_size=128)


class SpecAugment(nn.Module):
    """Random pitch shift (roll over frequency bins) and one time mask, training only."""

    def __init__(self, max_shift=4, max_mask=8):
        super().__init__()
        self.max_shift, self.max_mask = max_shift, max_mask

    def forward(self, x):
        if not self.training:
            return x
        shift = int(torch.randint(-self.max_shift, self.max_shift + 1, ()))
        x = torch.roll(x, shift, dims=1)
        width = int(torch.randint(0, self.max_mask + 1, ()))
        t0 = int(torch.randint(0, x.shape[-1] - self.max_mask, ()))
        x = x.clone()
        x[..., t0:t0 + width] = x.mean()
        return x


class WhistleNet(nn.Module):
    def __init__(self, n_bins=32, n_classes=6):
        super().__init__()
        self.features = nn.Sequential(
            nn.BatchNorm1d(n_bins), SpecAugment(),
            nn.Conv1d(n_bins, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(),
            nn.Conv1d(48, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 96, 3, padding=1), nn.BatchNorm1d(96), nn.ReLU(),
        )
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(96, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.fc(self.dropout(h))


def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss / total, correct / total


model = WhistleNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
epochs = 40
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

_, untrained_acc = evaluate(model, val_loader)
print(f"untrained val acc {untrained_acc:.3f} (chance {1 / len(COMMANDS):.3f})")
for epoch in range(1, epochs + 1):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    scheduler.step()
    val_loss, val_acc = evaluate(model, val_loader)
    if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.2e}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")

test_loss, test_acc = evaluate(model, test_loader)
print(f"test accuracy {test_acc:.3f}  (test loss {test_loss:.4f})")
