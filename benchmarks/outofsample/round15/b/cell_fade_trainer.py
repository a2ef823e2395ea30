"""Capacity-fade regression for Li-ion cells, trained with the HF Trainer.

Each row summarises one cell's cycling protocol (cycles, temperature, charge and
discharge C-rates, depth of discharge, upper cut-off voltage, rest time,
calendar age). The target is the measured capacity loss in percent, standardised
on the training split. We use the Trainer so the run plugs into the team's
existing logging and scheduling setup.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging


def cycling_protocols(n, rng):
    cycles = rng.uniform(50, 1500, n)
    temp = rng.normal(30, 8, n)
    c_chg = rng.uniform(0.3, 3.0, n)
    c_dis = rng.uniform(0.3, 4.0, n)
    dod = rng.uniform(0.2, 1.0, n)
    v_max = rng.uniform(4.05, 4.35, n)
    rest = rng.exponential(20, n)
    age = rng.uniform(30, 900, n)
    sei = 0.9 * np.sqrt(age / 100) * np.exp((temp - 25) / 25)
    cyc = 0.006 * cycles * dod ** 1.3 * (1 + 0.35 * c_chg ** 1.5) * (1 + 0.12 * c_dis)
    plating = 2.5 * np.clip(c_chg - 1.5, 0, None) ** 2 * np.exp(-(temp - 15) / 10).clip(max=5)
    volt = 6 * (v_max - 4.05) * cycles / 1000
    fade = sei + cyc + plating + volt - 0.01 * rest
    fade += rng.normal(0, 0.4, n)
    X = np.column_stack([cycles, temp, c_chg, c_dis, dod, v_max, rest, age])
    return X.astype(np.float32), fade.astype(np.float32)


class CellDataset(Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class FadeRegressor(nn.Module):
    def __init__(self, n_features, widths=(128, 64)):
        super().__init__()
        dims = [n_features, *widths, 1]
        layers = []
        for k, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:])):
            layers.append(nn.Linear(d_in, d_out))
            if k < len(dims) - 1:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)
        self.loss_fn = nn.MSELoss()

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = self.loss_fn(pred, labels)
        return out


def main():
    hf_logging.set_verbosity_error()
    set_seed(3)
    rng = np.random.default_rng(5)
    X, y = cycling_protocols(4000, rng)
    n_tr = 3200
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    Xs = (X - x_mu) / x_sd
    ys = (y - y_mu) / y_sd
    train_ds = CellDataset(Xs[:n_tr], ys[:n_tr])
    val_ds = CellDataset(Xs[n_tr:], ys[n_tr:])

    args = TrainingArguments(
        output_dir=os.path.join(tempfile.gettempdir(), "cell_fade_run"),
        num_train_epochs=12,
        per_device_train_batch_size=64,
        per_device_eval_batch_size=512,
        learning_rate=2e-3,
        weight_decay=1e-4,
        warmup_steps=30,
        lr_scheduler_type="cosine",
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
        seed=3,
    )
    model = FadeRegressor(X.shape[1])
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
    trainer.train()

    pred = trainer.predict(val_ds).predictions
    resid = (pred - ys[n_tr:]) * y_sd
    r2 = 1 - (resid ** 2).mean() / ((y[n_tr:] - y[n_tr:].mean()) ** 2).mean()
    print(f"final val_r2 {r2:.4f} val_mae {np.abs(resid).mean():.3f} %-points")


if __name__ == "__main__":
    main()
