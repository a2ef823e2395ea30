"""Predict how long a support ticket takes to resolve from its text (HF Trainer).

A small BERT trained from scratch (BertConfig, 2 layers) on tokenised ticket
titles + first message, regressing log resolution hours (z-scored). Training
labels come from joining the ticket export with the resolution log; validation
is the QA team's audited sample. Reports validation RMSE (log hours) and R^2.
"""
import os
import tempfile
import warnings

import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
os.environ.setdefault("WANDB_DISABLED", "true")

VOCAB, SEQ = 600, 32
PAD, CLS = 0, 1


def make_tickets(n, rng, word_effect):
    """Token ids of a ticket and its true log resolution time."""
    ids = np.full((n, SEQ), PAD, np.int64)
    logh = np.empty(n)
    for k in range(n):
        length = rng.integers(12, SEQ)
        words = rng.zipf(1.3, length - 1) % (VOCAB - 2) + 2
        ids[k, 0] = CLS
        ids[k, 1:length] = words
        logh[k] = 1.2 + word_effect[words].sum() + rng.normal(0, 0.25)
    return ids, logh


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, target):
        self.ids = torch.tensor(ids)
        self.mask = (self.ids != PAD).long()
        self.target = torch.tensor(target, dtype=torch.float32)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.target[i]}


def compute_metrics(pred):
    p = pred.predictions.reshape(-1)
    t = pred.label_ids.reshape(-1)
    rmse = float(np.sqrt(np.mean((p - t) ** 2))) * TARGET_SD
    r2 = 1.0 - float(np.sum((p - t) ** 2) / np.sum((t - t.mean()) ** 2))
    return {"rmse_log_hours": rmse, "r2": r2}


TARGET_SD = 1.0


def main():
    global TARGET_SD
    set_seed(11)
    rng = np.random.default_rng(11)
    word_effect = np.zeros(VOCAB)
    keywords = rng.choice(np.arange(2, 80), 24, replace=False)
    word_effect[keywords] = rng.normal(0, 0.6, 24)

    ids_tr, logh_tr = make_tickets(2000, rng, word_effect)
    ids_va, logh_va = make_tickets(500, rng, word_effect)
    # join with the resolution log (hours from open to close)
    still_open = rng.random(len(logh_tr)) < 0.04
    ids_tr, logh_tr = ids_tr[~still_open], logh_tr[~still_open]

    mu, sd = np.nanmean(logh_tr), np.nanstd(logh_tr)
    TARGET_SD = sd
    train_ds = TicketDataset(ids_tr, (logh_tr - mu) / sd)
    val_ds = TicketDataset(ids_va, (logh_va - mu) / sd)

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=SEQ, num_labels=1, problem_type="regression")
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(), num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30,
        weight_decay=0.01, lr_scheduler_type="linear", eval_strategy="epoch",
        logging_steps=25, save_strategy="no", report_to=[], use_cpu=True,
        disable_tqdm=True, seed=11, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    for rec in trainer.state.log_history:
        if "eval_r2" in rec:
            print(f"epoch {rec['epoch']:.0f} eval_loss {rec['eval_loss']:.4f} "
                  f"rmse {rec['eval_rmse_log_hours']:.4f} r2 {rec['eval_r2']:.4f}")
    m = trainer.evaluate()
    print(f"final val_rmse_log_hours {m['eval_rmse_log_hours']:.4f} val_r2 {m['eval_r2']:.4f}")


if __name__ == "__main__":
    main()
