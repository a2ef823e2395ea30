"""Multi-label document tagging (8 tags) with a LightningModule.

Bag-of-words counts from scikit-learn's make_multilabel_classification, log1p + standardised on
the training split.  MLP with dropout, BCEWithLogitsLoss with per-tag pos_weight from the training
prevalence (capped), Adam, ReduceLROnPlateau on val_loss via Lightning's scheduler dict.
"""
import lightning as L
import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 3
L.seed_everything(SEED, verbose=False)


class TagMLP(L.LightningModule):
    def __init__(self, n_in, n_tags, pos_weight, hidden=256, dropout=0.3, lr=1e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["pos_weight"])
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, n_tags),
        )
        self.loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        self._val_logits, self._val_targets = [], []

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
        self._val_logits.append(logits.detach())
        self._val_targets.append(y)

    def on_validation_epoch_end(self):
        logits = torch.cat(self._val_logits)
        y = torch.cat(self._val_targets)
        pred = (logits > 0).int().cpu().numpy()
        self.log("val_micro_f1", f1_score(y.int().cpu().numpy(), pred, average="micro", zero_division=0))
        self._val_logits.clear()
        self._val_targets.clear()

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss", "interval": "epoch"}}


def main():
    X, Y = make_multilabel_classification(n_samples=4000, n_features=60, n_classes=8, n_labels=2,
                                          length=60, allow_unlabeled=False, random_state=SEED)
    X = np.log1p(X)
    Xtr, Xva, Ytr, Yva = train_test_split(X, Y, test_size=0.2, random_state=SEED)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xva = scaler.transform(Xtr).astype(np.float32), scaler.transform(Xva).astype(np.float32)
    Ytr, Yva = Ytr.astype(np.float32), Yva.astype(np.float32)

    prev = Ytr.mean(0)
    pos_weight = torch.tensor(np.clip((1 - prev) / prev, 1.0, 5.0), dtype=torch.float32)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(Ytr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(Yva)), batch_size=256)

    model = TagMLP(X.shape[1], Y.shape[1], pos_weight)
    trainer = L.Trainer(max_epochs=14, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_loader, val_loader)

    model.eval()
    with torch.no_grad():
        pred = (model(torch.from_numpy(Xva)) > 0).int().numpy()
    f1 = f1_score(Yva.astype(int), pred, average="micro")
    # trivial baseline: predict every tag whose training prevalence is above one half, for every document
    const = np.tile((prev > 0.5).astype(int), (len(Yva), 1))
    f1_const = f1_score(Yva.astype(int), const, average="micro", zero_division=0)
    # and the "tag everything" baseline
    f1_all = f1_score(Yva.astype(int), np.ones_like(pred), average="micro")
    print(f"baselines micro-F1: prevalence>0.5 {f1_const:.4f}, all tags {f1_all:.4f}")
    print(f"FINAL val micro-F1 {f1:.4f} val_loss {trainer.callback_metrics['val_loss'].item():.4f}")


if __name__ == "__main__":
    main()
