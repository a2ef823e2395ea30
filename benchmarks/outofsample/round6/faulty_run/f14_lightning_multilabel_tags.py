"""Lightning: multi-label tagging (12 tags, several per sample) from 60 bag-of-words
count features, an MLP with LayerNorm; tags are predicted where the tag's
probability exceeds 0.5 and scored with micro-F1 / exact-match."""
import lightning as L
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

N_TAGS = 12


class Tagger(L.LightningModule):
    def __init__(self, n_features, n_tags, hidden=256, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(0.2),
            nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(0.2),
            nn.Linear(hidden, n_tags))
        self.criterion = nn.CrossEntropyLoss()
        self.val_tp = self.val_fp = self.val_fn = 0
        self.val_exact, self.val_n = 0, 0

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def on_validation_epoch_start(self):
        self.val_tp = self.val_fp = self.val_fn = 0
        self.val_exact, self.val_n = 0, 0

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.criterion(logits, y), on_epoch=True)
        pred = (torch.sigmoid(logits) > 0.5).float()
        self.val_tp += (pred * y).sum().item()
        self.val_fp += (pred * (1 - y)).sum().item()
        self.val_fn += ((1 - pred) * y).sum().item()
        self.val_exact += (pred == y).all(1).sum().item()
        self.val_n += len(y)

    def on_validation_epoch_end(self):
        f1 = 2 * self.val_tp / max(1.0, 2 * self.val_tp + self.val_fp + self.val_fn)
        self.log("val_micro_f1", f1)
        self.log("val_exact", self.val_exact / max(1, self.val_n))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.05)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=self.hparams.lr, total_steps=self.trainer.estimated_stepping_batches)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(7, verbose=False)
    X, Y = make_multilabel_classification(n_samples=5000, n_features=60, n_classes=N_TAGS,
                                          n_labels=3, length=80, allow_unlabeled=False,
                                          random_state=7)
    X = np.log1p(X).astype(np.float32)
    X_tr, X_va, Y_tr, Y_va = train_test_split(X, Y.astype(np.float32), test_size=0.2,
                                              random_state=7)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    train = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                       batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
                     batch_size=500)

    model = Tagger(X.shape[1], N_TAGS)
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train, val)
    m = trainer.callback_metrics
    print(f"final val_micro_f1={m['val_micro_f1'].item():.4f} "
          f"val_exact={m['val_exact'].item():.4f} val_loss={m['val_loss'].item():.4f}")


if __name__ == "__main__":
    main()
