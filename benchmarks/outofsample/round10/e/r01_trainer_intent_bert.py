"""Intent classification for a support chatbot: a tiny BERT trained from scratch with HF Trainer.

Utterances are generated from per-intent keyword pools plus shared filler and one
distractor keyword from another intent. Long warm-up, strong label smoothing, decoupled
weight decay (Trainer leaves biases and LayerNorm undecayed).
"""
import random
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

SEED = 13
set_seed(SEED)
rng = random.Random(SEED)

N_INTENTS = 7
FILLER = [f"w{i}" for i in range(300)]
KEYWORDS = {c: [f"k{c}_{j}" for j in range(12)] for c in range(N_INTENTS)}
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
VOCAB = SPECIAL + FILLER + [k for c in range(N_INTENTS) for k in KEYWORDS[c]]
TOK = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 16


def utterance(label):
    n = rng.randint(4, MAX_LEN - 6)
    words = [rng.choice(FILLER) for _ in range(n)]
    other = rng.choice([c for c in range(N_INTENTS) if c != label])
    extra = [rng.choice(KEYWORDS[other])] if rng.random() < 0.5 else []
    for kw in rng.sample(KEYWORDS[label], 2) + extra:
        words.insert(rng.randrange(len(words) + 1), kw)
    return words


def encode(words):
    ids = [TOK["[CLS]"]] + [TOK[w] for w in words][: MAX_LEN - 2] + [TOK["[SEP]"]]
    mask = [1] * len(ids)
    pad = MAX_LEN - len(ids)
    return ids + [0] * pad, mask + [0] * pad


class IntentDataset(Dataset):
    def __init__(self, n, prior):
        self.items = []
        labels = rng.choices(range(N_INTENTS), weights=prior, k=n)
        for y in labels:
            ids, mask = encode(utterance(y))
            self.items.append((ids, mask, y))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, mask, y = self.items[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(y)}


prior = [0.25, 0.2, 0.15, 0.12, 0.1, 0.1, 0.08]
train_ds = IntentDataset(1600, prior)
eval_ds = IntentDataset(500, prior)

config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAX_LEN,
                    num_labels=N_INTENTS, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="intent-bert-"),
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    num_train_epochs=8,
    learning_rate=3e-3,
    warmup_steps=0.3,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.2,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to=[],
    use_cpu=True,
    seed=SEED,
    dataloader_num_workers=0,
    disable_tqdm=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
majority = max(np.bincount([it[2] for it in eval_ds.items])) / len(eval_ds)
print(f"final eval_accuracy={metrics['eval_accuracy']:.4f} (majority baseline {majority:.4f})")
