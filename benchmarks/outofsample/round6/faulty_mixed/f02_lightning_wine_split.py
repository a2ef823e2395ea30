"""Wine cultivar classification with PyTorch Lightning (MLP on the 13 chemical measurements)."""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class WineDataModule(L.LightningDataModule):
    def __init__(self, batch_size=16):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        X, y = load_wine(return_X_y=True)
        # fixed split so that runs are comparable across experiments
        X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, shuffle=False)
        scaler = StandardScaler().fit(X_tr)
        self.train_ds = TensorDataset(torch.tensor(scaler.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
        self.val_ds = TensorDataset(torch.tensor(scaler.transform(X_va), dtype=torch.float32), torch.tensor(y_va))

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=64)


class WineClassifier(L.LightningModule):
    def __init__(self, n_in=13, hidden=32, n_classes=3, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))
        self.val_scores = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        acc = (logits.argmax(1) == y).float().mean()
        self.log("val_loss", loss)
        self.log("val_acc", acc)
        self.val_scores.append((loss.item(), acc.item()))

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


if __name__ == "__main__":
    L.seed_everything(42, verbose=False)
    dm = WineDataModule()
    model = WineClassifier()
    trainer = L.Trainer(max_epochs=40, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, datamodule=dm)
    vl, va = model.val_scores[-1]
    print(f"final val_loss {vl:.4f} val_acc {va:.4f}")
