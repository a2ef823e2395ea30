"""Sleep staging from single-channel EEG-like 30 s epochs (downsampled to 50 Hz), Lightning.

Stages: W, N1, N2, N3, REM. Synthetic signals mix 1/f background with stage-typical
rhythms (alpha in wake, theta in N1/REM, sigma spindles and K-complexes in N2,
high-amplitude delta in N3, sawtooth/beta bursts in REM) and per-subject gain.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

FS, SECONDS = 50, 30
T = FS * SECONDS
STAGES = ["W", "N1", "N2", "N3", "REM"]


def pink(rng, n):
    f = np.fft.rfftfreq(n, 1 / FS)
    spec = rng.normal(size=f.size) + 1j * rng.normal(size=f.size)
    spec /= np.maximum(f, 0.5)
    x = np.fft.irfft(spec, n)
    return x / x.std()


def burst(rng, t, freq, amp, dur):
    c = rng.uniform(dur, SECONDS - dur)
    env = np.exp(-0.5 * ((t - c) / (dur / 3)) ** 2)
    return amp * env * np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.28))


def make_epoch(rng, stage, gain):
    t = np.arange(T) / FS
    x = 1.6 * pink(rng, T)
    ph = rng.uniform(0, 6.28)
    if stage == 0:    # wake: alpha, beta, eye movements
        x += 0.35 * np.sin(2 * np.pi * rng.uniform(8.5, 11) * t + ph) + 0.5 * rng.normal(size=T)
    elif stage == 1:  # N1: theta, vertex waves
        x += 0.35 * np.sin(2 * np.pi * rng.uniform(4, 7) * t + ph) + 0.15 * np.sin(2 * np.pi * 9 * t + ph)
    elif stage == 2:  # N2: spindles and K-complexes on theta
        x += 0.3 * np.sin(2 * np.pi * rng.uniform(4, 7) * t + ph)
        for _ in range(rng.integers(0, 4)):
            x += burst(rng, t, rng.uniform(12, 14), 0.9, 1.0)
        x += burst(rng, t, 0.8, 1.2, 1.2) * rng.integers(0, 2)
    elif stage == 3:  # N3: slow waves
        x += rng.uniform(0.6, 1.4) * np.sin(2 * np.pi * rng.uniform(0.6, 1.8) * t + ph)
    else:             # REM: sawtooth theta, low amplitude mixed
        saw = 2 * ((rng.uniform(2, 3) * t + ph) % 1) - 1
        x += 0.3 * saw + 0.15 * np.sin(2 * np.pi * rng.uniform(15, 25) * t)
    return gain * x


def make_night(rng, n_epochs):
    # crude hypnogram: Markov chain over stages
    P = np.array([[.80, .15, .04, .00, .01], [.10, .50, .35, .00, .05], [.03, .05, .75, .12, .05],
                  [.01, .01, .18, .80, .00], [.05, .10, .10, .00, .75]])
    s, stages = 0, []
    for _ in range(n_epochs):
        stages.append(s)
        s = rng.choice(5, p=P[s])
    gain = rng.uniform(0.6, 1.6)
    X = []
    for i, st in enumerate(stages):
        x = make_epoch(rng, st, gain)
        # transitional epochs: scorers label the majority stage, the other one leaks in
        other = stages[i - 1] if i > 0 and stages[i - 1] != st else rng.integers(0, 5)
        w = rng.uniform(0.0, 0.5) if rng.random() < 0.3 else 0.0
        X.append(x + w * (make_epoch(rng, other, gain) - pink(rng, T) * gain))
    X = np.stack(X)
    return X.astype(np.float32), np.array(stages)


class Encoder(nn.Module):
    def __init__(self, ch=32):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(1, ch, 25, stride=3, padding=12), nn.BatchNorm1d(ch), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(ch, ch * 2, 9, padding=4), nn.BatchNorm1d(ch * 2), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(ch * 2, ch * 2, 9, padding=4), nn.BatchNorm1d(ch * 2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
        )

    def forward(self, x):
        return self.body(x).flatten(1)


class SleepStager(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = Encoder()
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, 5))
        self.embedding = None

    def forward(self, x):
        z = self.encoder(x)
        self.embedding = z.detach()
        return self.head(self.embedding)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    L.seed_everything(7, verbose=False)
    rng = np.random.default_rng(7)
    nights = [make_night(rng, 120) for _ in range(10)]
    # split by night (subject) so validation is a new recording
    Xtr = np.concatenate([n[0] for n in nights[:8]]); ytr = np.concatenate([n[1] for n in nights[:8]])
    Xva = np.concatenate([n[0] for n in nights[8:]]); yva = np.concatenate([n[1] for n in nights[8:]])
    # per-epoch z-scoring, as is usual for EEG
    norm = lambda a: (a - a.mean(1, keepdims=True)) / (a.std(1, keepdims=True) + 1e-6)
    Xtr, Xva = norm(Xtr)[:, None], norm(Xva)[:, None]

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=128)

    model = SleepStager()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xb).argmax(1) for xb, _ in val_dl]).numpy()
    acc = (pred == yva).mean()
    recalls = [((pred == k) & (yva == k)).sum() / max((yva == k).sum(), 1) for k in range(5)]
    print("per-stage recall", {s: round(float(r), 3) for s, r in zip(STAGES, recalls)})
    print(f"final val accuracy {acc:.4f}  balanced accuracy {np.mean(recalls):.4f}")


if __name__ == "__main__":
    main()
