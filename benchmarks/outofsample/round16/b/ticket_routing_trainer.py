"""Support-ticket routing: classify a customer message into one of eight queues.

Small BERT-style encoder trained from scratch (BertConfig, no pretrained weights) with the
Hugging Face Trainer on a word-level tokenisation of the ticket text.
"""
import random
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

SEED = 21
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
hf_logging.set_verbosity_error()

QUEUES = {
    "billing_refund": "refund charged twice money back overcharged payment reversed",
    "password_reset": "password reset forgot login link email code",
    "shipping_delay": "package delivery late tracking courier shipped arrived",
    "cancel_subscription": "cancel subscription stop renewal end membership unsubscribe",
    "bug_report": "app crash error broken screen freezes bug",
    "upgrade_plan": "upgrade plan premium more storage tier pricing",
    "invoice_copy": "invoice receipt copy pdf vat statement",
    "account_locked": "locked blocked suspended access disabled verify",
}
FILLER = ("hi hello please thanks i my the a is was it to for on can you help need "
          "order account yesterday today again still why how what when service customer "
          "urgent asap team support week month").split()
SHARED = "account payment email app order plan".split()

names = list(QUEUES)
texts, labels = [], []
for _ in range(2000):
    q = np.random.randint(len(names))
    kw = QUEUES[names[q]].split()
    words = list(np.random.choice(FILLER, size=np.random.randint(6, 16)))
    words += list(np.random.choice(kw, size=np.random.randint(1, 4), replace=False))
    words += list(np.random.choice(SHARED, size=2))
    if np.random.rand() < 0.3:   # tickets that mention a second topic in passing
        words.append(np.random.choice(QUEUES[names[np.random.randint(len(names))]].split()))
    np.random.shuffle(words)
    texts.append(" ".join(words))
    labels.append(q)

vocab = {"[PAD]": 0, "[CLS]": 1, "[UNK]": 2}
for t in texts:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAXLEN = 24


def encode(text):
    ids = [1] + [vocab.get(w, 2) for w in text.split()][:MAXLEN - 1]
    mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
    return ids + [0] * (MAXLEN - len(ids)), mask


enc = [encode(t) for t in texts]
input_ids = np.array([e[0] for e in enc])
attention = np.array([e[1] for e in enc])
features = np.stack([input_ids, attention], 1)
y = np.array(labels)

X_train, X_val = train_test_split(features, test_size=0.2, random_state=SEED)
y_train, y_val = train_test_split(y, test_size=0.2)


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, feats, labels):
        self.feats, self.labels = feats, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.feats[i, 0]),
                "attention_mask": torch.tensor(self.feats[i, 1]),
                "labels": torch.tensor(self.labels[i])}


config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAXLEN,
                    num_labels=len(names))
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(output_dir="/tmp/ticket_routing_out", num_train_epochs=5,
                         per_device_train_batch_size=32, per_device_eval_batch_size=128,
                         learning_rate=1e-3, warmup_steps=40, weight_decay=0.01,
                         eval_strategy="epoch", save_strategy="no", logging_steps=20,
                         report_to="none", seed=SEED, use_cpu=True, disable_tqdm=True)
trainer = Trainer(model=model, args=args, train_dataset=TicketDataset(X_train, y_train),
                  eval_dataset=TicketDataset(X_val, y_val), compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_accuracy {metrics['eval_accuracy']:.4f}")
