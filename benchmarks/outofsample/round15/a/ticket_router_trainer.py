"""Route support tickets to one of five queues with a small BERT trained from scratch (HF Trainer).

Tokens come from a synthetic 800-word vocabulary: Zipf-distributed filler words plus a few
queue-specific keywords, some of them shared between queues.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

QUEUES = ["billing", "login", "shipping", "returns", "bug_report"]
VOCAB, SEQ, PAD, CLS, SEP = 800, 32, 0, 1, 2

set_seed(13)
rng = np.random.default_rng(13)
filler_p = 1.0 / np.arange(1, 601) ** 1.1
filler_p /= filler_p.sum()
keywords = {q: rng.choice(np.arange(600, VOCAB), 30, replace=False) for q in range(len(QUEUES))}


def ticket(q):
    n = rng.integers(10, SEQ - 2)
    words = rng.choice(np.arange(3, 603), n, p=filler_p)
    n_kw = rng.integers(1, 4)
    pos = rng.choice(n, n_kw, replace=False)
    words[pos] = rng.choice(keywords[q], n_kw)
    ids = np.full(SEQ, PAD)
    ids[0], ids[1:n + 1], ids[n + 1] = CLS, words, SEP
    return ids, n + 2


class Tickets(Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, len(QUEUES), n)
        rows = [ticket(q) for q in self.labels]
        self.ids = np.stack([r[0] for r in rows])
        self.lens = np.array([r[1] for r in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        mask = (np.arange(SEQ) < self.lens[i]).astype(np.int64)
        return {
            "input_ids": torch.tensor(self.ids[i]),
            "attention_mask": torch.tensor(mask),
            "labels": torch.tensor(self.labels[i]),
        }


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


train_ds, val_ds = Tickets(2400), Tickets(600)
config = BertConfig(
    vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
    intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(QUEUES),
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
)
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/r15a_ticket_router",
    num_train_epochs=4,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    warmup_steps=30,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    max_grad_norm=1.0,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to="none",
    use_cpu=True,
    seed=13,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, compute_metrics=accuracy)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
