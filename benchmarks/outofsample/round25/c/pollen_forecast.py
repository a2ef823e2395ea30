"""Next-day grass-pollen change forecast (log grains/m^3, tomorrow minus today) for a network
of monitoring stations, from today's count, the weather forecast and season. HF Trainer on a custom MLP."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.set_num_threads(1)
set_seed(21)

MODEL_CONFIG = {"hidden_size": 96, "num_hidden_layers": 32, "activation": "tanh"}


def station_days(n, rng):
    doy = rng.integers(60, 260, n).astype(float)
    lat = rng.uniform(44, 56, n)
    peak = 150 + 2.5 * (lat - 50)
    season = np.exp(-((doy - peak) / 25) ** 2)
    today = np.log1p(season * rng.lognormal(3.5, 0.8, n))
    tmax = 8 + 16 * np.sin((doy - 80) / 365 * 2 * np.pi) + rng.normal(0, 3.5, n) - 0.6 * (lat - 50)
    rain = rng.gamma(0.6, 4.0, n) * (rng.random(n) < 0.45)
    wind_dir = rng.uniform(0, 2 * np.pi, n)
    wind = rng.gamma(3.0, 1.5, n)
    hum = np.clip(rng.normal(68, 12, n) + 1.5 * rain, 20, 100)
    sun = np.clip(rng.normal(7, 3, n) - 0.3 * rain, 0, 15)
    upwind_grass = rng.random(n)
    X = np.column_stack([today, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365), lat, tmax,
                         np.log1p(rain), wind * np.sin(wind_dir), wind * np.cos(wind_dir), hum, sun, upwind_grass])
    # target: tomorrow's log count minus today's
    warm = np.tanh((tmax - 17) / 4)
    washout = -1.2 * np.tanh(np.log1p(rain) * 1.5)
    advect = 0.12 * wind * np.cos(wind_dir - 0.8) * (2 * upwind_grass - 1)
    rising = np.sign(doy - peak) * -0.9 * season
    mean_rev = -0.35 * (today - 2.5 * season)
    y = (warm * (0.4 + season) + washout * (0.3 + 0.7 * (hum > 75)) + advect + rising + mean_rev
         + 0.04 * sun * (1 - season) + rng.normal(0, 0.12, n))
    return X.astype(np.float32), y.astype(np.float32)


class StationDays(Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class PollenMLP(nn.Module):
    def __init__(self, d_in, hidden_size, num_hidden_layers, activation="tanh"):
        super().__init__()
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[activation]
        layers, d = [], d_in
        for _ in range(num_hidden_layers):
            lin = nn.Linear(d, hidden_size)
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)
            layers += [lin, act()]
            d = hidden_size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)

    def forward(self, features, labels=None):
        pred = self.head(self.body(features)).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


def main():
    rng = np.random.default_rng(21)
    X, y = station_days(8000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:6400], idx[6400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    ys = (y - y_mu) / y_sd

    model = PollenMLP(X.shape[1], **MODEL_CONFIG)
    args = TrainingArguments(output_dir="/tmp/pollen_forecast_out", per_device_train_batch_size=64,
                             per_device_eval_batch_size=512, num_train_epochs=8, learning_rate=2e-3,
                             lr_scheduler_type="linear", warmup_steps=30, weight_decay=0.0,
                             logging_steps=100, eval_strategy="epoch", save_strategy="no",
                             report_to=[], disable_tqdm=True, use_cpu=True, seed=21,
                             dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=StationDays(X[tr], ys[tr]),
                      eval_dataset=StationDays(X[va], ys[va]))
    trainer.train()

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X[va]))["logits"].numpy() * y_sd + y_mu
    mae = np.abs(pred - y[va]).mean()
    r2 = 1 - ((pred - y[va]) ** 2).sum() / ((y[va] - y[va].mean()) ** 2).sum()
    print(f"val MAE (log change) {mae:.4f}  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
