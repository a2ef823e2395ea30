"""Sugar-bush sap yield: litres per taphole per day from the weather and the tree.
Lightning regression on log-yield."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(7, workers=True)
torch.set_num_threads(1)


def sugarbush_log(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    t_min = rng.normal(-3, 5, n)                 # overnight low, deg C
    t_max = t_min + rng.gamma(4, 2.0, n)         # daytime high
    snow = rng.gamma(2, 15, n)                   # snow depth, cm
    dbh = rng.normal(45, 12, n).clip(20, 90)     # trunk diameter at breast height, cm
    day = rng.integers(0, 60, n).astype(float)   # days since tapping
    sun = rng.uniform(0, 11, n)                  # sunshine hours
    wind = rng.gamma(2, 6, n)                    # km/h
    crown = rng.uniform(0.3, 1.0, n)             # crown ratio
    freeze = 1 / (1 + np.exp(1.2 * t_min))       # hard night freeze recharges the xylem
    thaw = 1 / (1 + np.exp(-0.9 * (t_max - 2)))  # pressure builds only on a thaw
    closing = np.exp(-day / 35)                  # taphole dries up
    sap = 12 * freeze * thaw * closing * (dbh / 45) ** 1.3 * crown
    sap *= 1 + 0.04 * sun - 0.01 * wind + 0.003 * snow
    sap *= rng.lognormal(0, 0.15, n)
    X = np.stack([t_min, t_max, snow, dbh, day, sun, wind, crown], 1).astype(np.float32)
    y = np.log1p(sap).astype(np.float32)
    return X, y


class SapYield(L.LightningModule):
    def __init__(self, n_in, hidden=(128, 128, 64), p_drop=0.1, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        layers, d = [], n_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.Dropout(p_drop)]
            d = h
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)
        self.loss_fn = nn.MSELoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    X, y = sugarbush_log()
    n_tr = 2400
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    Xs = torch.from_numpy((X - x_mu) / x_sd)
    ys = torch.from_numpy((y - y_mu) / y_sd)
    train_dl = DataLoader(TensorDataset(Xs[:n_tr], ys[:n_tr]), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(Xs[n_tr:], ys[n_tr:]), batch_size=256)

    model = SapYield(X.shape[1])
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(Xs[n_tr:]) * y_sd + y_mu
    truth = torch.from_numpy(y[n_tr:])
    r2 = 1 - ((pred - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    litres_mae = (torch.expm1(pred) - torch.expm1(truth)).abs().mean()
    print(f"val R2(log sap) {r2:.4f}  MAE {litres_mae:.3f} L/tap/day  "
          f"train_loss {trainer.callback_metrics['train_loss']:.4f}  val_loss {trainer.callback_metrics['val_loss']:.4f}")


if __name__ == "__main__":
    main()
