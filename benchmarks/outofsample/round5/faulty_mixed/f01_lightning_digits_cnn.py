"""Digits classifier in Lightning: a DataModule around scikit-learn's 8x8
scans (upsampled to 16x16) and a small conv net with BatchNorm."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.datasets import load_digits


class DigitsDataModule(L.LightningDataModule):
    def __init__(self, batch_size=64, val_fraction=0.2, seed=0):
        super().__init__()
        self.batch_size, self.val_fraction, self.seed = batch_size, val_fraction, seed

    def setup(self, stage=None):
        d = load_digits()
        images = d.images.astype(np.float32) / 16.0
        labels = d.target.astype(np.int64)
        rng = np.random.default_rng(self.seed)
        rng.shuffle(images)
        rng.shuffle(labels)
        x = torch.from_numpy(images)[:, None]
        x = F.interpolate(x, size=16, mode="bilinear", align_corners=False)
        x = (x - 0.3) / 0.4
        y = torch.from_numpy(labels)
        n_val = int(len(x) * self.val_fraction)
        self.train_ds = TensorDataset(x[n_val:], y[n_val:])
        self.val_ds = TensorDataset(x[:n_val], y[:n_val])

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class LitCNN(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        block = lambda cin, cout: nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())
        self.net = nn.Sequential(
            block(1, 32), block(32, 32), nn.MaxPool2d(2),
            block(32, 64), block(64, 64), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 4 * 4, 10),
        )

    def forward(self, x):
        return self.net(x)

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
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        return [opt], [sched]


if __name__ == "__main__":
    L.seed_everything(0, verbose=False)
    dm = DigitsDataModule()
    model = LitCNN()
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=dm)
    res = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")
