"""Acoustic-scene classifier for a hearing aid's program switch.

The aid computes 16 log band energies every 12.5 ms; the program switch must tell
quiet / speech / speech-in-babble / music / wind from a 2 s window (160 frames).
What separates them is how the bands move over time (syllable rate, beat,
gusts), so a deliberately tiny GRU (it has to fit the DSP budget) reads the
whole window.  Label smoothing, linear warm-up then cosine decay, gradient
clipping.  Reports validation accuracy.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SCENES = ["quiet", "speech", "speech_babble", "music", "wind"]
T, BANDS, FPS = 160, 16, 80.0


def synth_window(scene, rng):
    t = np.arange(T) / FPS
    band = np.arange(BANDS)
    tilt = rng.normal(0, 0.4) * (band - BANDS / 2)                          # microphone / head shadow
    floor = rng.normal(-58, 5) + tilt + rng.normal(0, 2.5, (T, BANDS))
    spec = floor.copy()
    speech_shape = np.exp(-0.5 * ((band - rng.uniform(4, 8)) / 3.0) ** 2)
    if scene in ("speech", "speech_babble"):
        rate = rng.uniform(3.0, 5.5)                                     # syllables per second
        env = np.clip(np.sin(2 * np.pi * rate * t + rng.uniform(0, 6.3)), 0, None) ** 0.7
        env *= (rng.random(T // 20).repeat(20) > 0.25)                   # pauses between words
        spec = np.maximum(spec, -62 + rng.uniform(12, 30) * env[:, None] * speech_shape[None, :]
                          + rng.normal(0, 3, (T, BANDS)))
    if scene == "speech_babble":
        babble = -44 + rng.normal(0, 6) - 0.6 * band + rng.normal(0, 3, (T, BANDS))
        spec = 10 * np.log10(10 ** (spec / 10) + 10 ** (babble / 10))
    if scene == "music":
        f0 = rng.integers(2, 6)
        harmonics = np.zeros(BANDS)
        harmonics[f0::f0 + 1] = 1.0
        beat = 0.5 + 0.5 * (np.sin(2 * np.pi * rng.uniform(1.5, 2.5) * t) > 0.6)
        note_change = rng.random(T // 40).repeat(40)
        spec = np.maximum(spec, -52 + rng.uniform(3, 12) * beat[:, None] * harmonics[None, :]
                          + 4 * note_change[:, None] + rng.normal(0, 3, (T, BANDS)))
    if scene == "wind":
        gust = np.convolve(rng.normal(0, 1, T + 30), np.ones(30) / 30, mode="valid")[:T]
        low = np.exp(-band / 3.0)
        spec = np.maximum(spec, -56 + rng.uniform(5, 25) * np.clip(gust * 3, -1, 2)[:, None] * low[None, :]
                          + rng.normal(0, 3, (T, BANDS)))
    gain = rng.normal(0, 8)                                              # talker distance / level
    return (spec + gain).astype(np.float32)


def make_split(n, rng):
    y = rng.integers(0, len(SCENES), n)
    X = np.stack([synth_window(SCENES[k], rng) for k in y])
    return X, y


class SceneGRU(nn.Module):
    def __init__(self, bands=BANDS, hidden=48, n_classes=len(SCENES)):
        super().__init__()
        self.norm = nn.LayerNorm(bands)
        self.gru = nn.GRU(bands, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        h, last = self.gru(self.norm(x))
        return self.out(torch.cat([last[-1], h.mean(1)], dim=1))


def main():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    X_tr, y_tr = make_split(1600, rng)
    X_va, y_va = make_split(500, rng)
    mu, sd = X_tr.mean((0, 1)), X_tr.std((0, 1))
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=32, shuffle=True)
    Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)

    model = SceneGRU()
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    epochs = 10
    total_steps, warmup = epochs * len(train_dl), 40

    def schedule(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * progress))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in train_dl:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
        model.eval()
        with torch.no_grad():
            acc = (model(Xv).argmax(1) == yv).float().mean().item()
        print(f"epoch {epoch} train_loss {running / len(train_dl):.4f} val_acc {acc:.4f} "
              f"lr {scheduler.get_last_lr()[0]:.2e}")
    print(f"final val_accuracy={acc:.4f}")


if __name__ == "__main__":
    main()
