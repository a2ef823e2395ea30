"""Support-ticket routing with a small DistilBERT trained from scratch by the HF Trainer.

The corpus is synthetic: 8000-token vocabulary, tickets of 16-64 tokens, five queues. Each queue
has its own jargon (120 words) mixed into Zipfian filler, and a few words are shared by two
queues. Padding is dynamic per batch (DataCollatorWithPadding-style collator). Linear warm-up and
decay, weight decay, gradient accumulation and label smoothing via TrainingArguments; evaluation at
every epoch.
"""
import tempfile

import numpy as np
import torch
from transformers import (DistilBertConfig, DistilBertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

set_seed(11)
rng = np.random.default_rng(11)

VOCAB, PAD, CLS, SEP = 8000, 0, 1, 2
N_QUEUES = 5
filler = np.arange(10, VOCAB)
filler_p = 1.0 / np.arange(1, len(filler) + 1) ** 1.1
filler_p /= filler_p.sum()
jargon = rng.choice(np.arange(500, VOCAB), size=(N_QUEUES, 120), replace=False)
shared = rng.choice(np.arange(500, VOCAB), size=40, replace=False)   # ambiguous words


def make_ticket(q):
    L = int(rng.integers(16, 65))
    toks = rng.choice(filler, size=L, p=filler_p)
    n_j = max(1, int(rng.binomial(L, 0.12)))
    pos = rng.choice(L, size=n_j, replace=False)
    toks[pos] = rng.choice(jargon[q], size=n_j)
    if rng.random() < 0.5:
        toks[rng.integers(L)] = rng.choice(shared)
    return [CLS, *toks.tolist(), SEP]


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, N_QUEUES, n)
        self.docs = [make_ticket(q) for q in self.labels]

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        return {"input_ids": self.docs[i], "labels": int(self.labels[i])}


def collate(features):
    width = max(len(f["input_ids"]) for f in features)
    ids = torch.full((len(features), width), PAD, dtype=torch.long)
    mask = torch.zeros((len(features), width), dtype=torch.long)
    for i, f in enumerate(features):
        ids[i, : len(f["input_ids"])] = torch.tensor(f["input_ids"])
        mask[i, : len(f["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask,
            "labels": torch.tensor([f["labels"] for f in features])}


train_ds, val_ds = TicketDataset(2400), TicketDataset(600)

config = DistilBertConfig(vocab_size=VOCAB, dim=64, n_layers=2, n_heads=2, hidden_dim=128,
                          max_position_embeddings=80, dropout=0.1, attention_dropout=0.1,
                          seq_classif_dropout=0.1, num_labels=N_QUEUES, pad_token_id=PAD)
model = DistilBertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="tickets_"),
    num_train_epochs=4,
    per_device_train_batch_size=16,
    gradient_accumulation_steps=2,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=30,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    logging_strategy="epoch",
    save_strategy="no",
    report_to="none",
    disable_tqdm=True,
    use_cpu=True,
    seed=11,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  data_collator=collate, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"FINAL eval_accuracy {metrics['eval_accuracy']:.4f} eval_loss {metrics['eval_loss']:.4f} (chance 0.20)")
