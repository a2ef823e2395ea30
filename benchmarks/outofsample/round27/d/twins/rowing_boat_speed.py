"""Rowing telemetry: estimate average boat speed over a stroke from the hull
accelerometer trace (surge axis, 50 Hz, 2 strokes per window) plus crew metadata
(crew mass, stroke rate, water temperature). LightningModule + Trainer.
"""
import numpy as np
import torch
import torch.nn as nn
import lightning.pytorch as pl
from torch.utils.data import DataLoader, TensorDataset

pl.seed_everything(11, verbose=False)
torch.set_num_threads(1)

FS, WIN = 50, 160


def simulate(n, rng):
    acc = np.zeros((n, 1, WIN), dtype=np.float32)
    meta = np.zeros((n, 3), dtype=np.float32)
    speed = np.zeros(n, dtype=np.float32)
    t = np.arange(WIN) / FS
    for i in range(n):
        rate = rng.uniform(24, 38)                       # strokes/min
        mass = rng.uniform(300, 420)                     # crew kg (4+)
        temp = rng.uniform(6, 24)
        drive_peak = rng.uniform(2.0, 5.0)               # m/s^2 peak of the drive
        check = rng.uniform(0.5, 4.0)                    # depth of the catch check
        drive_frac = rng.uniform(0.3, 0.5)
        phase = (t * rate / 60.0 + rng.uniform()) % 1.0
        drive = np.where(phase < drive_frac, np.sin(np.pi * phase / drive_frac), 0.0)
        catch = np.exp(-((phase - 0.98) / 0.03) ** 2) + np.exp(-((phase + 0.02) / 0.03) ** 2)
        recov = np.where(phase >= drive_frac, -0.6 * np.sin(np.pi * (phase - drive_frac) / (1 - drive_frac)), 0.0)
        a = drive_peak * drive - check * catch + recov
        acc[i, 0] = a + rng.normal(0, 0.25, WIN)
        meta[i] = [mass, rate, temp]
        speed[i] = (3.2 + 0.045 * (rate - 30) + 0.28 * drive_peak * drive_frac / 0.4
                    - 0.18 * check - 0.002 * (mass - 360) + 0.004 * temp + rng.normal(0, 0.04))
    return acc, meta, speed


class StrokeSpeed(pl.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.GELU(),
            nn.Conv1d(16, 32, 9, padding=4, stride=2), nn.GELU(),
            nn.Conv1d(32, 32, 5, padding=2, stride=2), nn.GELU(),
            nn.AdaptiveAvgPool1d(4),
        )
        self.head = nn.Sequential(nn.Linear(32 * 4 + 3, 64), nn.GELU(), nn.Linear(64, 1))
        self.loss_fn = nn.MSELoss()

    def embed(self, acc):
        return self.encoder(acc).flatten(1)

    def forward(self, acc, meta):
        return self.head(torch.cat([self.embed(acc), meta], dim=1)).squeeze(-1)

    def training_step(self, batch, batch_idx):
        acc, meta, y = batch
        loss = self.loss_fn(self(acc, meta), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        acc, meta, y = batch
        loss = self.loss_fn(self(acc, meta), y)
        self.log("val_loss", loss, prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    rng = np.random.default_rng(11)
    acc, meta, speed = simulate(1800, rng)
    tr, va = slice(0, 1500), slice(1500, None)
    a_mu, a_sd = acc[tr].mean(), acc[tr].std()
    m_mu, m_sd = meta[tr].mean(0), meta[tr].std(0)
    s_mu, s_sd = speed[tr].mean(), speed[tr].std()

    def ds(sl):
        return TensorDataset(torch.from_numpy((acc[sl] - a_mu) / a_sd),
                             torch.from_numpy((meta[sl] - m_mu) / m_sd),
                             torch.from_numpy((speed[sl] - s_mu) / s_sd))

    train_loader = DataLoader(ds(tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(ds(va), batch_size=300)

    model = StrokeSpeed()
    trainer = pl.Trainer(max_epochs=16, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    errs = []
    with torch.no_grad():
        for a, m, y in val_loader:
            errs.append((model(a, m) - y).abs() * s_sd)
    mae = torch.cat(errs).mean().item()
    print(f"val MAE boat speed (m/s): {mae:.4f}  (target std {s_sd:.3f})")


if __name__ == "__main__":
    main()
