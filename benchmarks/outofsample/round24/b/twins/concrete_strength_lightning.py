"""Ready-mix plant QA: predict cylinder compressive strength (MPa) from the mix.

The lab's register is exported with one row per cylinder: binder and
aggregate contents (kg/m3), admixture dose and test age (days). A small MLP is
trained with PyTorch Lightning on standardised inputs and targets; the next
quarter's cylinders are the final check.
"""
import numpy as np
import torch
import lightning as L
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 5
COLUMNS = ["cement", "slag", "fly_ash", "water", "superplasticizer", "coarse_agg", "fine_agg", "age_days"]


def lab_register(n, seed):
    rng = np.random.default_rng(seed)
    cement = rng.uniform(150, 520, n)
    slag = np.where(rng.random(n) < 0.5, rng.uniform(0, 300, n), 0.0)
    fly = np.where(rng.random(n) < 0.45, rng.uniform(0, 190, n), 0.0)
    water = rng.uniform(140, 225, n)
    sp = np.where(rng.random(n) < 0.6, rng.uniform(2, 28, n), 0.0)
    coarse = rng.uniform(800, 1120, n)
    fine = rng.uniform(600, 950, n)
    age = rng.choice([3, 7, 14, 28, 56, 90, 180], n, p=[.12, .18, .1, .35, .1, .1, .05])
    binder = cement + 0.75 * slag + 0.45 * fly
    wb = water / binder
    maturity = np.log1p(age) / np.log1p(28)
    strength = (105 * np.exp(-1.65 * wb) * maturity ** 0.9 * (1 + 0.012 * sp)
                - 0.01 * (fine - 775) + 0.004 * (coarse - 960) + rng.normal(0, 3.0, n))
    X = np.column_stack([cement, slag, fly, water, sp, coarse, fine, age]).astype(np.float32)
    y = np.clip(strength, 2, None).astype(np.float32)
    order = np.argsort(y)          # rows in the order the LIMS exports them
    return X[order], y[order]


class StrengthMLP(L.LightningModule):
    def __init__(self, d_in, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=25, gamma=0.3)
        return [opt], [sched]


def r2(pred, y):
    return 1 - np.mean((pred - y) ** 2) / np.var(y)


def main():
    L.seed_everything(SEED, verbose=False)
    X, y = lab_register(1400, seed=SEED)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, shuffle=True, random_state=SEED)
    X_next, y_next = lab_register(600, seed=SEED + 100)

    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()

    def loader(A, b, shuffle):
        ds = TensorDataset(torch.from_numpy((A - mu) / sd), torch.from_numpy((b - y_mu) / y_sd))
        return DataLoader(ds, batch_size=32, shuffle=shuffle)

    model = StrengthMLP(X.shape[1])
    trainer = L.Trainer(max_epochs=60, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, loader(X_tr, y_tr, True), loader(X_va, y_va, False))

    model.eval()
    with torch.no_grad():
        def predict(A):
            return model(torch.from_numpy((A - mu) / sd)).numpy() * y_sd + y_mu
        val_r2 = r2(predict(X_va), y_va)
        next_r2 = r2(predict(X_next), y_next)
        rmse = float(np.sqrt(np.mean((predict(X_next) - y_next) ** 2)))
    print(f"val R2 {val_r2:.4f}")
    print(f"final next-quarter R2={next_r2:.4f} RMSE={rmse:.2f} MPa")


if __name__ == "__main__":
    main()
