"""Tumour subtype classification from a 300-gene expression panel (log-normalised counts),
four subtypes.  LightningModule + LightningDataModule, the usual Trainer loop."""
import os
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from sklearn.model_selection import train_test_split

warnings.filterwarnings("ignore")
os.environ.setdefault("PYTHONWARNINGS", "ignore")


class ExpressionData(L.LightningDataModule):
    def __init__(self, batch_size=32, seed=11):
        super().__init__()
        self.batch_size = batch_size
        self.seed = seed

    @staticmethod
    def simulate(n, n_genes, n_programs, seed):
        """A few latent transcriptional programs drive all genes; the subtype is decided by
        which program combination dominates (with some biological ambiguity)."""
        rng = np.random.default_rng(seed)
        Z = rng.normal(size=(n, n_programs))
        loadings = rng.normal(size=(n_programs, n_genes)) / np.sqrt(n_programs)
        X = np.log1p(np.exp(1.5 * Z @ loadings + rng.normal(size=(n, n_genes))))
        y = np.argmax(Z @ rng.normal(size=(n_programs, 4)) + 0.3 * rng.normal(size=(n, 4)), 1)
        return X.astype(np.float32), y

    def setup(self, stage=None):
        X, y = self.simulate(1500, 300, 8, self.seed)
        X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y,
                                                  random_state=self.seed)
        mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
        self.train_ds = TensorDataset(torch.tensor((X_tr - mu) / sd, dtype=torch.float32),
                                      torch.tensor(y_tr))
        self.val_ds = TensorDataset(torch.tensor((X_va - mu) / sd, dtype=torch.float32),
                                    torch.tensor(y_va))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=256)


class SubtypeClassifier(L.LightningModule):
    def __init__(self, n_genes=300, n_classes=4, hidden=512, lr=2e-4):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_genes, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class PrintEpoch(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        m = trainer.callback_metrics
        print(f"epoch {trainer.current_epoch:2d} train_loss {m.get('train_loss', float('nan')):.4f} "
              f"val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


def main():
    L.seed_everything(11, verbose=False)
    dm = ExpressionData()
    model = SubtypeClassifier()
    early_stop = EarlyStopping(monitor="val_loss", mode="min", patience=3)
    trainer = L.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, callbacks=[PrintEpoch()])
    trainer.fit(model, datamodule=dm)
    res = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_loss {res['val_loss']:.4f} val_acc {res['val_acc']:.4f}")


if __name__ == "__main__":
    main()
