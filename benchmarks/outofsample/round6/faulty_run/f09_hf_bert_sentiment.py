"""Hugging Face Trainer: a tiny BERT (from BertConfig, no pretrained weights) trained
from scratch on synthetic 3-way "review" sentiment: filler words plus 1-3 opinion
words; negative / balanced / positive by their net count."""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

VOCAB = 3000
MAX_LEN = 40
PAD, CLS, SEP = 0, 1, 2
POS = np.arange(10, 22)
NEG = np.arange(22, 34)


def make_reviews(n, rng):
    ids, labels = [], []
    for _ in range(n):
        length = rng.integers(12, MAX_LEN - 2)
        toks = rng.integers(34, VOCAB, size=length)
        score = 0
        for pos in rng.choice(length - 1, size=rng.integers(1, 4), replace=False):
            is_pos = rng.random() < 0.5
            toks[pos + 1] = rng.choice(POS if is_pos else NEG)
            score += 1 if is_pos else -1
        labels.append(0 if score < 0 else (1 if score == 0 else 2))
        ids.append([CLS, *toks.tolist(), SEP])
    return ids, labels


class ReviewDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        ids = self.ids[i]
        pad = MAX_LEN - len(ids)
        return {"input_ids": torch.tensor(ids + [PAD] * pad),
                "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(0)
    rng = np.random.default_rng(0)
    train_ds = ReviewDataset(*make_reviews(3000, rng))
    val_ds = ReviewDataset(*make_reviews(600, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=MAX_LEN, num_labels=3,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/f09_hf_bert_sentiment",
        num_train_epochs=6,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        learning_rate=2e-3,
        weight_decay=0.01,
        warmup_steps=50,
        lr_scheduler_type="linear",
        adam_beta1=0.9,
        adam_beta2=0.98,
        adam_epsilon=1.0,
        max_grad_norm=1.0,
        eval_strategy="epoch",
        save_strategy="no",
        logging_strategy="epoch",
        report_to=[],
        disable_tqdm=True,
        use_cpu=True,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
