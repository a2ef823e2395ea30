"""Support-ticket routing with a small BERT trained from scratch through the HF Trainer.

Tickets (simulated) are routed to one of four queues: billing, shipping, technical, account.
A word-level vocabulary is built from the training tickets.
"""
import os
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(21)
rng = np.random.default_rng(21)
QUEUES = ["billing", "shipping", "technical", "account"]
filler = [f"w{i}" for i in range(240)]
topic_words = {q: [f"{q[:3]}{i}" for i in range(18)] for q in QUEUES}
shared = [f"sh{i}" for i in range(12)]


def make_ticket(q):
    n = int(rng.integers(6, 28))
    words = list(rng.choice(filler, size=n))
    for _ in range(int(rng.integers(1, 4))):
        src = topic_words[q] if rng.random() < 0.8 else shared
        words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(src)))
    if rng.random() < 0.3:
        other = QUEUES[int(rng.integers(0, 4))]
        words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(topic_words[other])))
    return " ".join(words)


labels = rng.integers(0, 4, size=3000)
texts = [make_ticket(QUEUES[k]) for k in labels]
train_texts, val_texts = texts[:2400], texts[2400:]
train_labels, val_labels = labels[:2400], labels[2400:]

vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
for t in train_texts:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAX_LEN = 32


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, texts, labels, bucket=False):
        if bucket:
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            texts = [texts[i] for i in order]
        self.labels = [int(v) for v in labels]
        self.ids = []
        for t in texts:
            ids = [vocab["[CLS]"]] + [vocab.get(w, 1) for w in t.split()][: MAX_LEN - 1]
            self.ids.append(ids + [0] * (MAX_LEN - len(ids)))

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        ids = torch.tensor(self.ids[i])
        return {"input_ids": ids, "attention_mask": (ids != 0).long(), "labels": torch.tensor(self.labels[i])}


train_ds = TicketDataset(train_texts, train_labels, bucket=True)
val_ds = TicketDataset(val_texts, val_labels)

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=4)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir=os.path.join(tempfile.gettempdir(), "ticket_router"),
    num_train_epochs=3,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    warmup_steps=30,
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to=[],
    use_cpu=True,
    seed=21,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_acc {metrics['eval_accuracy']:.4f} val_loss {metrics['eval_loss']:.4f}")
