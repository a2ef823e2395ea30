"""Predict pump failure within the next week from 24 aggregated sensor features
(about 4% positives). Lightning MLP; the output bias starts at the log-odds of the
failure rate so the first epochs are not spent learning the base rate."""
import math
import tempfile
import warnings

import lightning as L
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(5, verbose=False)

X, y = make_classification(n_samples=8000, n_features=24, n_informative=10, n_redundant=6,
                           weights=[0.96], flip_y=0.005, class_sep=0.9, random_state=5)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=5)
scaler = StandardScaler().fit(Xtr)
Xtr, Xva = scaler.transform(Xtr), scaler.transform(Xva)
t = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(t(Xtr), t(ytr)), batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(t(Xva), t(yva)), batch_size=1000)
POS_RATE = float(ytr.mean())
PRIOR_BIAS = math.log(POS_RATE / (1 - POS_RATE))


class FailureModel(L.LightningModule):
    def __init__(self, n_in, hidden=(128, 64), lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        layers, d = [], n_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU(), nn.Dropout(0.1)]
            d = h
        layers.append(nn.Linear(d, 1))
        self.net = nn.Sequential(*layers)
        self.net.apply(self._init)
        nn.init.constant_(self.net[-1].bias, PRIOR_BIAS)
        self.loss = nn.BCEWithLogitsLoss()
        self.val_scores, self.val_targets = [], []

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.constant_(m.bias, PRIOR_BIAS)

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y))
        self.val_scores.append(torch.sigmoid(logits))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        s = torch.cat(self.val_scores).numpy(); yv = torch.cat(self.val_targets).numpy()
        self.val_scores.clear(); self.val_targets.clear()
        self.last_auc = roc_auc_score(yv, s)
        self.last_ap = average_precision_score(yv, s)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        return {"optimizer": opt, "lr_scheduler": sched}


model = FailureModel(Xtr.shape[1])
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False,
                    default_root_dir=tempfile.mkdtemp())
trainer.fit(model, train_dl, val_dl)
print(f"positives in validation: {int(yva.sum())} of {len(yva)}")
print(f"final val ROC-AUC {model.last_auc:.4f}  average precision {model.last_ap:.4f}")
