"""Udder-health class from goat milking-parlour flow curves (Lightning).

Each milking gives a 2-channel trace from the in-line meter (milk flow, electrical conductivity)
sampled every 2 s for 4 minutes, plus the goat's breed and parity. Classes from the herd vet's
records: healthy, subclinical mastitis, clinical mastitis, let-down problem.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

CLASSES = ["healthy", "subclinical", "clinical", "letdown"]
BREEDS = ["saanen", "alpine", "nubian", "lamancha", "toggenburg"]
T = 120


def simulate(n, rng):
    y = rng.choice(4, n, p=[0.4, 0.25, 0.15, 0.2])
    breed = rng.integers(0, 5, n)
    parity = rng.integers(1, 7, n)
    t = np.arange(T)[None, :] * 2.0
    peak = np.array([1.3, 1.2, 0.9, 1.0, 1.1])[breed] * rng.normal(1, 0.12, n)
    rise = rng.normal(18, 4, n).clip(6, 40)
    dur = rng.normal(150, 20, n)
    delay = np.zeros(n)
    cond_base = rng.normal(5.2, 0.35, n) + 0.05 * parity
    cond_slope = rng.normal(0, 0.002, n)
    sub, clin, let = y == 1, y == 2, y == 3
    peak[sub] *= 0.85
    cond_base[sub] += 0.5
    peak[clin] *= 0.65
    cond_base[clin] += 1.1
    cond_slope[clin] += 0.006
    dur[clin] *= 0.85
    delay[let] = rng.normal(40, 10, let.sum()).clip(15, 80)
    dur[let] += 25
    tt = np.clip(t - delay[:, None], 0, None)
    flow = peak[:, None] * (1 - np.exp(-tt / rise[:, None])) / (1 + np.exp((tt - dur[:, None]) / 12))
    # the let-down cases show a small first flush before the main flow
    flush = np.exp(-((t - 10) / 6) ** 2) * (0.35 * peak)[:, None]
    flow = flow + np.where(let[:, None], flush, 0.0)
    flow += rng.normal(0, 0.05, flow.shape)
    cond = cond_base[:, None] + cond_slope[:, None] * t + rng.normal(0, 0.12, flow.shape)
    curves = np.stack([flow, cond], 1).astype(np.float32)
    return curves, breed.astype(np.int64), parity.astype(np.float32), y.astype(np.int64)


class CurveNet(L.LightningModule):
    def __init__(self, n_breeds=5, n_classes=4, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.curve_enc = nn.Sequential(
            nn.Conv1d(2, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 8),
        )
        self.breed_emb = nn.Embedding(n_breeds, 4)
        self.head = nn.Sequential(nn.Linear(8 + 4 + 1, 32), nn.ReLU(), nn.Linear(32, n_classes))

    def forward(self, curve, breed, parity):
        z = self.curve_enc(curve)
        feats = torch.cat([z, self.breed_emb(breed), (parity.unsqueeze(1) - 3.5) / 1.7], 1)
        return self.head(feats)

    def training_step(self, batch, _):
        curve, breed, parity, y = batch
        loss = F.cross_entropy(self(curve, breed, parity), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        curve, breed, parity, y = batch
        logits = self(curve, breed, parity)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    curves, breed, parity, y = simulate(2100, rng)
    # conductivity is centred/scaled with training statistics; flow is already in L/min ~ 0..1.5
    tr, va = slice(0, 1600), slice(1600, None)
    c_mu, c_sd = curves[tr, 1].mean(), curves[tr, 1].std()
    curves[:, 1] = (curves[:, 1] - c_mu) / c_sd
    to_t = lambda s: [torch.from_numpy(a[s]) for a in (curves, breed, parity, y)]
    train_dl = DataLoader(TensorDataset(*to_t(tr)), batch_size=50, shuffle=True)
    val_dl = DataLoader(TensorDataset(*to_t(va)), batch_size=256)

    model = CurveNet()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
