"""Closed-circuit rebreather logs: flag oxygen cells that are starting to drift.

A rebreather votes between three oxygen cells. For the cell under test we log, every
10 s of the dive, its deviation from the mean of the other two (in units of the
controller's noise band), with depth and loop temperature. The technician labels each
cell after bench testing: healthy, reading low or reading high. The offset of a drifting
cell is small next to the sample noise, so it only shows over the whole dive.
A recurrent classifier reads the uploaded log so we can warn divers before the next dive.

    python rebreather_cell_check.py
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

SEED = 3
T = 80
CLASSES = ["healthy", "reads_low", "reads_high"]


def make_logs(n, rng):
    y = rng.integers(0, 3, n)
    offset = np.array([0.0, -0.3, 0.3])[y]
    deviation = offset[:, None] + rng.normal(0, 1, (n, T))
    depth = np.cumsum(rng.normal(0.0, 0.3, (n, T)), axis=1)
    depth = np.abs(depth + rng.uniform(15, 30, (n, 1)))
    temp = 22 - 0.15 * depth + rng.normal(0, 0.5, (n, T))
    X = np.stack([deviation, (depth - 20) / 8, (temp - 19) / 2], axis=-1)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


class CellClassifier(L.LightningModule):
    def __init__(self, n_in=3, hidden=32, n_classes=3, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(SEED, verbose=False)
    rng = np.random.default_rng(SEED)
    X_tr, y_tr = make_logs(1200, rng)
    X_va, y_va = make_logs(600, rng)
    train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(X_va, y_va), batch_size=300)

    model = CellClassifier()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
