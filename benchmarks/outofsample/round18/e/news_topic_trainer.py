"""Newswire topic tagging with a small BERT trained from scratch under the HF Trainer.

Articles come from a word-level generator (topic vocabularies over a shared Zipfian
background, plus off-topic mentions), tokenised with a whitespace vocabulary built on the
training split. Linear warm-up then decay, label smoothing 0.1 and weight decay, as in
the usual fine-tuning recipes.
"""
import os
import tempfile
from collections import Counter

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

TOPICS = ["politics", "sport", "business", "science", "health", "culture"]
MAX_LEN = 48
SYL = ["ba", "ke", "lo", "mi", "nu", "ra", "si", "to", "ve", "za", "dor", "fen", "gal", "hum", "pri", "qua", "tre", "wos"]


def make_lexicon(rng, n):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYL, size=rng.integers(2, 4))))
    return sorted(words)


def generate_articles(n, rng):
    lex = make_lexicon(rng, 900)
    rng.shuffle(lex)
    background = lex[:420]
    topic_words = [lex[420 + 60 * k: 420 + 60 * (k + 1)] for k in range(len(TOPICS))]
    bg_p = 1.0 / np.arange(1, len(background) + 1) ** 1.1
    bg_p /= bg_p.sum()
    texts, labels = [], []
    for _ in range(n):
        k = int(rng.integers(len(TOPICS)))
        length = int(rng.integers(14, 44))
        toks = []
        for _ in range(length):
            u = rng.random()
            if u < 0.13:
                toks.append(topic_words[k][int(rng.integers(60))])
            elif u < 0.18:
                other = int(rng.integers(len(TOPICS)))
                toks.append(topic_words[other][int(rng.integers(60))])
            else:
                toks.append(background[int(rng.choice(len(background), p=bg_p))])
        texts.append(" ".join(toks))
        labels.append(k)
    return texts, labels


class Vocab:
    def __init__(self, texts, min_count=2):
        counts = Counter(w for t in texts for w in t.split())
        self.itos = ["[PAD]", "[UNK]", "[CLS]"] + sorted(w for w, c in counts.items() if c >= min_count)
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def encode(self, text):
        ids = [2] + [self.stoi.get(w, 1) for w in text.split()][: MAX_LEN - 1]
        mask = [1] * len(ids)
        pad = MAX_LEN - len(ids)
        return ids + [0] * pad, mask + [0] * pad


class NewsDataset(torch.utils.data.Dataset):
    def __init__(self, texts, labels, vocab):
        enc = [vocab.encode(t) for t in texts]
        self.input_ids = torch.tensor([e[0] for e in enc])
        self.attention_mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.input_ids[i], "attention_mask": self.attention_mask[i],
                "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    hf_logging.set_verbosity_error()
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    texts, labels = generate_articles(2600, rng)
    tr_t, tr_y = texts[:2000], labels[:2000]
    va_t, va_y = texts[2000:], labels[2000:]
    vocab = Vocab(tr_t)
    train_ds, val_ds = NewsDataset(tr_t, tr_y, vocab), NewsDataset(va_t, va_y, vocab)
    print(f"vocab {len(vocab.itos)} words, {len(train_ds)} train / {len(val_ds)} val articles")

    config = BertConfig(vocab_size=len(vocab.itos), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAX_LEN,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                        num_labels=len(TOPICS), pad_token_id=0)
    model = BertForSequenceClassification(config)

    out_dir = tempfile.mkdtemp(prefix="news_topic_")
    args = TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        weight_decay=0.01,
        warmup_steps=30,
        lr_scheduler_type="linear",
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        use_cpu=True,
        seed=3,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"val loss {metrics['eval_loss']:.4f}  val accuracy {metrics['eval_accuracy']:.3f} "
          f"(chance {1 / len(TOPICS):.3f})")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
