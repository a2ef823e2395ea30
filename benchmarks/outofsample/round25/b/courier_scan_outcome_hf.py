"""Parcel outcome from its courier scan trail (tiny BERT, Hugging Face Trainer).

Each parcel is the ordered list of scan events the network recorded in its first 48 hours
(induction, hub sorts, linehaul, out-for-delivery, exceptions...). We predict the final outcome
so the customer-care team can reach out early. Trained from scratch with a small BertConfig,
warm-up then linear decay and label smoothing, as the production model is.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
rng = np.random.default_rng(17)

EVENTS = ["[PAD]", "[CLS]", "[SEP]", "INDUCT", "HUB_IN", "HUB_OUT", "SORT", "LINEHAUL_DEP",
          "LINEHAUL_ARR", "DEPOT_IN", "OFD", "DELIVERED_ATTEMPT", "CARD_LEFT", "ADDR_QUERY",
          "CUSTOMS_HOLD", "CUSTOMS_CLEAR", "WEATHER_DELAY", "MISSORT", "RELABEL", "DAMAGE_NOTED",
          "REPACK", "SIG_REQUIRED", "LOCKER_DROP", "RTS_REQUEST", "SCAN_GAP", "WEIGHT_ADJ"]
TOK = {e: i for i, e in enumerate(EVENTS)}
OUTCOMES = ["on_time", "late", "returned", "damaged_claim"]
MAX_LEN = 36


def scan_trail():
    trail = ["INDUCT", "SORT"]
    hubs = rng.integers(1, 4)
    late_risk, rts_risk, dmg_risk = 0.0, 0.0, 0.0
    for _ in range(hubs):
        trail += ["HUB_IN", "SORT", "HUB_OUT", "LINEHAUL_DEP", "LINEHAUL_ARR"]
        late_risk += 0.25
    for ev, p, lr_, rr, dr in [("CUSTOMS_HOLD", 0.12, 1.0, 0.3, 0.0), ("WEATHER_DELAY", 0.15, 1.2, 0, 0),
                               ("MISSORT", 0.08, 1.5, 0.2, 0.2), ("SCAN_GAP", 0.1, 0.6, 0.2, 0.4),
                               ("DAMAGE_NOTED", 0.14, 0.3, 0.2, 2.5), ("ADDR_QUERY", 0.18, 0.4, 1.8, 0)]:
        if rng.random() < p:
            pos = rng.integers(1, len(trail))
            trail.insert(pos, ev)
            late_risk, rts_risk, dmg_risk = late_risk + lr_, rts_risk + rr, dmg_risk + dr
            if ev == "CUSTOMS_HOLD" and rng.random() < 0.8:
                trail.insert(pos + 1, "CUSTOMS_CLEAR")
            if ev == "DAMAGE_NOTED" and rng.random() < 0.6:
                trail.insert(pos + 1, "REPACK")
            if ev == "MISSORT":
                trail.insert(pos + 1, "RELABEL")
    trail += ["DEPOT_IN", "OFD"]
    if rng.random() < 0.3:
        trail += ["DELIVERED_ATTEMPT", "CARD_LEFT"]
        late_risk += 0.8
        rts_risk += 0.6
    if rng.random() < 0.15:
        trail.append("SIG_REQUIRED")
    if rng.random() < 0.1:
        trail.append("LOCKER_DROP")
        late_risk -= 0.5
    if rts_risk > 1.2 and rng.random() < 0.6:
        trail.append("RTS_REQUEST")
    logits = np.array([1.1, late_risk - 0.1, rts_risk - 0.5, dmg_risk - 0.6]) + rng.normal(0, 0.4, 4)
    return trail[: MAX_LEN - 2], int(np.argmax(logits))


class ScanDataset(Dataset):
    def __init__(self, n):
        self.items = [scan_trail() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        trail, label = self.items[i]
        ids = [TOK["[CLS]"]] + [TOK[e] for e in trail] + [TOK["[SEP]"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [TOK["[PAD]"]] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


train_ds, eval_ds = ScanDataset(2400), ScanDataset(800)

config = BertConfig(vocab_size=len(EVENTS), hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(OUTCOMES),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=0)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    preds = logits.argmax(-1)
    recalls = [(preds[labels == c] == c).mean() for c in range(len(OUTCOMES)) if (labels == c).any()]
    return {"accuracy": float((preds == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/courier_scan_bert",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    weight_decay=0.01,
    warmup_steps=45,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=50,
    report_to="none",
    use_cpu=True,
    seed=17,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss={metrics['eval_loss']:.4f} accuracy={metrics['eval_accuracy']:.4f} "
      f"balanced_accuracy={metrics['eval_balanced_accuracy']:.4f}")
