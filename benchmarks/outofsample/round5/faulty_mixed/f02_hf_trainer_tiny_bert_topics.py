"""Ticket routing: classify support tickets (already tokenised to word-piece
ids) into 4 queues with a small BERT trained from scratch with the
Hugging Face Trainer."""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

VOCAB, MAX_LEN, N_QUEUES = 800, 48, 4
PAD, CLS, SEP = 0, 1, 2


def synth_tickets(n, key_terms, rng):
    """Zipfian background vocabulary plus queue-specific key terms."""
    ranks = np.arange(1, VOCAB - 10 + 1)
    background = (1.0 / ranks) / (1.0 / ranks).sum()
    ids, labels = [], []
    for _ in range(n):
        q = rng.integers(N_QUEUES)
        length = rng.integers(16, MAX_LEN - 2)
        toks = rng.choice(np.arange(10, VOCAB), size=length, p=background)
        n_key = rng.binomial(length, 0.12)
        pos = rng.choice(length, size=n_key, replace=False)
        toks[pos] = rng.choice(key_terms[q], size=n_key)
        ids.append([CLS, *toks.tolist(), SEP])
        labels.append(int(q))
    return ids, labels


class TicketDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        seq = self.ids[i][:MAX_LEN]
        pad = MAX_LEN - len(seq)
        return {
            "input_ids": torch.tensor(seq + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(seq) + [0] * pad),
            "labels": torch.tensor(self.labels[i]),
        }


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(0)
    rng = np.random.default_rng(0)
    key_terms = rng.choice(np.arange(10, VOCAB), size=(N_QUEUES, 25), replace=False)
    train_ids, train_y = synth_tickets(2400, key_terms, rng)
    val_ids, val_y = synth_tickets(600, key_terms, rng)

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=N_QUEUES,
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/ticket_router",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=3,
        learning_rate=2e-5,
        weight_decay=0.01,
        warmup_steps=20,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args,
                      train_dataset=TicketDataset(train_ids, train_y),
                      eval_dataset=TicketDataset(val_ids, val_y),
                      compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
