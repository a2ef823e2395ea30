"""Pollen taxon classifier for an automatic particle monitor.

Each particle that crosses the laser gives a 16-band fluorescence spectrum, 8 side-scatter
angles and an optical size. We classify it into one of 12 taxa that the station reports daily.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

TAXA = ["alnus", "betula", "corylus", "fraxinus", "quercus", "pinus", "poaceae", "artemisia",
        "ambrosia", "urtica", "plantago", "rumex"]


def make_particles(n, rng):
    k = len(TAXA)
    wl = np.linspace(0, 1, 16)
    peaks = rng.uniform(0.1, 0.9, size=(k, 2))
    widths = rng.uniform(0.08, 0.2, size=(k, 2))
    mix = rng.uniform(0.3, 0.7, size=k)
    scatter_shape = rng.normal(0, 1, size=(k, 8))
    size_mu = rng.uniform(18, 35, size=k)
    y = rng.integers(0, k, size=n)
    amp = rng.lognormal(0, 0.35, size=n)
    spec = (mix[y, None] * np.exp(-((wl[None] - peaks[y, :1]) / widths[y, :1]) ** 2)
            + (1 - mix[y, None]) * np.exp(-((wl[None] - peaks[y, 1:]) / widths[y, 1:]) ** 2))
    spec = amp[:, None] * spec + rng.normal(0, 0.35, size=(n, 16))
    diam = size_mu[y] * rng.lognormal(0, 0.1, size=n)
    scat = scatter_shape[y] * (diam[:, None] / 25.0) + rng.normal(0, 1.6, size=(n, 8))
    X = np.column_stack([spec, scat, np.log(diam)]).astype(np.float32)
    return X, y.astype(np.int64)


class PollenNet(L.LightningModule):
    def __init__(self, n_in, n_out, lr=0.02):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 128), nn.ReLU(),
            nn.Linear(128, n_out),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self(x)
        self.log("val_loss", F.cross_entropy(out, y))
        self.log("val_acc", (out.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": sched}


def main():
    L.seed_everything(7, workers=True)
    rng = np.random.default_rng(7)
    X, y = make_particles(5000, rng)
    X_tr, y_tr, X_va, y_va = X[:4000], y[:4000], X[4000:], y[4000:]
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=512)

    model = PollenNet(X.shape[1], len(TAXA))
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss={res['val_loss']:.4f} val_acc={res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
