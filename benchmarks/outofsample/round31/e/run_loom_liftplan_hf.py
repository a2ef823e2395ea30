"""Weave-structure recognition from a dobby loom's lift plan (tapestry & dobby weaving studio).

Each sample is the lift plan logged by an 8-shaft computer dobby for 12 picks: one token per
pick, the 8-bit mask of lifted shafts (256 types). Structure labels: plain, 2/2 twill,
3/1 twill, 8-end satin, basket, warp rib, 1/3 twill. Logs are short and noisy: mis-picks and
sticky shafts flip each shaft bit with probability 0.15, and start mid-repeat. A small BERT trained from scratch with the Hugging Face
Trainer (linear warm-up/decay schedule, weight decay, evaluation every epoch).
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
rng = np.random.default_rng(17)
PICKS, SHAFTS = 12, 8
PAD, CLS = 0, 1
OFFSET = 2
LABELS = ["plain", "twill_2_2", "twill_3_1", "satin_8", "basket", "warp_rib", "twill_1_3"]


def rot(bits, k):
    k %= len(bits)
    return bits[-k:] + bits[:-k] if k else bits


def tile(unit):
    return (unit * (SHAFTS // len(unit)))[:SHAFTS]


def lift_plan(label):
    start = int(rng.integers(0, 16))
    rows = []
    for p in range(start, start + PICKS):
        if label == 0:
            bits = tile([1, 0] if p % 2 else [0, 1])
        elif label == 1:
            bits = tile(rot([1, 1, 0, 0], p))
        elif label == 2:
            bits = tile(rot([1, 1, 1, 0], p))
        elif label == 3:
            bits = [1 if s == (3 * p) % SHAFTS else 0 for s in range(SHAFTS)]
        elif label == 4:
            bits = tile([1, 1, 0, 0] if (p // 2) % 2 == 0 else [0, 0, 1, 1])
        elif label == 5:
            bits = [1, 1, 1, 1, 0, 0, 0, 0] if p % 2 else [0, 0, 0, 0, 1, 1, 1, 1]
        else:
            bits = tile(rot([1, 0, 0, 0], p))
        bits = list(bits)
        for i in range(SHAFTS):                     # mis-picks and sticky shafts
            if rng.random() < 0.15:
                bits[i] = 1 - bits[i]
        rows.append(sum(b << i for i, b in enumerate(bits)) + OFFSET)
    return [CLS] + rows


class LiftPlans(torch.utils.data.Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, len(LABELS), n)
        self.x = torch.tensor([lift_plan(int(c)) for c in self.y])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "attention_mask": torch.ones_like(self.x[i]),
                "labels": torch.tensor(int(self.y[i]))}


train_ds, val_ds = LiftPlans(1500), LiftPlans(400)

config = BertConfig(vocab_size=256 + OFFSET, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=PICKS + 1, num_labels=len(LABELS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/loom_liftplan_run",
    num_train_epochs=8,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    warmup_steps=20,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=17,
    dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f} val loss {metrics['eval_loss']:.4f}")
