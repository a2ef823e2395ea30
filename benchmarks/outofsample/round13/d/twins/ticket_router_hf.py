"""Support-ticket router: a small BERT trained from scratch with the HF Trainer on tokenised tickets."""
import os
import tempfile
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
os.environ.setdefault("WANDB_DISABLED", "true")
set_seed(5)
torch.set_num_threads(1)

VOCAB, SEQ, N_INTENTS = 400, 32, 5
PAD, CLS, SEP = 0, 1, 2


def synth_tickets(n, rng):
    """Zipf background words + a few intent keywords; agents reuse each other's phrasing, so keywords overlap."""
    zipf = 1.0 / np.arange(1, VOCAB - 9) ** 1.1
    zipf /= zipf.sum()
    pools = [rng.choice(np.arange(40, VOCAB), 12, replace=False) for _ in range(N_INTENTS)]
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(N_INTENTS, size=n)
    for i in range(n):
        length = rng.integers(10, SEQ - 1)
        words = rng.choice(np.arange(10, VOCAB), length, p=zipf)
        k = rng.integers(2, 6)
        pos = rng.choice(length, k, replace=False)
        src = np.where(rng.random(k) < 0.8, labels[i], rng.integers(N_INTENTS, size=k))
        words[pos] = [rng.choice(pools[c]) for c in src]
        ids[i, 0] = CLS
        ids[i, 1:length + 1] = words
        ids[i, length + 1] = SEP
        mask[i, :length + 2] = 1
    return ids, mask, labels


class TicketSet(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


def main():
    rng = np.random.default_rng(5)
    ids, mask, labels = synth_tickets(2000, rng)
    test = TicketSet(ids[1600:], mask[1600:], labels[1600:])
    n = 1600
    n_val = 320
    perm = rng.permutation(n)
    train_idx, val_idx = perm[n_val:], perm[:n_val]
    train = TicketSet(ids[train_idx], mask[train_idx], labels[train_idx])
    val = TicketSet(ids[val_idx], mask[val_idx], labels[val_idx])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=N_INTENTS)
    model = BertForSequenceClassification(config)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=8, per_device_train_batch_size=32,
            per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.0,
            warmup_steps=30, lr_scheduler_type="linear", eval_strategy="epoch",
            save_strategy="epoch", save_total_limit=1, load_best_model_at_end=True,
            metric_for_best_model="accuracy", logging_strategy="epoch", report_to=[],
            disable_tqdm=True, use_cpu=True, seed=5, save_only_model=True)
        trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                          compute_metrics=compute_metrics)
        trainer.train()
        val_acc = trainer.evaluate()["eval_accuracy"]
        test_acc = trainer.evaluate(test, metric_key_prefix="test")["test_accuracy"]
    print(f"best-checkpoint val_acc={val_acc:.4f} test_acc={test_acc:.4f}")


if __name__ == "__main__":
    main()
