"""Late-return risk for the city library's loans (Lightning).

Scores each new loan at checkout for the chance it comes back late, so the
branch can send a reminder. Trained on last year's closed loans exported from
the ILS; numeric columns standardised, flags kept 0/1, item type and branch one-hot.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from torchmetrics.classification import BinaryAUROC

torch.set_num_threads(1)
L.seed_everything(21, verbose=False)

ITEM_TYPES = ["adult_fiction", "adult_nonfiction", "children", "dvd", "audiobook", "graphic_novel"]
BRANCHES = ["central", "harbour", "northgate", "university", "riverside"]


def export_closed_loans(n, rng):
    item = rng.integers(0, len(ITEM_TYPES), n)
    branch = rng.integers(0, len(BRANCHES), n)
    patron_age = np.clip(rng.normal(41, 17, n), 6, 90)
    member_years = np.clip(rng.exponential(6.0, n), 0, 50)
    prior_loans = rng.poisson(3 + 2 * member_years)
    prior_late = rng.binomial(prior_loans, np.clip(rng.beta(1.5, 8, n), 0, 1))
    basket = 1 + rng.poisson(1.8, n)
    distance_km = rng.gamma(2.0, 2.2, n)
    holds = rng.poisson(np.where(item == 3, 2.5, 0.6))
    exam_season = rng.random(n) < 0.2
    renewals_allowed = (holds == 0).astype(float)
    logit = (-2.2 + 3.2 * (prior_late + 0.5) / (prior_loans + 2) + 0.9 * (item == 3) - 0.6 * (item == 2)
             + 0.18 * (basket - 2) + 0.07 * distance_km + 0.25 * holds
             + 0.8 * exam_season * (branch == 3) - 0.012 * (patron_age - 40) - 0.6 * renewals_allowed)
    late = rng.random(n) < 1 / (1 + np.exp(-logit))
    days_late = np.where(late, rng.geometric(0.18, n), 0)
    fine = np.minimum(0.25 * days_late * np.where(item == 3, 4, 1), 12.0)
    return {
        "loan_id": np.arange(n),
        "patron_age": patron_age,
        "member_years": member_years,
        "prior_loans": prior_loans.astype(float),
        "prior_late": prior_late.astype(float),
        "basket": basket.astype(float),
        "distance_km": distance_km,
        "holds_queue": holds.astype(float),
        "exam_season": exam_season.astype(float),
        "renewals_allowed": renewals_allowed,
        "fine_accrued": fine,
        "item_type": item,
        "branch": branch,
        "returned_late": late.astype(np.float32),
    }


rng = np.random.default_rng(21)
loans = export_closed_loans(5000, rng)
categorical = {"item_type": len(ITEM_TYPES), "branch": len(BRANCHES)}
flag_cols = ["exam_season", "renewals_allowed"]
numeric_cols = [c for c in loans if c not in ("loan_id", "returned_late", "fine_accrued", *flag_cols, *categorical)]

idx = rng.permutation(len(loans["loan_id"]))
tr_idx, va_idx = idx[:4000], idx[4000:]
num = np.column_stack([loans[c] for c in numeric_cols]).astype(np.float32)
mu, sd = num[tr_idx].mean(0), num[tr_idx].std(0)
num = (num - mu) / sd
flags = np.column_stack([loans[c] for c in flag_cols]).astype(np.float32)
onehots = [np.eye(k, dtype=np.float32)[loans[c]] for c, k in categorical.items()]
X = torch.from_numpy(np.concatenate([num, flags, *onehots], axis=1))
y = torch.from_numpy(loans["returned_late"])

train_loader = DataLoader(TensorDataset(X[tr_idx], y[tr_idx]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[va_idx], y[va_idx]), batch_size=1000)


class LateReturnModel(L.LightningModule):
    def __init__(self, d_in, hidden=64, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.val_auroc = BinaryAUROC()
        self.val_hits = []

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        xb, yb = batch
        loss = F.binary_cross_entropy_with_logits(self(xb), yb)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        xb, yb = batch
        logits = self(xb)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, yb), on_epoch=True)
        self.val_auroc.update(logits, yb.long())
        pred = (logits > 0).float()
        tpr = ((pred == 1) & (yb == 1)).sum() / (yb == 1).sum().clamp(min=1)
        tnr = ((pred == 0) & (yb == 0)).sum() / (yb == 0).sum().clamp(min=1)
        self.val_hits.append(0.5 * (tpr + tnr))

    def on_validation_epoch_end(self):
        self.log("val_auroc", self.val_auroc.compute())
        self.log("val_bal_acc", torch.stack(self.val_hits).mean())
        self.val_auroc.reset()
        self.val_hits.clear()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=1e-5)


model = LateReturnModel(X.shape[1])
trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)
m = trainer.callback_metrics
print(f"late-return share {y.mean():.3f}")
print(f"final train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}  "
      f"val AUROC {m['val_auroc']:.4f}  val balanced acc {m['val_bal_acc']:.4f}")
