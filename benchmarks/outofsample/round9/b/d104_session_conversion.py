"""Will this web session convert? Lightning MLP on per-session activity counts (simulated log export).

Count features are heavy-tailed, so they are log-transformed and standardised with the
training split's statistics.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

N = 6000
engagement = rng.gamma(2.0, 1.0, N)
page_views = 1 + rng.poisson(3 * engagement)
seconds = np.ceil(rng.lognormal(3.5 + 0.4 * engagement, 0.8))
searches = rng.poisson(0.8 * engagement)
cart_adds = rng.poisson(0.35 * engagement ** 1.3)
returning = rng.binomial(1, 0.4, N)
logit = -3.2 + 1.4 * np.log1p(cart_adds) + 0.5 * np.log1p(searches) + 0.25 * np.log(seconds) + 0.6 * returning
y = rng.binomial(1, 1 / (1 + np.exp(-logit))).astype(np.float32)

counts = np.column_stack([page_views, seconds, searches, cart_adds]).astype(np.float64)
X = np.column_stack([np.log(counts), returning]).astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:4800], idx[4800:]
mu, sd = X[tr].mean(0), X[tr].std(0)
mu[-1], sd[-1] = 0.0, 1.0  # keep the binary flag as 0/1
X = (X - mu) / sd


class ConversionModel(L.LightningModule):
    def __init__(self, n_in, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, t = batch
        loss = F.binary_cross_entropy_with_logits(self(x), t)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, t = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, t))
        self.log("val_acc", ((logits > 0).float() == t).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(y[va])), batch_size=256)

model = ConversionModel(X.shape[1])
trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)

model.eval()
with torch.no_grad():
    p = torch.sigmoid(model(torch.tensor(X[va]))).numpy()
from sklearn.metrics import roc_auc_score  # noqa: E402
acc = ((p > 0.5) == y[va]).mean()
auc = roc_auc_score(y[va], np.nan_to_num(p, nan=0.5))
print(f"final val_acc {acc:.4f} val_auc {auc:.4f} (base rate {y[va].mean():.3f})")
