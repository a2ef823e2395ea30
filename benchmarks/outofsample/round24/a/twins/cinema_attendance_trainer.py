"""Cinema chain: forecast tickets sold per screening (Hugging Face Trainer).

One row per screening: weekday, showtime, weeks since release, genre, screen
size, premium format, school holiday, rain, and the title's previous-week
admissions index.  Target: tickets sold.
"""
import tempfile
import warnings

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
set_seed(21)
rng = np.random.default_rng(21)

N = 5000
weekday = rng.integers(0, 7, N)
hour = rng.choice([11.0, 13.5, 16.0, 18.5, 20.0, 21.5], N)
weeks_out = rng.integers(0, 9, N).astype(float)
genre = rng.integers(0, 5, N)                       # action, family, drama, horror, comedy
seats = rng.choice([180.0, 260.0, 420.0, 650.0], N)
premium = (rng.random(N) < 0.18).astype(float)
holiday = (rng.random(N) < 0.15).astype(float)
rain = (rng.random(N) < 0.3).astype(float)
buzz = rng.normal(0, 1, N)                          # previous-week admissions index

day_eff = np.array([0.55, 0.5, 0.6, 0.7, 1.05, 1.35, 1.2])[weekday]
hour_eff = np.interp(hour, [11, 13.5, 16, 18.5, 20, 21.5], [0.35, 0.5, 0.7, 1.1, 1.25, 0.8])
fam = genre == 1
hour_eff = np.where(fam, np.interp(hour, [11, 13.5, 16, 18.5, 20, 21.5], [0.9, 1.1, 1.0, 0.7, 0.4, 0.15]), hour_eff)
occupancy = (0.62 * day_eff * hour_eff * np.exp(-0.22 * weeks_out + 0.35 * buzz)
             * (1 + 0.5 * holiday * fam + 0.15 * rain + 0.2 * premium))
occupancy = np.clip(occupancy * rng.lognormal(0, 0.18, N), 0, 1)
tickets = np.round(occupancy * seats).astype(np.float32)

cont = np.column_stack([hour, weeks_out, seats, buzz])
Xc = np.column_stack([np.eye(7)[weekday], np.eye(5)[genre], premium, holiday, rain])
idx = rng.permutation(N)
tr, va = idx[:4000], idx[4000:]
c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
X = np.column_stack([(cont - c_mu) / c_sd, Xc]).astype(np.float32)
y_mu, y_sd = tickets[tr].mean(), tickets[tr].std()
y = (tickets - y_mu) / y_sd


class Screenings(Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class AttendanceModel(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


train_ds = Screenings(X[tr], y[tr])
val_ds = Screenings(X[va], y[va])
model = AttendanceModel(X.shape[1])

args = TrainingArguments(
    output_dir=tempfile.mkdtemp(),
    per_device_train_batch_size=64,
    per_device_eval_batch_size=256,
    learning_rate=1e-3,
    weight_decay=0.01,
    num_train_epochs=8,
    warmup_steps=30,
    lr_scheduler_type="cosine",
    logging_strategy="no",
    save_strategy="no",
    eval_strategy="epoch",
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=21,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
trainer.train()

pred = trainer.predict(val_ds).predictions * y_sd + y_mu
truth = tickets[va]
rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
r2 = 1 - np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"val eval_loss {trainer.state.log_history[-2].get('eval_loss', float('nan')):.3f}")
print(f"final val RMSE {rmse:.2f} tickets  R2 {r2:.4f}  (mean {truth.mean():.1f}, sd {truth.std():.1f})")
