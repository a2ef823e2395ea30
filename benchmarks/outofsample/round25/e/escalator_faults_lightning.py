"""Escalator condition monitoring from 2-second drive windows (Lightning).

Three channels per window, sampled at 128 Hz: drive motor current, handrail speed and
step-chain tension. Most windows are normal; the faults (handrail slip, step-chain wear,
comb-plate obstruction) are rare, so the cross-entropy is class-weighted and the score
is balanced accuracy.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(3, workers=True)
torch.set_num_threads(1)

CLASSES = ["normal", "handrail_slip", "chain_wear", "comb_obstruction"]
PRIOR = [0.70, 0.12, 0.10, 0.08]
T, FS = 256, 128.0


def windows(n, rng):
    t = np.arange(T) / FS
    y = rng.choice(4, size=n, p=PRIOR)
    X = np.empty((n, 3, T), dtype=np.float32)
    for i in range(n):
        load = rng.uniform(0.2, 1.0)                      # passengers on the escalator
        f_mains = rng.uniform(1.9, 2.1)
        cur = 12 + 9 * load + 0.8 * np.sin(2 * np.pi * f_mains * t + rng.uniform(0, 6.3))
        rail = 0.5 + 0.01 * rng.standard_normal() + 0.004 * np.sin(2 * np.pi * 0.7 * t)
        link_f = rng.uniform(5.5, 6.5)
        tension = 3.0 + 1.5 * load + 0.15 * np.sin(2 * np.pi * link_f * t)
        if y[i] == 1:                                     # handrail slips in bursts
            start = rng.integers(0, T - 60)
            rail = rail - 0.05 * np.exp(-((np.arange(T) - start - 30) / 12.0) ** 2) * rng.uniform(0.7, 1.3)
            rail = rail + 0.01 * np.sin(2 * np.pi * 3.0 * t)
        elif y[i] == 2:                                   # worn links: a knock once per chain pass
            period = int(FS / link_f * rng.integers(3, 5))
            phase = rng.integers(0, period)
            knocks = np.zeros(T)
            knocks[phase::period] = rng.uniform(0.6, 1.0)
            tension = tension + np.convolve(knocks, np.exp(-np.arange(8) / 2.0), mode="same")
        elif y[i] == 3:                                   # obstruction: current spikes
            for _ in range(rng.integers(1, 3)):
                s = rng.integers(0, T - 20)
                cur[s:s + rng.integers(6, 14)] += rng.uniform(2.5, 4.5)
        X[i, 0] = cur + 0.3 * rng.standard_normal(T)
        X[i, 1] = rail + 0.004 * rng.standard_normal(T)
        X[i, 2] = tension + 0.12 * rng.standard_normal(T)
    return X, y


rng = np.random.default_rng(3)
X, y = windows(2600, rng)
perm = rng.permutation(len(X))
tr, va = perm[:2000], perm[2000:]
mu = X[tr].mean(axis=(0, 2), keepdims=True)
sd = X[tr].std(axis=(0, 2), keepdims=True)
X = (X - mu) / sd

counts = np.bincount(y[tr], minlength=4)
class_weight = torch.tensor((counts.sum() / (4 * counts)) ** 0.5, dtype=torch.float32)


class DriveNet(L.LightningModule):
    def __init__(self, class_weight):
        super().__init__()
        self.register_buffer("class_weight", class_weight)
        self.features = nn.Sequential(
            nn.Conv1d(3, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(),
        )
        self.head = nn.Linear(96, 4)
        self.val_pred, self.val_true = [], []

    def forward(self, x):
        h = self.features(x)
        h = torch.cat([h.mean(-1), h.amax(-1)], dim=1)
        return self.head(h)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weight)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weight), on_epoch=True)
        self.val_pred.append(logits.argmax(1))
        self.val_true.append(y)

    def on_validation_epoch_end(self):
        p, t = torch.cat(self.val_pred), torch.cat(self.val_true)
        self.val_pred.clear(); self.val_true.clear()
        bal = torch.stack([(p[t == c] == c).float().mean() for c in range(4)]).mean()
        self.log("val_bal_acc", bal)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=2e-3)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)

model = DriveNet(class_weight)
trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                    deterministic=True)
trainer.fit(model, train_loader, val_loader)
res = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final: val balanced accuracy {res['val_bal_acc']:.3f}, val loss {res['val_loss']:.3f}, "
      f"majority share {PRIOR[0]:.2f}")
