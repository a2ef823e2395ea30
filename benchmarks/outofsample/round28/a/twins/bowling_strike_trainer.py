"""Bowling centre lane tracker: will the first ball of a frame be a strike?

Tracker export per delivery (ball speed, rev rate, launch/entry angles, boards, oil pattern ...).
A small MLP trained with the Hugging Face Trainer.
"""
import numpy as np
import torch
import torch.nn as nn
from transformers import Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

PATTERNS = ["house", "sport_short", "sport_long", "flat"]


def tracker_export(n=3000):
    speed = rng.normal(17.5, 1.2, n)                 # mph at pins
    revs = rng.normal(330, 70, n)                    # rpm
    launch = rng.normal(2.0, 1.5, n)                 # degrees
    arrows_board = rng.normal(12, 3, n)
    pattern = rng.integers(0, 4, n)
    lefty = (rng.random(n) < 0.15).astype(float)
    pocket_off = rng.normal(0, 1.6, n) + 0.25 * (pattern == 1) * (arrows_board - 12) / 3
    entry = 6.0 - 0.8 * np.abs(speed - 17.5 - 0.004 * (revs - 330)) + 0.003 * (revs - 330) \
        - 0.3 * (pattern == 3) + rng.normal(0, 0.5, n)
    logit = 1.3 - 1.1 * np.abs(pocket_off) + 0.45 * (entry - 5) + 0.2 * lefty * (pattern == 2)
    strike = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    pinfall = np.where(strike == 1, 10, np.clip(np.round(rng.normal(8, 1.3, n)), 3, 9))
    cols = {
        "speed_mph": speed, "rev_rpm": revs, "launch_deg": launch, "arrows_board": arrows_board,
        "pocket_offset_in": pocket_off, "entry_deg": entry, "lefty": lefty,
    }
    num = np.stack(list(cols.values()), 1)
    onehot = np.eye(4)[pattern]
    return num, onehot, strike


num, onehot, y = tracker_export()
perm = rng.permutation(len(y))
n_tr = int(0.8 * len(y))
tr, va = perm[:n_tr], perm[n_tr:]
mu, sd = num[tr].mean(0), num[tr].std(0)
X = np.concatenate([(num - mu) / sd, onehot], 1).astype(np.float32)


class Deliveries(torch.utils.data.Dataset):
    def __init__(self, idx):
        self.x = torch.from_numpy(X[idx])
        self.y = torch.from_numpy(y[idx])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "labels": self.y[i]}


class StrikeNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Dropout(0.1),
                                  nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 2))
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, features, labels=None):
        logits = self.body(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/bowling_strike_run", num_train_epochs=8, per_device_train_batch_size=64,
    per_device_eval_batch_size=256, learning_rate=2e-3, weight_decay=1e-4, lr_scheduler_type="linear",
    warmup_steps=20, eval_strategy="epoch", save_strategy="no", logging_strategy="epoch",
    report_to=[], use_cpu=True, seed=3, disable_tqdm=True,
)
trainer = Trainer(model=StrikeNet(X.shape[1]), args=args, train_dataset=Deliveries(tr),
                  eval_dataset=Deliveries(va), compute_metrics=compute_metrics)
trainer.train()
res = trainer.evaluate()
print(f"final eval_loss {res['eval_loss']:.4f}  eval_accuracy {res['eval_accuracy']:.4f}")
