"""Predict a parcel's outcome from its first courier scan events.

Each parcel is the sequence of scan codes (and the depot they happened at) seen in its first 48 h;
a small BERT encoder from scratch classifies it as on-time / late / return-to-sender / damage claim.
Usage: python courier_scans.py
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

OUTCOMES = ["on_time", "late", "returned", "damage_claim"]
EVENTS = ["PICKUP", "HUB_IN", "HUB_OUT", "SORT", "LINEHAUL", "OUT_FOR_DELIVERY", "ATTEMPT_FAIL",
          "ADDRESS_QUERY", "CUSTOMS_HOLD", "WEATHER_DELAY", "RESCAN", "MISSORT", "HELD_AT_DEPOT",
          "CONTACT_SENDER", "PACKAGE_EXCEPTION", "RELABEL", "MANUAL_HANDLING", "CARD_LEFT"]
DEPOTS = [f"DEPOT_{i:02d}" for i in range(20)]
VOCAB = ["[PAD]", "[CLS]", "[SEP]"] + EVENTS + DEPOTS
TOK = {t: i for i, t in enumerate(VOCAB)}
MAX_LEN = 32


def scan_history(outcome, rng):
    ev = ["PICKUP", f"DEPOT_{rng.integers(20):02d}", "HUB_IN", "SORT"]
    n_hops = rng.integers(1, 4)
    for _ in range(n_hops):
        ev += ["HUB_OUT", "LINEHAUL", f"DEPOT_{rng.integers(20):02d}", "HUB_IN", "SORT"]
        if rng.random() < 0.15:
            ev.append("RESCAN")
    noise = rng.choice(["RESCAN", "MANUAL_HANDLING", "WEATHER_DELAY", "RELABEL"], size=rng.integers(0, 3))
    extra = {
        0: [],
        1: list(rng.choice(["WEATHER_DELAY", "MISSORT", "HELD_AT_DEPOT", "ATTEMPT_FAIL", "CUSTOMS_HOLD"],
                           size=rng.integers(1, 3))),
        2: ["ADDRESS_QUERY"] * int(rng.random() < 0.7) + ["ATTEMPT_FAIL", "CARD_LEFT"] * int(rng.random() < 0.6)
           + ["CONTACT_SENDER"] * int(rng.random() < 0.5),
        3: ["PACKAGE_EXCEPTION"] * int(rng.random() < 0.6) + ["MANUAL_HANDLING", "RELABEL"] * int(rng.random() < 0.6)
           + ["RESCAN"] * int(rng.random() < 0.5),
    }[outcome]
    for e in list(noise) + extra:
        ev.insert(rng.integers(2, len(ev) + 1), e)
    ev.append("OUT_FOR_DELIVERY")
    return ev


class ScanDataset(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.choice(4, size=n, p=[0.45, 0.3, 0.13, 0.12])
        self.ids = np.zeros((n, MAX_LEN), dtype=np.int64)
        self.mask = np.zeros((n, MAX_LEN), dtype=np.int64)
        for i, y in enumerate(self.labels):
            toks = ["[CLS]"] + scan_history(y, rng)[: MAX_LEN - 2] + ["[SEP]"]
            self.ids[i, : len(toks)] = [TOK[t] for t in toks]
            self.mask[i, : len(toks)] = 1

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]), "attention_mask": torch.from_numpy(self.mask[i]),
                "labels": torch.tensor(int(self.labels[i]))}


def compute_metrics(p):
    logits, labels = p
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(len(OUTCOMES))]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


def main():
    set_seed(17)
    train_ds, val_ds = ScanDataset(1600, seed=1), ScanDataset(500, seed=2)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(OUTCOMES),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir="/tmp/courier_scans_bert",
        num_train_epochs=5,
        max_steps=80,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        learning_rate=2e-3,
        weight_decay=0.01,
        warmup_steps=20,
        lr_scheduler_type="constant_with_warmup",
        eval_strategy="steps",
        eval_steps=40,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
        seed=17,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f}  accuracy {metrics['eval_accuracy']:.4f}  "
          f"balanced_accuracy {metrics['eval_balanced_accuracy']:.4f}")


if __name__ == "__main__":
    main()
