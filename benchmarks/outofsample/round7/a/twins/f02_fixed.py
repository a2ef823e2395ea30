"""Lightning classifier for a 6-class synthetic tabular problem
(make_classification with several clusters per class and redundant features).

A LightningModule with a pre-norm residual MLP, AdamW and a datamodule; the
Trainer runs on CPU and a small callback prints the logged metrics per epoch.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
warnings.filterwarnings("ignore", ".*GPU available.*")


class TabularDataModule(L.LightningDataModule):
    def __init__(self, batch_size=128, seed=5):
        super().__init__()
        self.batch_size, self.seed = batch_size, seed

    def setup(self, stage=None):
        X, y = make_classification(n_samples=6000, n_features=32, n_informative=14, n_redundant=8,
                                   n_classes=6, n_clusters_per_class=2, class_sep=1.2, flip_y=0.01,
                                   random_state=self.seed)
        X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=self.seed)
        scaler = StandardScaler().fit(X_tr)
        self.train_ds = TensorDataset(torch.tensor(scaler.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
        self.val_ds = TensorDataset(torch.tensor(scaler.transform(X_va), dtype=torch.float32), torch.tensor(y_va))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=512)


class ResBlock(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.ff = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d * 2), nn.GELU(), nn.Dropout(p), nn.Linear(d * 2, d))

    def forward(self, x):
        return x + self.ff(x)


class TabularClassifier(L.LightningModule):
    def __init__(self, d_in=32, d=128, n_blocks=2, n_classes=6, dropout=0.2, lr=1e-3, weight_decay=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d, dropout) for _ in range(n_blocks)])
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_classes))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)


class PrintMetrics(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        m = trainer.callback_metrics
        print(f"epoch {trainer.current_epoch:2d} train_loss {float(m['train_loss']):.4f} "
              f"val_loss {float(m['val_loss']):.4f} val_acc {float(m['val_acc']):.4f}")


if __name__ == "__main__":
    L.seed_everything(5, verbose=False)
    dm = TabularDataModule()
    model = TabularClassifier()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, callbacks=[PrintMetrics()])
    trainer.fit(model, datamodule=dm)
    res = trainer.validate(model, datamodule=dm, verbose=False)[0]
    print(f"final val_acc={res['val_acc']:.4f} val_loss={res['val_loss']:.4f}")
