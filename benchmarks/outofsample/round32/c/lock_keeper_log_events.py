"""Tagging canal lock keepers' log entries with an event type.

Keepers write one short free-text line per event in the lock book. We train a
small BERT-style encoder from scratch (word-level vocabulary built from the
books themselves) with the Hugging Face Trainer: linear warm-up then decay,
mild label smoothing because keepers do not always agree on the category.
"""
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
SEED = 13
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

EVENTS = ["passage", "maintenance", "water_level", "incident", "closure"]
PHRASES = {
    "passage": ["narrowboat {d} through", "widebeam {d} worked through", "hire boat {d} single crew",
                "two boats shared lock {d}", "cruiser {d} needed help with paddles", "trip boat {d} on time"],
    "maintenance": ["greased gate {g} spindle", "replaced paddle {g} pawl", "cleared weed from cill",
                    "painted balance beam", "cleared rubbish from bywash", "checked gate {g} collar"],
    "water_level": ["pound above low by {n} inches", "ran water down from summit", "bywash running hard",
                    "level {n} inches over weir", "pound below dropping slowly", "back pumped {n} hours"],
    "incident": ["boat caught on cill", "crew member fell on lockside", "rope snapped in chamber",
                 "boat hung up on gate {g}", "windlass dropped in chamber", "dog fell in, recovered"],
    "closure": ["lock closed for stoppage", "closed pending inspection of gate {g}", "closed due to low pound",
                "padlocked overnight after vandalism", "closed, flood warning", "restricted hours, notice posted"],
}
FILLER = ["morning", "afternoon", "evening", "rain", "windy", "busy", "quiet", "noted", "ok", "again",
          "as usual", "reported to office", "see yesterday", "cold", "boaters informed", "logged"]
SHARED = {"gate {g} stiff": ["maintenance", "incident", "closure"],
          "paddle {g} left up": ["incident", "water_level"],
          "boats queuing at lock": ["passage", "closure"],
          "lock left full": ["passage", "water_level"],
          "gate {g} leaking badly": ["maintenance", "water_level", "closure"]}
CROSS = {"passage": "water_level", "maintenance": "closure", "water_level": "closure",
         "incident": "passage", "closure": "maintenance"}


def write_entry(rng):
    label = rng.randrange(len(EVENTS))
    name = EVENTS[label]
    shared = [p for p, owners in SHARED.items() if name in owners]
    pool = shared if rng.random() < 0.2 else PHRASES[name]
    words = rng.choice(pool).format(d=rng.choice(["up", "down"]), g=rng.choice(["top", "bottom"]),
                                             n=rng.randint(1, 18))
    if rng.random() < 0.35:                      # keepers often mention a related matter in passing
        words += " " + rng.choice(PHRASES[CROSS[name]]).format(d="up", g="top", n=rng.randint(1, 18))
    extra = rng.sample(FILLER, rng.randint(0, 3))
    parts = words.split() + " ".join(extra).split()
    if rng.random() < 0.25:
        rng.shuffle(parts)
    return " ".join(parts), label


rng = random.Random(SEED)
entries = [write_entry(rng) for _ in range(3000)]
vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
for text, _ in entries[:2400]:
    for w in text.split():
        vocab.setdefault(w, len(vocab))
MAX_LEN = 32


class LockBook(torch.utils.data.Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        text, label = self.rows[i]
        ids = [2] + [vocab.get(w, 1) for w in text.split()][:MAX_LEN - 1]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [0] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


train_ds, val_ds = LockBook(entries[:2400]), LockBook(entries[2400:])
config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(EVENTS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/lock_keeper_log_events", num_train_epochs=6, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=5e-4, warmup_steps=30, lr_scheduler_type="linear",
    weight_decay=0.01, label_smoothing_factor=0.1, eval_strategy="epoch", logging_steps=25,
    save_strategy="no", report_to=[], seed=SEED, disable_tqdm=True, use_cpu=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"validation accuracy {metrics['eval_accuracy']:.3f}  eval loss {metrics['eval_loss']:.3f}")
