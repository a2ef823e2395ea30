"""Tag perfume formulas with the accords an evaluation panel hears in them.

Each formula is a list of raw materials with their share of the concentrate; the panel
ticks any of eight accords. Multi-label, so one logit per accord.
Lightning module, plain MLP on log(1 + percent) of each material.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import average_precision_score, f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ACCORDS = ["citrus", "floral", "woody", "amber", "musky", "green", "gourmand", "aquatic"]
N_MAT = 64


def formulary(n, seed):
    rng = np.random.default_rng(seed)
    # which accord families each material contributes to (a few materials span two)
    fam = np.zeros((N_MAT, len(ACCORDS)))
    fam[np.arange(N_MAT), np.arange(N_MAT) % len(ACCORDS)] = 1.0
    two = rng.choice(N_MAT, 16, replace=False)
    fam[two, rng.integers(0, len(ACCORDS), 16)] += 0.6
    potency = rng.lognormal(0.0, 0.5, N_MAT)
    X = np.zeros((n, N_MAT))
    for i in range(n):
        k = rng.integers(6, 14)
        mats = rng.choice(N_MAT, k, replace=False)
        X[i, mats] = rng.dirichlet(np.full(k, 0.8)) * 100.0
    impact = (X / 100.0 * potency) @ fam
    impact /= impact.sum(1, keepdims=True)
    # amber needs a resinous/vanillic base together with something woody to read as amber
    impact[:, 3] = np.sqrt(impact[:, 3] * (impact[:, 2] + impact[:, 6]))
    thresh = np.array([0.16, 0.18, 0.16, 0.15, 0.14, 0.16, 0.15, 0.15])
    Y = (impact + rng.normal(0, 0.025, impact.shape) > thresh).astype(np.float32)
    return np.log1p(X).astype(np.float32), Y


class AccordTagger(L.LightningModule):
    def __init__(self, n_in=N_MAT, n_out=len(ACCORDS), lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, n_out), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.binary_cross_entropy_with_logits(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(42, verbose=False)
    X, Y = formulary(3200, seed=2)
    Xtr, Ytr, Xva, Yva = X[:2600], Y[:2600], X[2600:], Y[2600:]
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(Ytr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(Yva)), batch_size=256)

    model = AccordTagger()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        probs = torch.sigmoid(model(torch.from_numpy(Xva))).numpy()
    m_ap = average_precision_score(Yva, probs, average="macro")
    f1 = f1_score(Yva, probs > 0.5, average="micro")
    print(f"label cardinality {Ytr.sum(1).mean():.2f}")
    print(f"final: val macro AP {m_ap:.3f}  micro F1 {f1:.3f}")


if __name__ == "__main__":
    main()
