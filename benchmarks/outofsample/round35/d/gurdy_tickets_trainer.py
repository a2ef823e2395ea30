"""Hurdy-gurdy workshop: route repair tickets to the right bench from the customer's note.

Notes arrive by e-mail ("buzz bridge dead on the trompette since the tour, chien won't lift...") and
go to one of five benches: wheel & rosin, keybox & tangents, buzzing bridge (chien/trompette),
drone & melody strings, crank & bearings.  A small BERT trained from scratch on the workshop's own
word vocabulary with the Hugging Face Trainer: linear warm-up then decay, label smoothing, weight
decay, best checkpoint by macro-F1.
"""
import os
import tempfile

import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.set_num_threads(1)
rng = np.random.default_rng(4)

BENCHES = ["wheel", "keybox", "chien", "strings", "crank"]
TERMS = {
    "wheel": "wheel rosin scratchy cotton dull tone grinding scrape wobble true trued resin sticky",
    "keybox": "key keys tangent tangents sticking keybox slow return clicks flat sharp intonation",
    "chien": "buzz buzzing chien trompette dog coup rattle lift dead wrist rhythm bridge",
    "strings": "drone melody string strings gut snapped fraying wound tuning peg slipping flat",
    "crank": "crank handle bearing squeak knock play axle loose wobble grinding shaft",
}
FILLER = ("the a my it is was since after tour gig winter damp bought second hand please look "
          "at when playing again started sounds feels really quite bit very now and but still "
          "hello thanks regards cheers urgent festival next week").split()
TERMS = {k: v.split() for k, v in TERMS.items()}


def ticket(label):
    n = rng.integers(8, 22)
    own = TERMS[BENCHES[label]]
    other = TERMS[BENCHES[rng.integers(0, 5)]]
    words = []
    for _ in range(n):
        r = rng.random()
        words.append(own[rng.integers(len(own))] if r < 0.28 else
                     other[rng.integers(len(other))] if r < 0.38 else FILLER[rng.integers(len(FILLER))])
    return " ".join(words)


labels = rng.integers(0, 5, 2600)
texts = [ticket(l) for l in labels]
vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
for t in texts[:2000]:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAXLEN = 24


def encode(text):
    ids = [2] + [vocab.get(w, 1) for w in text.split()][:MAXLEN - 2] + [3]
    mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
    return ids + [0] * (MAXLEN - len(ids)), mask


class Tickets(torch.utils.data.Dataset):
    def __init__(self, texts, labels):
        self.enc = [encode(t) for t in texts]
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids, mask = self.enc[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, val_ds = Tickets(texts[:2000], labels[:2000]), Tickets(texts[2000:], labels[2000:])

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=len(BENCHES))
torch.manual_seed(4)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    y_hat = pred.predictions.argmax(-1)
    return {"accuracy": float((y_hat == pred.label_ids).mean()),
            "macro_f1": float(f1_score(pred.label_ids, y_hat, average="macro"))}


args = TrainingArguments(
    output_dir=os.path.join(tempfile.mkdtemp(), "gurdy"),
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="epoch",
    save_total_limit=1,
    load_best_model_at_end=True,
    metric_for_best_model="macro_f1",
    logging_steps=25,
    report_to=[],
    seed=4,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_accuracy={metrics['eval_accuracy']:.4f} val_macro_f1={metrics['eval_macro_f1']:.4f}")
