"""Grade tea lots (4 grades) from tasters' free-text cupping notes.

A small BERT trained from scratch with the Hugging Face Trainer: linear warm-up
and decay (the Trainer's default schedule), weight decay, fp32 on CPU.
Notes are tokenised with the tasting panel's own word-piece vocabulary (6k ids).
"""
import tempfile

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(11)
rng = np.random.default_rng(11)

VOCAB = 6000
PAD, CLS, SEP, NOT = 0, 1, 2, 3
MAX_LEN = 32
GRADES = ["dust", "fannings", "broken", "whole-leaf"]

# descriptor id blocks: each grade's characteristic descriptors, plus shared ones
grade_terms = [rng.choice(np.arange(100, 1100), 40, replace=False) for _ in GRADES]
shared_terms = np.arange(1100, 1400)
filler = np.arange(1400, VOCAB)
filler_p = 1.0 / np.arange(1, len(filler) + 1) ** 1.1
filler_p /= filler_p.sum()


def write_note(grade):
    n_words = rng.integers(14, MAX_LEN - 2)
    words = list(rng.choice(filler, n_words, p=filler_p))
    n_desc = rng.integers(4, 8)
    for _ in range(n_desc):
        pos = rng.integers(0, len(words))
        if rng.random() < 0.85:
            words[pos] = rng.choice(grade_terms[grade])
        else:
            # "not <term of another grade>": the term alone would point elsewhere
            other = rng.choice([g for g in range(4) if g != grade])
            words[pos] = rng.choice(grade_terms[other])
            words.insert(pos, NOT)
    for _ in range(rng.integers(1, 4)):
        words[rng.integers(0, len(words))] = rng.choice(shared_terms)
    ids = [CLS] + words[: MAX_LEN - 2] + [SEP]
    return ids


class NotesDataset(torch.utils.data.Dataset):
    def __init__(self, n, label_noise=0.04):
        self.labels = rng.integers(0, 4, n)
        self.rows = [write_note(int(g)) for g in self.labels]
        flip = rng.random(n) < label_noise
        self.labels[flip] = rng.integers(0, 4, flip.sum())

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        ids = self.rows[i]
        pad = MAX_LEN - len(ids)
        return {
            "input_ids": torch.tensor(ids + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(int(self.labels[i])),
        }


train_ds, eval_ds = NotesDataset(2400), NotesDataset(600)

config = BertConfig(
    vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(GRADES),
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    preds = pred.predictions.argmax(-1)
    return {
        "accuracy": accuracy_score(pred.label_ids, preds),
        "macro_f1": f1_score(pred.label_ids, preds, average="macro"),
    }


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(),
    num_train_epochs=4,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    warmup_steps=30,
    weight_decay=0.05,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    use_cpu=True,
    seed=11,
    disable_tqdm=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"eval accuracy {metrics['eval_accuracy']:.3f}  macro F1 {metrics['eval_macro_f1']:.3f}  eval loss {metrics['eval_loss']:.3f}")
