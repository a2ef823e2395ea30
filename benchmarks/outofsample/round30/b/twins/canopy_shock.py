"""Parachute drop-test rig: classify canopy opening-shock traces.

Each drop logs riser load (two load cells, left/right) for 2 s at 100 Hz from
line stretch.  A 1D CNN in PyTorch Lightning labels the opening: nominal,
line-over, slider hang-up, premature (hard) opening, torn cell.
"""
import warnings

import lightning as L
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")

CLASSES = ["nominal", "line_over", "slider_hangup", "hard_opening", "torn_cell"]
T = 200


def drop_trace(kind, rng):
    t = np.arange(T) / 100.0
    mass = rng.uniform(70, 130)                      # suspended kg
    t0 = rng.uniform(0.25, 0.45)                     # inflation onset
    width = rng.uniform(0.12, 0.2)
    peak = rng.uniform(3.0, 4.0)
    asym, osc, delay = 0.0, 0.0, 0.0
    if kind == "line_over":
        asym = rng.uniform(0.05, 0.3) * rng.choice([-1, 1])
        osc = 0.25
    elif kind == "slider_hangup":
        delay = rng.uniform(0.1, 0.45)
        peak *= 0.9
        width *= 1.3
    elif kind == "hard_opening":
        t0 -= 0.06
        width *= 0.7
        peak *= 1.2
    elif kind == "torn_cell":
        peak *= 0.88
        osc = 0.4
    s = t0 + delay
    shock = peak * np.exp(-0.5 * ((t - s) / width) ** 2)
    settle = 1.0 / (1.0 + np.exp(-(t - s - width) / 0.05))
    wobble = osc * np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 6.3)) * settle
    base = shock + settle + wobble
    left = base * (1 + asym) + rng.normal(0, 0.45, T)
    right = base * (1 - asym) + rng.normal(0, 0.45, T)
    g = 9.81 * mass / 2
    return np.stack([left, right]) * g               # newtons per riser


def make_drops(n, rng):
    y = rng.integers(0, len(CLASSES), n)
    X = np.stack([drop_trace(CLASSES[k], rng) for k in y]).astype(np.float32)
    return X, y


class ShockNet(L.LightningModule):
    def __init__(self, n_classes=len(CLASSES), lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(2, 16, 7, padding=3), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(32, n_classes))
        self.apply(self._init_weights)
        self.loss_fn = nn.CrossEntropyLoss()

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    L.seed_everything(3, workers=True)
    rng = np.random.default_rng(3)
    X, y = make_drops(1200, rng)
    Xtr, ytr, Xva, yva = X[:900], y[:900], X[900:], y[900:]
    mu, scale = Xtr.mean(), Xtr.std()
    Xtr, Xva = (Xtr - mu) / scale, (Xva - mu) / scale

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=32,
                              shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=150)

    model = ShockNet()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_loader, val_loader)
    res = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final: val_loss {res['val_loss']:.4f}  val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
