"""Quarry crane shift logs -> shift risk category, with the Hugging Face Trainer.

The crane's controller writes an event code per action (hoist, slew, luff, wind alarm,
overload pre-warning, outrigger adjust, ...). A shift is a variable-length sequence of
codes (30-80). The safety team labels shifts: routine / overload-prone / wind-hold.
A small Transformer encoder written as a plain nn.Module (forward returns a dict with
"loss" and "logits") is trained with transformers.Trainer: warm-up then cosine decay,
weight decay, gradient clipping at 1.0 (Trainer's default), eval each epoch.
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
set_seed(13)
torch.set_num_threads(1)
rng = np.random.default_rng(13)

EVENTS = ["PAD", "CLS", "HOIST_UP", "HOIST_DN", "SLEW_L", "SLEW_R", "LUFF_IN", "LUFF_OUT", "TRAVEL",
          "HOOK_LOAD", "HOOK_FREE", "OUTRIG_ADJ", "IDLE", "WIND_LOW", "WIND_MED", "WIND_HIGH", "WIND_ALARM",
          "LOAD_80", "LOAD_90", "LOAD_PREWARN", "LMI_BYPASS", "BRAKE_TEST", "OPER_CHANGE", "BREAK",
          "SHIFT_END"]
V = len(EVENTS)
ID = {e: i for i, e in enumerate(EVENTS)}
MAXLEN = 96
routine = [ID[e] for e in ["HOIST_UP", "HOIST_DN", "SLEW_L", "SLEW_R", "LUFF_IN", "LUFF_OUT", "TRAVEL",
                           "HOOK_LOAD", "HOOK_FREE", "IDLE", "WIND_LOW", "LOAD_80", "BRAKE_TEST", "BREAK"]]


def shift(label):
    n = rng.integers(30, 80)
    seq = list(rng.choice(routine, size=n))
    if label == 1:   # overload-prone: heavy picks, pre-warnings, outrigger fiddling, sometimes a bypass
        for _ in range(rng.integers(1, 4)):
            pos = rng.integers(0, len(seq))
            seq[pos:pos] = [ID["HOOK_LOAD"], ID["LOAD_90"], ID[rng.choice(["LOAD_PREWARN", "OUTRIG_ADJ", "LMI_BYPASS"])]]
    elif label == 2:  # wind hold: wind builds, alarm, long idle
        pos = rng.integers(len(seq) // 3, len(seq))
        seq[pos:pos] = [ID["WIND_MED"], ID["WIND_HIGH"], ID["WIND_ALARM"]] + [ID["IDLE"]] * rng.integers(1, 6)
    # events every class sees now and then: a brief gust alarm, one heavy pick, operator swaps
    for _ in range(rng.integers(0, 4)):
        seq.insert(rng.integers(0, len(seq)), ID[rng.choice(["WIND_MED", "WIND_ALARM", "LOAD_90", "LOAD_PREWARN",
                                                             "OPER_CHANGE", "OUTRIG_ADJ", "IDLE"])])
    seq = [ID["CLS"]] + seq[: MAXLEN - 2] + [ID["SHIFT_END"]]
    return seq


class ShiftLogs(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.choice(3, size=n, p=[0.5, 0.25, 0.25])
        self.seqs = [shift(l) for l in self.labels]

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.seqs[i]), "labels": torch.tensor(int(self.labels[i]))}


def collate(batch):
    L = max(len(b["input_ids"]) for b in batch)
    ids = torch.zeros(len(batch), L, dtype=torch.long)
    mask = torch.zeros(len(batch), L, dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, : len(b["input_ids"])] = b["input_ids"]
        mask[i, : len(b["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": torch.stack([b["labels"] for b in batch])}


class ShiftEncoder(nn.Module):
    def __init__(self, vocab=V, d=48, heads=4, layers=2, n_cls=3):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, padding_idx=0)
        self.pos = nn.Embedding(MAXLEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=96, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.cls = nn.Linear(d, n_cls)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        pos = torch.arange(input_ids.size(1), device=input_ids.device)
        h = self.tok(input_ids) + self.pos(pos)[None]
        h = self.encoder(h, src_key_padding_mask=attention_mask == 0)
        logits = self.cls(self.norm(h[:, 0]))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def metrics(p):
    preds = p.predictions.argmax(-1)
    acc = (preds == p.label_ids).mean()
    recalls = [(preds[p.label_ids == c] == c).mean() for c in range(3)]
    return {"accuracy": acc, "balanced_accuracy": float(np.mean(recalls))}


train_ds, val_ds, test_ds = ShiftLogs(900), ShiftLogs(300), ShiftLogs(300)
args = TrainingArguments(
    output_dir=tempfile.mkdtemp(), num_train_epochs=5, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=0.1,
    lr_scheduler_type="cosine", eval_strategy="epoch", save_strategy="no", logging_steps=25,
    report_to=[], seed=13, use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=ShiftEncoder(), args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  data_collator=collate, compute_metrics=metrics)
trainer.train()
res = trainer.evaluate(test_ds, metric_key_prefix="test")
print(f"test_loss {res['test_loss']:.4f} test_accuracy {res['test_accuracy']:.3f} "
      f"test_balanced_accuracy {res['test_balanced_accuracy']:.3f}")
