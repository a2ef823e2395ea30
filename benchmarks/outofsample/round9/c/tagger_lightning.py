"""Multi-label topic tagging of short documents (bag-of-words counts) with PyTorch Lightning.

Each document carries one to several of 20 topic tags. Counts are tf-idf weighted and
L2-normalised, the usual recipe for linear-ish text models.
"""
import numpy as np
import torch
import torch.nn as nn
import lightning as L
from sklearn.datasets import make_multilabel_classification
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import average_precision_score
from torch.utils.data import DataLoader, TensorDataset

N_TAGS = 20


class Tagger(L.LightningModule):
    def __init__(self, vocab, n_tags, hidden=256, lr=1e-2, weight_decay=1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Linear(vocab, hidden), nn.GELU(), nn.Dropout(0.3),
            nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(0.3),
        )
        self.head = nn.Linear(hidden, n_tags)
        self.loss_fn = nn.BCEWithLogitsLoss()
        self._scores, self._targets = [], []

    def forward(self, x):
        return torch.sigmoid(self.head(self.encoder(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        scores = self(x)
        self.log("val_loss", self.loss_fn(scores, y))
        self._scores.append(scores.detach())
        self._targets.append(y)

    def on_validation_epoch_end(self):
        scores = torch.cat(self._scores).float().numpy()
        targets = torch.cat(self._targets).numpy()
        self._scores.clear()
        self._targets.clear()
        self.val_map = average_precision_score(targets, scores, average="micro")
        print(f"epoch {self.current_epoch}: val micro-AP {self.val_map:.4f}")

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def load_corpus(seed=7):
    X, Y = make_multilabel_classification(
        n_samples=3000, n_features=500, n_classes=N_TAGS, n_labels=3, length=150,
        allow_unlabeled=False, random_state=seed)
    X = TfidfTransformer(sublinear_tf=True).fit_transform(X).toarray()
    return X.astype(np.float32), Y.astype(np.float32)


def main():
    L.seed_everything(42, verbose=False)
    X, Y = load_corpus()
    n_train = 2400
    train_ds = TensorDataset(torch.from_numpy(X[:n_train]), torch.from_numpy(Y[:n_train]))
    val_ds = TensorDataset(torch.from_numpy(X[n_train:]), torch.from_numpy(Y[n_train:]))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=600)

    model = Tagger(vocab=X.shape[1], n_tags=N_TAGS)
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(model, train_loader, val_loader)
    print(f"final val micro-AP: {model.val_map:.4f}")


if __name__ == "__main__":
    main()
