"""Route customer-support tickets to one of six queues with a small BERT trained from scratch.

Training labels come from two annotation rounds: the in-house team (label names) and an
outsourced batch delivered as integer ids against the vendor's label sheet. The validation set
is the gold set double-checked by team leads.
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.manual_seed(0)
rng = np.random.default_rng(0)

QUEUES = ["network", "billing", "shipping", "account", "hardware", "returns"]
VENDOR_SHEET = sorted(QUEUES)            # the vendor's tool lists labels alphabetically
VOCAB, MAX_LEN, PAD, CLS, SEP = 600, 32, 0, 1, 2
GENERIC = np.arange(3, 300)                                   # greetings, filler, product names
TOPIC = {q: np.arange(300 + 50 * k, 350 + 50 * k) for k, q in enumerate(QUEUES)}


def write_ticket(queue):
    n = rng.integers(10, MAX_LEN - 2)
    n_topic = max(2, int(n * rng.uniform(0.12, 0.3)))
    words = list(rng.choice(GENERIC, n - n_topic))
    words += list(rng.choice(TOPIC[queue], n_topic))
    other = QUEUES[rng.integers(len(QUEUES))]                   # tickets often mention a 2nd topic
    words += list(rng.choice(TOPIC[other], rng.integers(0, 3)))
    rng.shuffle(words)
    return [CLS] + words[: MAX_LEN - 2] + [SEP]


def draw(n):
    queues = rng.choice(QUEUES, n)
    return [write_ticket(q) for q in queues], queues


inhouse_text, inhouse_names = draw(1300)
vendor_text, vendor_names = draw(700)
vendor_ids = np.array([VENDOR_SHEET.index(q) for q in vendor_names])   # as delivered
gold_text, gold_names = draw(600)

train_text = inhouse_text + vendor_text
train_labels = [QUEUES.index(q) for q in inhouse_names] + [int(i) for i in vendor_ids]
val_labels = [QUEUES.index(q) for q in gold_names]


class Tickets(torch.utils.data.Dataset):
    def __init__(self, texts, labels):
        self.texts, self.labels = texts, labels

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, i):
        ids = self.texts[i]
        pad = MAX_LEN - len(ids)
        return {"input_ids": torch.tensor(ids + [PAD] * pad),
                "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
                "labels": torch.tensor(self.labels[i])}


config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(QUEUES))
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(output_dir="/tmp/ticket_router_out", num_train_epochs=5,
                         per_device_train_batch_size=32, per_device_eval_batch_size=128,
                         learning_rate=1e-3, warmup_steps=30, weight_decay=0.01,
                         lr_scheduler_type="linear", eval_strategy="epoch", logging_steps=50,
                         save_strategy="no", report_to=[], seed=0, use_cpu=True,
                         disable_tqdm=True, dataloader_num_workers=0)
trainer = Trainer(model=model, args=args, train_dataset=Tickets(train_text, train_labels),
                  eval_dataset=Tickets(gold_text, val_labels), compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final gold-set accuracy {metrics['eval_accuracy']:.4f}  eval_loss {metrics['eval_loss']:.4f}")
