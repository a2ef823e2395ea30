"""A tiny BERT trained from scratch with the HF Trainer to spot a 3-token motif.

Synthetic "log lines": token sequences over a 60-token vocabulary; a sequence is
positive when the motif 7-13-21 appears somewhere in it (in order, contiguous).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(0)

VOCAB, SEQ, MOTIF = 60, 32, (7, 13, 21)
PAD, CLS = 0, 1


def make_split(n, rng):
    ids = rng.integers(3, VOCAB, size=(n, SEQ - 1))
    labels = rng.integers(0, 2, size=n)
    for i in range(n):
        # remove accidental motifs first
        for j in range(SEQ - 3):
            if tuple(ids[i, j:j + 3]) == MOTIF:
                ids[i, j] = 3
        if labels[i]:
            j = rng.integers(0, SEQ - 3)
            ids[i, j:j + 3] = MOTIF
        else:  # decoys: the motif tokens, but shuffled
            j = rng.integers(0, SEQ - 3)
            ids[i, j:j + 3] = rng.permutation(MOTIF)
            if tuple(ids[i, j:j + 3]) == MOTIF:
                ids[i, j:j + 3] = MOTIF[::-1]
    ids = np.concatenate([np.full((n, 1), CLS), ids], axis=1)
    return ids, labels


class MotifDataset(Dataset):
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
train_ds = MotifDataset(*make_split(3000, rng))
eval_ds = MotifDataset(*make_split(600, rng))

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128,
                    max_position_embeddings=SEQ, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/bert_motif_out",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=5e-4,
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
