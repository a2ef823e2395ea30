"""Classify the dosing frequency of free-text pharmacy "sig" lines (the directions printed
on a prescription label) so the dispensing system can pre-fill the schedule field.

Small BERT trained from scratch on the site's own sig vocabulary with the HF Trainer
(linear warm-up then decay, AdamW, weight decay on non-norm weights).
"""
import random

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

SEED = 7
set_seed(SEED)
rng = random.Random(SEED)

FREQ = {
    0: ["once daily", "once a day", "every morning", "daily", "qd", "one time daily"],
    1: ["twice daily", "two times a day", "every 12 hours", "bid", "morning and evening"],
    2: ["three times daily", "three times a day", "every 8 hours", "tid", "with each meal"],
    3: ["every 4 to 6 hours as needed", "every 6 hours as needed", "prn", "as needed for pain",
        "as needed for nausea"],
    4: ["at bedtime", "nightly at bedtime", "qhs", "every night"],
    5: ["once weekly", "every week", "once a week on sundays", "weekly"],
}
VERBS = ["take", "give", "use", "inhale", "apply", "instill"]
AMOUNTS = ["1", "2", "one", "two", "half", "1/2", "5 ml", "10 ml", "1 puff", "2 puffs", "1 drop"]
FORMS = ["tablet", "tablets", "capsule", "capsules", "", "", "spray", "patch"]
ROUTES = ["by mouth", "orally", "in each eye", "to affected area", "under the tongue", "", ""]
EXTRAS = ["with food", "on an empty stomach", "with water", "for 10 days", "for 7 days",
          "do not crush", "until finished", "avoid alcohol", "", "", "", ""]


def make_sig():
    label = rng.randrange(6)
    parts = [rng.choice(VERBS), rng.choice(AMOUNTS), rng.choice(FORMS), rng.choice(ROUTES),
             rng.choice(FREQ[label]), rng.choice(EXTRAS)]
    if rng.random() < 0.3:  # pharmacists often move the extra instruction to the front
        parts = [parts[-1]] + parts[:-1]
    words = " ".join(p for p in parts if p).split()
    # hand-keyed sigs: a share of words carry a typo (dropped or swapped letter)
    for i, w in enumerate(words):
        if len(w) > 2 and rng.random() < 0.15:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1:] if rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words), label


rows = [make_sig() for _ in range(2400)]
vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
for text, _ in rows[:2000]:
    for w in text.split():
        vocab.setdefault(w, len(vocab))
MAX_LEN = 24


def encode(text):
    ids = [2] + [vocab.get(w, 1) for w in text.split()][: MAX_LEN - 2] + [3]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [0] * (MAX_LEN - len(ids)), mask


class SigDataset(Dataset):
    def __init__(self, rows):
        enc = [encode(t) for t, _ in rows]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor([y for _, y in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds, val_ds = SigDataset(rows[:2000]), SigDataset(rows[2000:])

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=6,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/sig_bert_e", num_train_epochs=4, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=0.1,
    lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=25,
    report_to="none", use_cpu=True, seed=SEED, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_loss={metrics['eval_loss']:.4f} val_accuracy={metrics['eval_accuracy']:.4f}")
