"""Route customer-support messages to 5 queues with a small BERT trained from scratch (HF Trainer).

Messages arrive already tokenised by the ticketing system's word-piece vocabulary (ids < 600).
Label smoothing because about 5% of historical routing decisions are known to be inconsistent.
"""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

QUEUES = ["billing", "shipping", "returns", "account", "technical"]
VOCAB, SEQ, PAD, CLS, SEP = 600, 32, 0, 1, 2


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def make_tickets(n, rng):
    # each queue has its own 12 cue words; messages mix cues with common words (Zipf-distributed)
    cues = {q: rng.choice(np.arange(20, 200), size=12, replace=False) for q in range(len(QUEUES))}
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(0, len(QUEUES), size=n)
    for i in range(n):
        length = rng.integers(10, SEQ - 1)
        common = 200 + np.minimum(rng.zipf(1.3, size=length), VOCAB - 201)
        n_cue = rng.integers(1, 4)
        pos = rng.choice(np.arange(length), size=n_cue, replace=False)
        common[pos] = rng.choice(cues[labels[i]], size=n_cue)
        if rng.random() < 0.3:                                          # off-topic mention
            common[rng.integers(length)] = rng.choice(cues[rng.integers(len(QUEUES))])
        ids[i, 0], ids[i, 1:length + 1], ids[i, length + 1] = CLS, common, SEP
        mask[i, :length + 2] = 1
    noisy = rng.random(n) < 0.05
    labels[noisy] = rng.integers(0, len(QUEUES), size=noisy.sum())
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean())}


def main():
    set_seed(0)
    rng = np.random.default_rng(0)
    ids, mask, labels = make_tickets(3000, rng)
    train_ds = TicketDataset(ids[:2400], mask[:2400], labels[:2400])
    val_ds = TicketDataset(ids[2400:], mask[2400:], labels[2400:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(QUEUES),
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="support_intent_"),
        num_train_epochs=6,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        weight_decay=0.01,
        warmup_steps=45,                # ~10% of the 450 steps
        lr_scheduler_type="linear",
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to="none",
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"final: val accuracy {m['eval_accuracy']:.4f} val loss {m['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
