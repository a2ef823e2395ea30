"""Intent classification for a support chatbot: a small BERT trained from scratch with the HF Trainer.

Utterances are token ids from the bot's 600-word vocabulary; 8 intents.
"""
import math
import tempfile
import warnings

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          get_linear_schedule_with_warmup)
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
VOCAB, N_INTENTS, MAX_LEN = 600, 8, 16
PAD, CLS, SEP = 0, 1, 2


def make_utterances(n, rng):
    keywords = np.arange(10, 10 + N_INTENTS * 6).reshape(N_INTENTS, 6)
    ids = np.full((n, MAX_LEN), PAD, np.int64)
    mask = np.zeros((n, MAX_LEN), np.int64)
    labels = rng.integers(0, N_INTENTS, n)
    for i, c in enumerate(labels):
        length = rng.integers(5, MAX_LEN - 1)
        toks = rng.integers(10 + N_INTENTS * 6, VOCAB, length)
        k = rng.integers(1, 3)
        pos = rng.choice(length, k + 1, replace=False)
        toks[pos[:k]] = rng.choice(keywords[c], k)
        if rng.random() < 0.3:      # a keyword of another intent appears in passing
            other = (c + rng.integers(1, N_INTENTS)) % N_INTENTS
            toks[pos[k]] = rng.choice(keywords[other][:3])
        seq = np.concatenate([[CLS], toks, [SEP]])
        ids[i, :len(seq)] = seq
        mask[i, :len(seq)] = 1
    return ids, mask, labels


class Utterances(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.from_numpy, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    train_ds = Utterances(*make_utterances(1600, rng))
    val_ds = Utterances(*make_utterances(500, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=N_INTENTS,
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(output_dir=tempfile.mkdtemp(), num_train_epochs=5, per_device_train_batch_size=16,
                             per_device_eval_batch_size=250, eval_strategy="epoch", save_strategy="no",
                             logging_steps=25, report_to=[], seed=0, use_cpu=True, disable_tqdm=True)

    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=2e-3)
    total_steps = math.ceil(len(train_ds) / args.per_device_train_batch_size)
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=20, num_training_steps=total_steps)

    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=accuracy, optimizers=(optimizer, scheduler))
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val_accuracy {metrics['eval_accuracy']:.4f} val_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
