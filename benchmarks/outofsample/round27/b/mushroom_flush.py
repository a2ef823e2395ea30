"""Grow-room climate -> quality grade of the next oyster-mushroom flush.

48 hourly readings per room cycle (CO2, relative humidity, air temperature,
substrate moisture, fresh-air fan duty). Grades: 0 = premium, 1 = standard, 2 = reject.
Lightning module with a small temporal CNN encoder.
"""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


def simulate_cycles(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    X = np.zeros((n, 5, 48), dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        co2_peak = rng.uniform(0, 1)
        rh_dip_at = rng.integers(6, 42)
        rh_dip = rng.uniform(0, 1)
        temp_drift = rng.normal(0, 1)
        fan_lag = rng.uniform(0, 1)
        co2 = 900 + 700 * co2_peak * np.exp(-((t - 20) / 8.0) ** 2) + rng.normal(0, 40, 48)
        rh = 90 - 12 * rh_dip * np.exp(-((t - rh_dip_at) / 3.0) ** 2) + rng.normal(0, 1.0, 48)
        temp = 17 + 0.04 * temp_drift * t + rng.normal(0, 0.3, 48)
        moist = 62 - 0.1 * t * rng.uniform(0.5, 1.5) + rng.normal(0, 0.8, 48)
        fan = np.clip(0.3 + 0.5 * np.roll(co2_peak * np.exp(-((t - 20) / 8.0) ** 2), int(10 * fan_lag))
                      + rng.normal(0, 0.05, 48), 0, 1)
        X[i] = np.stack([co2, rh, temp, moist, fan])
        score = 1.6 * co2_peak * fan_lag + 1.4 * rh_dip * (rh_dip_at > 24) + 0.6 * abs(temp_drift) + rng.normal(0, 0.25)
        y[i] = 0 if score < 0.6 else (1 if score < 1.3 else 2)
    return X, y


class FlushGrader(L.LightningModule):
    def __init__(self, channels=5, n_classes=3, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(channels, 32, kernel_size=5, padding=2), nn.ReLU(),
            nn.Conv1d(32, 32, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(32, 64, kernel_size=3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(64 * 4, n_classes)

    def forward(self, x):
        return self.classifier(self.encoder(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.AdamW(self.classifier.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    L.seed_everything(11, workers=True)
    X, y = simulate_cycles(1800, seed=11)
    X_tr, y_tr, X_va, y_va = X[:1440], y[:1440], X[1440:], y[1440:]
    mean = X_tr.mean(axis=(0, 2), keepdims=True)
    std = X_tr.std(axis=(0, 2), keepdims=True)
    X_tr = (X_tr - mean) / std
    X_va = (X_va - mean) / std
    print("grade shares (train):", np.bincount(y_tr, minlength=3) / len(y_tr))

    train_dl = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=256)

    model = FlushGrader()
    trainer = L.Trainer(max_epochs=20, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    metrics = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"val_loss {metrics['val_loss']:.4f}  val_acc {metrics['val_acc']:.4f}")


if __name__ == "__main__":
    main()
