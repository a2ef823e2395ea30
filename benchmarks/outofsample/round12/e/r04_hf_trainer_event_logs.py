"""Flag service sessions whose event log contains two or more distinct high-risk events
(failed logins, privilege changes, key exports, ...), with a small BERT encoder trained from scratch by the HF Trainer
(linear warm-up/decay, weight decay, fp32 on CPU)."""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

set_seed(21)
rng = np.random.default_rng(21)

VOCAB = 180          # event type ids; 0 pad, 1 [CLS], 2 [SEP]
SEQ = 32
RISKY = np.array([17, 29, 54, 93, 111, 140, 158, 171])


def make_sessions(n):
    ids = np.zeros((n, SEQ), dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        length = int(rng.integers(16, SEQ - 1))
        events = rng.integers(3, VOCAB, length)
        events[np.isin(events, RISKY)] = 3
        # sessions carry 0-3 risky events, sometimes the same one repeated
        k = int(rng.choice([0, 1, 1, 2, 3]))
        picks = rng.choice(RISKY, k, replace=rng.random() < 0.3)
        events[rng.choice(length, k, replace=False)] = picks
        labels[i] = int(len(set(picks.tolist())) >= 2)
        ids[i, 0] = 1
        ids[i, 1:length + 1] = events
        ids[i, length + 1] = 2
        mask[i, :length + 2] = 1
    return ids, mask, labels


class Sessions(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]),
                "attention_mask": torch.from_numpy(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


ids, mask, labels = make_sessions(3000)
train_ds = Sessions(ids[:2400], mask[:2400], labels[:2400])
val_ds = Sessions(ids[2400:], mask[2400:], labels[2400:])

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=0)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, y = pred
    p = logits.argmax(-1)
    tp = ((p == 1) & (y == 1)).sum(); fp = ((p == 1) & (y == 0)).sum(); fn = ((p == 0) & (y == 1)).sum()
    f1 = 2 * tp / max(1, 2 * tp + fp + fn)
    return {"accuracy": float((p == y).mean()), "f1": float(f1)}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=5, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01,
        warmup_steps=38, lr_scheduler_type="linear", eval_strategy="epoch",
        logging_steps=50, save_strategy="no", report_to=[], use_cpu=True, seed=21,
        dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

majority = max(labels[2400:].mean(), 1 - labels[2400:].mean())
print(f"baseline (majority class) accuracy {majority:.4f}  f1 0.0")
print(f"final val accuracy {metrics['eval_accuracy']:.4f}  f1 {metrics['eval_f1']:.4f}")
