"""Churn model for a broadband subscriber base (CRM export, one row per account)."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

N = 5000
REGIONS = ["north", "south", "east", "west", "metro"]
CONTRACTS = ["monthly", "annual", "biennial"]
PAYMENTS = ["card", "direct_debit", "invoice", "voucher"]
REASONS = ["price", "moved", "speed", "competitor", "support", "other"]


def crm_export(n):
    contract = rng.choice(CONTRACTS, n, p=[0.55, 0.3, 0.15])
    payment = rng.choice(PAYMENTS, n, p=[0.4, 0.35, 0.15, 0.1])
    region = rng.choice(REGIONS, n)
    tenure = rng.gamma(2.0, 14.0, n).round()
    monthly = rng.normal(48, 14, n).clip(15, 120).round(2)
    tickets = rng.poisson(0.8, n)
    speed_ratio = rng.beta(8, 2, n)            # delivered / advertised bandwidth
    usage_trend = rng.normal(0, 1, n)
    logit = (-1.2 + 1.3 * (contract == "monthly") - 0.9 * (contract == "biennial")
             - 0.035 * tenure + 0.03 * (monthly - 48) + 0.45 * tickets
             - 3.0 * (speed_ratio - 0.8) - 0.6 * usage_trend + 0.5 * (payment == "voucher"))
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    cancel_reason = np.where(churned, rng.choice(REASONS, n), "")
    return {
        "account_id": np.arange(100000, 100000 + n),
        "region": region, "contract": contract, "payment": payment,
        "tenure_months": tenure, "monthly_charge": monthly, "support_tickets": tickets,
        "speed_ratio": speed_ratio, "usage_trend": usage_trend,
        "cancel_reason": cancel_reason, "churned": churned.astype(np.float32),
    }


table = crm_export(N)
TARGET = "churned"
DROP = ["account_id", "cancel_reason", TARGET]
columns = [c for c in table if c not in DROP]

blocks, feature_names = [], []
for col in columns:
    values = table[col]
    if values.dtype.kind in "US":                      # categorical -> one-hot
        for level in np.unique(values):
            blocks.append((values == level).astype(np.float32))
            feature_names.append(f"{col}={level}")
    else:
        blocks.append(values.astype(np.float32))
        feature_names.append(col)
X = np.stack(blocks, axis=1)
y = table[TARGET]

perm = rng.permutation(N)
tr, va = perm[:4000], perm[4000:]
numeric = np.array([X[:, j].min() < 0 or X[:, j].max() > 1 for j in range(X.shape[1])])
mu = np.where(numeric, X[tr].mean(0), 0.0)
sd = np.where(numeric, X[tr].std(0), 1.0)
X = ((X - mu) / sd).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
                        batch_size=500)


class ChurnNet(L.LightningModule):
    def __init__(self, n_in, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = self.loss_fn(logits, y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        self.log("train_acc", ((logits > 0).float() == y).float().mean(), on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.log("val_acc", ((logits > 0).float() == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = ChurnNet(X.shape[1])
trainer = L.Trainer(max_epochs=12, enable_progress_bar=False, enable_model_summary=False,
                    logger=False, enable_checkpointing=False, accelerator="cpu", devices=1)
trainer.fit(model, train_loader, val_loader)
m = trainer.callback_metrics
print(f"churn rate {y.mean():.3f}  features {X.shape[1]}")
print(f"final train_acc {m['train_acc']:.4f}  val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}")
