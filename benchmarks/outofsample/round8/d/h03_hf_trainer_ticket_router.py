"""Route support tickets to one of 5 queues with a small BERT trained from scratch by HF Trainer.

Tickets are generated: filler text from a 4k-word vocabulary with a few queue-specific terms
(and sometimes one distractor term from another queue).  Trainer settings are the usual ones:
linear decay after 30 warm-up steps (10%), AdamW with weight decay 0.01, label smoothing 0.1, gradient
accumulation over 2 micro-batches, evaluation and best-model selection each epoch.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          set_seed)
from transformers.utils import logging as hf_logging

SEED = 42
set_seed(SEED)
hf_logging.set_verbosity_error()

VOCAB, N_QUEUES, MAX_LEN = 4000, 5, 32
PAD, CLS, SEP = 0, 1, 2
QUEUES = ["billing", "login", "shipping", "refund", "bug"]


def make_tickets(n, rng, queue_terms):
    ids, labels = [], []
    filler_p = 1.0 / np.arange(1, VOCAB - 200 + 1) ** 1.1
    filler_p /= filler_p.sum()
    for _ in range(n):
        q = rng.integers(N_QUEUES)
        length = rng.integers(8, MAX_LEN - 6)
        toks = list(200 + rng.choice(VOCAB - 200, size=length, p=filler_p))
        k = rng.integers(2, 5)
        terms = list(rng.choice(queue_terms[q], size=k))
        if rng.random() < 0.3:  # a distractor mentioning another queue
            other = (q + rng.integers(1, N_QUEUES)) % N_QUEUES
            terms.append(rng.choice(queue_terms[other]))
        for t in terms:
            toks.insert(rng.integers(len(toks) + 1), t)
        toks = [CLS] + toks[: MAX_LEN - 2] + [SEP]
        ids.append(toks)
        labels.append(int(q))
    return ids, labels


class TicketDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        toks = self.ids[i]
        pad = MAX_LEN - len(toks)
        return {
            "input_ids": torch.tensor(toks + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(toks) + [0] * pad),
            "labels": torch.tensor(self.labels[i]),
        }


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(SEED)
    term_pool = rng.permutation(np.arange(3, 200))
    queue_terms = [term_pool[i * 20:(i + 1) * 20] for i in range(N_QUEUES)]
    train = TicketDataset(*make_tickets(2400, rng, queue_terms))
    val = TicketDataset(*make_tickets(600, rng, queue_terms))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=N_QUEUES,
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(),
        num_train_epochs=4,
        per_device_train_batch_size=16,
        per_device_eval_batch_size=64,
        gradient_accumulation_steps=2,
        learning_rate=5e-4,
        weight_decay=0.01,
        warmup_steps=30,  # 10% of the 300 optimizer steps
        lr_scheduler_type="linear",
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=1,
        load_best_model_at_end=True,
        metric_for_best_model="accuracy",
        logging_steps=25,
        report_to="none",
        use_cpu=True,
        seed=SEED,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    majority = np.bincount(val.labels).max() / len(val.labels)
    print(f"majority-queue baseline accuracy {majority:.4f}")
    print(f"FINAL eval_accuracy {metrics['eval_accuracy']:.4f} eval_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
