"""Route helpdesk tickets to one of five queues from their (already tokenised) text,
with a small BERT trained from scratch by the Hugging Face Trainer."""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

QUEUES = ["billing", "login", "shipping", "hardware", "other"]
VOCAB, SEQ = 600, 32
PAD, CLS, SEP = 0, 1, 2


def make_tickets(n, rng):
    """Each queue has its own keyword pool; tickets mix keywords with Zipfian filler words."""
    pools = [rng.choice(np.arange(10, VOCAB), size=25, replace=False) for _ in QUEUES]
    filler = np.arange(10, VOCAB)
    zipf = 1.0 / np.arange(1, len(filler) + 1) ** 1.1
    zipf /= zipf.sum()
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(0, len(QUEUES), size=n)
    for i in range(n):
        length = rng.integers(10, SEQ - 2)
        words = rng.choice(filler, size=length, p=zipf)
        n_kw = rng.integers(2, 5)
        pos = rng.choice(length, size=n_kw, replace=False)
        words[pos] = rng.choice(pools[labels[i]], size=n_kw)
        seq = np.concatenate([[CLS], words, [SEP]])
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
    set_seed(7)
    rng = np.random.default_rng(7)
    ids, mask, labels = make_tickets(2000, rng)
    train_ds = TicketDataset(ids[:1600], mask[:1600], labels[:1600])
    eval_ds = TicketDataset(ids[1600:], mask[1600:], labels[1600:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=SEQ, num_labels=len(QUEUES),
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/ticket_router_out",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=4,
        learning_rate=5e-7,
        warmup_steps=20,
        weight_decay=0.01,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=7,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                      eval_dataset=eval_ds, compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
