"""Hugging Face Trainer, BERT built from a small BertConfig (no download).
Synthetic "review" sequences: tokens from a 2000-word vocabulary, of which 40 are
positive and 40 negative sentiment words; the label is which kind occurs more often.
Cosine schedule with warm-up, weight decay, evaluation every epoch."""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(0)

VOCAB = 2000
SEQ = 32
PAD, CLS = 0, 1
POS = np.arange(10, 50)
NEG = np.arange(50, 90)
NEUTRAL = np.arange(90, VOCAB)


def make_split(n, rng):
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        length = rng.integers(16, SEQ)
        toks = rng.choice(NEUTRAL, size=length - 1)
        n_pos, n_neg = rng.integers(0, 5), rng.integers(0, 5)
        while n_pos == n_neg:
            n_neg = rng.integers(0, 5)
        slots = rng.choice(length - 1, size=n_pos + n_neg, replace=False)
        toks[slots[:n_pos]] = rng.choice(POS, size=n_pos)
        toks[slots[n_pos:]] = rng.choice(NEG, size=n_neg)
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
        labels[i] = int(n_pos > n_neg)
    return ids, mask, labels


class SeqDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.tensor, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(0)
    train_ds = SeqDataset(*make_split(6000, rng))
    val_ds = SeqDataset(*make_split(600, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=2,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=3,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=1e-3,
            weight_decay=0.05,
            warmup_steps=60,
            lr_scheduler_type="cosine",
            max_grad_norm=1.0,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=50,
            report_to=[],
            use_cpu=True,
            seed=0,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val_loss {metrics['eval_loss']:.4f} val_acc {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
