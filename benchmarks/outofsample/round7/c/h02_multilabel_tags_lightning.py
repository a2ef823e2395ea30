"""Multi-label document tagging with Lightning.

Bag-of-words counts from sklearn's multi-label generator stand in for a tagged corpus
(14 tags, some rare).  Counts -> log1p -> standardised with training statistics.
Rare tags are up-weighted with BCEWithLogitsLoss(pos_weight=neg/pos), clipped at 10.
"""
import argparse
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import train_test_split


class TagDataModule(L.LightningDataModule):
    def __init__(self, batch_size=64, seed=0):
        super().__init__()
        self.batch_size, self.seed = batch_size, seed

    def setup(self, stage=None):
        X, Y = make_multilabel_classification(n_samples=4000, n_features=60, n_classes=14,
                                              n_labels=2, length=80, allow_unlabeled=True,
                                              random_state=self.seed)
        X = np.log1p(X).astype(np.float32)
        X_tr, X_va, Y_tr, Y_va = train_test_split(X, Y.astype(np.float32), test_size=0.2,
                                                  random_state=self.seed)
        mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
        self.train_ds = TensorDataset(torch.from_numpy((X_tr - mu) / sd), torch.from_numpy(Y_tr))
        self.val_ds = TensorDataset(torch.from_numpy((X_va - mu) / sd), torch.from_numpy(Y_va))
        pos = Y_tr.mean(0)
        self.pos_weight = torch.from_numpy(np.clip((1 - pos) / np.maximum(pos, 1e-3), 1.0, 10.0)).float()

    def train_dataloader(self):
        return DataLoader(self.train_ds, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_ds, batch_size=512)


class Tagger(L.LightningModule):
    def __init__(self, n_in, n_tags, pos_weight, hidden=256, lr=3e-3, dropout=0.3):
        super().__init__()
        self.save_hyperparameters(ignore=["pos_weight"])
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, n_tags),
        )
        self.register_buffer("pos_weight", pos_weight)
        self.val_logits, self.val_targets = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y, pos_weight=self.pos_weight)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y, pos_weight=self.pos_weight))
        self.val_logits.append(logits.detach()); self.val_targets.append(y)

    def on_validation_epoch_end(self):
        logits = torch.cat(self.val_logits).numpy(); y = torch.cat(self.val_targets).numpy()
        self.val_logits.clear(); self.val_targets.clear()
        self.log("val_micro_f1", f1_score(y, logits > 0, average="micro", zero_division=0))
        self.log("val_macro_ap", average_precision_score(y, logits, average="macro"))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.hparams.lr,
                                                    total_steps=self.trainer.estimated_stepping_batches)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    L.seed_everything(args.seed, verbose=False)
    dm = TagDataModule(seed=args.seed); dm.setup()
    model = Tagger(60, 14, dm.pos_weight)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, datamodule=dm)
    m = trainer.callback_metrics
    print(f"final val_micro_f1={m['val_micro_f1']:.4f} val_macro_ap={m['val_macro_ap']:.4f}")


if __name__ == "__main__":
    main()
