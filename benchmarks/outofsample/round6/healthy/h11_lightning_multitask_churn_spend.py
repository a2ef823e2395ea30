"""Customer model with two heads, trained with Lightning: churn (binary, BCE with logits) and
next-quarter spend (regression on the standardised log spend, Huber loss), from 6 numeric
columns (standardised) and 3 categorical columns (region, plan, device) fed through
embeddings. The model's forward takes two inputs (numeric, categorical). Reported: churn ROC
AUC and spend R^2 in currency units on a held-out split."""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import r2_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(13, verbose=False)
rng = np.random.default_rng(13)
N = 8000
CARD = {"region": 12, "plan": 4, "device": 5}

region = rng.integers(0, 12, N); plan = rng.integers(0, 4, N); device = rng.integers(0, 5, N)
tenure = rng.gamma(2.0, 12.0, N)                    # months
monthly = 20 + 15 * plan + rng.normal(0, 5, N)      # currency
tickets = rng.poisson(1 + (region % 3), N).astype(float)
usage = rng.lognormal(3, 0.6, N)                    # minutes / day
age = rng.uniform(18, 80, N)
discount = rng.beta(2, 8, N)
region_eff = rng.normal(0, 0.8, 12); device_eff = rng.normal(0, 0.5, 5)
logit = (-1.0 - 0.04 * tenure + 0.35 * tickets + 0.6 * (plan == 0) - 0.8 * discount * 5
         + region_eff[region] + device_eff[device] - 0.2 * np.log(usage))
churn = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)
spend = np.exp(np.log(monthly * 3) + 0.25 * np.log(usage) - 0.3 * discount + 0.1 * region_eff[region]
               + rng.normal(0, 0.15, N))

num = np.c_[tenure, monthly, tickets, np.log(usage), age, discount].astype(np.float32)
cat = np.c_[region, plan, device].astype(np.int64)
idx = rng.permutation(N); tr, va = idx[:6400], idx[6400:]
mu, sd = num[tr].mean(0), num[tr].std(0)
log_spend = np.log(spend)
ls_mu, ls_sd = log_spend[tr].mean(), log_spend[tr].std()


def tensors(rows):
    return (torch.from_numpy((num[rows] - mu) / sd), torch.from_numpy(cat[rows]),
            torch.from_numpy(churn[rows]), torch.tensor((log_spend[rows] - ls_mu) / ls_sd, dtype=torch.float32))


class MultiTask(L.LightningModule):
    def __init__(self, n_num=6, emb_dim=4, hidden=96, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in CARD.values()])
        self.trunk = nn.Sequential(nn.Linear(n_num + emb_dim * len(CARD), hidden), nn.ReLU(), nn.Dropout(0.1),
                                   nn.Linear(hidden, hidden), nn.ReLU())
        self.churn_head = nn.Linear(hidden, 1)
        self.spend_head = nn.Linear(hidden, 1)

    def forward(self, x_num, x_cat):
        e = torch.cat([emb(x_cat[:, i]) for i, emb in enumerate(self.embs)], dim=1)
        h = self.trunk(torch.cat([x_num, e], dim=1))
        return self.churn_head(h).squeeze(1), self.spend_head(h).squeeze(1)

    def _losses(self, batch):
        x_num, x_cat, y_churn, y_spend = batch
        churn_logit, spend_pred = self(x_num, x_cat)
        return F.binary_cross_entropy_with_logits(churn_logit, y_churn), F.huber_loss(spend_pred, y_spend, delta=1.0)

    def training_step(self, batch, batch_idx):
        l_churn, l_spend = self._losses(batch)
        loss = l_churn + l_spend
        self.log_dict({"train_churn": l_churn, "train_spend": l_spend, "train_loss": loss}, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        l_churn, l_spend = self._losses(batch)
        self.log_dict({"val_churn": l_churn, "val_spend": l_spend, "val_loss": l_churn + l_spend}, prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


train_dl = DataLoader(TensorDataset(*tensors(tr)), batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(*tensors(va)), batch_size=1024)
model = MultiTask()
trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, deterministic=True)
trainer.fit(model, train_dl, val_dl)
print({k: round(float(v), 4) for k, v in trainer.callback_metrics.items()})

model.eval()
x_num, x_cat, y_churn, y_spend = tensors(va)
with torch.no_grad():
    p_churn, p_spend = model(x_num, x_cat)
auc = roc_auc_score(y_churn.numpy(), p_churn.numpy())
spend_hat = np.exp(p_spend.numpy() * ls_sd + ls_mu)
r2 = r2_score(spend[va], spend_hat)
print(f"churn rate {churn[va].mean():.3f}; AUC of the true generating logit {roc_auc_score(churn[va], logit[va]):.4f}")
print(f"final val_churn_auc {auc:.4f} val_spend_R2 {r2:.4f}")
