"""Residual MLP with stochastic depth (drop-path, Huang et al. 2016) on the Friedman #1
regression benchmark, trained with PyTorch Lightning.

Each residual branch is dropped per sample with a probability that grows linearly with depth
(0 -> 0.2) and the kept branches are rescaled; at eval time every branch is kept. AdamW with a
per-step OneCycle schedule. Targets standardised with training statistics.
"""
import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


class DropPath(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = torch.rand(x.shape[0], 1, device=x.device) >= self.p
        return x * keep / (1 - self.p)


class ResBlock(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.drop_path = DropPath(p)

    def forward(self, x):
        return x + self.drop_path(self.ff(self.norm(x)))


class ResMLP(L.LightningModule):
    def __init__(self, d_in=10, d=96, depth=6, max_drop=0.2, lr=3e-3, steps=1000):
        super().__init__()
        self.save_hyperparameters()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d, max_drop * i / (depth - 1)) for i in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x))).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_mse", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x)
        self.log("val_mse", F.mse_loss(pred, y), prog_bar=True)
        self.log("val_r2", 1 - F.mse_loss(pred, y) / y.var(unbiased=False), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.01)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr,
                                                    total_steps=self.hparams.steps, pct_start=0.25)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(0, verbose=False)
    X, y = make_friedman1(n_samples=5000, n_features=10, noise=0.5, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
    mx, sx, my, sy = Xtr.mean(0), Xtr.std(0), ytr.mean(), ytr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    train = TensorDataset(f((Xtr - mx) / sx), f((ytr - my) / sy))
    val = TensorDataset(f((Xva - mx) / sx), f((yva - my) / sy))
    train_loader = DataLoader(train, batch_size=64, shuffle=True)
    val_loader = DataLoader(val, batch_size=1000)

    epochs = 12
    model = ResMLP(steps=epochs * len(train_loader))
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    res = trainer.validate(model, val_loader, verbose=False)[0]
    rmse = np.sqrt(res["val_mse"]) * sy
    print(f"final val_r2 {res['val_r2']:.4f} val_rmse {rmse:.3f} (noise floor 0.5)")


if __name__ == "__main__":
    main()
