"""Tag protein fragments by functional motif with a DeepBind-style convolutional scanner
trained through the Hugging Face Trainer (a plain nn.Module that returns a dict with
"loss" and "logits").

Classes: 0 no motif, 1 zinc-finger-like C-x2-C-x3-H-x2-H, 2 N-glycosylation sequon
N-{not P}-[ST].  Negatives contain near-misses (N-P-S, C-x2-C-x3-H without the last H),
so the model must read the pattern, not amino-acid counts.
Trainer settings are the usual ones: linear warm-up, weight decay, gradient
accumulation, max_grad_norm 1.0, evaluation every epoch.
"""
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
SEED = 13
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

AA = "ACDEFGHIKLMNPQRSTVWY"
PAD_ID, CLS_ID, SEP_ID = 0, 1, 2
TOK = {a: i + 3 for i, a in enumerate(AA)}
GLYC = re.compile(r"N[^P][ST]")
ZNF = re.compile(r"C..C...H..H")


def rand_aa(k):
    return "".join(rng.choice(list(AA), size=k))


def scrub(seq):
    while GLYC.search(seq) or ZNF.search(seq):
        m = GLYC.search(seq) or ZNF.search(seq)
        i = m.start()
        seq = seq[:i] + rng.choice(list("AGLV")) + seq[i + 1:]
    return seq


def plant(seq, motif):
    i = int(rng.integers(0, len(seq) - len(motif)))
    return seq[:i] + motif + seq[i + len(motif):]


def fragment(label):
    seq = scrub(rand_aa(int(rng.integers(40, 90))))
    if label == 0:
        for _ in range(int(rng.integers(1, 3))):
            decoy = "NP" + rng.choice(list("ST")) if rng.random() < 0.5 else \
                "C" + rand_aa(2) + "C" + rand_aa(3) + "H" + rand_aa(2) + rng.choice(list("KRQ"))
            seq = plant(seq, decoy)
        seq = scrub(seq)
    elif label == 1:
        seq = plant(seq, "C" + rand_aa(2) + "C" + rand_aa(3) + "H" + rand_aa(2) + "H")
    else:
        seq = plant(seq, "N" + rng.choice([a for a in AA if a != "P"]) + rng.choice(list("ST")))
    return seq


def encode(seq, label):
    ids = [CLS_ID] + [TOK[a] for a in seq] + [SEP_ID]
    return {"input_ids": ids, "labels": label}


def collate(features):
    width = max(len(f["input_ids"]) for f in features)
    ids = torch.full((len(features), width), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(features), width), dtype=torch.long)
    for i, f in enumerate(features):
        ids[i, :len(f["input_ids"])] = torch.tensor(f["input_ids"])
        mask[i, :len(f["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask,
            "labels": torch.tensor([f["labels"] for f in features])}


def build(n, annotation_error=0.03):
    """Labels come from an automatic annotation pipeline that is wrong ~3% of the time."""
    labels = rng.integers(0, 3, n)
    seqs = [fragment(int(l)) for l in labels]
    wrong = rng.random(n) < annotation_error
    labels[wrong] = (labels[wrong] + rng.integers(1, 3, wrong.sum())) % 3
    return [encode(s, int(l)) for s, l in zip(seqs, labels)]


train_ds, eval_ds = build(2400), build(600)



class MotifScanner(nn.Module):
    """Embedding -> two conv layers -> global max over positions -> classifier."""

    def __init__(self, vocab, n_labels, emb=24, channels=96):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD_ID)
        self.conv1 = nn.Conv1d(emb, channels, kernel_size=5, padding=2)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=9, padding=4)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(channels, n_labels))

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.emb(input_ids).transpose(1, 2)
        h = F.relu(self.conv1(h))
        h = F.relu(self.conv2(h))
        h = h.masked_fill(attention_mask[:, None, :] == 0, float("-inf")).amax(dim=2)
        logits = self.head(h)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = F.cross_entropy(logits, labels)
        return out


model = MotifScanner(len(AA) + 3, 3)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/protein_motif_trainer", num_train_epochs=6, learning_rate=3e-3,
    per_device_train_batch_size=32, gradient_accumulation_steps=2, per_device_eval_batch_size=200,
    warmup_steps=0.1, lr_scheduler_type="linear", weight_decay=0.01, max_grad_norm=1.0,
    eval_strategy="epoch", save_strategy="no", logging_strategy="epoch", report_to=[],
    use_cpu=True, seed=SEED, disable_tqdm=True, dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  data_collator=collate, compute_metrics=compute_metrics)
trainer.train()
for rec in trainer.state.log_history:
    if "eval_accuracy" in rec:
        print(f"epoch {rec['epoch']:.0f} eval_loss {rec['eval_loss']:.4f} eval_accuracy {rec['eval_accuracy']:.4f}")
final = trainer.evaluate()
print(f"final eval_accuracy {final['eval_accuracy']:.4f}")
