"""Churn prediction for a subscription service: numeric usage features plus three
categorical columns (plan, region, device) through embeddings. Lightning.

About 12% of customers churn; the output bias starts at the log-odds of that prior
(focal-loss-paper style) so the first steps are not spent learning the base rate.
"""
import math

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
N_NUM, CARD = 12, (5, 12, 4)          # plan, region, device
PRIOR = 0.12


def make_customers(n, rng):
    num = rng.normal(size=(n, N_NUM)).astype(np.float32)
    cat = np.stack([rng.integers(0, c, size=n) for c in CARD], axis=1)
    plan_eff = np.array([0.8, 0.2, -0.3, -0.6, 0.1])[cat[:, 0]]
    region_eff = np.linspace(-0.6, 0.6, CARD[1])[cat[:, 1]]
    z = (1.2 * num[:, 0] - 0.9 * num[:, 1] + 0.8 * num[:, 2] * num[:, 3]
         + 0.7 * np.abs(num[:, 4]) + plan_eff + region_eff + 0.5 * (cat[:, 2] == 3))
    logit = z - np.quantile(z, 1 - PRIOR)
    y = (rng.random(n) < 1 / (1 + np.exp(-2.5 * logit))).astype(np.float32)
    return num, cat, y


class ChurnNet(L.LightningModule):
    def __init__(self, n_num, cards, emb_dims=(3, 6, 2), hidden=(128, 64, 32), lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embs = nn.ModuleList([nn.Embedding(c, d) for c, d in zip(cards, emb_dims)])
        layers, d = [], n_num + sum(emb_dims)
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        self.mlp = nn.Sequential(*layers)
        self.out = nn.Linear(d, 1)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.constant_(m.bias, math.log(PRIOR / (1 - PRIOR)))

    def forward(self, num, cat):
        e = [emb(cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.out(self.mlp(torch.cat([num] + e, dim=1))).squeeze(1)

    def training_step(self, batch, batch_idx):
        num, cat, y = batch
        loss = F.binary_cross_entropy_with_logits(self(num, cat), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        num, cat, y = batch
        logits = self(num, cat)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y))
        self._val.append((logits.sigmoid().detach(), y))

    def on_validation_epoch_start(self):
        self._val = []

    def on_validation_epoch_end(self):
        p = torch.cat([a for a, _ in self._val]).numpy()
        y = torch.cat([b for _, b in self._val]).numpy()
        self.log("val_auc", float(roc_auc_score(y, p)))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(SEED, verbose=False)
    rng = np.random.default_rng(SEED)
    tr, va = make_customers(8000, rng), make_customers(2000, rng)
    to_ds = lambda d: TensorDataset(torch.from_numpy(d[0]), torch.from_numpy(d[1]),
                                    torch.from_numpy(d[2]))
    train_dl = DataLoader(to_ds(tr), batch_size=128, shuffle=True)
    val_dl = DataLoader(to_ds(va), batch_size=1000)

    model = ChurnNet(N_NUM, CARD)
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"final train_loss={m['train_loss']:.4f} val_loss={m['val_loss']:.4f} "
          f"val_auc={m['val_auc']:.4f}")


if __name__ == "__main__":
    main()
