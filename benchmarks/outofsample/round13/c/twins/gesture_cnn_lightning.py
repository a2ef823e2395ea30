"""Wrist-worn IMU gesture recognition (3-axis accelerometer, 50 Hz, 2.56 s windows) in Lightning."""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

GESTURES = ["idle", "wave", "circle", "shake", "tap", "twist"]
FS, WIN = 50, 128
TILT = {"idle": 0.0, "wave": 0.9, "circle": 0.5, "shake": 0.2, "tap": -0.3, "twist": 0.6}


def synth_imu(n_per_class=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(WIN) / FS
    xs, ys = [], []
    for label, name in enumerate(GESTURES):
        for _ in range(n_per_class):
            sig = np.zeros((3, WIN))
            ph = rng.uniform(0, 2 * np.pi)
            a = rng.uniform(0.6, 1.4)
            f = rng.uniform(0.8, 1.2)
            if name == "wave":
                sig[0] = a * np.sin(2 * np.pi * 2.0 * f * t + ph)
            elif name == "circle":
                sig[0] = a * np.sin(2 * np.pi * 1.0 * f * t + ph)
                sig[1] = a * np.cos(2 * np.pi * 1.0 * f * t + ph)
            elif name == "shake":
                sig[2] = 0.8 * a * np.sin(2 * np.pi * 6.0 * f * t + ph)
            elif name == "tap":
                for pos in rng.choice(WIN - 4, size=3, replace=False):
                    sig[2, pos:pos + 4] += a * np.array([1.5, -1.5, 0.8, -0.8])
            elif name == "twist":
                sig[1] = a * np.sin(2 * np.pi * 3.5 * f * t + ph)
                sig[0] = 0.5 * a * np.sin(2 * np.pi * 3.5 * f * t + ph + np.pi / 3)
            tilt = TILT[name] + rng.normal(0, 0.35)               # forearm pitch while gesturing (rad)
            sig[0] += np.sin(tilt)                                # gravity
            sig[2] += np.cos(tilt)
            sig += rng.normal(0, 0.25, size=sig.shape)
            xs.append(sig)
            ys.append(label)
    X = np.stack(xs).astype(np.float32)
    y = np.array(ys, dtype=np.int64)
    p = rng.permutation(len(y))
    return X[p], y[p]


def conv_block(c_in, c_out, k, stride=1):
    return nn.Sequential(nn.Conv1d(c_in, c_out, k, stride=stride, padding=k // 2, bias=False),
                         nn.BatchNorm1d(c_out), nn.ReLU())


class GestureNet(L.LightningModule):
    def __init__(self, n_classes=len(GESTURES), lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            conv_block(3, 32, 7),
            conv_block(32, 64, 5, stride=2),
            conv_block(64, 64, 5, stride=2),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        self.log("train_acc", (logits.argmax(1) == y).float().mean(), on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


if __name__ == "__main__":
    L.seed_everything(7, verbose=False)
    X, y = synth_imu()
    n_val = 600
    mu = X[n_val:].mean(axis=(0, 2), keepdims=True)
    sd = X[n_val:].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    val_ds = TensorDataset(torch.from_numpy(X[:n_val]), torch.from_numpy(y[:n_val]))
    train_ds = TensorDataset(torch.from_numpy(X[n_val:]), torch.from_numpy(y[n_val:]))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = GestureNet()
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.callback_metrics
    print(f"final: train loss {m['train_loss']:.4f} train acc {m['train_acc']:.4f} "
          f"val loss {m['val_loss']:.4f} val acc {m['val_acc']:.4f}")
