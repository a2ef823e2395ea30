"""Container terminal: predict peak spreader sway (cm) during a ship-to-shore lift.

Features: hoist height, trolley speed and acceleration, load mass, rope length,
wind speed/gust/direction relative to the boom, anti-sway controller setting.
Gusts make the target heavy-tailed, so the net is trained with a Huber loss on
standardised targets; gradient clipping and a one-cycle schedule as routine.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


def lifts(n, rng):
    hoist = rng.uniform(5, 45, n)
    v = rng.uniform(0.5, 4.0, n)
    acc = rng.uniform(0.2, 0.9, n)
    mass = rng.uniform(4, 40, n)
    rope = hoist + rng.uniform(8, 15, n)
    wind = rng.gamma(2.0, 3.0, n)
    gust = wind * (1 + rng.exponential(0.4, n))
    wdir = rng.uniform(0, np.pi, n)
    ctrl = rng.integers(0, 3, n)
    pend = np.sqrt(rope / 9.81)
    sway = 6 * acc * pend * (1 + 0.3 * v) / (1 + ctrl) + 0.04 * gust ** 2 * np.abs(np.sin(wdir)) * rope / (mass + 5)
    sway = sway * rng.lognormal(0, 0.15, n) + rng.standard_t(2, n) * 0.8    # gust spikes: heavy tails
    X = np.stack([hoist, v, acc, mass, rope, wind, gust, np.sin(wdir), np.cos(wdir),
                  ctrl == 0, ctrl == 1, ctrl == 2], 1).astype(np.float32)
    return X, sway.astype(np.float32)


class SwayModel(L.LightningModule):
    def __init__(self, d_in, steps):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
        self.loss = nn.HuberLoss(delta=1.0)

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=3e-3, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=self.hparams.steps)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(21, verbose=False)
    rng = np.random.default_rng(21)
    X, y = lifts(4000, rng)
    tr, va, te = slice(0, 2800), slice(2800, 3400), slice(3400, 4000)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    mu[9:], sd[9:] = 0.0, 1.0                          # leave the controller one-hot as is
    Xs = ((X - mu) / sd).astype(np.float32)
    y_med = np.median(y[tr]); y_iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
    ys = ((y - y_med) / y_iqr).astype(np.float32)
    mk = lambda s, sh, bs: DataLoader(TensorDataset(torch.tensor(Xs[s]), torch.tensor(ys[s])), batch_size=bs, shuffle=sh)
    epochs, bs = 15, 64
    train = mk(tr, True, bs)
    model = SwayModel(X.shape[1], steps=epochs * len(train))
    trainer = L.Trainer(max_epochs=epochs, gradient_clip_val=1.0, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train, mk(va, False, 256))
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(Xs[te])).numpy() * y_iqr + y_med
    mae = np.abs(pred - y[te]).mean()
    base = np.abs(y_med - y[te]).mean()
    print(f"test MAE {mae:.3f} cm (median predictor {base:.3f} cm)  median abs err {np.median(np.abs(pred - y[te])):.3f}")


if __name__ == "__main__":
    main()
