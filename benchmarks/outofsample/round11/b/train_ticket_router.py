"""Route support tickets to a queue (billing / outage / account / shipping) with a small BERT
trained from scratch by the Hugging Face Trainer: label smoothing, linear warm-up and decay.

Tickets are pre-tokenised with the help-desk word-piece vocabulary (ids below 600).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

QUEUES = ["billing", "outage", "account", "shipping"]
VOCAB, MAX_LEN, PAD, CLS, SEP = 600, 32, 0, 1, 2


def synth_tickets(n, seed):
    """Bag of generic help-desk words plus a few queue-specific cue words (some shared)."""
    rng = np.random.default_rng(seed)
    cues = {q: rng.choice(np.arange(10, 110), 12, replace=False) for q in range(len(QUEUES))}
    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = rng.integers(0, len(QUEUES), n)
    for i in range(n):
        length = rng.integers(12, MAX_LEN - 1)
        body = rng.integers(110, VOCAB, length - 2)
        n_cues = rng.integers(2, 5)
        pos = rng.choice(np.arange(length - 2), n_cues, replace=False)
        body[pos] = rng.choice(cues[labels[i]], n_cues)
        if rng.random() < 0.25:                        # misleading cue from another queue
            other = (labels[i] + rng.integers(1, len(QUEUES))) % len(QUEUES)
            body[rng.integers(0, length - 2)] = rng.choice(cues[other])
        ids[i, :length] = np.concatenate([[CLS], body, [SEP]])
        mask[i, :length] = 1
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
    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    ids, mask, labels = synth_tickets(2200, seed=4)
    train_ds = TicketDataset(ids[:1800], mask[:1800], labels[:1800])
    val_ds = TicketDataset(ids[1800:], mask[1800:], labels[1800:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(QUEUES),
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/ticket_router",
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        weight_decay=0.01,
        warmup_steps=25,
        lr_scheduler_type="linear",
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        seed=0,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val accuracy {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
