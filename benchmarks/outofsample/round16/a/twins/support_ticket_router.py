"""Route customer-support tickets to one of six queues from their (tokenised) text,
with a small attention-pooled bag-of-embeddings encoder trained through the Hugging Face Trainer."""
import math

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

QUEUES = ["billing", "shipping", "returns", "account_access", "technical", "cancellation"]
VOCAB, SEQ_LEN, PAD = 3000, 40, 0


def make_tickets(n, rng):
    """Zipf background vocabulary plus a few queue-specific phrases per ticket."""
    keywords = {q: rng.choice(np.arange(50, 450), size=25, replace=False) for q in range(len(QUEUES))}
    labels = rng.integers(0, len(QUEUES), n)
    ids = np.zeros((n, SEQ_LEN), dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    for i, q in enumerate(labels):
        length = rng.integers(16, SEQ_LEN + 1)
        toks = np.minimum(rng.zipf(1.3, length) + 450, VOCAB - 1)
        n_kw = rng.integers(1, 4)
        pos = rng.choice(length, n_kw, replace=False)
        toks[pos] = rng.choice(keywords[q], n_kw)
        if rng.random() < 0.3:  # tickets often mention a second topic
            other = rng.integers(0, len(QUEUES))
            toks[rng.integers(0, length)] = rng.choice(keywords[other])
        ids[i, :length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class TicketEncoder(nn.Module):
    def __init__(self, d_model=128, n_classes=len(QUEUES)):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.score = nn.Linear(d_model, 1)
        self.proj = nn.Sequential(nn.Linear(d_model, d_model), nn.GELU(), nn.Dropout(0.1))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        x = self.embed(input_ids)
        att = self.score(x).squeeze(-1).masked_fill(attention_mask == 0, float("-inf"))
        pooled = (torch.softmax(att, dim=1).unsqueeze(-1) * x).sum(1)
        pooled = self.norm(pooled + self.proj(pooled))
        logits = self.head(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    ids, mask, labels = make_tickets(3600, rng)
    train_ds = TicketDataset(ids[:3000], mask[:3000], labels[:3000])
    val_ds = TicketDataset(ids[3000:], mask[3000:], labels[3000:])

    args = TrainingArguments(
        output_dir="/tmp/ticket_router_out",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        weight_decay=0.01,
        num_train_epochs=3,
        warmup_steps=20,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=50,
        report_to=[],
        use_cpu=True,
        seed=11,
        disable_tqdm=True,
    )
    trainer = Trainer(model=TicketEncoder(), args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val_loss {metrics['eval_loss']:.4f} val_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
