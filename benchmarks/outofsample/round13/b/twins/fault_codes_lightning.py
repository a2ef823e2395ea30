"""Classify the fault code of a pump from 40 summary statistics of its sensor log (Lightning)."""
import warnings

import lightning as L
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
N_FAULTS = 30


class FaultClassifier(L.LightningModule):
    def __init__(self, n_features, n_classes, widths=(256, 128, 64), lr=1e-3, dropout=0.1):
        super().__init__()
        self.save_hyperparameters()
        layers, d = [], n_features
        for w in widths:
            layers += [nn.Linear(d, w), nn.ReLU(), nn.Dropout(dropout)]
            d = w
        layers.append(nn.Linear(d, n_classes))
        self.net = nn.Sequential(*layers)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(7, workers=True)
    X, y = make_classification(n_samples=6000, n_features=40, n_informative=24, n_redundant=8,
                               n_classes=N_FAULTS, n_clusters_per_class=1, class_sep=1.6,
                               random_state=7)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=7)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
    to_ds = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))
    train_dl = DataLoader(to_ds(X_tr, y_tr), batch_size=128, shuffle=True)
    val_dl = DataLoader(to_ds(X_va, y_va), batch_size=256)

    model = FaultClassifier(X.shape[1], N_FAULTS)
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    metrics = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final val_acc {metrics['val_acc']:.4f} val_loss {metrics['val_loss']:.4f}")


if __name__ == "__main__":
    main()
