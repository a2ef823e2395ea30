"""Machine-sound event classifier on log-power spectrogram patches (32 bins x 32 frames).

Six event types recorded over a pump-room background: steady hum, rising and falling
chirps (spin-up / spin-down), periodic clicks (bearing), tremolo tone (belt slip) and a
band of hiss (leak). Small CNN in PyTorch Lightning.
"""
import numpy as np
import torch
import lightning as L
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(3, verbose=False)
rng = np.random.default_rng(3)
F_BINS, T_FRAMES, N_CLASSES = 32, 32, 6


def event(label):
    f = np.arange(F_BINS)[:, None]
    t = np.arange(T_FRAMES)[None, :]
    spec = np.zeros((F_BINS, T_FRAMES))
    width = rng.uniform(0.6, 1.2)
    if label == 0:      # steady hum with harmonics
        f0 = rng.uniform(2, 7)
        for h in range(1, 5):
            spec += np.exp(-0.5 * ((f - h * f0) / width) ** 2) / h * np.ones_like(t)
    elif label in (1, 2):  # spin-up / spin-down chirp
        a, b = rng.uniform(3, 11), rng.uniform(18, 29)
        track = a + (b - a) * t / T_FRAMES if label == 1 else b - (b - a) * t / T_FRAMES
        spec += np.exp(-0.5 * ((f - track) / width) ** 2)
    elif label == 3:    # periodic broadband clicks
        period, phase = rng.integers(5, 10), rng.integers(0, 5)
        spec += ((t - phase) % period == 0) * np.exp(-f / rng.uniform(10, 30)) * np.ones_like(f)
    elif label == 4:    # tremolo tone
        fc, rate = rng.uniform(5, 26), rng.uniform(0.2, 0.6)
        spec += np.exp(-0.5 * ((f - fc) / width) ** 2) * (0.5 + 0.5 * np.sin(rate * t + rng.uniform(0, 6)))
    else:               # hiss band
        lo = rng.uniform(3, 20)
        spec += ((f > lo) & (f < lo + rng.uniform(3, 8))) * rng.uniform(0.3, 0.7, (F_BINS, T_FRAMES))
    snr = rng.uniform(0.6, 1.6)
    background = rng.exponential(1.0, (F_BINS, T_FRAMES)) * np.exp(-f / 20) * 0.5
    return np.log(1e-3 + snr * spec + background)


y = np.repeat(np.arange(N_CLASSES), 250)
rng.shuffle(y)
X = np.stack([event(c) for c in y]).astype(np.float32)[:, None]
n_tr = 1200
mean, std = X[:n_tr].mean(), X[:n_tr].std()
X = (X - mean) / std
train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))


class SoundCNN(L.LightningModule):
    def __init__(self, lr=2e-3, head_lr=2e-3, epochs=6):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(24, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d((4, 4)),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 16, N_CLASSES))
        self.loss = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam([
            {"params": self.features.parameters(), "lr": self.hparams.lr},
            {"params": self.classifier.parameters(), "lr": self.hparams.head_lr},
        ])
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


model = SoundCNN(lr=2e-6, head_lr=2e-3)
trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(train_ds, batch_size=64, shuffle=True), DataLoader(val_ds, batch_size=256))
res = trainer.validate(model, DataLoader(val_ds, batch_size=256), verbose=False)[0]
print(f"val accuracy {res['val_acc']:.4f}  val loss {res['val_loss']:.4f}")
