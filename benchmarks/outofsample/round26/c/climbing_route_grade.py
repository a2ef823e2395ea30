"""Predict the setter's grade (V0-V6) of a bouldering problem from its move sequence.

A route is written by the setters' app as a sequence of move tokens: hold type x hold size x
reach bucket (e.g. "crimp/S/far"). Small 1-D CNN over the tokens, trained with the
Hugging Face Trainer so it plugs into the gym's existing training job.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

HOLDS = ["jug", "edge", "crimp", "sloper", "pinch", "pocket", "undercut", "volume"]
SIZES = ["S", "M", "L"]
REACH = ["close", "mid", "far", "dyno"]
PAD = 0
VOCAB = 1 + len(HOLDS) * len(SIZES) * len(REACH)
MAX_LEN = 24
N_GRADES = 7

HOLD_DIFF = np.array([0.0, 0.8, 1.6, 1.4, 1.0, 1.5, 0.9, 0.2])
SIZE_DIFF = np.array([0.9, 0.4, 0.0])
REACH_DIFF = np.array([0.0, 0.3, 0.9, 1.6])


def make_routes(n, rng):
    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    score = np.zeros(n)
    style = rng.dirichlet(np.ones(len(HOLDS)) * 0.7, size=n)
    for i in range(n):
        L = rng.integers(6, MAX_LEN + 1)
        h = np.array([rng.choice(len(HOLDS), p=style[i]) for _ in range(L)])
        s = rng.integers(0, 3, L)
        r = rng.choice(4, L, p=[0.35, 0.35, 0.22, 0.08])
        move = HOLD_DIFF[h] + SIZE_DIFF[s] * (h != 0) + REACH_DIFF[r] * (1.0 + 0.6 * (h == 3))
        crux = np.convolve(move, np.ones(3), mode="valid").max()      # hardest 3-move sequence
        score[i] = 0.55 * crux + 0.12 * move.mean() * np.log(L) + rng.normal(0, 0.15)
        ids[i, :L] = 1 + (h * len(SIZES) + s) * len(REACH) + r
        mask[i, :L] = 1
    return ids, mask, score


class RouteSet(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.as_tensor, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


class RouteCNN(nn.Module):
    def __init__(self, vocab=VOCAB, dim=32, channels=48, n_classes=N_GRADES):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.conv1 = nn.Conv1d(dim, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=3, padding=1)
        self.dropout = nn.Dropout(0.3)
        self.classifier = nn.Linear(2 * channels, n_classes)
        self.route_embedding = None

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(1).float()                       # (B, 1, T)
        h = self.embed(input_ids).transpose(1, 2)                      # (B, D, T)
        h = F.relu(self.conv1(h)) * m
        h = F.relu(self.conv2(h)) * m
        h_max = h.masked_fill(m == 0, -1e4).max(dim=2).values
        h_mean = h.sum(2) / m.sum(2)
        pooled = torch.cat([h_max, h_mean], dim=1)
        self.route_embedding = pooled.detach()                        # kept for the similar-routes search
        logits = self.classifier(self.dropout(self.route_embedding))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = F.cross_entropy(logits, labels)
        return out


def compute_metrics(pred):
    logits, labels = pred
    p = logits.argmax(-1)
    return {"accuracy": float((p == labels).mean()),
            "within_one": float((np.abs(p - labels) <= 1).mean())}


def main():
    set_seed(5)
    rng = np.random.default_rng(5)
    ids, mask, score = make_routes(4000, rng)
    n_tr = 3200
    cuts = np.quantile(score[:n_tr], np.linspace(0, 1, N_GRADES + 1)[1:-1])
    grade = np.digitize(score, cuts).astype(np.int64)
    train_ds = RouteSet(ids[:n_tr], mask[:n_tr], grade[:n_tr])
    val_ds = RouteSet(ids[n_tr:], mask[n_tr:], grade[n_tr:])

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="route_grade_"),
        num_train_epochs=8,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=256,
        learning_rate=2e-3,
        weight_decay=0.01,
        warmup_steps=30,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to=[],
        seed=5,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(model=RouteCNN(), args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    res = trainer.evaluate()
    print(f"final eval_loss {res['eval_loss']:.4f} accuracy {res['eval_accuracy']:.4f} "
          f"within_one {res['eval_within_one']:.4f}")


if __name__ == "__main__":
    main()
