"""Podcast topic tagging from ASR transcript chunks (HF Trainer, pooled-embedding model).

Each labelled episode (one of 6 topics set by the catalogue team: true crime, tech,
sports, comedy, personal finance, history) is a stream of word-piece ids from the
transcription pipeline, cut into 48-token chunks for training. Validation uses the
team's audited clips from other episodes.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput
from transformers.utils import logging as hf_logging

torch.set_num_threads(1)
hf_logging.set_verbosity_error()
set_seed(17)

VOCAB, SEQ, N_TOPICS = 800, 48, 6
PAD, CLS, MASK = 0, 1, 2
FIRST_WORD = 5
EP_LEN = 6 * (SEQ - 1)


def transcripts(n, length, rng):
    """Filler-heavy speech: Zipfian common words plus topic words (no [CLS])."""
    ranks = np.arange(1, VOCAB - FIRST_WORD + 1)
    common_p = 1.0 / ranks ** 1.1
    common_p /= common_p.sum()
    # each topic owns 30 words; neighbouring topics share 10 of them
    topic_words = [FIRST_WORD + 200 + 20 * t + np.arange(30) for t in range(N_TOPICS)]
    y = rng.integers(0, N_TOPICS, n)
    ids = FIRST_WORD + rng.choice(len(ranks), size=(n, length), p=common_p)
    for i in range(n):
        topical = rng.random(length) < 0.14
        ids[i, topical] = rng.choice(topic_words[y[i]], size=topical.sum())
        drift = rng.random(length) < 0.03            # guests drift off topic
        ids[i, drift] = rng.choice(topic_words[rng.integers(0, N_TOPICS)], size=drift.sum())
    return ids.astype(np.int64), y.astype(np.int64)


def audited_clips(n, rng):
    ids, y = transcripts(n, SEQ - 1, rng)
    return np.concatenate([np.full((n, 1), CLS), ids], axis=1), y


class ChunkClassifier(nn.Module):
    """Masked mean of token embeddings, then a small MLP (a fastText-style tagger)."""

    def __init__(self, vocab, dim=64, n_labels=N_TOPICS):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.head = nn.Sequential(nn.Linear(dim, 128), nn.GELU(), nn.Dropout(0.1), nn.Linear(128, n_labels))
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.head(pooled)
        loss = self.loss_fn(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


class ChunkDataset(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.from_numpy(ids), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(SEQ, dtype=torch.long),
                "labels": self.labels[i]}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(17)
    episodes, topics = transcripts(180, EP_LEN, rng)
    va_ids, va_y = audited_clips(600, rng)

    chunks, train_y = [], []
    for tokens, topic in zip(episodes, topics):
        for start in range(0, len(tokens) - (SEQ - 1) + 1, SEQ - 1):
            chunks.append(np.concatenate([[CLS], tokens[start:start + SEQ - 1]]))
            train_y.append(topic)
    train_ids, train_y = np.stack(chunks), np.array(train_y)

    model = ChunkClassifier(VOCAB)

    args = TrainingArguments(
        output_dir="/tmp/podcast_topic_tagger", per_device_train_batch_size=32,
        per_device_eval_batch_size=128, num_train_epochs=10, learning_rate=1e-2, weight_decay=0.01,
        warmup_steps=20, lr_scheduler_type="linear", eval_strategy="epoch", logging_steps=25,
        save_strategy="no", report_to=[], seed=17, use_cpu=True, dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=ChunkDataset(train_ids, train_y),
                      eval_dataset=ChunkDataset(va_ids, va_y), compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"val loss {metrics['eval_loss']:.4f}  val accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
