"""Saddlery: how far to adjust a saddle's gullet plate for a horse, from a back-profile scan.

The fitter records a flexible-curve / scan profile (withers width 5 and 10 cm below the
top, wither height, back length, shoulder angle, topline muscle score, age, breed type)
and the width of the saddle currently ridden.  Target: gullet adjustment in mm
(negative = narrower plate, positive = wider), standardised on the training horses.
Trained with the Hugging Face Trainer so it sits next to the shop's other models.
"""
import tempfile

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

set_seed(21)
rng = np.random.default_rng(21)
BREEDS = ["warmblood", "thoroughbred", "cob", "arab", "pony"]


def fitting_records(n):
    breed = rng.integers(0, len(BREEDS), n)
    base_w = np.array([21.0, 19.0, 25.0, 20.0, 22.0])[breed]
    width5 = base_w + rng.normal(0, 1.6, n)                      # cm, 5 cm below withers
    width10 = width5 + np.array([7.5, 6.0, 9.5, 7.0, 8.5])[breed] + rng.normal(0, 1.2, n)
    height = np.array([168, 164, 152, 150, 138])[breed] + rng.normal(0, 5, n)
    back = np.array([52, 50, 48, 45, 42])[breed] + rng.normal(0, 3, n)
    shoulder = rng.normal(47, 4, n)                               # degrees
    muscle = rng.integers(1, 6, n)                                # topline score 1..5
    age = rng.uniform(4, 22, n)
    saddle = np.round(base_w + rng.normal(0, 1.8, n))             # current tree width, cm
    need = 0.55 * (width5 - saddle) * 10 + 0.35 * (width10 - width5 - 8) * 10
    need += 2.5 * (muscle - 3) + 0.12 * (shoulder - 47) ** 2 / 4 - 0.2 * (age - 12)
    need += rng.normal(0, 4.0, n)                                 # mm
    cont = np.stack([width5, width10, height, back, shoulder, muscle, age, saddle], 1)
    return cont, np.eye(len(BREEDS))[breed], need


cont, onehot, need = fitting_records(2200)
n_tr = 1800
cont = (cont - cont[:n_tr].mean(0)) / cont[:n_tr].std(0)
X = np.concatenate([cont, onehot], 1).astype(np.float32)
y = ((need - need[:n_tr].mean()) / need[:n_tr].std()).astype(np.float32)


class FittingSet(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class GulletRegressor(nn.Module):
    def __init__(self, sizes=(13, 96, 96, 1)):
        super().__init__()
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers = layers[:-1]
        self.net = nn.Sequential(*layers)
        self.loss_fn = nn.MSELoss()

    def forward(self, features, labels=None):
        pred = self.net(features).squeeze(-1)
        out = {"logits": pred}
        if labels is not None:
            out["loss"] = self.loss_fn(pred, labels)
        return out


def compute_metrics(eval_pred):
    pred, true = eval_pred.predictions, eval_pred.label_ids
    r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
    return {"r2": float(r2)}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="gullet_"),
    num_train_epochs=12,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=256,
    learning_rate=2e-3,
    weight_decay=1e-4,
    warmup_steps=30,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    logging_strategy="epoch",
    save_strategy="no",
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=21,
)
trainer = Trainer(model=GulletRegressor(), args=args,
                  train_dataset=FittingSet(X[:n_tr], y[:n_tr]),
                  eval_dataset=FittingSet(X[n_tr:], y[n_tr:]),
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_r2 {metrics['eval_r2']:.4f}  val_mse {metrics['eval_loss']:.4f}")
