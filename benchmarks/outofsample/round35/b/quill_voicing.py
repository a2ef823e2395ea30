"""Harpsichord regulation helper: flag what a technician should look at on each jack.

A contact microphone records one pluck per jack; we keep 40 log-band energies of the
attack and 6 envelope features. Each jack may have several problems at once (multi-label):
quill too stiff, quill too weak, damper buzz, jack sticking, string false, plectrum chipped.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import average_precision_score

TAGS = ["stiff", "weak", "damper_buzz", "sticking", "false_string", "chipped"]


def make_plucks(n, rng):
    bands = np.linspace(0, 1, 40)
    base = -2.0 * bands + rng.normal(0, 0.3, (n, 1))          # spectral tilt per recording
    Y = (rng.random((n, 6)) < np.array([0.18, 0.15, 0.12, 0.10, 0.08, 0.09])).astype(np.float32)
    spec = base + rng.normal(0, 0.25, (n, 40))
    env = rng.normal(0, 1, (n, 6))
    spec += Y[:, [0]] * 0.5 * np.exp(-((bands - 0.75) / 0.1) ** 2)       # bright attack
    spec -= Y[:, [1]] * 0.45 * np.exp(-((bands - 0.3) / 0.15) ** 2)     # thin fundamental
    spec += Y[:, [2]] * 0.6 * (np.sin(bands * 60) > 0.7)               # buzz comb
    env[:, 0] += Y[:, 3] * 1.8                                          # late release
    env[:, 1] -= Y[:, 3] * 1.0
    spec += Y[:, [4]] * 0.35 * np.cos(bands * 23)                       # inharmonic ripple
    env[:, 2] += Y[:, 5] * 0.8 + Y[:, 0] * 0.4                         # attack noise
    spec[:, 30:] += Y[:, [5]] * 0.25
    X = np.concatenate([spec, env], 1)
    return X.astype(np.float32), Y


class PluckTagger(L.LightningModule):
    def __init__(self, n_in=46, n_tags=6, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.GELU(), nn.LayerNorm(128),
            nn.Linear(128, 64), nn.GELU(),
            nn.Linear(64, n_tags),
        )

    def forward(self, x):
        return torch.sigmoid(self.net(x))

    def training_step(self, batch, _):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("val_loss", loss)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        return [opt], [sched]


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, Y = make_plucks(2400, rng)
    mu, sd = X[:1800].mean(0), X[:1800].std(0)
    X = (X - mu) / sd
    tr = TensorDataset(torch.from_numpy(X[:1800]), torch.from_numpy(Y[:1800]))
    va = TensorDataset(torch.from_numpy(X[1800:]), torch.from_numpy(Y[1800:]))

    model = PluckTagger()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, DataLoader(tr, batch_size=48, shuffle=True), DataLoader(va, batch_size=200))

    model.eval()
    with torch.no_grad():
        scores = model(torch.from_numpy(X[1800:])).numpy()
    ap = [average_precision_score(Y[1800:, k], scores[:, k]) for k in range(6)]
    print("per-tag AP:", " ".join(f"{t}={a:.3f}" for t, a in zip(TAGS, ap)))
    print(f"final val macro-AP {np.mean(ap):.4f}")


if __name__ == "__main__":
    main()
