"""State-of-health estimation for Li-ion cells from a partial constant-current charge curve.

Each sample: terminal voltage, charge current (C-rate) and cell temperature resampled to 64 points over the
first 40 minutes of a CC charge. Target: SoH = remaining capacity / rated capacity.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

N_POINTS = 64


def simulate_cells(n, rng):
    t = np.linspace(0.0, 1.0, N_POINTS)[None, :]
    soh = rng.uniform(0.72, 1.0, (n, 1))
    r_int = 0.045 + 0.05 * (1.0 - soh) + rng.normal(0, 0.006, (n, 1))
    amb = rng.uniform(15, 35, (n, 1))
    # a faded cell climbs the OCV curve faster at the same charge current
    soc0 = rng.uniform(0.05, 0.2, (n, 1))
    c_rate = rng.uniform(0.4, 1.0, (n, 1))
    soc = soc0 + 0.9 * c_rate * t / soh
    knee = 1.0 / (1.0 + np.exp(-(soc - 0.82) * 30.0))
    ocv = 3.35 + 0.55 * soc + 0.1 * np.tanh((soc - 0.1) * 12.0) + 0.25 * knee
    v = ocv + 3.0 * c_rate * r_int - 0.0015 * (amb - 25.0) + rng.normal(0, 0.005, (n, N_POINTS))
    temp = amb + 30.0 * r_int * c_rate ** 2 * t + 2.0 * knee + rng.normal(0, 0.15, (n, N_POINTS))
    current = c_rate * np.ones_like(t) + rng.normal(0, 0.01, (n, N_POINTS))
    X = np.stack([v, current, temp], 1).astype(np.float32)
    return X, soh[:, 0].astype(np.float32)


class SohRegressor(L.LightningModule):
    def __init__(self, y_mean, y_std, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2, stride=2), nn.ReLU(),
            nn.Conv1d(32, 64, 5, padding=2, stride=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 1))
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        return self.head(self.features(x)).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_loss", self.loss_fn(pred, y), prog_bar=True)
        mae = (pred - y).abs().mean() * self.hparams.y_std
        self.log("val_mae_soh", mae)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, soh = simulate_cells(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]

    ch_mean = X[tr].mean(axis=(0, 2), keepdims=True)
    ch_std = X[tr].std(axis=(0, 2), keepdims=True)
    Xn = (X - ch_mean) / ch_std
    y_mean, y_std = float(soh[tr].mean()), float(soh[tr].std())
    yn = (soh - y_mean) / y_std

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(yn[tr])),
                          batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(yn[va])),
                        batch_size=256)

    model = SohRegressor(y_mean, y_std)
    trainer = L.Trainer(
        max_epochs=15,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(Xn[va])).numpy() * y_std + y_mean
    mae = np.abs(pred - soh[va]).mean()
    r2 = 1 - np.sum((pred - soh[va]) ** 2) / np.sum((soh[va] - soh[va].mean()) ** 2)
    print(f"train_loss {trainer.callback_metrics['train_loss']:.4f}")
    print(f"val SoH MAE {100 * mae:.2f} pts  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
