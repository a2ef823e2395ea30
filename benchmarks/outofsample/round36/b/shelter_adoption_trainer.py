"""Will a dog taken in by the shelter network be adopted within 30 days?

Tabular MLP trained with the Hugging Face Trainer on the network's case-management
export (one row per intake, outcome known). The model is meant to score dogs at intake
so that slow-to-place dogs get foster and promotion early; the last block of the script
scores the intake snapshot of the most recent month, whose outcomes came in later.
"""
import tempfile

import numpy as np
import torch
from torch import nn
from sklearn.metrics import balanced_accuracy_score
from transformers import Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

BREED_GROUPS = ["herding", "hound", "terrier", "toy", "working", "sporting", "bully", "mixed"]


def case_records(n, at_intake=False):
    age_m = np.clip(rng.gamma(2.2, 18.0, n), 2, 180)
    weight_kg = np.clip(rng.normal(18, 9, n), 2, 60)
    breed = rng.integers(0, len(BREED_GROUPS), n)
    stray = rng.random(n) < 0.45
    bite_hist = rng.random(n) < 0.07
    heartworm = rng.random(n) < 0.12
    photo_q = rng.normal(0, 1, n)
    intake_dow = rng.integers(0, 7, n)
    kennel_stress = rng.normal(0, 1, n)
    breed_eff = np.array([0.3, -0.1, 0.0, 0.9, -0.2, 0.5, -0.9, 0.1])[breed]
    logit = (1.2 - 0.025 * age_m - 0.03 * (weight_kg - 18) + breed_eff - 0.4 * stray
             - 1.8 * bite_hist - 0.7 * heartworm + 0.8 * photo_q - 0.5 * kennel_stress)
    adopted = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    vet_fee = np.zeros(n) if at_intake else np.where(adopted == 1, rng.normal(85, 12, n), 0.0)
    cols = {
        "age_m": age_m, "weight_kg": weight_kg, "stray": stray.astype(float),
        "bite_hist": bite_hist.astype(float), "heartworm": heartworm.astype(float),
        "photo_q": photo_q, "kennel_stress": kennel_stress,
        "weekend_intake": (intake_dow >= 5).astype(float),
        "vet_fee_total": vet_fee,
    }
    onehot = np.eye(len(BREED_GROUPS))[breed]
    return cols, onehot, adopted


FEATURES = ["age_m", "weight_kg", "stray", "bite_hist", "heartworm", "photo_q",
            "kennel_stress", "weekend_intake", "vet_fee_total"]
CONTINUOUS = ["age_m", "weight_kg", "photo_q", "kennel_stress", "vet_fee_total"]

hist_cols, hist_breed, hist_y = case_records(2400)
snap_cols, snap_breed, snap_y = case_records(800, at_intake=True)

perm = rng.permutation(len(hist_y))
tr_idx, va_idx = perm[:1900], perm[1900:]
stats = {c: (hist_cols[c][tr_idx].mean(), hist_cols[c][tr_idx].std() + 1e-6) for c in CONTINUOUS}


def design(cols, breed):
    parts = []
    for c in FEATURES:
        v = cols[c]
        if c in stats:
            v = (v - stats[c][0]) / stats[c][1]
        parts.append(v[:, None])
    return np.concatenate(parts + [breed], 1).astype(np.float32)


X_hist = design(hist_cols, hist_breed)
X_snap = design(snap_cols, snap_breed)


class CaseDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class AdoptionMLP(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 64), nn.GELU(), nn.Dropout(0.1),
                                  nn.Linear(64, 32), nn.GELU(), nn.Linear(32, 2))

    def forward(self, features, labels=None):
        logits = self.body(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    return {"accuracy": float((pred == labels).mean()),
            "balanced_accuracy": float(balanced_accuracy_score(labels, pred))}


train_ds = CaseDataset(X_hist[tr_idx], hist_y[tr_idx])
val_ds = CaseDataset(X_hist[va_idx], hist_y[va_idx])
model = AdoptionMLP(X_hist.shape[1])

with tempfile.TemporaryDirectory() as out_dir:
    args = TrainingArguments(
        output_dir=out_dir, num_train_epochs=12, per_device_train_batch_size=32,
        per_device_eval_batch_size=256, learning_rate=2e-3, weight_decay=1e-4,
        lr_scheduler_type="linear", warmup_steps=30, eval_strategy="epoch",
        save_strategy="no", logging_strategy="epoch", report_to=[], seed=3,
        use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    val_metrics = trainer.evaluate()

    snap_logits = trainer.predict(CaseDataset(X_snap, snap_y)).predictions
snap_bacc = balanced_accuracy_score(snap_y, snap_logits.argmax(-1))
print(f"val balanced_accuracy {val_metrics['eval_balanced_accuracy']:.4f} | "
      f"intake-snapshot balanced_accuracy {snap_bacc:.4f}")
