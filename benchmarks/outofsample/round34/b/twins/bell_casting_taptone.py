"""Classify bell castings from a hammer tap recorded at the foundry (Lightning).

Classes: 0 sound, 1 cracked lip (split partial, beats), 2 porosity (fast damping),
3 flattened tierce (tuning fault). One 1-D conv encoder over the raw tap, resampled to 4 kHz.
"""
import numpy as np
import torch
import lightning as L
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(21, verbose=False)
FS, N = 4000, 256


def tap(kind, rng):
    t = np.arange(N) / FS
    hum = rng.uniform(180, 320)
    ratios = np.array([0.5, 1.0, 1.2, 1.5, 2.0])       # hum, prime, tierce, quint, nominal
    decay = rng.uniform(6, 10, 5)
    amps = rng.uniform(0.4, 1.0, 5)
    if kind == 3:
        ratios[2] = 1.2 - 0.12 * rng.uniform(0.7, 1.0)   # minor third sung flat
    if kind == 2:
        decay *= rng.uniform(2.2, 3.0)
    s = np.zeros(N)
    for r, d, a in zip(ratios, decay, amps):
        s += a * np.exp(-d * t) * np.sin(2 * np.pi * hum * 2 * r * t + rng.uniform(0, 2 * np.pi))
    if kind == 1:
        f = hum * 4 * (1 + rng.uniform(0.015, 0.03))
        s += 0.9 * np.exp(-decay[4] * t) * np.sin(2 * np.pi * f * t)
    s += rng.normal(0, 0.15, N)
    return (s / (np.abs(s).max() + 1e-6)).astype(np.float32)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    x = np.stack([tap(k, rng) for k in y])[:, None, :]
    return torch.from_numpy(x), torch.from_numpy(y)


class TapToneClassifier(L.LightningModule):
    def __init__(self, lr=4e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(1, 16, 15, stride=2, padding=7), nn.BatchNorm1d(16), nn.ReLU(),
            nn.Conv1d(16, 24, 9, stride=2, padding=4), nn.BatchNorm1d(24), nn.ReLU(),
            nn.Conv1d(24, 48, 9, stride=2, padding=4), nn.BatchNorm1d(48), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Linear(48, 4)
        self.loss = nn.CrossEntropyLoss()
        self.last_embedding = None

    def forward(self, x):
        z = self.encoder(x)
        self.last_embedding = z.detach()
        return self.head(z)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y), prog_bar=False)
        self.log("val_acc", (logits.argmax(1) == y).float().mean())
        self.log("emb_norm", self.last_embedding.norm(dim=1).mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


if __name__ == "__main__":
    torch.set_num_threads(1)
    x_tr, y_tr = make_split(1000, 1)
    x_va, y_va = make_split(400, 2)
    train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_va, y_va), batch_size=200)
    model = TapToneClassifier()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.callback_metrics
    print(f"final val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f} train_loss={m['train_loss']:.4f}")
