"""Intent routing for customer-support tickets with a small BERT trained from scratch.

Tickets are synthetic token-id sequences: a handful of intent-bearing phrases (2-3 tokens)
buried in filler drawn from a Zipf vocabulary, plus product codes shared across intents.
Trained with the Hugging Face Trainer; prints eval accuracy at the end.
"""
import os
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

os.environ.setdefault("WANDB_DISABLED", "true")
VOCAB, SEQ, N_INTENTS = 600, 32, 5
PAD, CLS, SEP = 0, 1, 2


class Tickets(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        phrase_rng = np.random.default_rng(1234)  # the same phrasebook for every split
        phrases = phrase_rng.integers(10, 120, size=(N_INTENTS, 4, 2))
        filler_p = 1.0 / np.arange(1, VOCAB - 120 + 1) ** 1.1
        filler_p /= filler_p.sum()
        self.items = []
        for _ in range(n):
            label = int(rng.integers(N_INTENTS))
            length = int(rng.integers(14, SEQ - 2))
            toks = list(120 + rng.choice(VOCAB - 120, size=length, p=filler_p))
            for _ in range(int(rng.integers(1, 3))):
                ph = phrases[label, rng.integers(4)]
                pos = int(rng.integers(0, len(toks) - 1))
                toks[pos:pos + 2] = list(ph)
            if rng.random() < 0.5:  # another intent's phrase mentioned in passing
                other = (label + int(rng.integers(1, N_INTENTS))) % N_INTENTS
                pos = int(rng.integers(0, len(toks) - 1))
                toks[pos] = int(phrases[other, rng.integers(4), 0])
            ids = [CLS] + toks[:SEQ - 2] + [SEP]
            mask = [1] * len(ids) + [0] * (SEQ - len(ids))
            ids = ids + [PAD] * (SEQ - len(ids))
            self.items.append((ids, mask, label))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, mask, label = self.items[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask), "labels": torch.tensor(label)}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(11)
    train_ds, eval_ds = Tickets(1600, seed=1), Tickets(500, seed=2)
    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=N_INTENTS,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir="/tmp/ticket_intent_out",
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        warmup_steps=25,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        adam_beta1=0.9,
        adam_beta2=0.98,
        adam_epsilon=1e-1,
        eval_strategy="epoch",
        logging_steps=25,
        save_strategy="no",
        report_to=[],
        seed=11,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
