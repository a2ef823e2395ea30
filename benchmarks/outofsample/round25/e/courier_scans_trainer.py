"""Parcel outcome from the courier scan-event trail, with a small BERT trained from scratch.

Each parcel is the sequence of scan events the network recorded (event type x depot);
the label is how the parcel ended up: delivered on time, delivered late, returned to
sender, or written off as damaged.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(11)
torch.set_num_threads(1)

EVENTS = ["PICKUP", "HUB_IN", "HUB_OUT", "LINEHAUL", "SORT", "OUT_FOR_DELIVERY", "DELIVERED",
          "MISSED_DELIVERY", "CARD_LEFT", "ADDRESS_QUERY", "RETURN_TO_SENDER", "EXCEPTION_DAMAGE",
          "REPACKED", "CUSTOMS_HOLD", "WEIGHT_CHECK", "RESCAN"]
N_DEPOTS = 24
PAD, CLS, SEP = 0, 1, 2
OFFSET = 3


def tok(event, depot):
    return OFFSET + EVENTS.index(event) * N_DEPOTS + depot


VOCAB = OFFSET + len(EVENTS) * N_DEPOTS
MAX_LEN = 36
LABELS = ["on_time", "late", "returned", "damaged"]


def simulate(rng):
    outcome = rng.choice(4, p=[0.42, 0.25, 0.18, 0.15])
    origin, dest = rng.integers(0, N_DEPOTS, 2)
    trail = [("PICKUP", origin), ("HUB_IN", origin), ("SORT", origin), ("HUB_OUT", origin)]
    for _ in range(rng.integers(0, 3)):
        mid = rng.integers(0, N_DEPOTS)
        trail += [("LINEHAUL", mid), ("HUB_IN", mid), ("SORT", mid), ("HUB_OUT", mid)]
    trail += [("LINEHAUL", dest), ("HUB_IN", dest)]
    if rng.random() < 0.15:
        trail.append(("WEIGHT_CHECK", dest))
    if rng.random() < 0.12:
        trail.append(("RESCAN", dest))
    if rng.random() < 0.08:
        trail.append(("CUSTOMS_HOLD", dest))
    if outcome == 3:
        trail += [("EXCEPTION_DAMAGE", dest)]
        if rng.random() < 0.5:
            trail += [("REPACKED", dest)]
        trail += [("OUT_FOR_DELIVERY", dest), ("DELIVERED", dest)] if rng.random() < 0.3 else []
    elif outcome == 2:
        for _ in range(rng.integers(1, 3)):
            trail += [("OUT_FOR_DELIVERY", dest), ("MISSED_DELIVERY", dest), ("CARD_LEFT", dest)]
        if rng.random() < 0.6:
            trail.append(("ADDRESS_QUERY", dest))
        trail += [("RETURN_TO_SENDER", dest), ("LINEHAUL", origin), ("HUB_IN", origin)]
    elif outcome == 1:
        n_miss = rng.integers(2, 4)
        for _ in range(n_miss):
            trail += [("OUT_FOR_DELIVERY", dest), ("MISSED_DELIVERY", dest)]
        trail += [("OUT_FOR_DELIVERY", dest), ("DELIVERED", dest)]
    else:
        if rng.random() < 0.35:
            trail += [("OUT_FOR_DELIVERY", dest), ("MISSED_DELIVERY", dest)]
        trail += [("OUT_FOR_DELIVERY", dest), ("DELIVERED", dest)]
    ids = [CLS] + [tok(e, d) for e, d in trail][: MAX_LEN - 2] + [SEP]
    return ids, int(outcome)


class ScanTrails(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.rows = [simulate(rng) for _ in range(n)]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        ids, label = self.rows[i]
        pad = MAX_LEN - len(ids)
        return {
            "input_ids": torch.tensor(ids + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
            "labels": torch.tensor(label),
        }


train_ds, val_ds = ScanTrails(1600, seed=1), ScanTrails(500, seed=2)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(LABELS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(len(LABELS))]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/courier_scans_trainer",
    num_train_epochs=7,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    weight_decay=0.01,
    warmup_steps=30,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to="none",
    use_cpu=True,
    seed=11,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final: val accuracy {metrics['eval_accuracy']:.3f}, balanced accuracy {metrics['eval_balanced_accuracy']:.3f}, "
      f"val loss {metrics['eval_loss']:.3f}")
