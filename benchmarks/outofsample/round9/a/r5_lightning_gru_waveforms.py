"""GRU waveform classifier in Lightning with manual optimisation.

Noisy sine / square / sawtooth / triangle waves with random frequency, phase and
amplitude; 4-way classification from 40 samples. Manual optimisation so the
cosine schedule is stepped exactly where we want it.
"""
import math
import numpy as np
import torch
import lightning as L
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(0, verbose=False)


def make_waves(n, rng, T=40):
    t = np.linspace(0, 1, T, dtype=np.float32)
    labels = rng.integers(0, 4, n)
    freq = rng.uniform(1.5, 5.0, (n, 1))
    phase = rng.uniform(0, 1, (n, 1))
    amp = rng.uniform(0.5, 1.5, (n, 1))
    u = (freq * t + phase) % 1.0
    waves = np.stack([np.sin(2 * np.pi * u),
                      np.where(u < 0.5, 1.0, -1.0),
                      2 * u - 1,
                      4 * np.abs(u - 0.5) - 1], axis=0)          # (4, n, T)
    x = amp * waves[labels, np.arange(n)] + 0.2 * rng.standard_normal((n, T))
    return torch.tensor(x, dtype=torch.float32).unsqueeze(-1), torch.tensor(labels)


class WaveGRU(L.LightningModule):
    def __init__(self, hidden=32, lr=1e-2, epochs=8):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 4)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        sched = self.lr_schedulers()
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.manual_backward(loss)
        opt.step()
        if self.trainer.is_last_batch:
            sched.step()
        self.log("train_loss", loss, prog_bar=False)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return [opt], [sched]


rng = np.random.default_rng(0)
x_tr, y_tr = make_waves(1600, rng)
x_va, y_va = make_waves(400, rng)
train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(x_va, y_va), batch_size=200)

EPOCHS = 6
model = WaveGRU(epochs=EPOCHS)
trainer = L.Trainer(max_epochs=EPOCHS, accelerator="cpu", logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)
m = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f}")
