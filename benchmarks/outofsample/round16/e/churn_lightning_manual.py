"""Telecom churn: numeric usage features + embedded plan / region codes.

LightningModule with manual optimisation: two optimizers (sparse-ish embeddings get a
higher-LR Adagrad, the dense tower AdamW), gradients accumulated over 2 batches,
clipped through Lightning, the dense scheduler stepped once per epoch by hand.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
L.seed_everything(42, verbose=False)
rng = np.random.default_rng(42)

N = 8000
plan = rng.integers(0, 12, N)
region = rng.integers(0, 40, N)
tenure = rng.gamma(2.0, 12.0, N)
monthly = 20 + 5 * plan + rng.normal(0, 8, N)
calls_support = rng.poisson(1 + (plan % 3), N)
data_gb = rng.lognormal(1.5, 0.8, N)
dropped = rng.beta(2, 30, N)
plan_eff = rng.normal(0, 0.8, 12)
region_eff = rng.normal(0, 0.5, 40)
logit = (-1.0 - 0.05 * tenure + 0.03 * (monthly - 50) + 0.45 * calls_support + 12 * (dropped - 0.06)
         + plan_eff[plan] + region_eff[region])
churn = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

num = np.column_stack([np.log1p(tenure), monthly, calls_support, np.log(data_gb), dropped]).astype(np.float32)
tr = slice(0, 6400)
va = slice(6400, N)
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd
cat = np.column_stack([plan, region]).astype(np.int64)


def ds(s):
    return TensorDataset(torch.from_numpy(num[s]), torch.from_numpy(cat[s]), torch.from_numpy(churn[s]))


class ChurnModel(L.LightningModule):
    def __init__(self, accumulate=2):
        super().__init__()
        self.automatic_optimization = False
        self.accumulate = accumulate
        self.plan_emb = nn.Embedding(12, 4)
        self.region_emb = nn.Embedding(40, 6)
        self.tower = nn.Sequential(nn.Linear(5 + 4 + 6, 64), nn.GELU(), nn.Dropout(0.1),
                                   nn.Linear(64, 32), nn.GELU(), nn.Linear(32, 1))
        self.val_scores, self.val_targets = [], []

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.plan_emb(x_cat[:, 0]), self.region_emb(x_cat[:, 1])], dim=1)
        return self.tower(h).squeeze(1)

    def training_step(self, batch, batch_idx):
        opt_emb, opt_dense = self.optimizers()
        x_num, x_cat, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x_num, x_cat), y)
        self.manual_backward(loss / self.accumulate)
        if (batch_idx + 1) % self.accumulate == 0:
            self.clip_gradients(opt_dense, gradient_clip_val=1.0, gradient_clip_algorithm="norm")
            opt_emb.step()
            opt_dense.step()
            opt_emb.zero_grad()
            opt_dense.zero_grad()
        self.log("train_loss", loss, prog_bar=False)

    def on_train_epoch_end(self):
        self.lr_schedulers().step()

    def validation_step(self, batch, batch_idx):
        x_num, x_cat, y = batch
        s = self(x_num, x_cat)
        self.log("val_loss", F.binary_cross_entropy_with_logits(s, y))
        self.val_scores.append(s.detach())
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        s, y = torch.cat(self.val_scores), torch.cat(self.val_targets)
        self.val_scores.clear(); self.val_targets.clear()
        auc = roc_auc_score(y.numpy(), s.numpy())
        self.log("val_auc", auc)

    def configure_optimizers(self):
        emb_params = list(self.plan_emb.parameters()) + list(self.region_emb.parameters())
        opt_emb = torch.optim.Adagrad(emb_params, lr=0.05)
        opt_dense = torch.optim.AdamW(self.tower.parameters(), lr=3e-3, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.StepLR(opt_dense, step_size=4, gamma=0.5)
        return [opt_emb, opt_dense], [sched]


model = ChurnModel()
trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(ds(tr), batch_size=64, shuffle=True), DataLoader(ds(va), batch_size=512))
m = trainer.callback_metrics
majority = max(churn[va].mean(), 1 - churn[va].mean())
model.eval()
with torch.no_grad():
    v = ds(va).tensors
    acc = ((model(v[0], v[1]) > 0).float() == v[2]).float().mean().item()
print(f"final val_auc {m['val_auc']:.4f} val_loss {m['val_loss']:.4f} val_acc {acc:.4f} "
      f"(AUC of a constant score 0.5, majority accuracy {majority:.4f})")
