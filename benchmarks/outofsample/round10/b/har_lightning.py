"""Human activity recognition from wrist accelerometer windows (2.56 s at 50 Hz, 3 axes).

Recordings come per activity session; windows are cut from each session and stacked.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

ACTIVITIES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying"]
WIN, HZ = 128, 50.0


def record_session(activity, n_windows, rng):
    t = np.arange(WIN) / HZ
    out = np.empty((n_windows, 3, WIN), dtype=np.float32)
    for w in range(n_windows):
        g = np.array({3: [0.2, 0.9, 0.35], 4: [0.05, 1.0, 0.1], 5: [0.95, 0.1, 0.3]}.get(activity, [0.1, 0.98, 0.15]))
        g = g / np.linalg.norm(g) + rng.normal(0, 0.16, 3)
        x = np.repeat(g[:, None], WIN, axis=1)
        if activity < 3:
            f = [1.9, 1.6, 2.1][activity] * rng.uniform(0.8, 1.2)
            a = [0.35, 0.45, 0.6][activity]
            ph = rng.uniform(0, 2 * np.pi)
            x[1] += a * np.sin(2 * np.pi * f * t + ph)
            x[0] += 0.5 * a * np.sin(2 * np.pi * 2 * f * t + ph) * (1 if activity != 2 else -1)
            x[2] += 0.3 * a * np.sin(2 * np.pi * f * t + ph + [0.0, 1.0, 2.0][activity])
        x += rng.normal(0, [0.04, 0.04, 0.04] if activity >= 3 else [0.08, 0.08, 0.08], (WIN, 3)).T
        out[w] = x
    return out


def build_split(per_class, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for a in range(len(ACTIVITIES)):
        xs.append(record_session(a, per_class, rng))
        ys.append(np.full(per_class, a))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


class HARData(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        self.train_ds = TensorDataset(*build_split(300, seed=1))
        self.val_ds = TensorDataset(*build_split(80, seed=2))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class ActivityCNN(L.LightningModule):
    def __init__(self, n_classes=6, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv1d(3, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, n_classes))

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
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    L.seed_everything(7, verbose=False)
    dm = HARData()
    model = ActivityCNN()
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, dm)
    res = trainer.validate(model, dm, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")
