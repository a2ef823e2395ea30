"""Bearing-fault classification from accelerometer snippets with a small 1-D CNN (Lightning).

Four machine states: healthy, inner-race fault, outer-race fault, imbalance. Each state adds its
own periodic signature (impulse train or sidebands) on top of the shaft rotation and sensor noise.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

FS, N = 2000, 256


def make_signals(n, rng):
    t = np.arange(N) / FS
    X = np.empty((n, 1, N), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        f_shaft = rng.uniform(20, 35)
        phase = rng.uniform(0, 2 * np.pi)
        sig = 0.8 * np.sin(2 * np.pi * f_shaft * t + phase)
        if y[i] == 1:      # inner race: impulses at ~5.4x shaft, amplitude modulated by rotation
            period = int(FS / (5.4 * f_shaft))
            imp = np.zeros(N); imp[rng.integers(period)::period] = 1.0
            sig += np.convolve(imp, np.exp(-np.arange(12) / 2.5) * np.sin(np.arange(12) * 1.7), "same") \
                * (1 + 0.5 * np.sin(2 * np.pi * f_shaft * t))
        elif y[i] == 2:    # outer race: impulses at ~3.6x shaft, constant amplitude
            period = int(FS / (3.6 * f_shaft))
            imp = np.zeros(N); imp[rng.integers(period)::period] = 1.0
            sig += np.convolve(imp, np.exp(-np.arange(12) / 2.5) * np.sin(np.arange(12) * 1.7), "same")
        elif y[i] == 3:    # imbalance: strong 1x and 2x harmonics
            sig += 0.9 * np.sin(2 * np.pi * f_shaft * t + phase) + 0.5 * np.sin(4 * np.pi * f_shaft * t)
        sig += rng.normal(0, 0.45, N)
        X[i, 0] = sig
    return X, y


class VibrationNet(L.LightningModule):
    def __init__(self, lr=3e-3, epochs=10):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.head = nn.Linear(32, 4)

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.3)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(7, workers=True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(7)
    Xtr, ytr = make_signals(1600, rng)
    Xva, yva = make_signals(400, rng)
    mu, sd = Xtr.mean(), Xtr.std()
    train = TensorDataset(torch.from_numpy((Xtr - mu) / sd), torch.from_numpy(ytr))
    val = TensorDataset(torch.from_numpy((Xva - mu) / sd), torch.from_numpy(yva))
    train_dl = DataLoader(train, batch_size=64, shuffle=True)
    val_dl = DataLoader(val, batch_size=256)

    model = VibrationNet()
    trainer = L.Trainer(max_epochs=model.hparams.epochs, accelerator="cpu", devices=1,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
