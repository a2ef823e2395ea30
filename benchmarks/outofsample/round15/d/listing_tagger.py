"""Marketplace listing tagger: predict which of 30 attribute tags apply to a listing from its
bag-of-words counts (multi-label, most tags are rare). Lightning, BCE on logits."""
import numpy as np
import torch
import lightning as L
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import average_precision_score, f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Tagger(L.LightningModule):
    def __init__(self, n_in, n_tags, tag_rate, lr=1e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["tag_rate"])
        self.body = nn.Sequential(
            nn.Linear(n_in, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.ReLU(),
        )
        self.out = nn.Linear(128, n_tags)
        # start each tag's logit at its base rate
        with torch.no_grad():
            self.out.bias.copy_(torch.log((1 - tag_rate) / tag_rate))
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.val_outputs = []

    def forward(self, x):
        return self.out(self.body(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.val_outputs.append((torch.sigmoid(logits), y))

    def on_validation_epoch_end(self):
        p = torch.cat([o[0] for o in self.val_outputs]).numpy()
        y = torch.cat([o[1] for o in self.val_outputs]).numpy()
        self.val_outputs.clear()
        keep = y.sum(0) > 0
        self.val_map = average_precision_score(y[:, keep], p[:, keep], average="macro")
        self.val_f1 = f1_score(y, p > 0.5, average="micro", zero_division=0)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(11, verbose=False)
    X, Y = make_multilabel_classification(n_samples=5000, n_features=120, n_classes=30, n_labels=1,
                                          length=60, allow_unlabeled=True, random_state=11)
    X = np.log1p(X).astype(np.float32)
    Y = Y.astype(np.float32)
    Xtr, Xva, Ytr, Yva = X[:4000], X[4000:], Y[:4000], Y[4000:]
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    tag_rate = torch.from_numpy(Ytr.mean(0)).clamp(1e-3, 1 - 1e-3)
    model = Tagger(X.shape[1], Y.shape[1], tag_rate)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(Ytr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(Yva)), batch_size=500)

    trainer = L.Trainer(max_epochs=4, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    print(f"val_loss {trainer.callback_metrics['val_loss'].item():.4f}")
    print(f"final val_mAP {model.val_map:.4f} micro_F1 {model.val_f1:.4f}")


if __name__ == "__main__":
    main()
