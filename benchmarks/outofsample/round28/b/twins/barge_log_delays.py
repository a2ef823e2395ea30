"""Delay-cause classification from river-barge logbook entries.

Each logbook entry is already tokenised into the fleet's controlled vocabulary
(lock names, gauge readings bucketed, cargo codes, crew remarks). The skipper's
delay-cause code is the label: 0 none, 1 lock queue, 2 low water, 3 engine, 4 weather.
A masked mean of token embeddings feeds a small
MLP head; trained with the Hugging Face Trainer.
"""
import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

VOCAB, SEQ, N_CLASSES = 400, 24, 5
PAD, CLS, SEP = 0, 1, 2
# cue words per cause (ids in the controlled vocabulary)
CUES = {1: [40, 41, 42, 43, 44, 45], 2: [60, 61, 62, 63, 64], 3: [80, 81, 82, 83, 84, 85],
        4: [100, 101, 102, 103, 104]}
NEGATORS = [20, 21]      # "no", "cleared" precede a cue and cancel it


def entry(label):
    length = rng.integers(12, SEQ - 2)
    toks = list(rng.integers(120, VOCAB, length))
    if label > 0:
        for _ in range(rng.integers(1, 4)):
            pos = rng.integers(0, len(toks))
            toks.insert(pos, int(rng.choice(CUES[label])))
    # distractor: a negated cue from another cause
    if rng.random() < 0.2:
        other = int(rng.integers(1, N_CLASSES))
        if other != label:
            pos = rng.integers(0, len(toks))
            toks[pos:pos] = [int(rng.choice(NEGATORS)), int(rng.choice(CUES[other]))]
    toks = [CLS] + toks[: SEQ - 2] + [SEP]
    ids = toks + [PAD] * (SEQ - len(toks))
    mask = [1] * len(toks) + [0] * (SEQ - len(toks))
    return ids, mask


class Logbook(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.choice(N_CLASSES, n, p=[0.4, 0.2, 0.15, 0.15, 0.1])
        rows = [entry(int(c)) for c in self.labels]
        self.ids = torch.tensor([r[0] for r in rows])
        self.mask = torch.tensor([r[1] for r in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": int(self.labels[i])}


train_ds, val_ds = Logbook(3000), Logbook(600)

class LogbookClassifier(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, n_classes=N_CLASSES):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.head = nn.Sequential(nn.Linear(dim, 128), nn.GELU(), nn.Dropout(0.3), nn.Linear(128, n_classes))
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(-1).float()
        h = (self.tok(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.head(h)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


model = LogbookClassifier()


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/barge_log_delays",
    num_train_epochs=8,
    per_device_train_batch_size=64,
    per_device_eval_batch_size=128,
    learning_rate=1e-2,
    warmup_steps=20,
    lr_scheduler_type="constant_with_warmup",
    weight_decay=0.05,
    eval_strategy="epoch",
    logging_steps=10,
    save_strategy="no",
    report_to=[],
    seed=3,
    disable_tqdm=True,
    use_cpu=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")
