"""Click-through model (NCF-style MLP over user/item embeddings + user context) in Lightning.

Synthetic interaction log: 600 users, 400 items, hidden taste factors, a few user context
features (age bucket, tenure, device). Predict click / no click.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset


def make_log(n_users=600, n_items=400, n_events=50000, seed=0):
    rng = np.random.default_rng(seed)
    pu = rng.normal(size=(n_users, 6))
    qi = rng.normal(size=(n_items, 6))
    item_pop = rng.normal(scale=0.7, size=n_items)
    ctx = np.stack([
        rng.integers(0, 5, n_users) / 4.0,            # age bucket, scaled
        rng.gamma(2.0, 1.0, n_users) / 4.0,           # tenure (years / 4)
        rng.integers(0, 2, n_users).astype(float),     # mobile
    ], 1)
    u = rng.integers(0, n_users, n_events)
    i = rng.integers(0, n_items, n_events)
    score = (pu[u] * qi[i]).sum(1) / np.sqrt(6) + item_pop[i] + 0.6 * ctx[u, 2] - 0.3
    click = (rng.random(n_events) < 1 / (1 + np.exp(-2.0 * score))).astype(np.float32)
    return u, i, ctx[u].astype(np.float32), click


class ClickModel(L.LightningModule):
    def __init__(self, n_users, n_items, n_ctx=3, dim=16, hidden=(128, 64), lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        layers, width = [], 2 * dim + n_ctx
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        self.mlp = nn.Sequential(*layers)
        self.out = nn.Linear(width, 1)
        self.apply(self._init_weights)
        self._val_scores, self._val_labels = [], []

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.1)

    def forward(self, u, i, c):
        h = torch.cat([self.user(u), self.item(i), c], dim=1)
        return self.out(self.mlp(h)).squeeze(1)

    def training_step(self, batch, batch_idx):
        u, i, c, y = batch
        loss = F.binary_cross_entropy_with_logits(self(u, i, c), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        u, i, c, y = batch
        logits = self(u, i, c)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y))
        self._val_scores.append(logits.detach())
        self._val_labels.append(y)

    def on_validation_epoch_end(self):
        s = torch.cat(self._val_scores).numpy()
        y = torch.cat(self._val_labels).numpy()
        self.val_auc = roc_auc_score(y, s)
        self.log("val_auc", self.val_auc)
        self._val_scores.clear()
        self._val_labels.clear()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=256)
    args = ap.parse_args()

    L.seed_everything(7, workers=True)
    u, i, c, y = make_log()
    n = len(y)
    perm = np.random.default_rng(1).permutation(n)
    tr, va = perm[: int(0.8 * n)], perm[int(0.8 * n):]

    def ds(idx):
        return TensorDataset(torch.from_numpy(u[idx]).long(), torch.from_numpy(i[idx]).long(),
                             torch.from_numpy(c[idx]), torch.from_numpy(y[idx]))

    train_loader = DataLoader(ds(tr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(ds(va), batch_size=1024)

    model = ClickModel(n_users=600, n_items=400)
    trainer = L.Trainer(max_epochs=args.epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    print(f"final val_auc={model.val_auc:.4f} val_loss={trainer.callback_metrics['val_loss']:.4f}")


if __name__ == "__main__":
    main()
