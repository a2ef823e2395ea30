"""Route support tickets to one of 4 queues with a small BERT trained from scratch (HF Trainer).

Tickets are already tokenised to ids of the helpdesk's 600-word vocabulary.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

QUEUES = ["billing", "network", "hardware", "account"]
VOCAB, MAX_LEN, PAD, CLS = 600, 32, 0, 1


def make_tickets(n, rng):
    common = np.arange(10, 400)
    topic = {q: np.arange(400 + 50 * q, 450 + 50 * q) for q in range(4)}
    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = rng.integers(0, 4, n)
    for i, q in enumerate(labels):
        length = rng.integers(10, MAX_LEN)
        words = rng.choice(common, length - 1)
        k = rng.binomial(length - 1, 0.15)
        pos = rng.choice(length - 1, k, replace=False)
        words[pos] = rng.choice(topic[q], k)
        # some tickets mention a second queue's words (misrouted customers)
        if rng.random() < 0.3:
            other = (q + rng.integers(1, 4)) % 4
            pos2 = rng.choice(length - 1, max(1, k // 2), replace=False)
            words[pos2] = rng.choice(topic[other], len(pos2))
        ids[i, 0] = CLS
        ids[i, 1:length] = words
        mask[i, :length] = 1
    return ids, mask, labels


class TicketSet(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(13)
    rng = np.random.default_rng(13)
    train = TicketSet(*make_tickets(2000, rng))
    val = TicketSet(*make_tickets(500, rng))
    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=32, num_labels=len(QUEUES),
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(), num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30, weight_decay=0.01,
        lr_scheduler_type="linear", label_smoothing_factor=0.05, eval_strategy="epoch",
        save_strategy="no", logging_steps=25, report_to=[], use_cpu=True, seed=13,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      compute_metrics=compute_metrics)
    trainer.train()
    res = trainer.evaluate()
    print(f"final eval_loss {res['eval_loss']:.4f} eval_accuracy {res['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
