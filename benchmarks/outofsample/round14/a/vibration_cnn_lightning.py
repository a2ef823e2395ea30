"""Gearbox vibration snippets -> fault type (Lightning, 1-D CNN).

Six classes: healthy, imbalance, misalignment, bearing outer race, bearing inner race,
broken tooth. Each snippet is 256 samples of accelerometer signal, already z-scored per
recording by the acquisition software.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)
N_LEN, FS = 256, 2560.0
t = np.arange(N_LEN) / FS


def snippet(c):
    f0 = rng.uniform(24, 31)                       # shaft frequency
    ph = rng.uniform(0, 2 * np.pi)
    x = 0.6 * np.sin(2 * np.pi * f0 * t + ph)
    if c == 1:
        x += 0.9 * np.sin(2 * np.pi * f0 * t + ph)
    elif c == 2:
        x += 0.7 * np.sin(2 * np.pi * 2 * f0 * t + 2 * ph) + 0.3 * np.sin(2 * np.pi * 3 * f0 * t)
    elif c in (3, 4):
        rate = f0 * (3.1 if c == 3 else 4.9)
        period = int(FS / rate)
        start = rng.integers(0, period)
        for k in range(start, N_LEN, period):
            m = np.arange(N_LEN - k)
            amp = 1.0 if c == 3 else 1.0 + 0.6 * np.sin(2 * np.pi * f0 * k / FS)
            x[k:] += amp * np.exp(-m / 6.0) * np.sin(2 * np.pi * 700 * m / FS)
    elif c == 5:
        k = rng.integers(0, N_LEN - 40)
        x[k:k + 12] += rng.choice([-1, 1]) * np.hanning(12) * 2.2
    x += rng.normal(0, 0.35, N_LEN)
    return (x - x.mean()) / x.std()


def make(n):
    y = rng.integers(0, 6, n)
    X = np.stack([snippet(c) for c in y])[:, None, :]
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


Xtr, ytr = make(2000)
Xva, yva = make(500)


class VibrationNet(L.LightningModule):
    def __init__(self, ch=24, lr=0.01):
        super().__init__()
        self.save_hyperparameters()
        layers, c_in = [], 1
        for i in range(6):
            layers += [nn.Conv1d(c_in, ch, 5, padding=2), nn.ReLU()]
            if i % 2 == 1:
                layers.append(nn.MaxPool1d(2))
            c_in = ch
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(ch, 6)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=2))

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), on_epoch=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), on_epoch=True)

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.4)
        return [opt], [sched]


class PrintMetrics(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        m = trainer.callback_metrics
        print(f"epoch {trainer.current_epoch + 1:2d}  train_loss {m['train_loss']:.4f}  "
              f"val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}")


model = VibrationNet()
trainer = L.Trainer(max_epochs=9, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, callbacks=[PrintMetrics()])
trainer.fit(model, DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True),
            DataLoader(TensorDataset(Xva, yva), batch_size=256))
res = trainer.validate(model, DataLoader(TensorDataset(Xva, yva), batch_size=256), verbose=False)[0]
print(f"final val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")
