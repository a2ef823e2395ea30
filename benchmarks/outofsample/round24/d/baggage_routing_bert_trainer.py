"""Airport baggage routing: predict a bag's outcome from its scan-event trail.

Each bag's BHS trail is a sequence of event tokens (check-in desk, screening
level, sorter chute, make-up lateral, transfer belt, manual-encode station,
early-bag store, ...). Outcome: 0 loaded on time, 1 short-shipped (missed
flight), 2 sent to manual inspection, 3 mis-sorted to another lateral.
A small BERT is trained from scratch with the Hugging Face Trainer
(warm-up then linear decay, label smoothing).
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.manual_seed(0)
rng = np.random.default_rng(0)

PAD, CLS = 0, 1
VOCAB, SEQ = 64, 24
CHECKIN, SCREEN_OK, SCREEN_L3, SORTER, LATERAL, TRANSFER, MANUAL, EBS, LOAD = 2, 10, 11, 20, 30, 40, 45, 50, 60


def make_trail(outcome):
    t = [CLS, CHECKIN + rng.integers(0, 8)]
    if outcome == 2:
        t += [SCREEN_L3, SCREEN_L3 + rng.integers(1, 4)]
    else:
        t += [SCREEN_OK]
    if rng.random() < 0.4:
        t += [TRANSFER + rng.integers(0, 5)]
    if outcome == 1 and rng.random() < 0.85:
        t += [EBS + rng.integers(0, 5)] * rng.integers(2, 4)     # waited in early-bag store
    elif rng.random() < 0.2:
        t += [EBS + rng.integers(0, 5)]
    lateral = LATERAL + rng.integers(0, 8)
    t += [SORTER + rng.integers(0, 8) for _ in range(rng.integers(1, 4))]
    if outcome == 3 or (outcome == 0 and rng.random() < 0.05):
        t += [MANUAL + rng.integers(0, 4), LATERAL + rng.integers(0, 8)]
    t += [lateral]
    if outcome != 1 or rng.random() < 0.1:
        t += [LOAD + rng.integers(0, 4)]
    # label noise from scanner misreads: a random token dropped
    if rng.random() < 0.15 and len(t) > 3:
        t.pop(rng.integers(2, len(t)))
    return t[:SEQ]


def encode(n):
    outcomes = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    for i, o in enumerate(outcomes):
        t = make_trail(o)
        ids[i, :len(t)] = t
        mask[i, :len(t)] = 1
    return ids, mask, outcomes


class BagDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


ids, mask, y = encode(2400)
train_ds = BagDataset(ids[:2000], mask[:2000], y[:2000])
val_ds = BagDataset(ids[2000:], mask[2000:], y[2000:])

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=4,
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/baggage_bert",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    learning_rate=2e-3,
    warmup_steps=25,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    num_train_epochs=6,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    seed=0,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
