"""Fountain-pen repair workshop: route incoming service tickets to the right bench.

Each ticket collects one or more bench notes (intake, first look, customer call) and is
closed with the repair that was actually done. We train a small BERT from scratch on the
notes (a masked mean of word embeddings under a small MLP, cheap enough for the shop's
laptop) with the Hugging Face Trainer so new tickets can be pre-assigned.

    python pen_workshop_tickets.py
"""
import random
from collections import defaultdict

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

SEED = 17
MAX_LEN = 40
REPAIRS = ["nib_realign", "sac_replace", "feed_flush", "cap_crack", "piston_reseal", "clip_replate"]

CUES = {
    "nib_realign": "scratchy tines misaligned skips hard-start baby's-bottom smooth tipping grind sprung",
    "sac_replace": "sac perished lever won't fill hardened rubber pressure-bar talc shellac",
    "feed_flush": "dried ink clogged feed flow starved ultrasonic flush pigment sediment",
    "cap_crack": "cap crack lip split hairline celluloid inner-cap band loose",
    "piston_reseal": "piston stiff seal leaking knob slipping cork seal silicone grease",
    "clip_replate": "clip bent brassing plating worn gold fill finial tarnish",
}
COMMON = ("customer pen brand vintage modern arrived box please check also noted says used "
          "daily since grandfather gift quote approved returned called left message bench "
          "inspected tested ink bottle blue black medium fine broad").split()
BRANDS = "parker sheaffer pelikan waterman montblanc pilot sailor platinum lamy aurora esterbrook conway".split()


def build_log(n_tickets=1600, seed=SEED):
    rng = random.Random(seed)
    rows = []
    for _ in range(n_tickets):
        tid = "PW-%06x" % rng.getrandbits(24)
        repair = rng.choice(REPAIRS)
        cues = CUES[repair].split()
        # a few cues from a neighbouring repair: customers rarely describe the fault precisely
        other = CUES[rng.choice(REPAIRS)].split()
        for _ in range(rng.randint(1, 3)):
            words = rng.sample(COMMON, rng.randint(4, 9)) + [rng.choice(BRANDS)]
            words += rng.sample(cues, rng.randint(1, 3)) + rng.sample(other, rng.randint(0, 1))
            rng.shuffle(words)
            rows.append({"ticket_id": tid, "note": " ".join(words), "repair": repair})
    return rows


class Vocab:
    def __init__(self, texts):
        words = sorted({w for t in texts for w in t.split()})
        self.itos = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + words
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def encode(self, text):
        ids = [2] + [self.stoi.get(w, 1) for w in text.split()][: MAX_LEN - 2] + [3]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        return ids + [0] * (MAX_LEN - len(ids)), mask


class TicketSet(torch.utils.data.Dataset):
    def __init__(self, texts, labels, vocab):
        enc = [vocab.encode(t) for t in texts]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


class TicketClassifier(nn.Module):
    def __init__(self, vocab_size, n_labels, dim=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.mlp = nn.Sequential(nn.Linear(dim, 128), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(128, n_labels))

    def forward(self, input_ids, attention_mask=None, labels=None):
        if attention_mask is None:
            attention_mask = (input_ids != 0).long()
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.mlp(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    set_seed(SEED)
    log = build_log()
    notes, closed = defaultdict(list), {}
    for row in log:
        notes[row["ticket_id"]].append(row["note"])
        closed[row["ticket_id"]] = row["repair"]
    texts = [" ".join(notes[t]) for t in sorted(notes)]
    labels = np.array([REPAIRS.index(closed[t]) for t in sorted(closed)])

    tr_x, va_x, tr_y, va_y = train_test_split(texts, labels, test_size=0.2,
                                              random_state=SEED, stratify=labels)
    vocab = Vocab(tr_x)
    train_ds, val_ds = TicketSet(tr_x, tr_y, vocab), TicketSet(va_x, va_y, vocab)

    model = TicketClassifier(len(vocab.itos), len(REPAIRS))

    args = TrainingArguments(
        output_dir="/tmp/pen_workshop_tickets", num_train_epochs=10,
        per_device_train_batch_size=32, per_device_eval_batch_size=128,
        learning_rate=3e-3, weight_decay=0.01, warmup_steps=20,
        eval_strategy="epoch", logging_steps=40, save_strategy="no",
        report_to="none", use_cpu=True, seed=SEED, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                      eval_dataset=val_ds, compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"val_loss {metrics['eval_loss']:.4f} val_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
