"""Human-activity recognition from a wrist IMU (3 channels, 64 samples at 16 Hz), LSTM + Lightning.

Classes: sitting, walking, running, cycling, stairs. Windows are synthetic: periodic motion
whose frequency/amplitude depends on the activity, plus sensor noise and a random phase.
Plain SGD at lr 1.0, as in the classic LSTM recipes.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)

N, T, C = 3000, 64, 5
ACTIVITIES = ["sitting", "walking", "running", "cycling", "stairs"]
y = rng.integers(0, C, N)
freq = np.array([0.5, 1.0, 1.8, 2.6, 1.0])[y][:, None]
amp = np.array([0.3, 1.0, 1.5, 0.8, 0.4])[y][:, None]
t = np.arange(T)[None, :] / 16
phase = rng.uniform(0, 2 * np.pi, (N, 1))
acc = np.stack([
    amp * np.sin(2 * np.pi * freq * t + phase),
    amp * np.cos(2 * np.pi * freq * t + phase) * (y[:, None] != 4),
    0.3 * amp * np.sin(4 * np.pi * freq * t),
], -1)
acc = acc + rng.normal(0, 0.4, acc.shape)
X = torch.tensor(acc, dtype=torch.float32)
Y = torch.tensor(y)
train_ds = TensorDataset(X[:2400], Y[:2400])
val_ds = TensorDataset(X[2400:], Y[2400:])


class ActivityLSTM(L.LightningModule):
    def __init__(self, n_in=3, hidden=64, n_classes=C, lr=1.0):
        super().__init__()
        self.save_hyperparameters()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class PrintMetrics(L.Callback):
    def on_validation_epoch_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        m = trainer.callback_metrics
        print(f"epoch {trainer.current_epoch}: val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


model = ActivityLSTM()
trainer = L.Trainer(
    max_epochs=8,
    accelerator="cpu",
    devices=1,
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
    callbacks=[PrintMetrics()],
)
trainer.fit(model, DataLoader(train_ds, batch_size=32, shuffle=True), DataLoader(val_ds, batch_size=256))
res = trainer.validate(model, DataLoader(val_ds, batch_size=256), verbose=False)[0]
print(f"final val loss {res['val_loss']:.4f}  accuracy {res['val_acc']:.4f}")
