"""Scaffold tube inspection: ultrasonic wall-thickness rings -> defect type.

Each tube is scanned at 24 angles around one ring; with the tube's service record
(years in service, coastal site, galvanised, last load class) the inspector labels it
sound / pitting / general corrosion / dent / weld crack.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_ANGLES, N_CLASSES = 24, 5


def make_tubes(n, rng):
    ang = np.linspace(0, 2 * np.pi, N_ANGLES, endpoint=False)
    y = rng.choice(N_CLASSES, size=n, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    years = rng.gamma(3.0, 4.0, size=n)
    coastal = rng.random(n) < 0.35
    galv = rng.random(n) < 0.6
    load = rng.integers(1, 5, size=n)
    wall = 4.0 + 0.05 * rng.standard_normal((n, N_ANGLES))
    for i in range(n):
        if y[i] == 1:  # pitting: a few sharp local losses
            for _ in range(rng.integers(2, 5)):
                wall[i, rng.integers(N_ANGLES)] -= rng.uniform(0.3, 0.7)
        elif y[i] == 2:  # general corrosion: smooth loss all round
            wall[i] -= rng.uniform(0.25, 0.6) + 0.05 * np.sin(ang + rng.uniform(0, 6))
        elif y[i] == 3:  # dent: ovality reads as a two-lobed pattern
            wall[i] += rng.uniform(0.15, 0.35) * np.cos(2 * (ang - rng.uniform(0, np.pi)))
        elif y[i] == 4:  # weld crack: a notch next to the seam at a fixed angle
            k = rng.integers(0, 3)
            wall[i, k] -= rng.uniform(0.4, 0.9)
            wall[i, k + 1] -= rng.uniform(0.1, 0.3)
    years = years + 4.0 * (y == 2) * coastal
    rec = np.stack([years, coastal, galv, load], axis=1)
    return wall.astype(np.float32), rec.astype(np.float32), y.astype(np.int64)


class TubeClassifier(L.LightningModule):
    def __init__(self, n_in, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, N_CLASSES),
        )

    def forward(self, x):
        return F.log_softmax(self.net(x), dim=1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.nll_loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", F.nll_loss(out, y))
        self.log("val_acc", (out.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


def main():
    L.seed_everything(21, verbose=False)
    rng = np.random.default_rng(21)
    wall, rec, y = make_tubes(3000, rng)
    # wall thickness relative to the 4.0 mm nominal, service record standardised
    wall = (wall - 4.0) / 0.25
    n_tr = 2400
    mu, sd = rec[:n_tr].mean(0), rec[:n_tr].std(0)
    rec = (rec - mu) / sd
    X = np.concatenate([wall, rec], axis=1)
    tr = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
    va = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))

    model = TubeClassifier(X.shape[1])
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, DataLoader(tr, batch_size=64, shuffle=True), DataLoader(va, batch_size=256))
    res = trainer.validate(model, DataLoader(va, batch_size=256), verbose=False)[0]
    print(f"final val_loss={res['val_loss']:.4f} val_acc={res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
