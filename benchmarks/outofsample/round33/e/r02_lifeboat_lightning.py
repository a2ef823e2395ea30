"""Lifeboat station: which boat does a callout need?

From the coastguard pager message and the conditions at the station we predict
the launch decision: 0 = stand down, 1 = inshore boat (D-class), 2 = all-weather
boat. All-weather launches are rare, so the cross-entropy is weighted by inverse
class frequency (computed on the training split). Lightning with routine
gradient clipping and a cosine schedule.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, workers=True)
rng = np.random.default_rng(11)

N = 3000
wind_kt = rng.gamma(3.0, 5.0, N)                      # knots
wave_m = np.clip(0.08 * wind_kt + rng.normal(0, 0.4, N), 0.1, None)
dist_nm = rng.gamma(2.0, 3.0, N)                      # nautical miles offshore
visib_km = rng.uniform(0.2, 20.0, N)
night = rng.random(N) < 0.35
persons = rng.poisson(1.5, N) + 1
incident = rng.choice(5, N, p=[0.35, 0.25, 0.2, 0.12, 0.08])  # swimmer, dinghy, yacht, fishing, cargo

severity = (0.09 * wind_kt + 0.7 * wave_m + 0.25 * dist_nm - 0.05 * visib_km
            + 0.6 * night + 0.25 * persons + np.array([0.0, 0.2, 1.2, 1.8, 2.6])[incident]
            + rng.normal(0, 0.6, N))
launch = np.where(severity < 3.2, 0, np.where(severity < 7.6, 1, 2))

cont = np.stack([wind_kt, wave_m, dist_nm, visib_km, persons], 1).astype(np.float32)
onehot = np.eye(5, dtype=np.float32)[incident]
X = np.concatenate([cont, night[:, None].astype(np.float32), onehot], 1)
y = launch.astype(np.int64)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
mu, sd = X[tr, :5].mean(0), X[tr, :5].std(0)
X[:, :5] = (X[:, :5] - mu) / sd                       # continuous columns only

counts = np.bincount(y[tr], minlength=3)
class_weight = torch.tensor(len(tr) / (3 * counts), dtype=torch.float32)
print("train class counts", counts.tolist(), "weights", [round(w, 2) for w in class_weight.tolist()])


class LaunchNet(L.LightningModule):
    def __init__(self, n_in, class_weight, lr=3e-3, epochs=25):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weight"])
        self.register_buffer("class_weight", class_weight)
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
        self.val_preds, self.val_true = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weight)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weight), on_epoch=True)
        self.val_preds.append(logits.argmax(1))
        self.val_true.append(y)

    def on_validation_epoch_end(self):
        p, t = torch.cat(self.val_preds), torch.cat(self.val_true)
        rec = [(p[t == c] == c).float().mean() for c in range(3)]
        self.log("val_bal_acc", torch.stack(rec).mean())
        self.val_preds, self.val_true = [], []

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)

model = LaunchNet(X.shape[1], class_weight, epochs=25)
trainer = L.Trainer(max_epochs=25, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
print(f"majority share {counts.max() / counts.sum():.3f}")
print(f"final val balanced accuracy {res['val_bal_acc']:.3f}  val loss {res['val_loss']:.3f}")
