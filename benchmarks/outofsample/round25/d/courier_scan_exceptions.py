"""Courier scan histories -> how the shipment ends (delivered, delivery exception, returned).

Each shipment is the sequence of scan events so far (pickup, hub in/out, linehaul, customs,
out-for-delivery, failed attempt, address query, held at depot, ...), one token per scan
with a coarse time-gap bucket token between scans. A two-layer BERT encoder is trained from
scratch with the Hugging Face Trainer (warm-up then linear decay, AdamW, weight decay).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
EVENTS = ["PICKUP", "HUB_IN", "HUB_OUT", "LINEHAUL", "CUSTOMS_HOLD", "CUSTOMS_CLEAR", "OFD",
          "ATTEMPT_FAIL", "ADDR_QUERY", "DEPOT_HOLD", "RESCHEDULED", "LOCKER_DROP", "DAMAGED_CHECK",
          "RETURN_INIT"]
GAPS = ["G<2h", "G<12h", "G<1d", "G<3d", "G>3d"]
SPECIAL = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
VOCAB = {t: i for i, t in enumerate(SPECIAL + EVENTS + GAPS)}
LABELS = ["delivered", "exception", "returned"]
MAX_LEN = 32


def simulate_shipment(rng):
    outcome = rng.choice(3, p=[0.6, 0.25, 0.15])
    seq = ["PICKUP"]
    for _ in range(rng.integers(1, 4)):
        seq += ["HUB_IN", "HUB_OUT", "LINEHAUL"]
    if rng.random() < 0.2:
        seq += ["CUSTOMS_HOLD"] + (["CUSTOMS_CLEAR"] if outcome != 2 or rng.random() < 0.5 else [])
    seq.append("OFD")
    if outcome == 1:
        tails = [["ATTEMPT_FAIL"], ["ADDR_QUERY"], ["DAMAGED_CHECK"], ["ATTEMPT_FAIL", "RESCHEDULED"]]
        seq += tails[rng.integers(len(tails))]
    elif outcome == 2:
        seq += ["ATTEMPT_FAIL"] * rng.integers(1, 3) + (["DEPOT_HOLD"] if rng.random() < 0.7 else [])
        seq += ["RETURN_INIT"] if rng.random() < 0.4 else []
    else:
        if rng.random() < 0.25:
            seq += ["ATTEMPT_FAIL", "RESCHEDULED", "OFD"]
        if rng.random() < 0.2:
            seq += ["LOCKER_DROP"]
    cut = len(seq) if rng.random() < 0.5 else max(2, len(seq) - rng.integers(0, 2))
    seq = seq[:cut]
    toks = []
    for i, ev in enumerate(seq):
        if i:
            slow = outcome > 0 and ev in ("ATTEMPT_FAIL", "DEPOT_HOLD", "RETURN_INIT", "RESCHEDULED")
            toks.append(GAPS[min(4, rng.integers(0, 3) + (2 if slow else 0))])
        toks.append(ev)
    if rng.random() < 0.05:                                  # scanner glitch: an unknown code
        toks.insert(rng.integers(1, len(toks)), "[UNK]")
    return toks, outcome


class ScanDataset(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.items = [simulate_shipment(rng) for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        toks, label = self.items[i]
        ids = [VOCAB["[CLS]"]] + [VOCAB[t] for t in toks][:MAX_LEN - 2] + [VOCAB["[SEP]"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [VOCAB["[PAD]"]] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(len(LABELS))]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


def main():
    train_ds, val_ds = ScanDataset(1600, seed=1), ScanDataset(500, seed=2)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(LABELS))
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir="/tmp/courier_scan_bert", num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=2e-3, weight_decay=0.01, warmup_steps=15,
        lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=25,
        report_to=[], seed=17, use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"eval_loss={m['eval_loss']:.4f} eval_accuracy={m['eval_accuracy']:.4f} "
          f"eval_balanced_accuracy={m['eval_balanced_accuracy']:.4f}")


if __name__ == "__main__":
    main()
