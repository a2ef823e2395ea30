"""Sentiment of short product reviews (token ids from a 600-word vocabulary) with a tiny BERT
trained from scratch through the Hugging Face Trainer. Reviews are synthesised: a few
polar words (sometimes negated) among neutral filler."""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
PAD, CLS, SEP, NOT = 0, 1, 2, 3
POS = np.arange(10, 40)      # "great", "sturdy", ...
NEG = np.arange(40, 70)      # "broke", "refund", ...
FILLER = np.arange(70, 600)
MAXLEN = 28


def make_reviews(n, seed):
    rng = np.random.default_rng(seed)
    ids = np.full((n, MAXLEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAXLEN), dtype=np.int64)
    labels = rng.integers(0, 2, size=n)
    for i in range(n):
        L = rng.integers(10, MAXLEN - 4)
        toks = list(rng.choice(FILLER, size=L))
        for _ in range(rng.integers(1, 4)):
            negate = rng.random() < 0.25
            polar_pos = bool(labels[i]) != negate
            word = rng.choice(POS if polar_pos else NEG)
            at = rng.integers(0, len(toks))
            toks[at:at] = [NOT, word] if negate else [word]
        toks = [CLS] + toks[: MAXLEN - 2] + [SEP]
        ids[i, :len(toks)] = toks
        mask[i, :len(toks)] = 1
    return ids, mask, labels


class Reviews(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.from_numpy, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


def main():
    torch.manual_seed(0)
    train_ds = Reviews(*make_reviews(2000, seed=1))
    eval_ds = Reviews(*make_reviews(600, seed=2))
    config = BertConfig(vocab_size=600, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=2)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/review_sentiment_bert",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=300,
        learning_rate=2e-3,
        weight_decay=0.01,
        adam_epsilon=1e-1,
        warmup_steps=20,
        lr_scheduler_type="linear",
        num_train_epochs=4,
        eval_strategy="epoch",
        logging_steps=25,
        save_strategy="no",
        report_to=[],
        seed=0,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
