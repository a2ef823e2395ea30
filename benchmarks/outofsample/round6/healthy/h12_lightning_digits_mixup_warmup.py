"""Digit recognition on scikit-learn's 8x8 scans with Lightning: a small ConvNet with heavy
dropout (0.5), mixup (alpha 0.4) on the training batches, AdamW, and a linear warm-up followed by
cosine decay, stepped every optimizer step (interval 'step'). Validation on a stratified split
without mixup; the test accuracy comes from trainer.test."""
import math
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(2024, verbose=False)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]      # (N, 1, 8, 8) in [0, 1]
y = digits.target.astype(np.int64)
X_tmp, X_te, y_tmp, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X_tmp, y_tmp, test_size=0.15, stratify=y_tmp, random_state=0)
MEAN, STD = X_tr.mean(), X_tr.std()
ds = lambda a, b: TensorDataset(torch.from_numpy((a - MEAN) / STD), torch.from_numpy(b))


class DigitNet(L.LightningModule):
    def __init__(self, lr=3e-3, warmup_steps=60, mixup_alpha=0.4, p_drop=0.5):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout2d(0.2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Dropout(p_drop),
                                        nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        lam = float(np.random.beta(self.hparams.mixup_alpha, self.hparams.mixup_alpha))
        perm = torch.randperm(x.size(0))
        logits = self(lam * x + (1 - lam) * x[perm])
        loss = lam * F.cross_entropy(logits, y) + (1 - lam) * F.cross_entropy(logits, y[perm])
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def _eval(self, batch, stage):
        x, y = batch
        logits = self(x)
        self.log(f"{stage}_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log(f"{stage}_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def validation_step(self, batch, batch_idx):
        self._eval(batch, "val")

    def test_step(self, batch, batch_idx):
        self._eval(batch, "test")

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.05)
        total = self.trainer.estimated_stepping_batches
        warm = self.hparams.warmup_steps

        def lr_lambda(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


model = DigitNet()
trainer = L.Trainer(max_epochs=30, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(ds(X_tr, y_tr), batch_size=64, shuffle=True),
            DataLoader(ds(X_va, y_va), batch_size=256))
print({k: round(float(v), 4) for k, v in trainer.callback_metrics.items()})
res = trainer.test(model, DataLoader(ds(X_te, y_te), batch_size=256), verbose=False)[0]
print(f"final test_loss {res['test_loss']:.4f} test_acc {res['test_acc']:.4f}")
