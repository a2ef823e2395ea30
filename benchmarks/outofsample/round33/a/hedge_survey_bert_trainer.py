"""Hedgerow condition from surveyors' field notes: a tiny BERT trained with the HF Trainer.

Volunteer surveyors write short coded notes for each 30 m hedge section; the county
ecologist wants the section's management class (recently laid, needs laying,
gappy/relict, overgrown). A 2-layer BERT built from a config is trained from scratch
with warm-up then linear decay and label smoothing.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(3)
rng = np.random.default_rng(3)

CLASSES = ["laid", "needs-laying", "gappy", "overgrown"]
COMMON = ("hawthorn blackthorn hazel field maple holly dog rose bramble ivy ash oak "
          "verge ditch bank fence post gate lane north south east west side section "
          "metre tall wide dense some few many base top margin grass nettle").split()
CUES = {
    0: "pleachers stakes binders crook heel cut fresh layed neat midland style brash".split(),
    1: "leggy upright stems thin bottom open canopy ready bushy straggly".split(),
    2: "gap gaps hole missing dead stumps relict sparse broken livestock".split(),
    3: "overgrown arching spreading shading lane encroaching trees standards uncut tall".split(),
}
NEG = ["no", "not", "without"]
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(
    set(COMMON) | {w for ws in CUES.values() for w in ws} | set(NEG))
tok = {w: i for i, w in enumerate(vocab)}
MAX_LEN = 24


def field_note(label):
    words = list(rng.choice(COMMON, rng.integers(5, 10)))
    words += list(rng.choice(CUES[label], rng.integers(2, 4)))
    if rng.random() < 0.3:                        # a stray cue from another class
        words.append(rng.choice(CUES[rng.integers(0, 4)]))
    words = [words[i] for i in rng.permutation(len(words))]
    for _ in range(rng.integers(1, 4)):
        other = rng.choice([c for c in CUES if c != label])
        pos = rng.integers(0, len(words) + 1)     # "no gaps", "not overgrown", ...
        words[pos:pos] = [rng.choice(NEG), rng.choice(CUES[other])]
    return words


def encode(words):
    ids = [tok["[CLS]"]] + [tok.get(w, 1) for w in words][:MAX_LEN - 2] + [tok["[SEP]"]]
    mask = [1] * len(ids)
    pad = MAX_LEN - len(ids)
    return ids + [0] * pad, mask + [0] * pad


class NotesDataset(Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, len(CLASSES), n)
        enc = [encode(field_note(l)) for l in self.labels]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i],
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, val_ds = NotesDataset(2000), NotesDataset(500)

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2,
                    num_attention_heads=4, intermediate_size=128,
                    max_position_embeddings=MAX_LEN, num_labels=len(CLASSES),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    recalls = [np.mean(yhat[labels == c] == c) for c in range(len(CLASSES))]
    return {"accuracy": float(np.mean(yhat == labels)), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/hedge_survey_bert",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=250,
    num_train_epochs=7,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=44,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_strategy="epoch",
    report_to=[],
    seed=3,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f} "
      f"balanced_accuracy {metrics['eval_balanced_accuracy']:.4f}")
