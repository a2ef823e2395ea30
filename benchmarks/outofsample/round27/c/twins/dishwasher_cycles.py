"""Commercial dishwasher: classify a wash cycle from its sensor trace.

Each cycle is resampled to 48 ticks of four sensors: tank water temperature,
inlet flow, turbidity of the wash water and wash-pump current.  Service tickets
give four outcomes: normal cycle, heater fault, clogged filter, leaking inlet valve.
"""
import lightning.pytorch as pl
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

T = 48
CLASSES = ["normal", "heater_fault", "clogged_filter", "inlet_leak"]


def simulate_cycles(n, rng):
    X = np.zeros((n, T, 4), np.float32)
    y = rng.integers(0, 4, n)
    t = np.arange(T)
    for i in range(n):
        fill_end = rng.integers(6, 12)
        drain = rng.integers(36, 42)
        temp = np.full(T, rng.normal(22, 2))
        rise = rng.normal(1.5 if y[i] == 1 else 2.2, 0.25)
        temp[fill_end:drain] += np.minimum((t[fill_end:drain] - fill_end) * rise, 40)
        temp[drain:] = temp[drain - 1] - (t[drain:] - drain) * 1.5
        flow = np.where(t < fill_end, rng.normal(12, 1), 0.0) + np.where((t >= drain) & (t < drain + 3), 8.0, 0.0)
        if y[i] == 3:
            start = rng.integers(fill_end + 4, drain - 8)
            flow[start:drain] += rng.uniform(0.6, 1.5)
        turb = np.zeros(T)
        turb[fill_end:drain] = 30 * (1 - np.exp(-(t[fill_end:drain] - fill_end) / 4.0))
        decay = 0.25 if y[i] == 2 else 0.05
        turb[fill_end + 12:drain] *= np.exp(-decay * (t[fill_end + 12:drain] - fill_end - 12) * (1 if y[i] != 2 else -0.2))
        pump = np.where((t >= fill_end) & (t < drain), rng.normal(3.0, 0.15), 0.2)
        if y[i] == 2:
            pump[fill_end:drain] += np.linspace(0, 0.5, drain - fill_end)
        X[i, :, 0] = temp + rng.normal(0, 1.5, T)
        X[i, :, 1] = flow + rng.normal(0, 0.8, T)
        X[i, :, 2] = turb + rng.normal(0, 4.0, T)
        X[i, :, 3] = pump + rng.normal(0, 0.3, T)
    return X, y


class CycleClassifier(pl.LightningModule):
    def __init__(self, n_sensors=4, hidden=48, n_classes=4, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.gru = nn.GRU(n_sensors, hidden, num_layers=1, batch_first=True)
        self.head = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, n_classes))
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])

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
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    pl.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, y = simulate_cycles(1500, rng)
    mean, std = X[:1200].mean((0, 1)), X[:1200].std((0, 1))
    X = (X - mean) / std
    train = TensorDataset(torch.from_numpy(X[:1200]), torch.from_numpy(y[:1200]))
    val = TensorDataset(torch.from_numpy(X[1200:]), torch.from_numpy(y[1200:]))
    train_loader = DataLoader(train, batch_size=32, shuffle=True)
    val_loader = DataLoader(val, batch_size=100)

    model = CycleClassifier()
    trainer = pl.Trainer(max_epochs=10, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    metrics = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_loss {metrics['val_loss']:.4f}  val_acc {metrics['val_acc']:.4f}")


if __name__ == "__main__":
    main()
