"""Review polarity (negative / positive) on product reviews with a small BERT.

Reviews are word-tokenised against a fixed vocabulary (the team's in-house tokenizer).
The encoder is trained from scratch with the Hugging Face Trainer: linear warm-up and
decay, decoupled weight decay, best checkpoint by validation macro-F1.
"""
import tempfile

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

ASPECTS = ["battery", "screen", "price", "delivery", "packaging", "sound", "camera", "charger",
           "strap", "keyboard", "fit", "material", "support", "manual", "app", "lid", "zip", "handle"]
POS = {"great": 2, "excellent": 2, "good": 1, "solid": 1, "decent": 1, "sturdy": 1, "fast": 1,
       "bright": 1, "amazing": 2, "comfortable": 1, "reliable": 1, "perfect": 2}
NEG = {"bad": -1, "terrible": -2, "awful": -2, "flimsy": -1, "slow": -1, "dim": -1, "broken": -2,
       "cheap": -1, "noisy": -1, "useless": -2, "poor": -1, "disappointing": -1}
FILLER = ["the", "my", "this", "honestly", "really", "overall", "i", "think", "it", "for", "a",
          "week", "after", "using", "so", "far", "also", "with", "of", "to", "bought", "gift",
          "daughter", "work", "travel", "month", "again", "would", "say", "that"]
VERBS = ["is", "was", "feels", "seems", "looks"]
NEGATORS = ["not", "never", "hardly"]
INTENS = ["very", "super", "extremely", "quite"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
MAX_LEN = 32


def build_vocab():
    words = SPECIAL + sorted(set(ASPECTS + list(POS) + list(NEG) + FILLER + VERBS + NEGATORS + INTENS
                                 + ["and", "but", "although", "."]))
    return {w: i for i, w in enumerate(words)}


def make_review(rng):
    adjs = {**POS, **NEG}
    adj_names = list(adjs)
    n_clauses = rng.integers(1, 3)
    words, score = [], 0.0
    for k in range(n_clauses):
        if k > 0:
            joiner = rng.choice(["and", "but", "."], p=[0.35, 0.45, 0.2])
            words.append(joiner)
            if joiner == "but":
                score *= 0.4          # what follows "but" dominates
        words += list(rng.choice(FILLER, rng.integers(0, 2)))
        words += [rng.choice(["the", "my", "this"]), rng.choice(ASPECTS), rng.choice(VERBS)]
        pol = 1.0
        if rng.random() < 0.3:
            words.append(rng.choice(NEGATORS))
            pol = -0.8
        if rng.random() < 0.3:
            words.append(rng.choice(INTENS))
            pol *= 1.5
        adj = rng.choice(adj_names)
        words.append(adj)
        score += pol * adjs[adj]
        words += list(rng.choice(FILLER, rng.integers(0, 2)))
    label = int(score > 0)
    return words, label


class ReviewDataset(Dataset):
    def __init__(self, reviews, vocab):
        self.items = []
        for words, label in reviews:
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in words][: MAX_LEN - 2] + [vocab["[SEP]"]]
            mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            ids = ids + [vocab["[PAD]"]] * (MAX_LEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(label)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    preds = np.argmax(logits, axis=-1)
    return {"accuracy": accuracy_score(labels, preds), "macro_f1": f1_score(labels, preds, average="macro")}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    vocab = build_vocab()
    reviews = [make_review(rng) for _ in range(3000)]
    train_ds = ReviewDataset(reviews[:2400], vocab)
    val_ds = ReviewDataset(reviews[2400:], vocab)
    print("label shares (train):", np.bincount([r[1] for r in reviews[:2400]]) / 2400)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=2,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=8,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=2e-3,
            warmup_steps=60,
            lr_scheduler_type="linear",
            weight_decay=0.01,
            eval_strategy="epoch",
            save_strategy="epoch",
            save_total_limit=1,
            load_best_model_at_end=True,
            metric_for_best_model="macro_f1",
            logging_steps=50,
            report_to=[],
            seed=11,
            use_cpu=True,
            disable_tqdm=True,
            dataloader_num_workers=0,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final: val accuracy {metrics['eval_accuracy']:.3f}  macro-F1 {metrics['eval_macro_f1']:.3f}  "
          f"val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
