"""Route auction-house lot descriptions to the right sale department.

Cataloguers write a short free-text description for each consigned lot; the
front desk must send it to one of six specialist departments.  A small BERT
is trained from scratch on last year's routed lots (word-level vocabulary
built from the training split).
"""
import random
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

DEPARTMENTS = ["furniture", "silver", "ceramics", "jewellery", "clocks", "books"]
VOCAB = {
    "furniture": "mahogany walnut chest drawers commode bureau veneer marquetry cabriole legs oak dresser settee gilt",
    "silver": "sterling hallmarked teapot salver candlesticks cutlery flatware repousse assay coffee pot sauce boat",
    "ceramics": "porcelain delft glaze vase tureen transfer printed stoneware famille rose crackle plate figure",
    "jewellery": "diamond brooch sapphire ring carat emerald pendant pearl necklace platinum cluster earrings",
    "clocks": "bracket clock movement fusee dial pendulum longcase striking escapement chime carriage mantel",
    "books": "folio binding vellum first edition calf spine plates leaves octavo quarto inscribed atlas",
}
SHARED = ("antique victorian georgian edwardian french english circa 19th century pair fine small large "
          "early late restored signed with the and a of original condition some wear provenance").split()
PERIOD_WORDS = "gilt gilded ormolu brass enamel ivory tortoiseshell rosewood ebonised".split()


def write_lot(dept, rng):
    own = VOCAB[dept].split()
    other = VOCAB[rng.choice(DEPARTMENTS)].split()
    n = rng.randint(8, 20)
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.38:
            words.append(rng.choice(own))
        elif r < 0.48:
            words.append(rng.choice(other))
        elif r < 0.58:
            words.append(rng.choice(PERIOD_WORDS))
        else:
            words.append(rng.choice(SHARED))
    return " ".join(words)


class LotDataset(Dataset):
    def __init__(self, texts, labels, vocab, max_len=24):
        self.items = []
        for text, label in zip(texts, labels):
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in text.split()][: max_len - 1]
            mask = [1] * len(ids) + [0] * (max_len - len(ids))
            ids = ids + [vocab["[PAD]"]] * (max_len - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(label)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    set_seed(17)
    rng = random.Random(17)
    labels = [rng.randrange(len(DEPARTMENTS)) for _ in range(2400)]
    texts = [write_lot(DEPARTMENTS[y], rng) for y in labels]
    tr_texts, tr_y, va_texts, va_y = texts[:2000], labels[:2000], texts[2000:], labels[2000:]

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
    for t in tr_texts:
        for w in t.split():
            vocab.setdefault(w, len(vocab))
    train_ds, val_ds = LotDataset(tr_texts, tr_y, vocab), LotDataset(va_texts, va_y, vocab)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=32, num_labels=len(DEPARTMENTS),
                        pad_token_id=0)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=4,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=1e-3,
            weight_decay=0.01,
            warmup_steps=25,
            lr_scheduler_type="linear",
            label_smoothing_factor=0.1,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=25,
            report_to=[],
            seed=17,
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f}  eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
