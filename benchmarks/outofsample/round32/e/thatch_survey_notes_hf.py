"""Thatched-roof condition surveys: tag each surveyor's free-text note with the
defects it reports (multi-label): moss, bird damage, ridge wear, exposed fixings,
water ingress, rodents.

Notes mention defects, negate them ("no sign of moss") and add local colour, so a
bag of words is not enough. A tiny BERT (from a config, word-level vocabulary built
from the training notes) is trained with the HF Trainer; rare labels get a positive
weight in BCEWithLogitsLoss (neg/pos, capped at 8). Trainer's default linear
schedule with 10% warm-up. Metric: macro ROC AUC (and F1 at logit 0) on held-out notes.
"""
import os
import tempfile
import warnings

import numpy as np
import torch
from torch import nn
from sklearn.metrics import f1_score, roc_auc_score
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
os.environ["TOKENIZERS_PARALLELISM"] = "false"
torch.manual_seed(2)
rng = np.random.default_rng(2)

LABELS = ["moss", "bird", "ridge", "fixings", "ingress", "rodent"]
PREV = [0.35, 0.2, 0.25, 0.12, 0.08, 0.06]
POS = {
    "moss": ["moss growth on north slope", "heavy moss on lower courses", "green algae and moss at eaves"],
    "bird": ["birds pulling reed near ridge", "jackdaw damage around chimney", "pecked holes in coat"],
    "ridge": ["ridge worn through in places", "block cut ridge eroded", "ridge netting loose and ridge thin"],
    "fixings": ["spars showing through coat", "sways and hazel fixings exposed", "crooks visible at eaves"],
    "ingress": ["damp patch on bedroom ceiling", "water coming through at valley", "staining on rafters inside"],
    "rodent": ["rat runs in the coat", "droppings in roof space", "squirrels nesting under ridge"],
}
NEG = {
    "moss": ["no sign of moss", "moss treated last year and clear"],
    "bird": ["no bird damage seen", "netting keeps birds off"],
    "ridge": ["ridge in good order", "ridge recently replaced"],
    "fixings": ["no fixings visible", "coat depth good over fixings"],
    "ingress": ["roof space dry", "no damp inside"],
    "rodent": ["no vermin seen", "no droppings in roof space"],
}
FILLER = ["owner reports no concerns", "access via neighbour garden", "water reed coat", "long straw coat",
          "combed wheat reed", "property listed grade two", "ladder access only", "surveyed in light rain",
          "roof pitch about fifty degrees", "trees overhang west side", "last rethatch about twenty years ago",
          "next inspection in spring", "photos taken from lane"]


def note():
    y = (rng.random(len(LABELS)) < PREV).astype(np.float32)
    parts = [rng.choice(FILLER) for _ in range(rng.integers(1, 3))]
    for k, lab in enumerate(LABELS):
        if y[k]:
            parts.append(rng.choice(POS[lab]))
        elif rng.random() < 0.3:
            parts.append(rng.choice(NEG[lab]))
    rng.shuffle(parts)
    return " . ".join(parts), y


train_notes = [note() for _ in range(1800)]
val_notes = [note() for _ in range(600)]
words = sorted({w for t, _ in train_notes for w in t.split()})
vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, **{w: i + 4 for i, w in enumerate(words)}}
MAX_LEN = 48


def encode(text):
    ids = [2] + [vocab.get(w, 1) for w in text.split()][:MAX_LEN - 2] + [3]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [0] * (MAX_LEN - len(ids)), mask


class Notes(torch.utils.data.Dataset):
    def __init__(self, items):
        enc = [encode(t) for t, _ in items]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.y = torch.tensor(np.stack([y for _, y in items]))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


train_ds, val_ds = Notes(train_notes), Notes(val_notes)
pos = train_ds.y.mean(0)
pos_weight = ((1 - pos) / pos).clamp(max=8.0)

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(LABELS),
                    problem_type="multi_label_classification")
model = BertForSequenceClassification(config)


class WeightedTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = nn.functional.binary_cross_entropy_with_logits(outputs.logits, labels, pos_weight=pos_weight)
        return (loss, outputs) if return_outputs else loss


def compute_metrics(p):
    pred = (p.predictions > 0).astype(int)
    return {"macro_f1": f1_score(p.label_ids.astype(int), pred, average="macro", zero_division=0),
            "macro_auc": roc_auc_score(p.label_ids.astype(int), p.predictions, average="macro")}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(), num_train_epochs=6, per_device_train_batch_size=16,
    per_device_eval_batch_size=200, learning_rate=1e-3, weight_decay=0.01, warmup_steps=0.1,
    eval_strategy="epoch", save_strategy="no", logging_strategy="epoch", report_to="none",
    use_cpu=True, seed=2, disable_tqdm=True, dataloader_num_workers=0,
)
trainer = WeightedTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
trainer.train()
for rec in trainer.state.log_history:
    if "eval_macro_f1" in rec:
        print(f"epoch {rec['epoch']:.0f}  val loss {rec['eval_loss']:.4f}  macro F1 {rec['eval_macro_f1']:.3f}"
              f"  macro AUC {rec['eval_macro_auc']:.3f}")
out = trainer.predict(val_ds)
pred = (out.predictions > 0).astype(int)
per = f1_score(out.label_ids.astype(int), pred, average=None, zero_division=0)
print("per-label F1:", dict(zip(LABELS, np.round(per, 3))))
auc = roc_auc_score(out.label_ids.astype(int), out.predictions, average="macro")
print(f"final: val macro ROC AUC {auc:.3f}, macro F1 {per.mean():.3f}")
