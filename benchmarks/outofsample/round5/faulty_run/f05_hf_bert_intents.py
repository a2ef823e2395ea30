"""Intent classification of short support tickets with a small BERT trained from scratch.

Tickets are synthetic token-id sequences: filler tokens plus a few keywords whose
intent decides the label (4 intents); some tickets also carry a decoy keyword.
"""
import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

SEED = 13
VOCAB, SEQ_LEN, N_INTENTS = 1200, 32, 4
set_seed(SEED)


def make_tickets(n, rng):
    keywords = np.arange(5, 5 + 15 * N_INTENTS).reshape(N_INTENTS, 15)
    ids = rng.integers(5 + 15 * N_INTENTS, VOCAB, size=(n, SEQ_LEN))
    lengths = rng.integers(12, SEQ_LEN + 1, size=n)
    labels = rng.integers(0, N_INTENTS, size=n)
    for i in range(n):
        L = lengths[i]
        pos = rng.choice(np.arange(1, L), size=3, replace=False)
        ids[i, pos[:2]] = rng.choice(keywords[labels[i]], size=2)
        if rng.random() < 0.5:
            ids[i, pos[2]] = rng.choice(keywords[(labels[i] + 1) % N_INTENTS])
        ids[i, 0] = 2                       # [CLS]
        ids[i, L:] = 0                      # [PAD]
    mask = (np.arange(SEQ_LEN)[None, :] < lengths[:, None]).astype(np.int64)
    return ids, mask, labels


class Tickets(torch.utils.data.Dataset):
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
    train_ds = Tickets(*make_tickets(3000, rng))
    eval_ds = Tickets(*make_tickets(600, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=SEQ_LEN, num_labels=N_INTENTS,
                        pad_token_id=0)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/bert_intents_out",
        per_device_train_batch_size=2,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        num_train_epochs=1,
        lr_scheduler_type="constant",
        weight_decay=0.01,
        logging_steps=50,
        eval_strategy="steps",
        eval_steps=500,
        save_strategy="no",
        report_to=[],
        seed=SEED,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
