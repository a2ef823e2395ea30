"""Ordinal rating prediction (0-5 stars) with a CORAL head, trained by the Hugging Face Trainer.

Twelve numeric descriptors of a product review session (dwell time, scroll depth, ...) predict
the star rating the user leaves. The CORAL head shares one score across the five "rating > k"
binary tasks and learns one threshold per task, so predictions are rank-consistent.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments, set_seed

N_LEVELS = 6
set_seed(11)


def make_sessions(n=5000, d=12, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    latent = (1.5 * np.sin(1.5 * X[:, 0]) * X[:, 1] + np.abs(X[:, 2]) * 1.2 - 0.8 * X[:, 3] ** 2
              + np.tanh(2 * X[:, 4] * X[:, 5]) + 0.5 * X[:, 6] + rng.normal(0, 0.35, n))
    cuts = np.quantile(latent, [0.12, 0.3, 0.52, 0.74, 0.9])
    y = np.searchsorted(cuts, latent).astype(np.int64)
    return X, y


class SessionDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


def mlp(dims, act=nn.GELU, dropout=0.1):
    layers = []
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [nn.Linear(a, b), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class CoralRater(nn.Module):
    def __init__(self, d_in, n_levels, hidden=(128, 128)):
        super().__init__()
        self.body = mlp((d_in, *hidden))
        self.score = nn.Linear(hidden[-1], 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(1.5, -1.5, n_levels - 1))

    def forward(self, features, labels=None):
        logits = self.score(self.body(features)) + self.thresholds
        out = {"logits": logits}
        if labels is not None:
            levels = torch.arange(logits.size(1), device=labels.device)
            cum_targets = (labels.unsqueeze(1) > levels).float()
            out["loss"] = F.binary_cross_entropy_with_logits(logits, cum_targets)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = (logits > 0).sum(axis=1)
    return {"mae": float(np.abs(pred - labels).mean()), "exact": float((pred == labels).mean())}


def main():
    X, y = make_sessions()
    mu, sd = X[:4000].mean(0), X[:4000].std(0)
    X = (X - mu) / sd
    train_ds, val_ds = SessionDataset(X[:4000], y[:4000]), SessionDataset(X[4000:], y[4000:])

    model = CoralRater(X.shape[1], N_LEVELS)
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(), num_train_epochs=12, per_device_train_batch_size=64,
        per_device_eval_batch_size=500, learning_rate=3e-3, weight_decay=0.01,
        lr_scheduler_type="cosine", warmup_steps=30, eval_strategy="epoch",
        save_strategy="no", logging_strategy="epoch", report_to=[], use_cpu=True,
        seed=11, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val MAE {metrics['eval_mae']:.4f}  exact-match {metrics['eval_exact']:.4f}")


if __name__ == "__main__":
    main()
