"""Textile dye house: route a vat operator's shift note to the right team.

Operators type a free-text note when a lot goes off-shade; the note is already
tokenised by the plant's word list (ids). Six destinations: water chemistry,
dosing pumps, temperature control, fabric prep, recipe/lab, maintenance.
A bag-of-embeddings classifier (masked sum of word vectors over sqrt(length), then
a linear layer) is trained with the HF Trainer: warm-up then linear decay, label
smoothing, and the Trainer's default gradient clipping.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(23)

TEAMS = ["water", "dosing", "temperature", "prep", "recipe", "maintenance"]
VOCAB = 600
PAD, CLS, SEP = 0, 1, 2
MAX_LEN = 32
rng = np.random.default_rng(23)

# each team has its own jargon ids; some jargon is shared between neighbouring teams
jargon = {k: rng.choice(np.arange(10, VOCAB), 14, replace=False) for k in range(len(TEAMS))}
shared = {(0, 4): rng.choice(np.arange(10, VOCAB), 6, replace=False),
          (1, 5): rng.choice(np.arange(10, VOCAB), 6, replace=False),
          (2, 3): rng.choice(np.arange(10, VOCAB), 6, replace=False)}
filler = np.arange(10, VOCAB)
negation = 5                                     # "not", flips a jargon word's meaning


def shift_note(team):
    length = rng.integers(10, MAX_LEN - 2)
    words = list(rng.choice(filler, length))
    n_key = rng.integers(3, 7)
    for _ in range(n_key):
        pos = rng.integers(0, length)
        words[pos] = rng.choice(jargon[team])
    for pair, ids in shared.items():
        if team in pair and rng.random() < 0.5:
            words[rng.integers(0, length)] = rng.choice(ids)
    if rng.random() < 0.25:                      # a negated mention of another team's issue
        other = rng.choice([k for k in range(len(TEAMS)) if k != team])
        pos = rng.integers(0, length - 1)
        words[pos], words[pos + 1] = negation, rng.choice(jargon[other])
    return [CLS] + [int(w) for w in words] + [SEP]


class NotesDataset(Dataset):
    def __init__(self, n):
        self.labels = rng.choice(len(TEAMS), n, p=[0.24, 0.2, 0.18, 0.16, 0.12, 0.1])
        self.ids = [shift_note(t) for t in self.labels]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.ids[i]
        pad = MAX_LEN - len(ids)
        return {
            "input_ids": torch.tensor(ids + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(int(self.labels[i])),
        }


def compute_metrics(pred):
    logits, labels = pred
    preds = logits.argmax(-1)
    recalls = [(preds[labels == k] == k).mean() for k in range(len(TEAMS))]
    return {"accuracy": float((preds == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


train_ds, val_ds = NotesDataset(3200), NotesDataset(400)


class NoteBagClassifier(nn.Module):
    def __init__(self, vocab, dim, n_labels):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(dim, n_labels))

    def forward(self, input_ids, attention_mask, labels=None):
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * mask).sum(1) / mask.sum(1).sqrt()
        logits = self.head(pooled)
        if labels is None:
            return {"logits": logits}
        return {"loss": nn.functional.cross_entropy(logits, labels, label_smoothing=0.1), "logits": logits}


model = NoteBagClassifier(VOCAB, 32, len(TEAMS))

workdir = tempfile.TemporaryDirectory(prefix="dyevat_notes_")
args = TrainingArguments(
    output_dir=workdir.name,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=5e-3,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    weight_decay=0.3,
    num_train_epochs=10,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to="none",
    use_cpu=True,
    seed=23,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"val accuracy {metrics['eval_accuracy']:.3f}  balanced accuracy {metrics['eval_balanced_accuracy']:.3f}")
