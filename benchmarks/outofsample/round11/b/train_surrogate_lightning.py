"""Surrogate model for an expensive simulator, trained with PyTorch Lightning.

700 simulator runs (8 design parameters in [0, 1] -> scalar response, Friedman #1 surface,
5 of the parameters active, run-to-run noise). Reports validation R^2.
"""

import lightning as L
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class SimulatorRuns(L.LightningDataModule):
    def __init__(self, batch_size=512, seed=7):
        super().__init__()
        self.batch_size = batch_size
        self.seed = seed

    def setup(self, stage=None):
        X, y = make_friedman1(n_samples=700, n_features=8, noise=0.5, random_state=3)
        X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=self.seed)
        mu, sd = X_tr.mean(0), X_tr.std(0)
        self.y_mu, self.y_sd = y_tr.mean(), y_tr.std()
        to_t = lambda a: torch.tensor(a, dtype=torch.float32)
        self.train_ds = TensorDataset(to_t((X_tr - mu) / sd), to_t((y_tr - self.y_mu) / self.y_sd)[:, None])
        self.val_ds = TensorDataset(to_t((X_va - mu) / sd), to_t((y_va - self.y_mu) / self.y_sd)[:, None])

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=len(self.val_ds))


class SurrogateMLP(L.LightningModule):
    def __init__(self, n_in=8, hidden=64, lr=1e-3, weight_decay=1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_mse", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        mse = self.loss(pred, y)
        r2 = 1 - ((pred - y) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        self.log("val_mse", mse, prog_bar=True)
        self.log("val_r2", r2, prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)


def main():
    L.seed_everything(7, workers=True)
    dm = SimulatorRuns()
    model = SurrogateMLP()
    trainer = L.Trainer(
        max_epochs=60,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        deterministic=True,
    )
    trainer.fit(model, datamodule=dm)
    metrics = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val R2 {metrics['val_r2']:.4f}  val MSE (standardised) {metrics['val_mse']:.4f}")


if __name__ == "__main__":
    main()
