"""Regional avalanche danger level (1-5) from the morning's weather-station and snowpack
observations, as a forecaster's first-guess aid.

Danger levels are ordered, so the head is a CORAL-style cumulative-logit layer: one shared
score and four thresholds, trained with BCE on the targets [level>1, level>2, level>3, level>4].
Slope aspect comes as an eight-way one-hot and is left as it is; only the continuous
measurements are standardised (with training statistics). Lightning with early stopping.
"""
import numpy as np
import torch
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(11, workers=True)
rng = np.random.default_rng(11)
N = 3000

new_snow_24 = rng.gamma(1.2, 8.0, N)                     # cm
new_snow_72 = new_snow_24 + rng.gamma(1.5, 10.0, N)
wind = rng.weibull(2.0, N) * 30                         # km/h at ridge
air_temp = rng.normal(-6, 6, N)                          # degC
temp_change = rng.normal(0, 4, N)                        # degC over 24h
elevation = rng.uniform(1400, 3200, N)                   # m
weak_layer_depth = rng.gamma(2.0, 25.0, N)               # cm
ect_score = rng.integers(1, 31, N).astype(float)         # extended column test taps
aspect = rng.integers(0, 8, N)                           # N, NE, E, ... NW
aspect_1h = np.eye(8)[aspect]

lee = np.isin(aspect, [3, 4, 5]).astype(float)           # lee slopes collect wind slab
warming = (air_temp > -1) & (temp_change > 2)            # wet-snow problem on a warming day
score = (0.05 * new_snow_72 + 0.09 * np.clip(wind - 20, 0, None) * lee + 1.6 * warming
         + 0.0008 * (elevation - 2300) - 0.06 * ect_score - 0.01 * weak_layer_depth
         + rng.logistic(0, 0.3, N))
cuts = np.quantile(score, [0.25, 0.6, 0.85, 0.97])
level = np.searchsorted(cuts, score)                     # 0..4 for levels 1..5

cont = np.column_stack([new_snow_24, new_snow_72, wind, air_temp, temp_change, elevation,
                        weak_layer_depth, ect_score])
perm = rng.permutation(N)
tr, va = perm[:2400], perm[2400:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.hstack([(cont - mu) / sd, aspect_1h]).astype(np.float32)
K = 5
Y = (level[:, None] > np.arange(K - 1)[None, :]).astype(np.float32)   # cumulative targets

train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])), batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(Y[va])), batch_size=256)


class CoralDanger(L.LightningModule):
    def __init__(self, d_in, hidden=48, lr=6e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Dropout(0.1),
                                  nn.Linear(hidden, hidden), nn.GELU())
        self.score = nn.Linear(hidden, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(1.0, -2.0, K - 1))
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.score(self.body(x)) + self.thresholds

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        pred = (torch.sigmoid(logits) > 0.5).sum(1)
        true = y.sum(1)
        self.log("val_loss", self.loss_fn(logits, y), prog_bar=False)
        self.log("val_exact", (pred == true).float().mean())
        self.log("val_mae_levels", (pred - true).abs().float().mean())

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)


model = CoralDanger(X.shape[1])
trainer = L.Trainer(max_epochs=45, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, deterministic=True,
                    callbacks=[EarlyStopping(monitor="val_loss", patience=6, mode="min")])
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
print(f"stopped at epoch {trainer.current_epoch}; final val_loss={res['val_loss']:.4f} "
      f"exact_level_acc={res['val_exact']:.3f} mae_levels={res['val_mae_levels']:.3f}")
