"""Contract clause typing with a small BERT trained from scratch through the HF Trainer.

Clauses arrive already word-piece tokenised (ids from the firm's in-house vocabulary).
Six clause types; warm-up then linear decay; label smoothing for the blurry boundary
between confidentiality and data-protection clauses.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          set_seed)
from transformers.utils import logging as hf_logging

CLAUSES = ["indemnification", "termination", "confidentiality", "governing_law", "payment",
           "data_protection"]
VOCAB, SEQ_LEN = 1200, 40
CLS, SEP, PAD = 1, 2, 0


def draft_clauses(n, rng):
    """Boilerplate legal tokens plus a handful of type-specific terms per clause."""
    boiler = np.arange(200, VOCAB)
    p_boiler = 1.0 / np.arange(1, len(boiler) + 1) ** 0.9
    p_boiler /= p_boiler.sum()
    terms = {c: np.arange(10 + 25 * c, 35 + 25 * c) for c in range(len(CLAUSES))}
    shared = np.arange(160, 175)  # wording used by both confidentiality and data protection
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = rng.integers(0, len(CLAUSES), n)
    for i, c in enumerate(labels):
        length = rng.integers(16, SEQ_LEN - 1)
        body = rng.choice(boiler, size=length, p=p_boiler)
        k = rng.integers(1, 5)
        slots = rng.choice(length, size=k + 1, replace=False)
        body[slots[:k]] = rng.choice(terms[c], size=k)
        if c in (2, 5):
            body[slots[k]] = rng.choice(shared)
        elif rng.random() < 0.4:
            body[slots[k]] = rng.choice(terms[rng.integers(0, len(CLAUSES))])
        ids[i, 0] = CLS
        ids[i, 1:length + 1] = body
        ids[i, length + 1] = SEP
        mask[i, :length + 2] = 1
    return ids, mask, labels


class ClauseDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(len(CLAUSES))]
    return {"accuracy": float((pred == labels).mean()), "macro_recall": float(np.mean(recalls))}


def main():
    hf_logging.set_verbosity_error()
    set_seed(17)
    torch.set_num_threads(1)
    rng = np.random.default_rng(17)
    train_ds = ClauseDataset(*draft_clauses(2400, rng))
    eval_ds = ClauseDataset(*draft_clauses(600, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=len(CLAUSES),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/legal_clause_trainer",
        num_train_epochs=4,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        learning_rate=1e-3,
        warmup_steps=0.1,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=17,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval accuracy {metrics['eval_accuracy']:.4f} macro recall {metrics['eval_macro_recall']:.4f}")


if __name__ == "__main__":
    main()
