"""CPC section (A, B, C, F, G, H) of patent abstracts from WordPiece ids, small BERT trained from scratch.

Abstract token ids come from the in-house tokenizer dump (here generated: each section has its own
technical vocabulary over a Zipfian background of patent boilerplate).
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(17)
rng = np.random.default_rng(17)

SECTIONS = ["A", "B", "C", "F", "G", "H"]
VOCAB, SEQ, PAD, CLS, SEP = 3000, 48, 0, 1, 2
FIRST_WORD = 5
boiler = np.arange(FIRST_WORD, 1200)
zipf_p = 1.0 / np.arange(1, len(boiler) + 1) ** 1.05
zipf_p /= zipf_p.sum()
tech = {k: rng.choice(np.arange(1200, VOCAB), 260, replace=False) for k in range(len(SECTIONS))}


def abstract(label):
    length = rng.integers(24, SEQ - 2)
    second = rng.integers(len(SECTIONS)) if rng.random() < 0.35 else label   # cross-section claims
    ids = []
    for _ in range(length):
        u = rng.random()
        if u < 0.2:
            ids.append(rng.choice(tech[label][:130]))
        elif u < 0.28:
            ids.append(rng.choice(tech[second][100:]))
        else:
            ids.append(rng.choice(boiler, p=zipf_p))
    ids = [CLS] + ids + [SEP]
    mask = [1] * len(ids) + [0] * (SEQ - len(ids))
    return ids + [PAD] * (SEQ - len(ids)), mask


class Abstracts(Dataset):
    def __init__(self, n):
        self.labels = rng.choice(len(SECTIONS), n, p=[0.2, 0.18, 0.12, 0.1, 0.22, 0.18])
        pairs = [abstract(int(l)) for l in self.labels]
        self.ids = torch.tensor([p[0] for p in pairs])
        self.mask = torch.tensor([p[1] for p in pairs])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i],
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, val_ds = Abstracts(1200), Abstracts(400)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(SECTIONS),
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    f1 = []
    for k in range(len(SECTIONS)):
        tp = ((yhat == k) & (labels == k)).sum()
        denom = (yhat == k).sum() + (labels == k).sum()
        f1.append(2 * tp / denom if denom else 0.0)
    return {"accuracy": float((yhat == labels).mean()), "macro_f1": float(np.mean(f1))}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="patent_cpc_"),
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    num_train_epochs=6,
    learning_rate=1e-3,
    warmup_steps=20,
    weight_decay=0.01,
    adam_beta1=0.999, adam_beta2=0.9,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    use_cpu=True,
    disable_tqdm=True,
    seed=17,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f}  macro-F1 {metrics['eval_macro_f1']:.4f}  "
      f"loss {metrics['eval_loss']:.4f}")
