"""Churn model for a streaming subscription service (Lightning).

Features per subscriber: tenure, monthly bill, watch hours, sessions, devices,
support tickets, payment failures, days since last login and a discount flag
(left as 0/1). Rows come from the billing export grouped by plan, so they are
shuffled once before the 80/20 split.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L


def make_subscribers(n, seed):
    rng = np.random.default_rng(seed)
    tenure = rng.gamma(1.5, 8.0, n)
    fee = np.sort(rng.choice([7.99, 12.99, 17.99], n, p=[0.5, 0.35, 0.15]))
    bill = fee + rng.gamma(0.6, 4.0, n)
    hours = rng.gamma(2.0, 12.0, n)
    sessions = rng.poisson(hours / 2.5 + 1)
    devices = rng.integers(1, 6, n)
    tickets = rng.poisson(0.6, n)
    pay_fail = rng.poisson(0.25, n)
    discount = rng.random(n) < 0.2
    last_login = rng.exponential(6 + 40 / (1 + hours / 10), n)
    logit = (-0.6 - 0.15 * tenure + 0.2 * bill - 0.09 * hours + 0.9 * tickets
             + 1.8 * pay_fail + 0.08 * last_login - 0.4 * devices + 1.0 * discount)
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    X = np.column_stack([tenure, bill, hours, sessions, devices, tickets,
                         pay_fail, last_login, discount]).astype(np.float32)
    return X, churned.astype(np.int64)


class ChurnModel(L.LightningModule):
    def __init__(self, n_features, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )
        self.loss_fn = nn.CrossEntropyLoss()
        self.val_correct = 0
        self.val_seen = 0

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def on_validation_epoch_start(self):
        self.val_correct, self.val_seen = 0, 0

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y), prog_bar=False)
        self.val_correct += (logits.argmax(-1) == y).sum().item()
        self.val_seen += len(y)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)


def main():
    L.seed_everything(11, verbose=False)
    X, y = make_subscribers(4000, seed=11)

    perm = np.random.default_rng(0).permutation(len(X))
    X = X[perm]
    n_train = int(0.8 * len(X))
    X_tr, X_va = X[:n_train], X[n_train:]
    y_tr, y_va = y[:n_train], y[n_train:]

    mu, sd = X_tr[:, :-1].mean(0), X_tr[:, :-1].std(0)
    X_tr[:, :-1] = (X_tr[:, :-1] - mu) / sd
    X_va[:, :-1] = (X_va[:, :-1] - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                        batch_size=512)

    model = ChurnModel(X.shape[1])
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    majority = max(y_va.mean(), 1 - y_va.mean())
    acc = model.val_correct / model.val_seen
    print(f"final val_acc {acc:.4f} (majority {majority:.4f}) "
          f"val_loss {trainer.callback_metrics['val_loss'].item():.4f}")


if __name__ == "__main__":
    main()
