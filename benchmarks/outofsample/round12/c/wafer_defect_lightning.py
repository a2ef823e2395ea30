"""Wafer-map defect pattern classifier (Lightning).

Die-level pass/fail maps are rendered as 24x24 intensity images. Six pattern families
(as in the usual fab taxonomy): center, donut, edge-ring, scratch, local cluster, random.
The generator below stands in for the fab's archive, which is stored one pattern family
per folder; we read the folders in turn.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["center", "donut", "edge_ring", "scratch", "local", "random"]
S = 24


def render_family(label, n, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    c = (S - 1) / 2
    r = np.sqrt((yy - c) ** 2 + (xx - c) ** 2)[None]
    wafer = (r <= c + 0.5).astype(np.float32)
    base = rng.random((n, S, S)).astype(np.float32) < 0.06         # background fails
    m = np.zeros((n, S, S), np.float32)
    jit = rng.normal(0, 1.0, (n, 1, 1)).astype(np.float32)
    if label == 0:
        m = (r < 4.0 + jit).astype(np.float32)
    elif label == 1:
        m = ((r > 5.0 + jit) & (r < 8.0 + jit)).astype(np.float32)
    elif label == 2:
        m = (r > 9.5 + 0.5 * jit).astype(np.float32)
    elif label == 3:
        ang = rng.uniform(0, np.pi, (n, 1, 1))
        off = rng.uniform(-5, 5, (n, 1, 1))
        d = np.abs((xx - c) * np.sin(ang) - (yy - c) * np.cos(ang) - off)
        m = (d < 0.9).astype(np.float32)
    elif label == 4:
        cy = rng.uniform(5, S - 5, (n, 1, 1))
        cx = rng.uniform(5, S - 5, (n, 1, 1))
        m = (((yy - cy) ** 2 + (xx - cx) ** 2) < rng.uniform(6, 14, (n, 1, 1))).astype(np.float32)
    else:
        m = (rng.random((n, S, S)) < 0.18).astype(np.float32)
    keep = rng.random((n, S, S)) < 0.85                               # partial pattern
    img = np.clip(m * keep + base, 0, 1) * wafer
    img = img + rng.normal(0, 0.15, img.shape)
    return img.astype(np.float32)


def load_archive(n_per_class, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(len(CLASSES)):
        xs.append(render_family(k, n_per_class, rng))
        ys.append(np.full(n_per_class, k))
    x = torch.from_numpy(np.concatenate(xs))[:, None]
    y = torch.from_numpy(np.concatenate(ys)).long()
    return x, y


class WaferData(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        xtr, ytr = load_archive(300, seed=1)
        xva, yva = load_archive(100, seed=2)
        mu, sd = xtr.mean(), xtr.std()
        self.train_set = TensorDataset((xtr - mu) / sd, ytr)
        self.val_set = TensorDataset((xva - mu) / sd, yva)

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=False)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=256)


class WaferNet(L.LightningModule):
    def __init__(self, lr=0.03):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(3),
        )
        self.classifier = nn.Linear(32 * 9, len(CLASSES))

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))

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
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=5e-4)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[4], gamma=0.3)
        return [opt], [sched]


if __name__ == "__main__":
    L.seed_everything(3, workers=True)
    dm = WaferData()
    model = WaferNet()
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, datamodule=dm)
    m = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_acc {m['val_acc']:.4f} val_loss {m['val_loss']:.4f}")
