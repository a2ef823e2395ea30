"""Origami diagram difficulty from fold-instruction sequences.

Each model in the archive is written as a sequence of fold instructions
("valley", "mountain", "squash", "sink", ...). Editors graded every model as
simple / intermediate / complex. We train a small BERT from a config with the
Hugging Face Trainer: linear warm-up then decay, label smoothing, eval per epoch.
"""
import random

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments)

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

BASIC = ["valley", "mountain", "fold_in_half", "unfold", "turn_over", "rotate"]
INTER = ["squash", "petal", "inside_reverse", "outside_reverse", "rabbit_ear"]
HARD = ["open_sink", "closed_sink", "swivel", "crimp", "spread_squash"]
NOUNS = ["corner", "edge", "flap", "point", "layer", "diagonal", "centre"]
SPECIAL = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
VOCAB = SPECIAL + BASIC + INTER + HARD + NOUNS
TOK = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 32


def make_diagram(rng):
    level = rng.choice(3, p=[0.4, 0.35, 0.25])
    n_steps = rng.integers(6, 15)
    p_inter = [0.05, 0.35, 0.30][level]
    p_hard = [0.0, 0.03, 0.35][level]
    words = []
    for _ in range(n_steps):
        u = rng.random()
        if u < p_hard:
            words.append(rng.choice(HARD))
        elif u < p_hard + p_inter:
            words.append(rng.choice(INTER))
        else:
            words.append(rng.choice(BASIC))
        if rng.random() < 0.6:
            words.append(rng.choice(NOUNS))
    return words[: MAX_LEN - 2], int(level)


class Diagrams(Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        words, label = self.items[i]
        ids = [TOK["[CLS]"]] + [TOK[w] for w in words] + [TOK["[SEP]"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [TOK["[PAD]"]] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


rng = np.random.default_rng(SEED)
items = [make_diagram(rng) for _ in range(1500)]
train_ds, val_ds = Diagrams(items[:1200]), Diagrams(items[1200:])

config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128,
                    max_position_embeddings=MAX_LEN, num_labels=3,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    acc = (logits.argmax(-1) == labels).mean()
    recalls = [(logits.argmax(-1)[labels == c] == c).mean() for c in range(3)]
    return {"accuracy": float(acc), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/origami_bert",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    num_train_epochs=5,
    learning_rate=1.5e-3,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to="none",
    use_cpu=True,
    seed=SEED,
    dataloader_num_workers=0,
    disable_tqdm=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
majority = max(np.bincount([lab for _, lab in items[1200:]])) / len(val_ds)
print(f"majority-class accuracy {majority:.3f}")
print(f"final val accuracy {metrics['eval_accuracy']:.3f} "
      f"balanced accuracy {metrics['eval_balanced_accuracy']:.3f}")
