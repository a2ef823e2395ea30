"""Tram overhead-line inspection: classify 2 s windows of pantograph measurements.

Channels: contact force (N) and carbon-strip vertical acceleration, 128 Hz.
Classes: 0 clean run, 1 arcing / loss of contact, 2 hard spot, 3 dropper fault,
4 worn contact wire (low-frequency stagger wobble).
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

T = 256
N_CLASSES = 5


def window(cls, rng):
    t = np.arange(T) / 128.0
    speed = rng.uniform(8, 18)                       # m/s
    span_f = speed / rng.uniform(45, 55)             # span passing frequency
    force = 90 + 12 * np.sin(2 * np.pi * span_f * t + rng.uniform(0, 6.3))
    acc = rng.normal(0, 0.4, T)
    if cls == 1:
        for c in rng.integers(10, T - 10, rng.integers(2, 5)):
            w = rng.integers(2, 6)
            force[c:c + w] -= rng.uniform(50, 80)
            acc[c:c + w] += rng.normal(0, 2.5, w)
    elif cls == 2:
        c = rng.integers(30, T - 30)
        force += 28 * np.exp(-0.5 * ((np.arange(T) - c) / 3.0) ** 2)
        acc[c:c + 12] += 1.8 * np.sin(np.linspace(0, 6 * np.pi, 12))
    elif cls == 3:
        dropper_f = speed / rng.uniform(4.5, 5.5)
        force += 6 * np.sign(np.sin(2 * np.pi * dropper_f * t))
    elif cls == 4:
        force += 20 * np.sin(2 * np.pi * rng.uniform(0.3, 0.6) * t)
        acc += 0.5 * np.sin(2 * np.pi * rng.uniform(0.3, 0.6) * t)
    force += rng.normal(0, 12, T)
    return np.stack([force, acc])


def make_set(n, rng):
    y = rng.integers(0, N_CLASSES, n)
    X = np.stack([window(c, rng) for c in y]).astype(np.float32)
    return X, y


class ContactNet(L.LightningModule):
    def __init__(self, lr=1e-3, head_lr=3e-3, weight_decay=1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(2, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, N_CLASSES))

    def forward(self, x):
        return self.head(self.encoder(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(
            [
                {"params": self.encoder.parameters(), "lr": self.hparams.lr},
                {"params": self.head.parameters(), "lr": self.hparams.head_lr},
            ],
            weight_decay=self.hparams.weight_decay,
        )


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, y = make_set(2000, rng)
    Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]
    mu = Xtr.mean(axis=(0, 2), keepdims=True)
    sd = Xtr.std(axis=(0, 2), keepdims=True)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

    model = ContactNet()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"final val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
