"""Contract clause-type classification with a small BERT trained from scratch (HF Trainer).

Clauses are word sequences drawn from per-type phrase banks over shared legal boilerplate;
a whitespace vocabulary built on the training split maps words to ids.
Types: indemnification, termination, confidentiality, governing law, payment terms,
limitation of liability, force majeure.
"""
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

TYPES = ["indemnification", "termination", "confidentiality", "governing_law", "payment",
         "limitation_of_liability", "force_majeure"]
BOILER = ("the party parties shall hereto herein thereof agreement pursuant to any all such "
          "provided that notwithstanding foregoing in accordance with this section subject "
          "except as otherwise set forth hereunder each of its which may be or and").split()
BANK = {
    "indemnification": "indemnify defend hold harmless claims losses damages third-party arising out of "
                       "negligence misconduct costs attorneys fees liability",
    "termination": "terminate termination notice days written material breach cure period expiry "
                   "effective date insolvency convenience survive",
    "confidentiality": "confidential information disclose disclosure recipient discloser proprietary "
                       "trade secrets non-disclosure protect return destroy",
    "governing_law": "governed construed laws state jurisdiction courts venue exclusive dispute "
                     "arbitration conflict of laws principles",
    "payment": "invoice payment fees due days net interest late currency taxes expenses "
               "reimburse amount payable",
    "limitation_of_liability": "liability limited aggregate exceed consequential indirect incidental "
                               "damages lost profits cap amount paid",
    "force_majeure": "force majeure act of god war strike epidemic beyond reasonable control delay "
                     "failure perform excused event",
}


def make_clause(rng, k):
    bank = BANK[TYPES[k]].split()
    other = BANK[TYPES[rng.randrange(len(TYPES))]].split()
    n = rng.randint(18, 40)
    words = []
    for _ in range(n):
        r = rng.random()
        words.append(rng.choice(bank) if r < 0.25 else rng.choice(other) if r < 0.35 else rng.choice(BOILER))
    return words


class ClauseDataset(torch.utils.data.Dataset):
    def __init__(self, clauses, labels, vocab, max_len=48):
        self.items = []
        for words, y in zip(clauses, labels):
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in words][: max_len - 2] + [vocab["[SEP]"]]
            mask = [1] * len(ids) + [0] * (max_len - len(ids))
            ids = ids + [vocab["[PAD]"]] * (max_len - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(y)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    set_seed(3)
    rng = random.Random(3)
    labels = [rng.randrange(len(TYPES)) for _ in range(2400)]
    clauses = [make_clause(rng, k) for k in labels]
    tr_c, tr_y, va_c, va_y = clauses[:2000], labels[:2000], clauses[2000:], labels[2000:]

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for words in tr_c:
        for w in words:
            vocab.setdefault(w, len(vocab))
    train_ds, val_ds = ClauseDataset(tr_c, tr_y, vocab), ClauseDataset(va_c, va_y, vocab)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=64, num_labels=len(TYPES))
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/clause_type_trainer",
        learning_rate=2e-2,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=6,
        weight_decay=0.01,
        warmup_steps=20,
        eval_strategy="epoch",
        logging_steps=10,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=3,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val accuracy {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
