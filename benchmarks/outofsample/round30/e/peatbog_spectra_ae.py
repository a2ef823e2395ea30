"""Compress peat-core reflectance spectra with an autoencoder (Lightning).

Each 2 cm slice of a peat core is scanned at 96 VNIR bands. Spectra are mixtures of a few
constituents (sphagnum, sedge, woody remains, mineral ash) under a moisture darkening that is
multiplicative, so a linear projection needs more components than the code has. A 4-unit code
feeds the carbon-stock model downstream. ReduceLROnPlateau and early stopping on the
validation reconstruction loss; the best checkpoint is restored before scoring.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

BANDS = 96


def simulate_cores(n, rng):
    wl = np.linspace(0, 1, BANDS)
    centres = [(0.2, 0.08), (0.45, 0.12), (0.7, 0.1), (0.9, 0.2)]
    endmembers = np.stack([0.3 + 0.6 * np.exp(-((wl - c) / w) ** 2) for c, w in centres])
    endmembers[3] = 0.25 + 0.5 * wl                     # ash: flat, rising
    abund = rng.dirichlet([1.2, 1.0, 0.8, 0.5], n)
    moisture = rng.uniform(0.2, 0.9, n)[:, None]
    refl = abund @ endmembers
    refl = refl ** (1 + 3.0 * moisture) * (1 - 0.5 * moisture)   # water darkens non-linearly
    refl += rng.normal(0, 0.006, refl.shape)
    return refl.astype(np.float32)


class SpectraAE(L.LightningModule):
    def __init__(self, code=4, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(nn.Linear(BANDS, 64), nn.ELU(), nn.Linear(64, 32), nn.ELU(),
                                     nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ELU(), nn.Linear(32, 64), nn.ELU(),
                                     nn.Linear(64, BANDS))
        self.loss = nn.MSELoss()

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, _):
        (x,) = batch
        loss = self.loss(self(x), x)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        (x,) = batch
        self.log("val_loss", self.loss(self(x), x), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=4)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


def main():
    L.seed_everything(5, verbose=False)
    rng = np.random.default_rng(5)
    X = simulate_cores(3000, rng)
    mu, sd = X[:2400].mean(0), X[:2400].std(0)
    Z = (X - mu) / sd
    train = DataLoader(TensorDataset(torch.from_numpy(Z[:2400])), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(torch.from_numpy(Z[2400:])), batch_size=600)

    model = SpectraAE()
    ckpt = ModelCheckpoint(dirpath="/tmp/peatbog_ae_ckpt", monitor="val_loss", save_top_k=1)
    trainer = L.Trainer(max_epochs=45, accelerator="cpu", logger=False, enable_progress_bar=False,
                        enable_model_summary=False,
                        callbacks=[EarlyStopping("val_loss", patience=8), ckpt])
    trainer.fit(model, train, val)
    best = SpectraAE.load_from_checkpoint(ckpt.best_model_path)
    best.eval()

    Xv = torch.from_numpy(Z[2400:])
    with torch.no_grad():
        rec = best(Xv).numpy() * sd + mu
    raw = X[2400:]
    r2 = 1 - ((rec - raw) ** 2).sum() / ((raw - raw.mean(0)) ** 2).sum()
    # linear reference: PCA with the same number of components
    U, S, Vt = np.linalg.svd(Z[:2400], full_matrices=False)
    P = Vt[:4]
    rec_pca = (Z[2400:] @ P.T @ P) * sd + mu
    r2_pca = 1 - ((rec_pca - raw) ** 2).sum() / ((raw - raw.mean(0)) ** 2).sum()
    rmse = np.sqrt(((rec - raw) ** 2).mean())
    print(f"stopped after {trainer.current_epoch} epochs, best val_loss {ckpt.best_model_score:.5f}")
    print(f"final: reconstruction R2 {r2:.4f} (PCA-4 {r2_pca:.4f}), RMSE {rmse:.4f} reflectance")


if __name__ == "__main__":
    main()
