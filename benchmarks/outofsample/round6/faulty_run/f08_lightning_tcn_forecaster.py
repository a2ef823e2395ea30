"""Lightning: dilated causal 1D-CNN (TCN-style, BatchNorm, residual) forecaster for
multi-seasonal synthetic series (40 steps in, 12 steps out), SGD with momentum,
gradient clipping by norm through the Trainer."""
from dataclasses import dataclass

import lightning as L
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class Config:
    context: int = 40
    horizon: int = 12
    hidden: int = 48
    lr: float = 0.05
    momentum: float = 0.9
    clip: float = 5.0
    epochs: int = 12
    batch_size: int = 64
    seed: int = 123


def make_windows(n_series, cfg, rng):
    total = cfg.context + cfg.horizon
    t = np.arange(total)[None, :]
    p1 = rng.uniform(8, 20, (n_series, 1))
    p2 = rng.uniform(30, 60, (n_series, 1))
    a1, a2 = rng.uniform(0.5, 1.5, (n_series, 1)), rng.uniform(0.2, 0.8, (n_series, 1))
    ph1, ph2 = rng.uniform(0, 2 * np.pi, (n_series, 1)), rng.uniform(0, 2 * np.pi, (n_series, 1))
    trend = rng.normal(0, 0.01, (n_series, 1)) * t
    y = a1 * np.sin(2 * np.pi * t / p1 + ph1) + a2 * np.sin(2 * np.pi * t / p2 + ph2) + trend
    y = y + rng.normal(0, 0.1, y.shape)
    y = y.astype(np.float32)
    return torch.from_numpy(y[:, : cfg.context, None]), torch.from_numpy(y[:, cfg.context:])


class TemporalBlock(nn.Module):
    def __init__(self, ch, dilation):
        super().__init__()
        self.pad = 2 * dilation
        self.conv = nn.Conv1d(ch, ch, 3, dilation=dilation)
        self.bn = nn.BatchNorm1d(ch)

    def forward(self, x):
        h = self.conv(nn.functional.pad(x, (self.pad, 0)))
        return x + torch.relu(self.bn(h))


class Forecaster(L.LightningModule):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.inp = nn.Conv1d(1, cfg.hidden, 1)
        self.blocks = nn.Sequential(*[TemporalBlock(cfg.hidden, d) for d in (1, 2, 4, 8)])
        self.head = nn.Linear(cfg.hidden * 4, cfg.horizon)

    def forward(self, x):
        h = self.blocks(self.inp(x.transpose(1, 2)))      # (B, C, T)
        return self.head(h[:, :, -4:].flatten(1))

    def training_step(self, batch, _):
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_mse", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x)
        self.log("val_mse", nn.functional.mse_loss(pred, y), on_epoch=True)
        self.log("val_mae", (pred - y).abs().mean(), on_epoch=True)

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.cfg.lr, momentum=self.cfg.momentum)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.cfg.epochs)
        return [opt], [sched]


def main():
    cfg = Config()
    L.seed_everything(cfg.seed, verbose=False)
    rng = np.random.default_rng(cfg.seed)
    train = TensorDataset(*make_windows(2000, cfg, rng))
    val = TensorDataset(*make_windows(400, cfg, rng))
    trainer = L.Trainer(max_epochs=cfg.epochs, gradient_clip_val=cfg.lr,
                        gradient_clip_algorithm="norm", accelerator="cpu", devices=1,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    model = Forecaster(cfg)
    trainer.fit(model, DataLoader(train, batch_size=cfg.batch_size, shuffle=True),
                DataLoader(val, batch_size=400))
    m = trainer.callback_metrics
    print(f"final val_mse={m['val_mse'].item():.4f} val_mae={m['val_mae'].item():.4f} "
          f"train_mse={m['train_mse'].item():.4f}")


if __name__ == "__main__":
    main()
