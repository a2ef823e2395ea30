"""Lightning regression with a Huber loss on generated sensor data with a few outlier targets."""
import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    temp = rng.uniform(-10, 35, n)
    humidity = rng.uniform(10, 95, n)
    wind = rng.gamma(2.0, 2.5, n)
    hour = rng.integers(0, 24, n)
    load = 50 + 0.04 * (temp - 18) ** 2 + 0.1 * humidity + 6 * np.sin(2 * np.pi * hour / 24) - 0.8 * wind
    load += rng.normal(0, 1.5, n)
    outliers = rng.random(n) < 0.03
    load[outliers] += rng.normal(0, 40, outliers.sum())
    X = np.stack([temp, humidity, wind, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)], axis=1)
    return X.astype(np.float32), load.astype(np.float32)


class LoadModel(L.LightningModule):
    def __init__(self, mean, std, y_mean, y_std, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        self.net = nn.Sequential(nn.Linear(5, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
        self.loss_fn = nn.HuberLoss(delta=1.0)

    def forward(self, x):
        return self.net((x - self.mean) / self.std).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), (y - self.hparams.y_mean) / self.hparams.y_std)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x) * self.hparams.y_std + self.hparams.y_mean
        self.log("val_mae", (pred - y).abs().mean(), prog_bar=True)
        self.log("val_loss", self.loss_fn(self(x), (y - self.hparams.y_mean) / self.hparams.y_std))

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


def main():
    L.seed_everything(7)
    X, y = make_data()
    X_tr, y_tr, X_va, y_va = X[:3200], y[:3200], X[3200:], y[3200:]
    model = LoadModel(X_tr.mean(0), X_tr.std(0), float(np.median(y_tr)), float(y_tr.std()))
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=400)
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"val_mae={res['val_mae']:.3f}")
    print(f"final_val_metric={res['val_mae']:.4f}")


if __name__ == "__main__":
    main()
