"""Sentiment of short app reviews with a small BERT trained from scratch (HF Trainer).

Reviews are synthetic token sequences: a few hundred sentiment-bearing word ids among
neutral filler, with intensifiers that double the next word's weight.
"""
import os

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(21)
rng = np.random.default_rng(21)

VOCAB, SEQ, N = 600, 32, 3000
PAD, CLS, SEP = 0, 1, 2
polarity = np.zeros(VOCAB)
sentiment_ids = rng.choice(np.arange(10, VOCAB), size=120, replace=False)
polarity[sentiment_ids] = rng.choice([-1.0, 1.0], size=120) * rng.uniform(0.5, 1.5, 120)
intensifiers = set(rng.choice(np.setdiff1d(np.arange(10, VOCAB), sentiment_ids), 8, replace=False).tolist())


def make_review():
    length = rng.integers(12, SEQ - 2)
    toks = rng.integers(10, VOCAB, size=length)
    weight = polarity[toks].copy()
    boosted = np.isin(toks[:-1], list(intensifiers))
    weight[1:][boosted] *= 2
    ids = [CLS] + toks.tolist() + [SEP]
    mask = [1] * len(ids) + [0] * (SEQ - len(ids))
    ids = ids + [PAD] * (SEQ - len(ids))
    return ids, mask, int(weight.sum() > 0)


class ReviewDataset(torch.utils.data.Dataset):
    def __init__(self, n):
        rows = [make_review() for _ in range(n)]
        self.ids = torch.tensor([r[0] for r in rows])
        self.mask = torch.tensor([r[1] for r in rows])
        self.labels = torch.tensor([r[2] for r in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds, eval_ds = ReviewDataset(N), ReviewDataset(600)
print(f"positive share train {train_ds.labels.float().mean():.3f} eval {eval_ds.labels.float().mean():.3f}")

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/review_bert_c14",
    num_train_epochs=3,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-5,
    warmup_steps=30,
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to="none",
    use_cpu=True,
    dataloader_num_workers=0,
    disable_tqdm=True,
    seed=21,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval loss {metrics['eval_loss']:.4f}  accuracy {metrics['eval_accuracy']:.4f}")
