"""A tiny BERT trained from scratch with the HF Trainer on synthetic reviews.

Token sequences over a 60-token vocabulary: ids 3-12 are "positive" words, 13-22
"negative" words, the rest neutral filler. A review is positive when it holds
more positive than negative words (ties are resampled).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(0)

VOCAB, SEQ = 60, 24
PAD, CLS = 0, 1
POS, NEG = np.arange(3, 13), np.arange(13, 23)


def make_split(n, rng):
    ids = np.empty((n, SEQ - 1), dtype=np.int64)
    labels = np.empty(n, dtype=np.int64)
    for i in range(n):
        while True:
            n_pos, n_neg = rng.integers(0, 5, size=2)
            if n_pos != n_neg:
                break
        row = rng.integers(23, VOCAB, size=SEQ - 1)
        slots = rng.permutation(SEQ - 1)[:n_pos + n_neg]
        row[slots[:n_pos]] = rng.choice(POS, n_pos)
        row[slots[n_pos:]] = rng.choice(NEG, n_neg)
        ids[i], labels[i] = row, int(n_pos > n_neg)
    ids = np.concatenate([np.full((n, 1), CLS), ids], axis=1)
    return ids, labels


class ReviewDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids = torch.as_tensor(ids, dtype=torch.long)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i],
                "attention_mask": torch.ones(SEQ, dtype=torch.long),
                "labels": self.labels[i]}


rng = np.random.default_rng(0)
train_ds = ReviewDataset(*make_split(2000, rng))
eval_ds = ReviewDataset(*make_split(600, rng))

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128,
                    max_position_embeddings=SEQ, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/bert_reviews_out",
    num_train_epochs=3,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=3e-4,
    warmup_steps=50,
    weight_decay=0.01,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to=[],
    use_cpu=True,
    seed=0,
    disable_tqdm=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                  eval_dataset=eval_ds, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")
