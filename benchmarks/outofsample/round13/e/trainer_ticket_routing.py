"""Route support tickets to one of four queues with a small BERT trained from scratch.

Tickets are synthetic: each queue has its own keyword distribution mixed into a shared
background vocabulary. Per-device batch is small, so we accumulate gradients over four
micro-batches and use a linear warm-up/decay schedule, as with any BERT run.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()

SEED = 13
VOCAB = 600
SEQ = 24
N_QUEUES = 4
PAD, CLS, SEP = 0, 1, 2


def make_tickets(n, rng, topic_words):
    ids = np.zeros((n, SEQ), dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(0, N_QUEUES, size=n)
    background = np.arange(3 + N_QUEUES * 25, VOCAB)
    for i in range(n):
        length = rng.integers(10, SEQ - 1)
        n_topic = rng.integers(3, 6)
        body = list(rng.choice(background, size=length - n_topic))
        body += list(rng.choice(topic_words[labels[i]], size=n_topic))
        # a few tickets mention another queue's vocabulary too
        if rng.random() < 0.4:
            other = (labels[i] + rng.integers(1, N_QUEUES)) % N_QUEUES
            for pos in rng.choice(len(body) - n_topic, size=rng.integers(2, 4), replace=False):
                body[pos] = rng.choice(topic_words[other])
        rng.shuffle(body)
        seq = [CLS] + body[: SEQ - 2] + [SEP]
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask, labels


class TicketDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)
    topic_words = [np.arange(3 + q * 25, 3 + (q + 1) * 25) for q in range(N_QUEUES)]
    train_ds = TicketDataset(*make_tickets(1200, rng, topic_words))
    val_ds = TicketDataset(*make_tickets(400, rng, topic_words))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=N_QUEUES,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/trainer_ticket_routing",
        per_device_train_batch_size=8,
        gradient_accumulation_steps=4,
        per_device_eval_batch_size=64,
        learning_rate=1e-3,
        weight_decay=0.01,
        warmup_steps=20,
        lr_scheduler_type="linear",
        num_train_epochs=6,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        seed=SEED,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final: val accuracy {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
