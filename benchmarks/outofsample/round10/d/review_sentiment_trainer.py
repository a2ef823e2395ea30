"""Review sentiment: a fastText-style bag-of-embeddings classifier trained with the Hugging Face Trainer.

Reviews are pre-tokenised word ids (the in-house tokenizer's vocabulary of 600 ids); a few dozen
ids are opinion words. The model follows the Trainer contract: forward(**batch) -> {"loss", "logits"}.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments, set_seed

PAD, CLS, SEP = 0, 1, 2
VOCAB, MAX_LEN = 600, 32
POS = np.arange(10, 40)
NEG = np.arange(40, 70)


def make_reviews(n, rng):
    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = np.empty(n, dtype=np.int64)
    for k in range(n):
        L = rng.integers(12, MAX_LEN - 1)
        words = rng.integers(70, VOCAB, size=L)
        score = 0.0
        for _ in range(rng.integers(2, 6)):
            pos = rng.integers(1, L)
            positive = rng.random() < 0.5
            words[pos] = rng.choice(POS if positive else NEG)
            score += 1 if positive else -1
        score += rng.normal(scale=0.5)
        labels[k] = int(score > 0)
        ids[k, 0] = CLS
        ids[k, 1:L + 1] = words
        ids[k, L] = SEP
        mask[k, :L + 1] = 1
    return ids, mask, labels


class ReviewDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.from_numpy, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim, n_labels):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.proj = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Dropout(0.1))
        self.classifier = nn.Linear(dim, n_labels)

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.classifier(self.proj(pooled))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean())}


def main():
    set_seed(13)
    rng = np.random.default_rng(13)
    train_ds = ReviewDataset(*make_reviews(12000, rng))
    eval_ds = ReviewDataset(*make_reviews(800, rng))

    model = BagOfEmbeddings(VOCAB, 64, 2)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=256,
            learning_rate=5e-3,
            lr_scheduler_type="constant_with_warmup",
            warmup_steps=10,
            weight_decay=0.01,
            num_train_epochs=4,
            max_steps=150,
            eval_strategy="steps",
            eval_steps=300,
            logging_steps=100,
            save_strategy="no",
            report_to=[],
            disable_tqdm=True,
            use_cpu=True,
            seed=13,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
