"""Mushroom farm: predict the grade of a growing room's next flush (A / B / C) from the
room's climate log summary and the substrate batch, so that picking crews and packhouse
slots can be booked a week ahead. Trained with the Hugging Face Trainer on a small
tabular network; the held-out test is the last weeks' rooms, scored at booking time."""
import tempfile

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

COLUMNS = ["co2_ppm", "air_temp", "rh", "casing_moisture", "days_since_pinning",
           "substrate_n_pct", "spawn_rate", "airflow", "packhouse_rejects_kg", "room_age_years"]


def grow_rooms(n):
    co2 = rng.normal(1100, 180, n)
    temp = rng.normal(17.5, 0.9, n)
    rh = rng.normal(88, 3, n)
    casing = rng.normal(78, 4, n)
    pin_days = rng.integers(6, 14, n).astype(float)
    subst_n = rng.normal(2.2, 0.18, n)
    spawn = rng.normal(0.65, 0.08, n)
    airflow = rng.normal(0.25, 0.05, n)
    age = rng.uniform(0, 25, n)
    score = (-0.004 * (co2 - 1100) - 0.9 * np.abs(temp - 17.5) + 0.15 * (rh - 88)
             + 0.12 * (casing - 78) + 3.5 * (subst_n - 2.2) + 4 * (spawn - 0.65)
             - 0.03 * age + rng.normal(0, 0.8, n))
    grade = 2 - np.digitize(score, [-0.8, 0.6])           # 0 = A, 1 = B, 2 = C
    rejects = 40 + 55 * grade + rng.normal(0, 12, n)      # kg, from the packhouse log
    X = np.column_stack([co2, temp, rh, casing, pin_days, subst_n, spawn, airflow, rejects, age])
    return X.astype(np.float32), grade.astype(np.int64)


X_hist, y_hist = grow_rooms(3000)
X_test, y_test = grow_rooms(800)
X_test[:, COLUMNS.index("packhouse_rejects_kg")] = np.nan   # packhouse log not in yet for the latest weeks

FEATURES = [c for c in COLUMNS if c != "packhouse_rejects_kg"]
cols = [COLUMNS.index(c) for c in FEATURES]

X_tr, y_tr = X_hist[:2400][:, cols], y_hist[:2400]
X_va, y_va = X_hist[2400:][:, cols], y_hist[2400:]
X_te = X_test[:, cols]
med = np.nanmedian(X_tr, axis=0)
X_te = np.where(np.isnan(X_te), med, X_te)
mu, sd = X_tr.mean(0), X_tr.std(0)


class RoomSet(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X = torch.from_numpy(((X - mu) / sd).astype(np.float32))
        self.y = torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class GradeNet(nn.Module):
    def __init__(self, n_in, n_classes=3, width=96):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, width), nn.GELU(), nn.LayerNorm(width),
                                  nn.Linear(width, width), nn.GELU(), nn.Dropout(0.1))
        self.head = nn.Linear(width, n_classes)

    def forward(self, features, labels=None):
        logits = self.head(self.body(features))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


model = GradeNet(len(FEATURES))
with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(output_dir=out, num_train_epochs=10, per_device_train_batch_size=32,
                             per_device_eval_batch_size=256, learning_rate=2e-3, weight_decay=1e-4,
                             warmup_steps=50, lr_scheduler_type="cosine", eval_strategy="epoch",
                             logging_strategy="epoch", save_strategy="no", report_to="none",
                             use_cpu=True, seed=3, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=RoomSet(X_tr, y_tr),
                      eval_dataset=RoomSet(X_va, y_va), compute_metrics=accuracy)
    trainer.train()
    val = trainer.evaluate()
    test = trainer.evaluate(RoomSet(X_te, y_test), metric_key_prefix="test")
print(f"val accuracy {val['eval_accuracy']:.4f}")
print(f"final test accuracy {test['test_accuracy']:.4f}")
