"""River barge voyages: predict the arrival-delay class from the skipper's event log.

Each voyage is the sequence of logged events (lock approach/wait/pass, bridge clearances,
pilot changes, fog, low water, loading state, ...). A small BERT is trained from scratch on
the event tokens with the Hugging Face Trainer (warm-up, linear decay, label smoothing).
Classes: 0 on time, 1 up to 3 h late, 2 more than 3 h late.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(13)
rng = np.random.default_rng(13)

EVENTS = ["depart", "arrive", "lock_approach", "lock_wait", "lock_wait_long", "lock_pass", "bridge_clear",
          "bridge_low", "pilot_on", "pilot_off", "fog", "fog_clear", "anchor", "low_water", "high_water",
          "loaded_full", "loaded_part", "empty", "night", "day", "convoy_overtake", "engine_check",
          "bunker", "crew_change", "radio_vts", "berth_wait", "current_strong", "wind_gust", "ais_gap"]
VOCAB = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"] + EVENTS
TOK = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 40


def voyage():
    load = rng.choice(["loaded_full", "loaded_part", "empty"], p=[0.45, 0.35, 0.2])
    ev, delay, night = ["depart", load], 0.0, False
    for _ in range(rng.integers(6, 20)):
        e = rng.choice(EVENTS[2:], p=None)
        if e in ("depart", "arrive", "loaded_full", "loaded_part", "empty"):
            continue
        ev.append(e)
        if e in ("night", "day"):
            night = e == "night"
        elif e == "lock_approach":
            w = rng.choice(["lock_wait", "lock_wait_long", "lock_pass"], p=[0.4, 0.2, 0.4])
            ev.append(w)
            delay += {"lock_wait": 0.4, "lock_wait_long": 1.4, "lock_pass": 0.0}[w] * (2.5 if night else 1.0)
            if w != "lock_pass":
                ev.append("lock_pass")
        elif e == "fog" and rng.random() < 0.6:
            ev.append("anchor")
            delay += 1.5
        elif e == "low_water":
            delay += 1.6 if load == "loaded_full" else 0.2
        elif e == "berth_wait":
            delay += 0.8
        elif e == "current_strong":
            delay += 0.5 if load != "empty" else 0.1
    ev.append("arrive")
    delay += rng.normal(0, 0.25)
    label = 0 if delay < 1.2 else (1 if delay < 3.0 else 2)
    return ev[:MAX_LEN - 2], label


class VoyageDataset(Dataset):
    def __init__(self, n):
        self.items = [voyage() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ev, label = self.items[i]
        ids = [TOK["[CLS]"]] + [TOK[e] for e in ev] + [TOK["[SEP]"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [TOK["[PAD]"]] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


train_ds, val_ds = VoyageDataset(1600), VoyageDataset(500)
print("label shares", np.bincount([l for _, l in train_ds.items]) / len(train_ds))

config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=3,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/barge_voyage_delay",
    num_train_epochs=8,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=250,
    learning_rate=1e-3,
    warmup_steps=40,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to="none",
    use_cpu=True,
    seed=13,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
m = trainer.evaluate()
print(f"final val loss {m['eval_loss']:.4f}  val accuracy {m['eval_accuracy']:.4f}")
