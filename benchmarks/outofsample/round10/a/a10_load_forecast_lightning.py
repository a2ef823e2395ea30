"""Day-ahead-style load forecasting with Lightning: a small Transformer encoder reads the last
48 hourly readings (plus calendar features) of a feeder and predicts the next 12 hours.

Schedule: linear warm-up then cosine decay, defined in optimizer steps and stepped per step;
gradients accumulated over 2 batches and clipped at norm 1.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

CTX, HOR = 48, 12


def feeder_series(n_feeders, hours, rng):
    t = np.arange(hours)
    out = []
    for _ in range(n_feeders):
        base = rng.uniform(0.6, 1.4)
        daily = base * (0.35 * np.sin(2 * np.pi * (t % 24 - 7) / 24) + 0.15 * np.sin(4 * np.pi * t / 24))
        weekly = 0.12 * base * ((t // 24) % 7 >= 5)
        temp = np.convolve(rng.normal(0, 1, hours), np.ones(36) / 6, "same")
        load = base + daily - weekly + 0.08 * temp + rng.normal(0, 0.04, hours)
        out.append(load.astype(np.float32))
    return np.stack(out)


def windows(series, start, stop, stride):
    X, C, Y = [], [], []
    for s in series:
        for a in range(start, stop - CTX - HOR, stride):
            h = np.arange(a, a + CTX)
            X.append(s[a:a + CTX])
            C.append(np.stack([np.sin(2 * np.pi * (h % 24) / 24), np.cos(2 * np.pi * (h % 24) / 24),
                               ((h // 24) % 7 >= 5).astype(float)], 1))
            Y.append(s[a + CTX:a + CTX + HOR])
    return np.array(X, np.float32), np.array(C, np.float32), np.array(Y, np.float32)


class LoadForecaster(L.LightningModule):
    def __init__(self, d_model=32, lr=3e-3, warmup_frac=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.inp = nn.Linear(1 + 3, d_model)
        self.pos = nn.Parameter(torch.randn(1, CTX, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.out = nn.Linear(d_model, HOR)

    def forward(self, x, cal):
        h = self.inp(torch.cat([x.unsqueeze(-1), cal], -1)) + self.pos
        h = self.encoder(h)
        return self.out(h[:, -1])

    def _step(self, batch, stage):
        x, cal, y = batch
        loss = nn.functional.mse_loss(self(x, cal), y)
        self.log(f"{stage}_mse", loss, prog_bar=False)
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val")

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        total = self.trainer.estimated_stepping_batches
        warm = max(1, int(self.hparams.warmup_frac * total))

        def lr_lambda(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(23, workers=True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(23)
    series = feeder_series(12, 24 * 70, rng)
    Xtr, Ctr, Ytr = windows(series, 0, 24 * 56, stride=10)
    Xva, Cva, Yva = windows(series, 24 * 56, 24 * 70, stride=12)
    mu, sd = Xtr.mean(), Xtr.std()
    norm = lambda a: torch.from_numpy((a - mu) / sd)
    train = TensorDataset(norm(Xtr), torch.from_numpy(Ctr), norm(Ytr))
    val = TensorDataset(norm(Xva), torch.from_numpy(Cva), norm(Yva))
    train_dl = DataLoader(train, batch_size=32, shuffle=True)
    val_dl = DataLoader(val, batch_size=256)

    model = LoadForecaster()
    trainer = L.Trainer(max_epochs=5, accelerator="cpu", devices=1, accumulate_grad_batches=2,
                        gradient_clip_val=1.0, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.validate(model, val_dl, verbose=False)[0]
    naive = float((((Yva - np.repeat(Xva[:, -24:-12], 1, 0)) / sd) ** 2).mean())
    print(f"final val_mse={m['val_mse']:.4f} (seasonal-naive {naive:.4f}), n_train={len(train)}")


if __name__ == "__main__":
    main()
