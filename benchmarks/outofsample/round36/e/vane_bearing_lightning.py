"""Weather-vane bearing condition from ten-minute traces.

Each sample is 256 readings of (vane heading minus the reference anemometer's direction, wind
speed) from rooftop vanes. Three states: fine, sticky bearing (heading lags, then snaps), loose
spindle (extra wobble that grows with wind). Fine vanes dominate, so the loss is class-weighted
(inverse frequency from the training split). 1-D CNN in Lightning, OneCycle per step, grad clip.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)
T = 256


def trace(state):
    speed = np.clip(3 + rng.gamma(2.0, 1.5) + np.cumsum(rng.normal(0, 0.15, T)), 0.3, None)
    err = np.zeros(T)
    e = 0.0
    stuck = 0.0
    for t in range(T):
        gust = rng.normal(0, 6.0 / np.sqrt(speed[t]))
        if state == 1:  # sticky: error builds while the torque is below breakaway, then releases
            stuck += rng.normal(0, 2.2)
            if abs(stuck) > rng.uniform(6, 14) / (0.4 + 0.15 * speed[t]):
                stuck *= 0.1
            e = 0.8 * e + gust + stuck * 0.5
        elif state == 2:  # loose spindle: wobble whose amplitude scales with wind
            e = 0.8 * e + gust + 0.55 * speed[t] * np.sin(0.9 * t + rng.normal(0, 0.3))
        else:
            e = 0.8 * e + gust
        err[t] = e
    return np.stack([err / 10.0, (speed - 6.0) / 3.0]).astype(np.float32)


def dataset(n, p):
    y = rng.choice(3, size=n, p=p)
    X = np.stack([trace(s) for s in y])
    return torch.from_numpy(X), torch.from_numpy(y).long()


P = [0.78, 0.14, 0.08]
Xtr, ytr = dataset(1100, P)
Xva, yva = dataset(400, P)
counts = torch.bincount(ytr, minlength=3).float()
class_w = counts.sum() / (3 * counts)


class VaneNet(L.LightningModule):
    def __init__(self, class_weights, lr=3e-3, epochs=10, steps_per_epoch=1):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.register_buffer("class_weights", class_weights)
        self.features = nn.Sequential(
            nn.Conv1d(2, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(),
            nn.Conv1d(24, 32, 5, padding=2, stride=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 48, 5, padding=2, stride=2), nn.BatchNorm1d(48), nn.ReLU(),
        )
        self.head = nn.Linear(48 * 2, 3)

    def forward(self, x):
        h = self.features(x)
        # mean and max pooling over time: wobble is in the variance, stick-slip in the peaks
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weights)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weights))
        self.val_preds.append(logits.argmax(1))
        self.val_targets.append(y)

    def on_validation_epoch_start(self):
        self.val_preds, self.val_targets = [], []

    def on_validation_epoch_end(self):
        p, t = torch.cat(self.val_preds), torch.cat(self.val_targets)
        bal = torch.stack([(p[t == c] == c).float().mean() for c in range(3)]).mean()
        self.log("val_bal_acc", bal)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=self.hparams.lr, epochs=self.hparams.epochs,
            steps_per_epoch=self.hparams.steps_per_epoch, pct_start=0.25)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(Xva, yva), batch_size=200)
EPOCHS = 10
model = VaneNet(class_w, epochs=EPOCHS, steps_per_epoch=len(train_dl))
trainer = L.Trainer(max_epochs=EPOCHS, gradient_clip_val=1.0, accelerator="cpu", devices=1,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False, deterministic=True)
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
print("class shares", [round(c, 2) for c in (counts / counts.sum()).tolist()])
print(f"final val_loss {m['val_loss']:.3f} val balanced accuracy {m['val_bal_acc']:.3f}")
