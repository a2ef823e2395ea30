"""Subscription churn model (Lightning). Tabular: numeric usage stats + one-hot plan/contract."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(7, workers=True)
torch.set_num_threads(1)

BATCH_SIZE = 32
EPOCHS = 20


def make_customers(n, rng):
    tenure = rng.gamma(2.0, 12.0, n)                       # months
    monthly = rng.normal(65, 20, n).clip(15, 140)          # $
    calls = rng.poisson(1.5, n)                            # support calls last quarter
    data_gb = rng.lognormal(1.5, 0.8, n)
    late_pay = rng.binomial(3, 0.15, n)
    contract = rng.choice(3, n, p=[0.55, 0.3, 0.15])       # monthly / 1y / 2y
    plan = rng.choice(4, n)
    logit = (-0.08 * tenure + 0.04 * (monthly - 65) * (contract == 0) + 0.9 * calls * (plan != 2)
             + 1.2 * late_pay - 1.8 * (contract == 1) - 3.0 * (contract == 2) + 1.2 * (plan == 3)
             - 0.6 * np.abs(np.log(data_gb) - 1.5) * calls + 1.5 * np.sin(tenure / 5.0))
    y = (rng.random(n) < 1 / (1 + np.exp(-(logit + 0.4)))).astype(np.float32)
    num = np.stack([tenure, monthly, calls, np.log(data_gb), late_pay], 1)
    cat = np.concatenate([np.eye(3)[contract], np.eye(4)[plan]], 1)
    return num.astype(np.float32), cat.astype(np.float32), y


rng = np.random.default_rng(7)
num, cat, y = make_customers(1200, rng)
tr, va = slice(0, 900), slice(900, 1200)
mu, sd = num[tr].mean(0), num[tr].std(0)
X = np.concatenate([(num - mu) / sd, cat], 1)

train_ds = TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr]))
val_ds = TensorDataset(torch.tensor(X[va]), torch.tensor(y[va]))


class ChurnModel(L.LightningModule):
    def __init__(self, d_in, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.loss = nn.BCEWithLogitsLoss()
        self.val_logits = []
        self.val_y = []

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y))
        self.val_logits.append(logits)
        self.val_y.append(y)

    def on_validation_epoch_end(self):
        p = torch.cat(self.val_logits)
        t = torch.cat(self.val_y)
        self.log("val_acc", ((p > 0).float() == t).float().mean())
        self.val_logits.clear()
        self.val_y.clear()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def auc(scores, labels):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


if __name__ == "__main__":
    model = ChurnModel(X.shape[1])
    trainer = L.Trainer(max_epochs=EPOCHS, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, DataLoader(train_ds, batch_size=BATCH_SIZE, shuffle=True),
                DataLoader(val_ds, batch_size=256))
    model.eval()
    with torch.no_grad():
        s = model(val_ds.tensors[0]).numpy()
    yv = val_ds.tensors[1].numpy()
    print(f"val_acc={((s > 0) == yv).mean():.4f} val_auc={auc(s, yv):.4f}")
