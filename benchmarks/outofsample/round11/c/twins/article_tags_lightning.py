"""Multi-label topic tagging of short articles (bag-of-words counts) with Lightning.

Each article carries 1-4 of 12 topic tags. A small MLP over log-scaled counts predicts
the tags; we report micro-F1 at a 0.5 threshold on a held-out split.
"""
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
L.seed_everything(7, verbose=False)

X, Y = make_multilabel_classification(
    n_samples=3000, n_features=200, n_classes=12, n_labels=2,
    length=150, allow_unlabeled=False, random_state=7,
)
X = np.log1p(X).astype(np.float32)
Y = Y.astype(np.float32)
X_tr, X_va, Y_tr, Y_va = train_test_split(X, Y, test_size=0.2, random_state=7)
mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
                    batch_size=256)


class Tagger(L.LightningModule):
    def __init__(self, n_in, n_tags, hidden=256, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(hidden, n_tags),
        )
        self.criterion = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("val_loss", loss, prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


model = Tagger(X.shape[1], Y.shape[1])
trainer = L.Trainer(max_epochs=8, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)

model.eval()
with torch.no_grad():
    probs = torch.sigmoid(model(torch.from_numpy(X_va))).numpy()
pred = (probs > 0.5).astype(int)
f1 = f1_score(Y_va.astype(int), pred, average="micro")
print(f"val micro-F1 {f1:.4f}")
