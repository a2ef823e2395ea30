"""Used-car price model (Lightning): standardised numeric columns next to one-hot
categoricals that are left as 0/1 indicators.

Numeric columns (age, mileage, engine size, power, owners) are standardised with
training statistics; make, fuel, gearbox, body type and region are one-hot
encoded and left unscaled, as the indicator columns should be. The target is
log(price), standardised, and reported back in euros.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CATEGORIES = {
    "make": ["vw", "opel", "ford", "bmw", "mercedes", "audi", "skoda", "renault", "fiat", "toyota"],
    "fuel": ["petrol", "diesel", "hybrid", "electric"],
    "gearbox": ["manual", "automatic"],
    "body": ["hatchback", "sedan", "estate", "suv", "van", "coupe"],
    "region": ["north", "east", "south", "west", "capital", "islands"],
}


def listings(n, rng):
    cats = {
        "make": rng.choice(10, size=n, p=[.2, .12, .12, .09, .09, .08, .1, .08, .07, .05]),
        "fuel": rng.choice(4, size=n, p=[.55, .33, .09, .03]),
        "gearbox": rng.choice(2, size=n, p=[.65, .35]),
        "body": rng.choice(6, size=n, p=[.3, .2, .17, .2, .08, .05]),
        "region": rng.choice(6, size=n, p=[.2, .18, .2, .18, .2, .04]),
    }
    age = rng.gamma(2.5, 2.6, size=n)                                  # years
    mileage = np.clip(age * rng.normal(14000, 4000, size=n) + rng.normal(0, 5000, size=n), 50, None)
    engine = np.clip(rng.normal(1.7, 0.45, size=n), 0.9, 4.5)          # litres
    power = engine * rng.normal(62, 8, size=n)                          # kW
    owners = 1 + rng.poisson(age / 5)
    make_premium = np.array([0, -.15, -.12, .35, .4, .3, -.05, -.2, -.3, .05])[cats["make"]]
    fuel_effect = np.array([0, .05, .15, .35])[cats["fuel"]]
    body_effect = np.array([0, .05, .08, .25, .1, .2])[cats["body"]]
    region_effect = np.array([0, -.05, .03, 0, .12, -.1])[cats["region"]]
    log_price = (10.2 + make_premium + fuel_effect + body_effect + region_effect
                 + .12 * cats["gearbox"] - .09 * age - 0.15 * np.log1p(mileage / 1e4)
                 + .006 * power - .04 * (owners - 1) - .08 * (cats["make"] >= 3) * (age > 8)
                 + rng.normal(0, .1, size=n))
    numeric = np.column_stack([age, mileage, engine, power, owners]).astype(np.float32)
    onehot = np.column_stack([np.eye(len(v))[cats[k]] for k, v in CATEGORIES.items()]).astype(np.float32)
    return numeric, onehot, log_price.astype(np.float32)


class PriceRegressor(L.LightningModule):
    def __init__(self, n_in, y_mean, y_std, lr=2e-3, epochs=25):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.05),
                                 nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.log("train_mse", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        pred = self(x)
        self.log("val_mse", F.mse_loss(pred, y), prog_bar=True)
        euros = lambda z: torch.exp(z * self.hparams.y_std + self.hparams.y_mean)
        self.log("val_mape", ((euros(pred) - euros(y)).abs() / euros(y)).mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    L.seed_everything(0, verbose=False)
    rng = np.random.default_rng(3)
    num_tr, oh_tr, y_tr = listings(5000, rng)
    num_va, oh_va, y_va = listings(1200, rng)
    mu, sd = num_tr.mean(0), num_tr.std(0)
    X_tr = np.hstack([(num_tr - mu) / sd, oh_tr])        # indicators stay 0/1
    X_va = np.hstack([(num_va - mu) / sd, oh_va])
    y_mean, y_std = float(y_tr.mean()), float(y_tr.std())
    y_tr, y_va = (y_tr - y_mean) / y_std, (y_va - y_mean) / y_std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=600)
    epochs = 25
    model = PriceRegressor(X_tr.shape[1], y_mean, y_std, epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.validate(model, val_loader, verbose=False)[0]
    r2 = 1 - m["val_mse"] / float(np.var(y_va))
    print(f"final val R2 {r2:.4f}  val MAPE {100 * m['val_mape']:.1f}%")


if __name__ == "__main__":
    main()
