"""Seven-day stock-out risk per (pharmacy, SKU) for the replenishment planners.

~7% of SKU-weeks run out.  Features: days of cover, demand volatility, supplier lead
time and its spread, open purchase orders, fill rate, flu-season index, promotion flag,
shelf life, and a one-hot therapeutic group.  A class-weighted BCE keeps the minority
class in view; early stopping on validation loss; scored by ROC AUC and average precision.
"""
import numpy as np
import torch
import torch.nn as nn
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from sklearn.metrics import average_precision_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

N_GROUPS = 8


def sku_weeks(n, seed):
    rng = np.random.default_rng(seed)
    cover = rng.gamma(3.0, 4.0, n)                   # days of stock on hand / mean daily demand
    demand_cv = rng.gamma(2.0, 0.25, n)
    lead = rng.choice([2, 3, 5, 7, 10], n, p=[0.3, 0.3, 0.2, 0.15, 0.05]).astype(float)
    lead_sd = lead * rng.uniform(0.05, 0.5, n)
    open_po = (rng.random(n) < 0.55).astype(float)
    fill_rate = np.clip(rng.beta(12, 1.5, n), 0.5, 1)
    flu = np.clip(rng.normal(0.4, 0.3, n), 0, 1)
    promo = (rng.random(n) < 0.1).astype(float)
    shelf_life = rng.choice([90, 180, 365, 730], n).astype(float)
    group = rng.integers(0, N_GROUPS, n)
    group_risk = np.array([0.0, 0.3, -0.2, 0.8, 0.1, -0.4, 0.5, 0.0])[group]
    effective_cover = cover - (lead + 1.5 * lead_sd) * (1 - 0.8 * open_po * fill_rate)
    z = (-1.2 * effective_cover / (1 + 3 * demand_cv) + 1.8 * flu * (group == 3) + 1.1 * promo
         + group_risk - 2.6 + rng.normal(0, 0.6, n))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    onehot = np.eye(N_GROUPS, dtype=np.float32)[group]
    num = np.stack([cover, demand_cv, lead, lead_sd, fill_rate, flu, np.log(shelf_life)], 1).astype(np.float32)
    flags = np.stack([open_po, promo], 1).astype(np.float32)
    return num, flags, onehot, y


class StockoutModel(L.LightningModule):
    def __init__(self, n_in, pos_weight, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 1),
        )
        self.loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
        self.val_scores, self.val_targets = [], []

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y), prog_bar=False)
        self.val_scores.append(torch.sigmoid(logits))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        s = torch.cat(self.val_scores).numpy()
        t = torch.cat(self.val_targets).numpy()
        self.val_scores.clear()
        self.val_targets.clear()
        if t.min() != t.max():
            self.log("val_auc", float(roc_auc_score(t, s)))
            self.log("val_ap", float(average_precision_score(t, s)))

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    L.seed_everything(8, verbose=False)
    num_tr, fl_tr, oh_tr, y_tr = sku_weeks(6000, seed=1)
    num_va, fl_va, oh_va, y_va = sku_weeks(2000, seed=2)
    mu, sd = num_tr.mean(0), num_tr.std(0)
    X_tr = np.hstack([(num_tr - mu) / sd, fl_tr, oh_tr])
    X_va = np.hstack([(num_va - mu) / sd, fl_va, oh_va])
    prevalence = y_tr.mean()
    print(f"train prevalence {prevalence:.3f}")

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=128, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=1000)

    model = StockoutModel(X_tr.shape[1], pos_weight=float((1 - prevalence) / prevalence) ** 0.5)
    trainer = L.Trainer(
        max_epochs=25, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
        callbacks=[EarlyStopping(monitor="val_loss", patience=4, mode="min")],
    )
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"stopped after {trainer.current_epoch} epochs")
    print(f"final val ROC AUC {m['val_auc']:.4f}, average precision {m['val_ap']:.4f} (prevalence {y_va.mean():.3f})")


if __name__ == "__main__":
    main()
