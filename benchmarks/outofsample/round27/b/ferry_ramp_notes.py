"""Severity triage of ferry linkspan / ramp inspection notes.

Inspectors' free-text notes are tokenised upstream (shared fleet vocabulary); we map a
note to one of four action levels: 0 monitor, 1 schedule repair, 2 repair before next
season, 3 take ramp out of service. Small pooled-embedding classifier trained with the
Hugging Face Trainer so it plugs into the existing eval tooling.
"""
import math

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

VOCAB = 600
PAD = 0
MAX_LEN = 48
N_CLASSES = 4


def synth_notes(n, seed):
    rng = np.random.default_rng(seed)
    # component words, defect words and intensity words live in separate id ranges
    components = np.arange(1, 31)
    defects = np.arange(31, 61)
    intensity = np.arange(61, 71)
    filler = np.arange(71, VOCAB)
    comp_risk = rng.uniform(0, 1, len(components))
    defect_risk = rng.uniform(0, 1, len(defects))
    intens_risk = np.linspace(0, 1, len(intensity))
    ids = np.zeros((n, MAX_LEN), dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        L = rng.integers(16, MAX_LEN + 1)
        toks = list(rng.choice(filler, size=L))
        risk = 0.0
        for _ in range(rng.integers(1, 4)):
            c, d, s = rng.integers(len(components)), rng.integers(len(defects)), rng.integers(len(intensity))
            pos = rng.integers(0, L - 3)
            toks[pos:pos + 3] = [components[c], defects[d], intensity[s]]
            risk = max(risk, 0.5 * comp_risk[c] + defect_risk[d] + intens_risk[s])
        risk += rng.normal(0, 0.08)
        labels[i] = np.digitize(risk, [0.95, 1.3, 1.65])
        toks = toks[:L]
        ids[i, :L] = toks
        mask[i, :L] = 1
    return ids, mask, labels


class NotesDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class PooledClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, dim=32, n_classes=N_CLASSES):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.conv = nn.Conv1d(dim, 64, kernel_size=3, padding=1)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, n_classes))

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.embed(input_ids).transpose(1, 2)             # B, D, T
        h = torch.relu(self.conv(h))                          # trigram features
        h = h.masked_fill(attention_mask[:, None, :] == 0, -1e4).amax(dim=-1)
        logits = self.head(h)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(3)
    ids, mask, labels = synth_notes(3000, seed=3)
    train_ds = NotesDataset(ids[:2400], mask[:2400], labels[:2400])
    eval_ds = NotesDataset(ids[2400:], mask[2400:], labels[2400:])
    print("level shares:", np.bincount(labels, minlength=N_CLASSES) / len(labels))

    batch_size = 32
    steps_per_epoch = math.ceil(len(train_ds) / batch_size)
    args = TrainingArguments(
        output_dir="/tmp/ferry_ramp_notes",
        per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=256,
        num_train_epochs=8,
        learning_rate=2e-3,
        weight_decay=0.01,
        lr_scheduler_type="constant",
        eval_strategy="steps",
        eval_steps=steps_per_epoch,
        logging_steps=steps_per_epoch,
        max_steps=steps_per_epoch,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=3,
    )
    trainer = Trainer(model=PooledClassifier(), args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"eval_loss {metrics['eval_loss']:.4f}  eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
