"""PM3 paper machine: will the web break in the next 10 minutes?

Snapshots of twelve DCS tags pulled from the historian, one row per snapshot,
labelled 1 when a sheet break was logged within 10 minutes. Breaks are rare, so
most normal-running snapshots are thinned out before training, then an MLP is
fitted with the Hugging Face Trainer and scored on balanced accuracy.
"""
import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

SEED = 7
NEG_KEEP = 0.06          # share of normal-running snapshots we keep

TAGS = [
    "reel_speed_mpm", "draw_wire_press", "draw_press_dryer", "steam_dryer3_kpa",
    "reel_moisture_pct", "basis_weight_gsm", "headbox_consistency_pct", "couch_vacuum_kpa",
    "wet_end_ph", "retention_aid_lph", "felt_tension_knm", "press2_nip_knm",
]
NOMINAL = np.array([1180.0, 1.025, 1.031, 310.0, 7.5, 80.0, 0.92, 55.0, 7.4, 140.0, 3.2, 95.0])
SPREAD = np.array([25.0, 0.004, 0.005, 18.0, 0.6, 1.2, 0.05, 4.0, 0.15, 22.0, 0.25, 6.0])


def read_historian(n=16000, seed=SEED):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(TAGS)))
    upset = (1.2 * z[:, 1] - 0.9 * z[:, 2] + 0.8 * z[:, 6] * z[:, 7]
             + 0.9 * np.abs(z[:, 4]) + 0.7 * z[:, 10] - 0.6 * z[:, 3] * z[:, 0]
             + 0.5 * np.tanh(2 * z[:, 9]) + 0.8 * rng.standard_normal(n))
    p = 1.0 / (1.0 + np.exp(-(2.0 * upset - 9.5)))
    y = (rng.random(n) < p).astype(np.int64)
    X = NOMINAL + SPREAD * z
    return X.astype(np.float32), y


class Snapshots(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class BreakNet(nn.Module):
    def __init__(self, d_in, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), nn.GELU(),
            nn.Linear(width, width), nn.GELU(),
            nn.Linear(width, 2),
        )
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, features, labels=None):
        logits = self.net(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def compute_metrics(pred):
    logits, labels = pred.predictions, pred.label_ids
    yhat = logits.argmax(-1)
    return {"bal_acc": balanced_accuracy_score(labels, yhat), "f1_break": f1_score(labels, yhat)}


def main():
    set_seed(SEED)
    X, y = read_historian()
    rng = np.random.default_rng(SEED + 1)
    keep = (y == 1) | (rng.random(len(y)) > NEG_KEEP)
    X, y = X[keep], y[keep]
    print(f"snapshots kept: {len(y)}  breaks: {int(y.sum())} ({y.mean():.1%})")

    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    model = BreakNet(X.shape[1])
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            max_steps=700,
            per_device_train_batch_size=64,
            per_device_eval_batch_size=512,
            learning_rate=2e-3,
            weight_decay=1e-4,
            lr_scheduler_type="linear",
            warmup_steps=50,
            logging_steps=100,
            eval_strategy="no",
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            seed=SEED,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args,
                          train_dataset=Snapshots(X_tr, y_tr),
                          eval_dataset=Snapshots(X_va, y_va),
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val balanced_accuracy={metrics['eval_bal_acc']:.4f} "
          f"f1_break={metrics['eval_f1_break']:.4f}")


if __name__ == "__main__":
    main()
