"""Airport de-icing: litres of Type I glycol sprayed per departure.

Pad crews log weather at the pad, the aircraft's wing area and how long the
aircraft queued; planning wants a per-departure estimate to size the tanker
runs for the next morning. Lightning module, one winter's logs.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)


def winter_logs(n, rng):
    temp = rng.normal(-4.0, 5.0, n)                  # deg C at pad
    dewpt_gap = rng.gamma(2.0, 1.5, n)               # temp - dew point
    precip = rng.gamma(0.9, 1.2, n) * (rng.random(n) < 0.6)   # mm/h snow water equiv.
    wind = rng.gamma(2.5, 3.0, n)                    # m/s
    wing_area = rng.choice([122.6, 124.6, 361.6, 427.8, 57.0], n) + rng.normal(0, 3, n)
    queue_min = rng.gamma(2.0, 6.0, n)
    frost = np.clip(1.5 - 0.4 * dewpt_gap, 0, None) * (temp < 0)
    litres = (wing_area * (1.1 + 0.55 * precip + 0.35 * frost)
              * (1 + 0.04 * np.clip(-temp, 0, None))
              * (1 + 0.012 * queue_min * (precip > 0))
              + 8 * wind + rng.normal(0, 25, n))
    X = np.column_stack([temp, dewpt_gap, precip, wind, wing_area, queue_min])
    return X.astype(np.float32), litres.astype(np.float32)


class GlycolRegressor(L.LightningModule):
    def __init__(self, n_in, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.SiLU(),
            nn.Linear(64, 64), nn.SiLU(),
            nn.Linear(64, 1),
        )
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    rng = np.random.default_rng(2029)
    X, y = winter_logs(1100, rng)
    X_tr, X_va, y_tr, y_va = X[:850], X[850:], y[:850], y[850:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    norm = lambda a: torch.from_numpy((a - mu) / sd)
    train_ds = TensorDataset(norm(X_tr), torch.from_numpy((y_tr - y_mu) / y_sd))
    val_ds = TensorDataset(norm(X_va), torch.from_numpy((y_va - y_mu) / y_sd))

    train_loader = DataLoader(train_ds, batch_size=512, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = GlycolRegressor(X.shape[1])
    trainer = L.Trainer(max_epochs=40, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = model(val_ds.tensors[0]).numpy() * y_sd + y_mu
    mae = np.abs(pred - y_va).mean()
    r2 = 1 - ((pred - y_va) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
    print(f"val MAE {mae:.1f} L   R2 {r2:.3f}")


if __name__ == "__main__":
    main()
