"""Digit classifier in Lightning that also keeps the last batch's embedding for a projector plot."""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")


class DigitsData(L.LightningDataModule):
    def __init__(self, batch_size=64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        d = load_digits()
        X = (d.images.astype(np.float32) / 16.0 - 0.3) / 0.4
        X_tr, X_va, y_tr, y_va = train_test_split(X, d.target, test_size=0.25, random_state=0,
                                                  stratify=d.target)
        self.train_ds = TensorDataset(torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(y_tr))
        self.val_ds = TensorDataset(torch.from_numpy(X_va).unsqueeze(1), torch.from_numpy(y_va))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class EmbedNet(L.LightningModule):
    def __init__(self, emb_dim=32, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(32, emb_dim),
        )
        self.head = nn.Linear(emb_dim, 10)
        self.last_embedding = None

    def forward(self, x):
        emb = self.backbone(x)
        self.last_embedding = emb.detach()
        return self.head(emb)

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
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.3)
        return [opt], [sched]


if __name__ == "__main__":
    L.seed_everything(0, workers=True)
    dm = DigitsData()
    model = EmbedNet()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, deterministic=True)
    trainer.fit(model, datamodule=dm)
    metrics = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_loss {metrics['val_loss']:.4f} val_acc {metrics['val_acc']:.4f}")
