"""Chimney sweeping: decide from a sweep's coded inspection report whether the flue is
fine (0), needs a re-visit within a year (1) or must be relined before next use (2).

Reports are sequences of inspection codes (soot grade, creosote stage, liner cracks,
cap condition, draught readings binned, appliance type, ...). A small BERT-style
encoder trained from scratch with the Hugging Face Trainer.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, MAXLEN, PAD, CLS = 160, 28, 0, 1
FILLER = np.arange(10, 160)
CRACK, CREOSOTE3, CAP_MISSING, GLAZED, DRAUGHT_LOW, CLEAN_LINER, OK_CAP = 2, 3, 4, 5, 6, 7, 8


def make_report():
    n = rng.integers(12, MAXLEN - 1)
    toks = list(rng.choice(FILLER, size=n))
    severity = 0.0
    if rng.random() < 0.30:
        toks[rng.integers(0, n)] = CRACK; severity += 2.2
    if rng.random() < 0.30:
        toks[rng.integers(0, n)] = CREOSOTE3; severity += 1.4
    if rng.random() < 0.25:
        toks[rng.integers(0, n)] = GLAZED; severity += 1.0
    if rng.random() < 0.25:
        toks[rng.integers(0, n)] = DRAUGHT_LOW; severity += 0.8
    if rng.random() < 0.20:
        toks[rng.integers(0, n)] = CAP_MISSING; severity += 0.6
    if rng.random() < 0.40:
        toks[rng.integers(0, n)] = CLEAN_LINER; severity -= 0.7
    if rng.random() < 0.40:
        toks[rng.integers(0, n)] = OK_CAP; severity -= 0.3
    severity += rng.normal(0, 0.35)
    label = 0 if severity < 0.6 else (1 if severity < 2.0 else 2)
    return [CLS] + toks, label


class ReportDataset(Dataset):
    def __init__(self, n):
        self.items = [make_report() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        toks, label = self.items[i]
        ids = toks + [PAD] * (MAXLEN - len(toks))
        mask = [1] * len(toks) + [0] * (MAXLEN - len(toks))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


train_ds, val_ds = ReportDataset(1600), ReportDataset(400)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=3,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(3)]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/flue_report_trainer",
    num_train_epochs=5,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    weight_decay=0.01,
    warmup_steps=25,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    max_grad_norm=1.0,
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
print(f"final eval_loss {metrics['eval_loss']:.4f}  eval_accuracy {metrics['eval_accuracy']:.3f}  "
      f"eval_balanced_accuracy {metrics['eval_balanced_accuracy']:.3f}")
