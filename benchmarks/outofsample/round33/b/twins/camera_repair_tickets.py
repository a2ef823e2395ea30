"""Route vintage-camera repair tickets to the right bench.

Tickets are tokenised free text from the intake form (shop-internal word-piece ids);
benches: shutter, light seals, lens fungus/haze, light meter, film advance.
A small BERT trained from scratch with the Hugging Face Trainer.
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

VOCAB, SEQ, N_CLASSES = 800, 32, 5
PAD, CLS, SEP = 0, 1, 2


def make_tickets(n, rng):
    # shared intake vocabulary plus a few bench-specific terms per class
    common = np.arange(10, 500)
    topic = [np.arange(500 + 60 * c, 500 + 60 * (c + 1)) for c in range(N_CLASSES)]
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(0, N_CLASSES, size=n)
    for i in range(n):
        length = rng.integers(12, SEQ - 1)
        n_topic = rng.integers(3, 8)
        words = rng.choice(common, size=length, p=None)
        pos = rng.choice(length, size=n_topic, replace=False)
        words[pos] = rng.choice(topic[labels[i]], size=n_topic)
        # other benches' terms show up too ("shutter fine, meter reads low")
        if rng.random() < 0.5:
            other = (labels[i] + rng.integers(1, N_CLASSES)) % N_CLASSES
            words[rng.integers(length)] = rng.choice(topic[other])
        ids[i, 0] = CLS
        ids[i, 1:length + 1] = words
        ids[i, length + 1] = SEP
        mask[i, :length + 2] = 1
    return ids, mask, labels


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


def main():
    set_seed(13)
    rng = np.random.default_rng(13)
    ids, mask, labels = make_tickets(1600, rng)
    train_ds = TicketDataset(ids[:1200], mask[:1200], labels[:1200])
    val_ds = TicketDataset(ids[1200:], mask[1200:], labels[1200:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=N_CLASSES,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/camera_repair_tickets",
        num_train_epochs=7,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        adam_epsilon=1e-8,
        weight_decay=0.01,
        warmup_steps=20,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        logging_steps=50,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=13,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
