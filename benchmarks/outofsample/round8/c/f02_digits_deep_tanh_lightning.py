"""Handwritten-digit classifier (scikit-learn's 8x8 scans) in PyTorch Lightning.

A stack of Linear+Tanh blocks; `--depth` controls how many.
"""
import argparse

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class DigitsData(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        X, y = load_digits(return_X_y=True)
        X = (X / 8.0 - 1.0).astype(np.float32)          # pixel values 0..16 -> [-1, 1]
        Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
        self.train_ds = TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr))
        self.val_ds = TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class TanhMLP(L.LightningModule):
    def __init__(self, depth, width=128, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        blocks, d = [], 64
        for _ in range(depth):
            blocks += [nn.Linear(d, width), nn.Tanh()]
            d = width
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Linear(width, 10)
        for m in self.features:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("tanh"))
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.features(x))

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
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=24)
    p.add_argument("--epochs", type=int, default=15)
    args = p.parse_args()
    L.seed_everything(0, verbose=False)
    model = TanhMLP(depth=args.depth)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, datamodule=DigitsData())
    m = trainer.callback_metrics
    print(f"final val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
