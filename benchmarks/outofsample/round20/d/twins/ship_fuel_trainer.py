"""Daily fuel consumption (t/day) of a bulk-carrier fleet from noon reports.

Features per report: speed over ground, draft, displacement, true wind speed, relative
wind angle, significant wave height, days since last hull cleaning, sea temperature,
trim and current along track. An MLP regressor trained with the Hugging Face Trainer.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

FEATURES = ["sog_kn", "draft_m", "displacement_t", "wind_ms", "rel_wind_deg",
            "wave_hs_m", "days_since_clean", "sea_temp_c", "trim_m", "current_kn"]


def noon_reports(n, seed):
    rng = np.random.default_rng(seed)
    sog = rng.uniform(9.5, 15.5, n)
    laden = rng.random(n) < 0.55
    draft = np.where(laden, rng.normal(12.2, 0.5, n), rng.normal(7.4, 0.6, n))
    disp = 9800 + 4300 * draft + rng.normal(0, 900, n)
    wind = rng.gamma(2.2, 3.6, n)
    angle = rng.uniform(0, 180, n)
    hs = np.clip(0.12 * wind + rng.gamma(1.5, 0.45, n), 0.1, None)
    days = rng.uniform(0, 640, n)
    sst = rng.uniform(4, 31, n)
    trim = rng.normal(0.3, 0.55, n)
    current = rng.normal(0, 0.7, n)
    stw = sog - current                                     # speed through water
    head = np.cos(np.deg2rad(angle))                        # 1 = head wind
    calm = 2.2e-4 * (disp / 1000) ** (2 / 3) * stw ** 3
    fouling = 1 + 0.00045 * days
    weather = 1 + 0.05 * hs ** 1.5 * (0.6 + 0.4 * head) + 0.0016 * wind ** 2 * np.clip(head, 0, None)
    trim_pen = 1 + 0.025 * (trim - 0.4) ** 2
    fuel = calm * fouling * weather * trim_pen * (1 - 0.002 * (sst - 15))
    fuel = fuel * np.exp(rng.normal(0, 0.03, n))
    X = np.stack([sog, draft, disp, wind, angle, hs, days, sst, trim, current], 1)
    return X.astype(np.float32), fuel.astype(np.float32)


class NoonReports(Dataset):
    def __init__(self, X, y):
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"x": self.X[i], "labels": self.y[i]}


class FuelMLP(nn.Module):
    def __init__(self, n_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x, labels=None):
        pred = self.net(x).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


def main():
    set_seed(11)
    X, fuel = noon_reports(4000, seed=11)
    n_tr = 3200
    X_tr, X_va = X[:n_tr], X[n_tr:]
    mu, sd = X_tr.mean(axis=0), X_tr.std(axis=0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_mu, y_sd = fuel[:n_tr].mean(), fuel[:n_tr].std()
    y_tr, y_va = (fuel[:n_tr] - y_mu) / y_sd, (fuel[n_tr:] - y_mu) / y_sd

    train_ds, val_ds = NoonReports(X_tr, y_tr), NoonReports(X_va, y_va)
    model = FuelMLP(X.shape[1])

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=25,
            per_device_train_batch_size=64,
            per_device_eval_batch_size=256,
            learning_rate=2e-3,
            weight_decay=1e-4,
            warmup_steps=50,
            lr_scheduler_type="cosine",
            eval_strategy="epoch",
            logging_strategy="epoch",
            save_strategy="no",
            report_to="none",
            disable_tqdm=True,
            use_cpu=True,
            seed=11,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
        trainer.train()
        pred = trainer.predict(val_ds).predictions

    pred_t = pred * y_sd + y_mu
    true_t = fuel[n_tr:]
    mae = np.abs(pred_t - true_t).mean()
    r2 = 1 - ((pred_t - true_t) ** 2).sum() / ((true_t - true_t.mean()) ** 2).sum()
    print(f"final val MAE {mae:.3f} t/day  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
