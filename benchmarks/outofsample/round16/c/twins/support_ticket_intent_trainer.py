"""Intent routing for customer-support tickets with a small BERT trained from scratch.

Tickets arrive pre-tokenised from the helpdesk's tokenizer (ids < 400). Labels come from two
annotation batches: the in-house team (also the source of the gold validation set) and an
external vendor whose export stores label ids in the vendor's own schema.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.manual_seed(0)
rng = np.random.default_rng(7)

INTENTS = ["billing", "login", "shipping", "refund", "bug_report", "account_change"]
VENDOR_SCHEMA = ["login", "billing", "refund", "shipping", "account_change", "bug_report"]
VOCAB, PAD, CLS, SEP, MAX_LEN = 400, 0, 1, 2, 24
common = np.arange(100, VOCAB)
zipf = 1.0 / np.arange(1, len(common) + 1) ** 0.9
zipf /= zipf.sum()
keywords = {c: np.arange(10 + 14 * c, 10 + 14 * (c + 1)) for c in range(len(INTENTS))}


def ticket(c):
    n = rng.integers(10, MAX_LEN - 2)
    toks = rng.choice(common, size=n, p=zipf)
    k = rng.integers(2, 4)
    pos = rng.choice(n, size=k + 1, replace=False)
    toks[pos[:k]] = rng.choice(keywords[c], size=k)
    for j in pos[k:]:
        toks[j] = rng.choice(keywords[(c + rng.integers(1, 6)) % 6])  # off-topic mentions
    return [CLS] + toks.tolist() + [SEP]


def annotate(n, schema):
    intents = rng.integers(0, len(INTENTS), size=n)
    texts = [ticket(c) for c in intents]
    ids = np.array([schema.index(INTENTS[c]) for c in intents])  # as stored in that team's export
    return texts, ids


inhouse_texts, inhouse_ids = annotate(1000, INTENTS)
vendor_texts, vendor_ids = annotate(500, VENDOR_SCHEMA)
gold_texts, gold_ids = annotate(500, INTENTS)

label2id = {name: i for i, name in enumerate(INTENTS)}
vendor_names = [VENDOR_SCHEMA[i] for i in vendor_ids]
train_texts = inhouse_texts + vendor_texts
train_labels = np.concatenate([inhouse_ids, [label2id[n] for n in vendor_names]])


class TicketDataset(Dataset):
    def __init__(self, texts, labels):
        self.texts, self.labels = texts, labels

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, i):
        ids = self.texts[i][:MAX_LEN]
        pad = MAX_LEN - len(ids)
        return {
            "input_ids": torch.tensor(ids + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(int(self.labels[i])),
        }


config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=32, num_labels=len(INTENTS),
                    id2label=dict(enumerate(INTENTS)), label2id=label2id)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/ticket_intent_run",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    warmup_steps=40,
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to=[],
    seed=0,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=TicketDataset(train_texts, train_labels),
                  eval_dataset=TicketDataset(gold_texts, gold_ids), compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final gold accuracy {metrics['eval_accuracy']:.4f}  eval_loss {metrics['eval_loss']:.4f}")
