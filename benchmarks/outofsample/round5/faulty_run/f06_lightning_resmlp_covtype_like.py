"""Residual MLP for a 7-class tabular problem (synthetic, covtype-like), Lightning.

Pre-activation residual blocks, constant LR, decay on all weights.
"""
import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

HP = dict(width=128, blocks=3, lr=1e-3, weight_decay=0.1, batch_size=64, epochs=15, seed=3)


class ResBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(F.relu(x))))


class ResMLP(L.LightningModule):
    def __init__(self, n_in, n_classes, width, blocks, lr, weight_decay):
        super().__init__()
        self.save_hyperparameters()
        self.stem = nn.Linear(n_in, width)
        self.blocks = nn.Sequential(*[ResBlock(width) for _ in range(blocks)])
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(F.relu(self.blocks(self.stem(x))))

    def _shared(self, batch):
        x, y = batch
        logits = self(x)
        return F.cross_entropy(logits, y), (logits.argmax(1) == y).float().mean()

    def training_step(self, batch, batch_idx):
        loss, acc = self._shared(batch)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        self.log("train_acc", acc, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        loss, acc = self._shared(batch)
        self.log("val_loss", loss)
        self.log("val_acc", acc)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)


def main():
    L.seed_everything(HP["seed"], verbose=False)
    X, y = make_classification(n_samples=5000, n_features=30, n_informative=18, n_redundant=6,
                               n_classes=7, n_clusters_per_class=3, class_sep=1.2,
                               flip_y=0.02, random_state=HP["seed"])
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=HP["seed"],
                                              stratify=y)
    sc = StandardScaler().fit(X_tr)
    to_ds = lambda a, b: TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32),
                                       torch.tensor(b))
    train_dl = DataLoader(to_ds(X_tr, y_tr), batch_size=HP["batch_size"], shuffle=True)
    val_dl = DataLoader(to_ds(X_va, y_va), batch_size=500)

    model = ResMLP(X.shape[1], 7, HP["width"], HP["blocks"], HP["lr"], HP["weight_decay"])
    trainer = L.Trainer(max_epochs=HP["epochs"], accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"final train_loss={m['train_loss']:.4f} train_acc={m['train_acc']:.4f} "
          f"val_loss={m['val_loss']:.4f} val_acc={m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
