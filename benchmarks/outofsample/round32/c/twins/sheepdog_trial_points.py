"""Pre-run points forecast for sheepdog trials.

Before each run the club's results desk wants an expected score (out of 110)
for the commentary sheet, from what is known at the post: dog, handler, the
lot of sheep, the field and the weather. Five seasons of the club's own
trials, ~900 runs. Lightning, because the rest of the club's tooling uses it.
"""
import warnings

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)

HIDDEN = 16
MAX_EPOCHS = 80


def trial_sheets(n):
    dog_age = rng.uniform(1.5, 11, n)
    dog_trials = rng.poisson(12, n) + (dog_age - 1.5) * 3
    handler_years = rng.gamma(3, 6, n)
    flighty = rng.normal(0, 1, n)                       # judges' flightiness of the lot
    lot_weight = rng.normal(62, 6, n)
    wind = rng.gamma(2, 3, n)
    slope = rng.normal(8, 4, n)
    course_m = rng.normal(420, 60, n)
    temp = rng.normal(14, 5, n)
    draw = rng.integers(1, 60, n).astype(float)
    prev_best = rng.normal(80, 9, n)
    recent_avg = prev_best - rng.gamma(2, 5, n)
    pts = 74 + 0.45 * (recent_avg - 70) + 4.0 * np.tanh(handler_years / 10) \
        - 3.5 * flighty * (1 + 0.04 * wind) - 0.06 * (dog_age - 6) ** 2 * 3 \
        - 0.012 * (course_m - 420) - 0.3 * np.maximum(slope - 10, 0) \
        - 0.05 * draw * (temp > 18) + rng.normal(0, 3.0, n)
    X = np.stack([dog_age, dog_trials, handler_years, flighty, lot_weight, wind, slope, course_m,
                  temp, draw, prev_best, recent_avg], axis=1)
    return X.astype(np.float32), np.clip(pts, 0, 110).astype(np.float32)


class PointsModel(L.LightningModule):
    def __init__(self, n_features, hidden, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
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
        self.log("val_loss", self.loss(self(x), y), on_epoch=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


X, y = trial_sheets(900)
n_train = 700
x_mu, x_sd = X[:n_train].mean(0), X[:n_train].std(0)
y_mu, y_sd = y[:n_train].mean(), y[:n_train].std()
Xs = (X - x_mu) / x_sd
ys = (y - y_mu) / y_sd
train_ds = TensorDataset(torch.from_numpy(Xs[:n_train]), torch.from_numpy(ys[:n_train]))
val_ds = TensorDataset(torch.from_numpy(Xs[n_train:]), torch.from_numpy(ys[n_train:]))

model = PointsModel(X.shape[1], HIDDEN)
trainer = L.Trainer(max_epochs=MAX_EPOCHS, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(train_ds, batch_size=32, shuffle=True), DataLoader(val_ds, batch_size=100))

model.eval()
with torch.no_grad():
    pred = model(val_ds.tensors[0]) * y_sd + y_mu
rmse = torch.sqrt(torch.mean((pred - torch.from_numpy(y[n_train:])) ** 2)).item()
print(f"train loss {trainer.callback_metrics['train_loss']:.3f}  val loss {trainer.callback_metrics['val_loss']:.3f}")
print(f"validation RMSE {rmse:.2f} points")
