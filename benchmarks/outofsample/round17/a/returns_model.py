"""Return-propensity model for an apparel shop: score each order at checkout
with the probability that it will come back, so that the warehouse can hold
stock and customer service can offer a size check."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import roc_auc_score


def order_table(n, rng, settled=True):
    price = np.round(rng.lognormal(3.6, 0.5, n), 2)
    discount = rng.choice([0.0, 0.1, 0.2, 0.3, 0.5], n, p=[0.45, 0.2, 0.15, 0.12, 0.08])
    tenure = rng.exponential(400, n)
    past_rate = rng.beta(2, 6, n)
    ship_days = rng.integers(1, 9, n)
    fit = rng.normal(0, 1, n)
    n_items = rng.poisson(1.5, n) + 1
    sizes = rng.integers(1, 4, n)  # distinct sizes of the same item in the basket
    z = (-2.4 + 3.5 * past_rate + 0.9 * (sizes - 1) - 0.8 * fit + 1.6 * discount
         + 0.12 * ship_days - 0.0006 * tenure + 0.004 * (price - 40))
    returned = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    refund = np.where(returned == 1, price * n_items * rng.uniform(0.4, 1.0, n), 0.0)
    if not settled:
        refund[:] = 0.0
    return dict(order_id=np.arange(n), price=price, discount=discount,
                tenure_days=tenure, past_return_rate=past_rate,
                ship_days=ship_days, fit_score=fit, n_items=n_items,
                sizes_in_basket=sizes, refund_amount=refund,
                returned=returned)


class ReturnScorer(L.LightningModule):
    def __init__(self, n_in, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
        self.loss = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, y), prog_bar=False)
        self.log("val_acc", ((logits > 0).float() == y).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
        return [opt], [sched]


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    history = order_table(6000, rng)
    feature_cols = [c for c in history if c not in ("order_id", "returned")]

    order = rng.permutation(len(history["order_id"]))
    n_val = 1200
    val_df = {c: v[order[:n_val]] for c, v in history.items()}
    train_df = {c: v[order[n_val:]] for c, v in history.items()}
    mu = np.array([train_df[c].mean() for c in feature_cols])
    sd = np.array([train_df[c].std() for c in feature_cols]) + 1e-6

    def tensors(df):
        x = ((np.stack([df[c] for c in feature_cols], 1) - mu) / sd).astype(np.float32)
        return torch.tensor(x), torch.tensor(df["returned"].astype(np.float32))

    train_dl = DataLoader(TensorDataset(*tensors(train_df)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(*tensors(val_df)), batch_size=256)

    model = ReturnScorer(len(feature_cols))
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")

    # backtest: last month's orders as they looked at checkout, outcomes known now
    live = order_table(3000, np.random.default_rng(12), settled=False)
    live_outcome = order_table(3000, np.random.default_rng(12))["returned"]
    x_live, _ = tensors(live)
    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(x_live)).numpy()
    acc = ((p > 0.5) == live_outcome).mean()
    print(f"checkout backtest: auc {roc_auc_score(live_outcome, p):.4f} acc {acc:.4f}")


if __name__ == "__main__":
    main()
