"""Support-ticket router: a tiny BERT trained from scratch with the Hugging Face Trainer.

Tickets are token-id sequences (already tokenised upstream); 5 queues. Warm-up then linear
decay (Trainer default schedule), label smoothing, weight decay.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
SEED, VOCAB, SEQ_LEN, N_QUEUES = 13, 500, 32, 5
CLS, PAD = 1, 0


def synth_tickets(n, rng, queue_terms):
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = rng.integers(0, N_QUEUES, n)
    for i in range(n):
        length = rng.integers(12, SEQ_LEN)
        toks = rng.integers(10, VOCAB, length)
        pos = rng.choice(np.arange(1, length), size=3, replace=False)
        toks[pos] = rng.choice(queue_terms[labels[i]], size=3)
        toks[0] = CLS
        ids[i, :length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class TicketDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(SEED)
    queue_terms = [rng.choice(np.arange(10, VOCAB), size=12, replace=False) for _ in range(N_QUEUES)]
    train_ds = TicketDataset(*synth_tickets(2000, rng, queue_terms))
    eval_ds = TicketDataset(*synth_tickets(500, rng, queue_terms))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=N_QUEUES,
                        pad_token_id=PAD)
    torch.manual_seed(SEED)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/ticket_router_out", per_device_train_batch_size=32,
        per_device_eval_batch_size=128, num_train_epochs=6, learning_rate=1e-3,
        warmup_steps=40, lr_scheduler_type="linear", weight_decay=0.01,
        label_smoothing_factor=0.05, eval_strategy="epoch", logging_steps=25,
        save_strategy="no", report_to=[], seed=SEED, disable_tqdm=True, use_cpu=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
