"""Podcast episode topic classifier: a small BERT trained from scratch on transcript token ids.

Transcripts are already tokenised (a 1,200-word vocabulary); each episode segment is labelled
with one of six show topics. Uses the Hugging Face Trainer.
"""
import os
import random
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

torch.set_num_threads(1)
SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
set_seed(SEED)

VOCAB, SEQ_LEN, N_TOPICS = 1200, 24, 6
PAD, CLS = 0, 1
TOPICS = ["true crime", "tech", "sports", "comedy", "health", "business"]


def make_segments(n, rng):
    """Zipf-distributed filler words plus a few topic words per segment."""
    filler = np.arange(10, VOCAB)
    p = 1.0 / np.arange(1, len(filler) + 1) ** 1.05
    p /= p.sum()
    topic_words = [rng.choice(np.arange(10, VOCAB), size=40, replace=False) for _ in range(N_TOPICS)]
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = rng.integers(0, N_TOPICS, size=n)
    for i in range(n):
        length = rng.integers(14, SEQ_LEN + 1)
        toks = rng.choice(filler, size=length - 1, p=p)
        k = rng.integers(3, 6)
        pos = rng.choice(length - 1, size=k, replace=False)
        # guest mentions other topics now and then
        other = rng.integers(0, N_TOPICS)
        toks[pos[:-1]] = rng.choice(topic_words[labels[i]], size=k - 1)
        toks[pos[-1]] = rng.choice(topic_words[other if rng.random() < 0.3 else labels[i]])
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class Segments(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {
            "input_ids": torch.tensor(self.ids[i]),
            "attention_mask": torch.tensor(self.mask[i]),
            "labels": torch.tensor(self.labels[i]),
        }


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(SEED)
    ids, mask, labels = make_segments(1600, rng)
    train_ds = Segments(ids[:1200], mask[:1200], labels[:1200])
    val_ds = Segments(ids[1200:], mask[1200:], labels[1200:])

    config = BertConfig(
        vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=64, num_labels=N_TOPICS,
        pad_token_id=PAD,
    )
    model = BertForSequenceClassification(config)

    out_dir = tempfile.mkdtemp(prefix="podcast_topics_")
    args = TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=4,
        per_device_train_batch_size=16,
        per_device_eval_batch_size=256,
        learning_rate=1e-3,
        weight_decay=0.01,
        warmup_steps=0.06,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        seed=SEED,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val_loss={metrics['eval_loss']:.4f} val_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
