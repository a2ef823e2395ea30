"""Residential sale prices (log scale) with a tabular MLP trained through the HF Trainer.

Features: living area, lot size, rooms, age, renovation flag, distance to centre, floor,
and a one-hot of the district. Target: log sale price, standardised on the training rows.
"""
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

DISTRICTS = 6


def synth_listings(n=2400, seed=5):
    rng = np.random.default_rng(seed)
    district = rng.integers(0, DISTRICTS, n)
    district_premium = np.array([0.35, 0.10, -0.05, 0.22, -0.20, 0.0])
    area = rng.lognormal(np.log(95), 0.35, n)
    rooms = np.clip(np.round(area / 28 + rng.normal(0, 0.7, n)), 1, 8)
    lot = np.where(rng.random(n) < 0.4, 0.0, rng.lognormal(np.log(350), 0.6, n))
    age = rng.gamma(2.0, 18.0, n)
    renovated = (rng.random(n) < np.clip(age / 120, 0.05, 0.6)).astype(float)
    dist = rng.gamma(2.5, 2.2, n)
    floor = np.where(lot > 0, 0, rng.integers(0, 12, n))
    log_price = (11.2 + 0.85 * np.log(area) + 0.04 * rooms + 0.08 * np.log1p(lot)
                 - 0.004 * age + 0.12 * renovated - 0.25 * np.log1p(dist) + 0.01 * floor
                 + district_premium[district] + 0.0025 * age * renovated
                 + rng.normal(0, 0.11, n))
    X = np.column_stack([np.log(area), rooms, np.log1p(lot), age, renovated, np.log1p(dist), floor]).astype(np.float32)
    onehot = np.eye(DISTRICTS, dtype=np.float32)[district]
    return X, onehot, log_price.astype(np.float32)


class Listings(Dataset):
    def __init__(self, num, cat, y):
        self.features = torch.from_numpy(np.concatenate([num, cat], axis=1))
        self.labels = torch.from_numpy(y)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"features": self.features[i], "labels": self.labels[i]}


class PriceMLP(nn.Module):
    def __init__(self, n_in, hidden=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
            nn.Softplus(),
        )

    def forward(self, features, labels=None):
        pred = self.body(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


def main():
    set_seed(21)
    num, cat, y = synth_listings()
    n_tr = 1900
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    num = (num - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    ys = (y - y_mu) / y_sd

    train_ds = Listings(num[:n_tr], cat[:n_tr], ys[:n_tr])
    val_ds = Listings(num[n_tr:], cat[n_tr:], ys[n_tr:])
    model = PriceMLP(num.shape[1] + cat.shape[1])

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir, num_train_epochs=12, per_device_train_batch_size=32,
            per_device_eval_batch_size=256, learning_rate=2e-3, weight_decay=1e-4,
            warmup_steps=30, lr_scheduler_type="linear", eval_strategy="epoch",
            logging_strategy="epoch", save_strategy="no", report_to="none", use_cpu=True,
            disable_tqdm=True, seed=21,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
        trainer.train()
        pred = trainer.predict(val_ds).predictions

    log_pred = pred * y_sd + y_mu
    log_true = y[n_tr:]
    rmse_log = float(np.sqrt(np.mean((log_pred - log_true) ** 2)))
    r2 = 1 - np.sum((log_pred - log_true) ** 2) / np.sum((log_true - log_true.mean()) ** 2)
    mape = float(np.mean(np.abs(np.exp(log_pred - log_true) - 1)))
    print(f"val RMSE(log price) {rmse_log:.4f}  R2 {r2:.4f}  MAPE {100 * mape:.1f}%")


if __name__ == "__main__":
    main()
