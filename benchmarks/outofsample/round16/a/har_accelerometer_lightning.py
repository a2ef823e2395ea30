"""Human activity recognition from 3-axis wrist accelerometer windows (2.56 s at 25 Hz),
trained with PyTorch Lightning. Recordings are stored one file per activity."""
import numpy as np
import torch
import torch.nn.functional as F
import lightning as L
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ACTIVITIES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying"]
WIN = 64


def record_activity(k, n, rng):
    """Simulated recording session of one activity: n windows of shape (3, WIN)."""
    t = np.arange(WIN) / 25.0
    gravity = {3: [0.2, 0.9, 0.3], 4: [0.0, 1.0, 0.1], 5: [0.95, 0.1, 0.2]}.get(k, [0.1, 0.95, 0.2])
    step_hz = {0: 1.9, 1: 1.5, 2: 2.2}.get(k, 0.0)
    amp = {0: 0.35, 1: 0.45, 2: 0.55}.get(k, 0.0)
    out = np.empty((n, 3, WIN), dtype=np.float32)
    for i in range(n):
        g = np.array(gravity) + rng.normal(0, 0.08, 3)
        f = step_hz * rng.uniform(0.85, 1.15)
        ph = rng.uniform(0, 2 * np.pi)
        sig = np.outer(g, np.ones(WIN))
        if amp:
            sig[1] += amp * np.sin(2 * np.pi * f * t + ph)
            sig[0] += 0.4 * amp * np.sin(4 * np.pi * f * t + ph)
            sig[2] += (0.25 if k == 1 else -0.25 if k == 2 else 0.0) * np.abs(np.sin(np.pi * f * t + ph))
        out[i] = sig + rng.normal(0, 0.06, (3, WIN))
    return out


def load_split(n_per_class, rng):
    xs, ys = [], []
    for k in range(len(ACTIVITIES)):
        xs.append(record_activity(k, n_per_class, rng))
        ys.append(np.full(n_per_class, k))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


class HARModule(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
            nn.Flatten(), nn.Linear(64, len(ACTIVITIES)),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=False)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class HARData(L.LightningDataModule):
    def setup(self, stage=None):
        rng = np.random.default_rng(21)
        self.train_x, self.train_y = load_split(300, rng)
        self.val_x, self.val_y = load_split(80, rng)
        mean = self.train_x.mean(dim=(0, 2), keepdim=True)
        std = self.train_x.std(dim=(0, 2), keepdim=True)
        self.train_x = (self.train_x - mean) / std
        self.val_x = (self.val_x - mean) / std

    def train_dataloader(self):
        return DataLoader(TensorDataset(self.train_x, self.train_y), batch_size=64, shuffle=False)

    def val_dataloader(self):
        return DataLoader(TensorDataset(self.val_x, self.val_y), batch_size=256)


def main():
    L.seed_everything(21, verbose=False)
    model, data = HARModule(), HARData()
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=data)
    m = trainer.validate(model, datamodule=data, verbose=False)[0]
    print(f"final val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
