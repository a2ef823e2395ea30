"""Promoter detection in short DNA reads with a dilated-CNN encoder and the HF Trainer.

Positive reads carry a (possibly mutated) -10 box motif somewhere in the read; negatives
are background sequence with matched GC content. Nucleotides are tokenised one per token.
"""
import tempfile

import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

VOCAB = {"[PAD]": 0, "[CLS]": 1, "A": 2, "C": 3, "G": 4, "T": 5}
READ_LEN = 40
MOTIF = "TATAAT"


def make_reads(n, rng):
    seqs, labels = [], []
    while len(seqs) < n:
        s = list(rng.choice(list("ACGT"), size=READ_LEN, p=[0.3, 0.2, 0.2, 0.3]))
        label = int(rng.random() < 0.5)
        if label:
            m = list(MOTIF)
            if rng.random() < 0.3:
                m[rng.integers(0, 6)] = rng.choice(list("ACGT"))
            pos = rng.integers(0, READ_LEN - len(m))
            s[pos:pos + len(m)] = m
        elif "TATA" in "".join(s):
            continue
        seqs.append([VOCAB["[CLS]"]] + [VOCAB[c] for c in s])
        labels.append(label)
    return np.array(seqs), np.array(labels)


class ReadDataset(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.tensor(ids), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.labels[i]}


class PromoterClassifier(nn.Module):
    def __init__(self, vocab_size, dim=64, n_labels=2, dropout=0.1):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Embedding(vocab_size, dim, padding_idx=0),
            Transpose(),
            nn.Conv1d(dim, dim, 5, padding=2), nn.GELU(),
            nn.Conv1d(dim, dim, 3, padding=2, dilation=2), nn.GELU(),
            Transpose(),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * dim, n_labels)

    def forward(self, input_ids, attention_mask, labels=None):
        with torch.no_grad():
            hidden = self.encoder(input_ids)
        mask = attention_mask.unsqueeze(-1).float()
        mean = (hidden * mask).sum(1) / mask.sum(1)
        peak = hidden.masked_fill(mask == 0, -1e4).amax(1)
        logits = self.head(self.dropout(torch.cat([mean, peak], dim=-1)))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


class Transpose(nn.Module):
    def forward(self, x):
        return x.transpose(1, 2)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(17)
    rng = np.random.default_rng(17)
    ids, labels = make_reads(3000, rng)
    train_ds, eval_ds = ReadDataset(ids[:2400], labels[:2400]), ReadDataset(ids[2400:], labels[2400:])
    model = PromoterClassifier(len(VOCAB))
    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(output_dir=out_dir, num_train_epochs=4, per_device_train_batch_size=32,
                                 per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30,
                                 weight_decay=0.01, eval_strategy="epoch", save_strategy="no",
                                 logging_steps=50, report_to=[], seed=17, use_cpu=True,
                                 dataloader_num_workers=0, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
