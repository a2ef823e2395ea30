"""Chocolate tempering QA: predict bloom on finished bars from the tempering-machine log.

Each batch has a 48-point temperature trace (melt, cool to crystallisation, re-warm to working
temperature) plus the couverture's cocoa-butter share and the packing room's humidity. After two
weeks QA grades every batch: 0 good snap and gloss, 1 fat bloom, 2 sugar bloom.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

P = 48


def tempering_logs(n, rng):
    t = np.linspace(0, 1, P)
    melt = rng.normal(47.0, 1.5, n)
    low = rng.normal(27.2, 0.6, n)
    work = rng.normal(31.3, 0.5, n)
    butter = rng.normal(0.36, 0.03, n)
    humid = rng.normal(55, 8, n)
    curve = np.where(t[None] < 0.3, melt[:, None],
                     np.where(t[None] < 0.65, low[:, None] + (melt - low)[:, None]
                              * np.exp(-(t[None] - 0.3) / 0.06), work[:, None]))
    curve = curve + rng.normal(0, 0.25, (n, P))
    risk_fat = 1.6 * (work - 31.3) / 0.5 + 1.1 * (low - 27.2) / 0.6 + 0.6 * (butter - 0.36) / 0.03
    risk_sugar = 1.5 * (humid - 55) / 8 - 0.4 * (butter - 0.36) / 0.03
    y = np.zeros(n, dtype=np.int64)
    y[risk_fat + rng.normal(0, 1.4, n) > 4.0] = 1
    y[risk_sugar + rng.normal(0, 1.4, n) > 4.2] = 2
    X = np.concatenate([curve, butter[:, None], humid[:, None]], 1).astype(np.float32)
    return X, y


class TemperNet(L.LightningModule):
    def __init__(self, n_in, class_weights=None, lr=1e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 3))
        self.loss_fn = nn.CrossEntropyLoss(weight=class_weights)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args()
    L.seed_everything(3, verbose=False)
    rng = np.random.default_rng(3)
    X, y = tempering_logs(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    shares = np.bincount(ytr, minlength=3) / len(ytr)
    print("class shares", np.round(shares, 3))
    class_weights = torch.tensor(1.0 / (3 * shares), dtype=torch.float32)

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=128, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)
    model = TemperNet(Xtr.shape[1])
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(Xva)).argmax(1).numpy()
    recall = [float((pred[yva == k] == k).mean()) for k in range(3)]
    print("per-class recall", np.round(recall, 3))
    print(f"val accuracy {(pred == yva).mean():.4f} balanced accuracy {np.mean(recall):.4f}")


if __name__ == "__main__":
    main()
