"""Flag decompression-procedure breaches in cave-dive computer logs.

A dive log is a sequence of 10-second samples, each tokenised as (depth band, vertical-rate
band). Labels from the club's incident review: 0 = clean ascent, 1 = skipped the 6 m stop,
2 = rapid-ascent breach. A small convolutional tagger over the token sequence, trained with the HF Trainer.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments, set_seed

DEPTH_BANDS, RATE_BANDS = 16, 4        # rate: 0 descending, 1 level, 2 normal ascent, 3 fast ascent
PAD, CLS = 0, 1
SEQ_LEN = 56


def tok(depth_band, rate):
    return 2 + depth_band * RATE_BANDS + rate


def one_dive(label, rng):
    bottom = int(rng.integers(6, 16))
    seq, d = [], 0
    while d < bottom:                                          # descent
        d += 1; seq.append(tok(d, 0))
    for _ in range(int(rng.integers(8, 20))):                  # bottom phase, wandering
        d = int(np.clip(d + rng.integers(-1, 2), bottom - 3, bottom)); seq.append(tok(d, 1))
    fast_left = 2 + int(rng.integers(0, 2)) if label == 2 else int(rng.random() < 0.4)
    while d > 2:                                               # ascent to the stop band
        d -= 1
        fast = fast_left > 0 and rng.random() < 0.5
        fast_left -= int(fast)
        seq.append(tok(d, 3 if fast else 2))
    stop = 0 if label == 1 else int(rng.integers(3, 6))
    if label == 1 and rng.random() < 0.5:
        stop = 1
    for _ in range(stop):
        seq.append(tok(2, 1))
    seq += [tok(1, 2), tok(0, 2)]
    return seq


class DiveLogs(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.choice(3, size=n, p=[0.5, 0.25, 0.25])
        self.ids = np.zeros((n, SEQ_LEN), dtype=np.int64)
        self.mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
        for i, lab in enumerate(self.labels):
            s = [CLS] + one_dive(int(lab), rng)[: SEQ_LEN - 1]
            self.ids[i, : len(s)] = s
            self.mask[i, : len(s)] = 1

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]),
                "attention_mask": torch.from_numpy(self.mask[i]),
                "labels": torch.tensor(int(self.labels[i]))}


class DiveConvNet(nn.Module):
    def __init__(self, vocab, dim=32, channels=64, n_classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.conv1 = nn.Conv1d(dim, channels, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=5, padding=2)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(2 * channels, n_classes)

    def forward(self, input_ids, attention_mask, labels=None):
        x = self.embed(input_ids).transpose(1, 2)
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        m = attention_mask.unsqueeze(1).to(x.dtype)
        mx = x.masked_fill(m == 0, -1e4).max(dim=2).values
        mean = (x * m).sum(2) / m.sum(2)
        logits = self.head(self.drop(torch.cat([mx, mean], 1)))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = F.cross_entropy(logits, labels)
        return out


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean())}


def main():
    set_seed(11)
    train_ds, val_ds = DiveLogs(1600, seed=1), DiveLogs(600, seed=2)
    model = DiveConvNet(vocab=2 + DEPTH_BANDS * RATE_BANDS)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=1,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=1e-3,
            lr_scheduler_type="constant",
            weight_decay=0.01,
            logging_steps=10,
            eval_strategy="epoch",
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            dataloader_num_workers=0,
            seed=11,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
