"""Route facilities work orders to the right trade with a small BERT trained from scratch (HF Trainer).

Free-text tickets from a university estates help desk ("radiator in G14 cold since monday, valve
stiff") go to one of six trades. Word-level vocabulary built from the training tickets; linear
warm-up then linear decay, label smoothing, evaluation every epoch.
"""
import os
import random
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

TRADES = ["electrical", "plumbing", "hvac", "carpentry", "locksmith", "cleaning"]
ASSETS = {
    "electrical": ["socket", "light", "lights", "fuse", "breaker", "switch", "projector power", "extension lead", "emergency light"],
    "plumbing": ["tap", "toilet", "sink", "drain", "urinal", "pipe", "shower", "cistern", "water heater"],
    "hvac": ["radiator", "heating", "air con", "thermostat", "vent", "fan coil", "boiler", "extractor"],
    "carpentry": ["door", "shelf", "desk", "window frame", "skirting", "cupboard", "hinge", "floorboard"],
    "locksmith": ["lock", "key", "keypad", "fob reader", "padlock", "door lock", "key safe", "latch"],
    "cleaning": ["spill", "vomit", "litter", "floor", "carpet", "bin", "graffiti", "stain"],
}
SYMPTOMS = {
    "electrical": ["not working", "tripping", "flickering", "sparking", "dead", "buzzing"],
    "plumbing": ["leaking", "blocked", "dripping", "overflowing", "no water", "running constantly"],
    "hvac": ["cold", "too hot", "noisy", "not working", "stuck on", "smells of burning"],
    "carpentry": ["broken", "loose", "sticking", "cracked", "hanging off", "not closing"],
    "locksmith": ["jammed", "lost", "not working", "broken", "stuck", "wont turn"],
    "cleaning": ["needs cleaning", "sticky", "overflowing", "dirty", "needs removing", "smells"],
}
# asset words that several trades get tickets about
SHARED = {"door": ["carpentry", "locksmith"], "fan": ["electrical", "hvac"], "floor": ["cleaning", "carpentry"],
          "heater": ["electrical", "hvac", "plumbing"], "window": ["carpentry", "locksmith", "cleaning"],
          "hand dryer": ["electrical", "cleaning"]}
PLACES = ["room", "lab", "office", "corridor", "toilets", "lecture theatre", "kitchen", "library", "stairwell"]
FILLER = ["please", "urgent", "asap", "since monday", "again", "reported before", "thanks", "students complaining",
          "level 2", "near lift", "west wing", "ground floor", "as soon as possible", "health and safety"]


def ticket(rng):
    trade = rng.randrange(len(TRADES))
    name = TRADES[trade]
    # a quarter of tickets use a symptom word borrowed from another trade
    sym_from = name if rng.random() > 0.25 else TRADES[rng.randrange(len(TRADES))]
    asset = rng.choice(ASSETS[name])
    if rng.random() < 0.3:
        shared = [w for w, owners in SHARED.items() if name in owners]
        asset = rng.choice(shared) if shared else asset
    parts = [asset, rng.choice(SYMPTOMS[sym_from]), "in", rng.choice(PLACES),
             f"{rng.choice('ABCDG')}{rng.randint(1, 40)}"]
    parts += rng.sample(FILLER, rng.randint(0, 3))
    if rng.random() < 0.5:
        parts = parts[2:5] + parts[:2] + parts[5:]
    return " ".join(parts).lower(), trade


class Tickets(torch.utils.data.Dataset):
    def __init__(self, texts, labels, vocab, max_len=24):
        self.items = []
        for t, y in zip(texts, labels):
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in t.split()][: max_len - 2] + [vocab["[SEP]"]]
            mask = [1] * len(ids) + [0] * (max_len - len(ids))
            ids = ids + [vocab["[PAD]"]] * (max_len - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(y)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    set_seed(13)
    rng = random.Random(13)
    data = [ticket(rng) for _ in range(1500)]
    train_txt, train_y = zip(*data[:1200])
    val_txt, val_y = zip(*data[1200:])

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for t in train_txt:
        for w in t.split():
            vocab.setdefault(w, len(vocab))

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=32, num_labels=len(TRADES))
    model = BertForSequenceClassification(config)

    out_dir = tempfile.mkdtemp(prefix="workorders_")
    args = TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        warmup_steps=20,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=15,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=13,
    )
    trainer = Trainer(model=model, args=args, train_dataset=Tickets(train_txt, train_y, vocab),
                      eval_dataset=Tickets(val_txt, val_y, vocab), compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val accuracy: {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
