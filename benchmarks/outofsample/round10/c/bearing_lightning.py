"""Bearing-fault classification from short vibration windows (synthetic rig data).

Four conditions (healthy, inner race, outer race, ball) differ in which defect
frequencies modulate the shaft signal. 1D CNN trained with PyTorch Lightning.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

FS = 2048
WIN = 256


def make_rig_data(n_per_class, rng):
    t = np.arange(WIN) / FS
    defect_hz = {0: None, 1: 162.0, 2: 107.0, 3: 141.0}
    xs, ys = [], []
    for label, f_def in defect_hz.items():
        for _ in range(n_per_class):
            shaft = rng.uniform(25, 35)
            phase = rng.uniform(0, 2 * np.pi)
            acc = np.sin(2 * np.pi * shaft * t + phase) + 0.3 * np.sin(4 * np.pi * shaft * t)
            if f_def is not None:
                f = f_def * rng.uniform(0.95, 1.05)
                impulses = (np.sin(2 * np.pi * f * t + rng.uniform(0, 6.28)) > 0.97).astype(float)
                ring = np.exp(-np.arange(24) / 5.0) * np.sin(2 * np.pi * 900 * np.arange(24) / FS)
                acc = acc + rng.uniform(1.5, 2.5) * np.convolve(impulses, ring, mode="same")
            acc = acc + rng.normal(0, 0.5, WIN)
            tach = np.sin(2 * np.pi * shaft * t + phase)
            xs.append(np.stack([acc, tach]))
            ys.append(label)
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.int64)


class BearingNet(L.LightningModule):
    def __init__(self, n_classes=4, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv1d(2, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.classifier = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, n_classes), nn.Softmax(dim=-1))

    def forward(self, x):
        return self.classifier(self.features(x))

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
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(7, workers=True)
    rng = np.random.default_rng(7)
    X, y = make_rig_data(300, rng)
    idx = rng.permutation(len(y))
    X, y = X[idx], y[idx]
    mu, sd = X[:960].mean(axis=(0, 2), keepdims=True), X[:960].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    train = TensorDataset(torch.from_numpy(X[:960]), torch.from_numpy(y[:960]))
    val = TensorDataset(torch.from_numpy(X[960:]), torch.from_numpy(y[960:]))
    model = BearingNet()
    trainer = L.Trainer(max_epochs=5, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, DataLoader(train, batch_size=32, shuffle=True), DataLoader(val, batch_size=128))
    metrics = trainer.validate(model, DataLoader(val, batch_size=128), verbose=False)[0]
    print(f"final val_acc={metrics['val_acc']:.4f} val_loss={metrics['val_loss']:.4f}")


if __name__ == "__main__":
    main()
