"""Subscription churn prediction on tabular account data with PyTorch Lightning.

Synthetic telco accounts: tenure, monthly charges, support calls, contract type (one-hot),
payment method (one-hot), usage trends. A small residual MLP with BatchNorm predicts churn.
Prints validation AUC / accuracy at the end.
"""
import numpy as np
import torch
from torch import nn
import lightning as L
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score


def accounts(n, rng):
    tenure = rng.gamma(2.0, 14.0, n)
    contract = rng.choice(3, n, p=[0.55, 0.25, 0.20])            # monthly, 1 year, 2 years
    payment = rng.choice(4, n, p=[0.35, 0.25, 0.2, 0.2])
    monthly = rng.normal(65, 22, n).clip(15, 140)
    calls = rng.poisson(1.2 + 1.5 * (monthly > 90), n)
    usage_trend = rng.normal(0, 1, n)
    data_gb = rng.lognormal(2.0, 0.7, n)
    logit = (-1.0 - 0.045 * tenure + 1.4 * (contract == 0) - 0.9 * (contract == 2) + 0.55 * calls
             + 0.018 * (monthly - 65) + 0.7 * (payment == 0) - 0.8 * usage_trend
             + 0.6 * np.sin(usage_trend * 2) * (contract == 0) - 0.25 * np.log(data_gb) * calls)
    y = (rng.random(n) < 1 / (1 + np.exp(-3.0 * logit))).astype(np.float32)
    cont = np.stack([np.log1p(tenure), monthly, calls, usage_trend, np.log(data_gb)], 1)
    onehot = np.concatenate([np.eye(3)[contract], np.eye(4)[payment]], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), y


class Block(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.net = nn.Sequential(nn.BatchNorm1d(d), nn.ReLU(), nn.Dropout(p), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


class ChurnModel(L.LightningModule):
    def __init__(self, n_in, width=128, dropout=0.1, lr=3e-3, weight_decay=5e-1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, width), Block(width, dropout), Block(width, dropout),
                                 nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, 1))
        self.loss = nn.BCEWithLogitsLoss()
        self.val_out = []

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y), prog_bar=True)
        self.val_out.append((logits.sigmoid(), y))

    def on_validation_epoch_end(self):
        p = torch.cat([a for a, _ in self.val_out]).numpy()
        y = torch.cat([b for _, b in self.val_out]).numpy()
        self.val_out.clear()
        self.auc = roc_auc_score(y, p)
        self.acc = float(((p > 0.5) == y).mean())
        self.log("val_auc", self.auc)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


def main():
    L.seed_everything(5, verbose=False)
    rng = np.random.default_rng(5)
    cont, onehot, y = accounts(6000, rng)
    mu, sd = cont[:4500].mean(0), cont[:4500].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    train = DataLoader(TensorDataset(X[:4500], y[:4500]), batch_size=128, shuffle=True)
    val = DataLoader(TensorDataset(X[4500:], y[4500:]), batch_size=1500)
    model = ChurnModel(X.shape[1])
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train, val)
    print(f"churn rate {y.mean():.3f}  final val_auc {model.auc:.4f} val_acc {model.acc:.4f} "
          f"val_loss {trainer.callback_metrics['val_loss']:.4f} train_loss {trainer.callback_metrics['train_loss']:.4f}")


if __name__ == "__main__":
    main()
