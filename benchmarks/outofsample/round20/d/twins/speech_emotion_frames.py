"""Speech-emotion recognition from frame-level acoustic features.

Each utterance is a sequence of 80 frames x 24 features (log-F0, log-energy, voicing
probability and 21 cepstral coefficients), already mean/variance normalised per speaker
by the feature extractor. A small temporal CNN with attention pooling predicts one of
four emotions (neutral, happy, angry, sad).
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

EMOTIONS = ["neutral", "happy", "angry", "sad"]


def synth_corpus(n_utt, n_frames=80, n_feat=24, seed=0):
    """Prosody-driven synthetic corpus: emotion changes pitch level/range, energy,
    speaking rate (syllable modulation) and spectral tilt; speakers add their own offsets."""
    rng = np.random.default_rng(seed)
    # (pitch level, pitch range, energy, syllable rate Hz, spectral tilt)
    proto = np.array([
        [0.0, 0.4, 0.0, 4.0, 0.0],     # neutral
        [0.6, 1.0, 0.4, 5.0, 0.3],     # happy
        [0.4, 0.8, 0.9, 5.5, 0.8],     # angry
        [-0.5, 0.25, -0.5, 3.0, -0.4],  # sad
    ])
    n_spk = 40
    spk_off = rng.normal(0, 0.35, size=(n_spk, 5))
    spk_cep = rng.normal(0, 0.5, size=(n_spk, n_feat - 3))
    tilt_dir = np.linspace(1.0, -1.0, n_feat - 3)
    t = np.arange(n_frames) / 100.0  # 10 ms hop
    X = np.zeros((n_utt, n_frames, n_feat), dtype=np.float32)
    y = rng.integers(0, 4, size=n_utt)
    spk = rng.integers(0, n_spk, size=n_utt)
    for i in range(n_utt):
        p = proto[y[i]] + 0.5 * spk_off[spk[i]] + rng.normal(0, 0.2, size=5)
        rate = max(p[3], 1.5)
        phase = rng.uniform(0, 2 * math.pi)
        syl = np.sin(2 * math.pi * rate * t + phase)
        voiced = (syl > -0.3).astype(np.float32)
        f0 = p[0] + p[1] * np.sin(2 * math.pi * 0.7 * t + rng.uniform(0, 6)) + 0.1 * rng.normal(size=n_frames)
        en = p[2] + 0.6 * syl + 0.15 * rng.normal(size=n_frames)
        cep = spk_cep[spk[i]][None, :] + p[4] * tilt_dir[None, :] * voiced[:, None]
        cep = cep + 0.6 * rng.normal(size=(n_frames, n_feat - 3))
        X[i, :, 0] = f0 * voiced
        X[i, :, 1] = en
        X[i, :, 2] = voiced + 0.1 * rng.normal(size=n_frames)
        X[i, :, 3:] = cep
    return torch.from_numpy(X), torch.from_numpy(y).long()


class AttnPool(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, h):               # h: (B, T, D)
        w = torch.softmax(self.score(h).squeeze(-1), dim=1)
        return torch.einsum("bt,btd->bd", w, h)


class EmotionTCN(nn.Module):
    def __init__(self, n_feat=24, width=64, n_cls=4, p_drop=0.2):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(n_feat, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=4, dilation=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 3, padding=4, dilation=4), nn.BatchNorm1d(width), nn.ReLU(),
        )
        self.pool = AttnPool(width)
        self.drop = nn.Dropout(p_drop)
        self.head = nn.Linear(width, n_cls)

    def forward(self, x):               # x: (B, T, F)
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)
        return self.head(self.drop(self.pool(h)))


def train_epoch(model, loader, optimizer, scheduler, epoch):
    model.train()
    total, n = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
        n += len(yb)
    return total / n


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct, loss_sum, n = 0, 0.0, 0
    per_cls = torch.zeros(4)
    per_cls_n = torch.zeros(4)
    for xb, yb in loader:
        logits = model(xb)
        loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
        pred = logits.argmax(1)
        correct += (pred == yb).sum().item()
        for c in range(4):
            m = yb == c
            per_cls[c] += (pred[m] == c).sum()
            per_cls_n[c] += m.sum()
        n += len(yb)
    uar = (per_cls / per_cls_n.clamp_min(1)).mean().item()
    return loss_sum / n, correct / n, uar


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()

    torch.manual_seed(7)
    X, y = synth_corpus(2400, seed=7)
    n_tr = 1900
    train_ds = TensorDataset(X[:n_tr], y[:n_tr])
    val_ds = TensorDataset(X[n_tr:], y[n_tr:])
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = EmotionTCN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))

    for epoch in range(1, args.epochs + 1):
        tr_loss = train_epoch(model, train_loader, optimizer, scheduler, epoch)
        va_loss, va_acc, va_uar = evaluate(model, val_loader)
        print(f"epoch {epoch:2d}  train_loss {tr_loss:.4f}  val_loss {va_loss:.4f}  "
              f"val_acc {va_acc:.3f}  val_UAR {va_uar:.3f}")
    print(f"final val_UAR {va_uar:.4f} val_acc {va_acc:.4f}")


if __name__ == "__main__":
    main()
