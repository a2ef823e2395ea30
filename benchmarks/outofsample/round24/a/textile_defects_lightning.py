"""Textile inspection line: classify 24x24 grey-level loom-camera patches.

Classes: 0 clean weave, 1 hole, 2 slub (thick yarn along the weft),
3 broken warp end (dark vertical line).
Small CNN in PyTorch Lightning.
"""
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

S = 24


def weave(n):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    out = np.empty((n, S, S), np.float32)
    for i in range(n):
        f = rng.uniform(1.2, 1.8)
        phase = rng.uniform(0, 2 * np.pi, 2)
        base = rng.uniform(135, 175)
        tex = np.sin(xx * f + phase[0]) * np.sin(yy * f + phase[1])
        shade = rng.uniform(-12, 12) * (xx / S - 0.5)          # uneven lighting
        out[i] = base + 22 * tex + shade + rng.normal(0, 11, (S, S))
    return out


def make_patches(n):
    imgs = weave(n)
    y = rng.integers(0, 4, n)
    yy, xx = np.mgrid[0:S, 0:S]
    for i in range(n):
        cy, cx = rng.integers(5, S - 5, 2)
        if y[i] == 1:                                          # hole: dark round blob
            r = rng.uniform(1.8, 3.0)
            m = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
            imgs[i][m] -= rng.uniform(28, 48)
        elif y[i] == 2:                                        # slub: bright, long in x
            m = (np.abs(yy - cy) <= 1) & (np.abs(xx - cx) <= rng.integers(4, 8))
            imgs[i][m] += rng.uniform(22, 38)
        elif y[i] == 3:                                        # broken warp end
            m = (np.abs(xx - cx) <= 0) & (yy >= rng.integers(0, 8))
            imgs[i][m] -= rng.uniform(24, 40)
    imgs = np.clip(imgs, 0, 255).round().astype(np.uint8)
    return imgs, y.astype(np.int64)


def to_tensors(imgs, y):
    x = torch.from_numpy(imgs).float().unsqueeze(1)
    return TensorDataset(x, torch.from_numpy(y))


class PatchNet(L.LightningModule):
    def __init__(self, lr=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1),
        )
        self.head = nn.Linear(32, 4)
        self.val_acc = []

    def forward(self, x):
        return self.head(self.features(x).flatten(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.val_acc.append(((logits.argmax(1) == y).float().sum().item(), len(y)))

    def on_validation_epoch_end(self):
        correct = sum(c for c, _ in self.val_acc)
        total = sum(n for _, n in self.val_acc)
        self.last_acc = correct / total
        self.val_acc.clear()

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.3)
        return [opt], [sched]


if __name__ == "__main__":
    torch.set_num_threads(1)
    tr_imgs, tr_y = make_patches(1600)
    va_imgs, va_y = make_patches(400)
    train_dl = DataLoader(to_tensors(tr_imgs, tr_y), batch_size=64, shuffle=True)
    val_dl = DataLoader(to_tensors(va_imgs, va_y), batch_size=256)

    model = PatchNet(lr=0.03)
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"train_loss {m['train_loss']:.4f}  val_loss {m['val_loss']:.4f}")
    print(f"final val_acc {model.last_acc:.4f}")
