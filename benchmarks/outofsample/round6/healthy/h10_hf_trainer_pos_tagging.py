"""Part-of-speech tagging on a synthetic grammar with a small DistilBERT (from a config) and the
Hugging Face Trainer. Some words are ambiguous (noun or verb by context), so the tagger has to
read its neighbours. Padding positions carry the label -100 and are ignored by the loss and the
metric; gradient accumulation over 2 micro-batches, linear decay with warm-up steps."""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (DistilBertConfig, DistilBertForTokenClassification, Trainer,
                          TrainingArguments, set_seed)

set_seed(7)
rng = np.random.default_rng(7)
TAGS = ["DET", "ADJ", "NOUN", "VERB", "ADV", "PUNCT"]
PAD = 0
vocab = {"DET": np.arange(1, 8), "ADJ": np.arange(8, 60), "NOUN": np.arange(60, 200),
         "VERB": np.arange(200, 290), "ADV": np.arange(290, 320), "PUNCT": np.arange(320, 323)}
AMBIG = np.arange(323, 353)     # e.g. "run", "watch", "plant": noun after DET/ADJ, verb after a noun phrase
VOCAB = 353


def noun_phrase(toks, tags):
    toks.append(rng.choice(vocab["DET"])); tags.append(0)
    for _ in range(rng.integers(0, 3)):
        toks.append(rng.choice(vocab["ADJ"])); tags.append(1)
    toks.append(rng.choice(AMBIG) if rng.random() < 0.3 else rng.choice(vocab["NOUN"])); tags.append(2)


def sentence(toks, tags):
    noun_phrase(toks, tags)
    if rng.random() < 0.3:
        toks.append(rng.choice(vocab["ADV"])); tags.append(4)
    toks.append(rng.choice(AMBIG) if rng.random() < 0.3 else rng.choice(vocab["VERB"])); tags.append(3)
    if rng.random() < 0.6:
        noun_phrase(toks, tags)
    toks.append(rng.choice(vocab["PUNCT"])); tags.append(5)


class Tagged(Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            toks, tags = [], []
            for _ in range(rng.integers(1, 4)):
                sentence(toks, tags)
            self.items.append((toks, tags))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return {"input_ids": self.items[i][0], "labels": self.items[i][1]}


def collate(batch):
    width = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), width), PAD, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, b in enumerate(batch):
        n = len(b["input_ids"])
        ids[i, :n] = torch.tensor(b["input_ids"])
        labels[i, :n] = torch.tensor(b["labels"])
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


eval_ds = None


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    keep = labels != -100
    # ambiguous words: look them up in the padded eval inputs (eval order is deterministic)
    ids = np.full(labels.shape, PAD)
    for i, (toks, _) in enumerate(eval_ds.items):
        ids[i, :len(toks)] = toks
    amb = keep & np.isin(ids, AMBIG)
    return {"token_accuracy": float((pred[keep] == labels[keep]).mean()),
            "ambiguous_accuracy": float((pred[amb] == labels[amb]).mean())}


train_ds, eval_ds = Tagged(3000), Tagged(600)
config = DistilBertConfig(vocab_size=VOCAB, dim=64, n_layers=2, n_heads=4, hidden_dim=128,
                          max_position_embeddings=64, num_labels=len(TAGS), pad_token_id=PAD,
                          dropout=0.1, attention_dropout=0.1)
model = DistilBertForTokenClassification(config)

with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=6, per_device_train_batch_size=16, gradient_accumulation_steps=2,
        per_device_eval_batch_size=600, learning_rate=2e-3, weight_decay=0.01, warmup_steps=40,
        lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=25,
        report_to="none", use_cpu=True, seed=7, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      data_collator=collate, compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
print(f"final eval_loss {m['eval_loss']:.4f} token_acc {m['eval_token_accuracy']:.4f} "
      f"ambiguous_acc {m['eval_ambiguous_accuracy']:.4f}")
