"""Route support tickets to one of four queues with a small BERT trained from scratch.

Tickets are synthetic token streams: each queue has its own keyword vocabulary that shows up
a few times inside filler text shared by all queues.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

VOCAB = 600
SEQ_LEN = 48
N_QUEUES = 4
PAD, CLS, SEP = 0, 1, 2


def make_tickets(n, rng):
    kw = [np.arange(10 + 25 * q, 10 + 25 * (q + 1)) for q in range(N_QUEUES)]  # per-queue keywords
    filler = np.arange(200, VOCAB)
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = rng.integers(0, N_QUEUES, size=n)
    for i in range(n):
        length = rng.integers(20, SEQ_LEN - 1)
        body = rng.choice(filler, size=length)
        n_kw = rng.integers(2, 5)
        pos = rng.choice(length, size=n_kw, replace=False)
        body[pos] = rng.choice(kw[labels[i]], size=n_kw)
        # a distractor keyword from another queue now and then
        if rng.random() < 0.3:
            other = (labels[i] + rng.integers(1, N_QUEUES)) % N_QUEUES
            body[rng.integers(length)] = rng.choice(kw[other])
        seq = np.concatenate([[CLS], body, [SEP]])
        ids[i, :len(seq)] = seq
        mask[i, :len(seq)] = 1
    return ids, mask, labels


class TicketDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    train_ds = TicketDataset(*make_tickets(1600, rng))
    val_ds = TicketDataset(*make_tickets(400, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=64, num_labels=N_QUEUES)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=4,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=3e-2,
            weight_decay=0.01,
            warmup_steps=20,
            logging_steps=25,
            eval_strategy="epoch",
            save_strategy="no",
            report_to=[],
            seed=0,
            use_cpu=True,
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                          eval_dataset=val_ds, compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val_loss={metrics['eval_loss']:.4f} val_acc={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
