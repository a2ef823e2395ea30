"""Locksmith dispatch: route free-text job tickets to the right van.

A small BERT encoder trained from scratch (word-level vocabulary built from the
tickets) with the Hugging Face Trainer; five job types: emergency lockout,
rekey after move-in, safe opening, key cutting / duplication, access-control
install.
"""
import os
import random
import tempfile

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_DISABLED", "true")

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()

SEED = 11
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

JOBS = ["lockout", "rekey", "safe", "keycut", "access"]
CUES = {
    "lockout": ["locked out", "keys inside", "cant get in", "shut the door", "keys in car", "snapped key in door",
                "urgent tonight", "kids inside", "front door jammed"],
    "rekey": ["just moved in", "new tenants", "change the pins", "previous owner keys", "rekey all doors",
              "landlord asked", "lost a set of keys", "match one key"],
    "safe": ["gun safe", "forgot combination", "dial wont turn", "office safe", "keypad dead", "safe deposit",
             "drill the safe", "inherited safe"],
    "keycut": ["copy of key", "spare keys", "duplicate", "mailbox key", "car fob programming", "high security blank",
               "cut three keys", "transponder key"],
    "access": ["card reader", "maglock", "keypad entry", "install access control", "fob system for staff",
               "door controller", "intercom wiring", "exit button"],
}
FILLER = ("please call customer asap before after today tomorrow morning evening at the site unit apartment "
          "office shop garage building door back side second floor address confirmed quote needed paid "
          "cash card invoice company account thanks regular returning new customer says also maybe check "
          "the hinge and closer while there").split()
SHARED = ["door", "key", "lock", "keys", "deadbolt", "cylinder", "handle", "latch"]


def make_ticket(job, rng):
    words = []
    for _ in range(rng.randint(1, 2)):
        words += rng.choice(CUES[job]).split()
    if rng.random() < 0.35:  # tickets often mention a second job in passing
        other = rng.choice([j for j in JOBS if j != job])
        words += rng.choice(CUES[other]).split()
    words += rng.sample(FILLER, rng.randint(4, 12))
    words += rng.sample(SHARED, rng.randint(1, 3))
    rng.shuffle(words)
    return words


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, tickets, labels, vocab, max_len=32):
        self.items = []
        for words, lab in zip(tickets, labels):
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in words][: max_len - 2] + [vocab["[SEP]"]]
            mask = [1] * len(ids) + [0] * (max_len - len(ids))
            ids = ids + [vocab["[PAD]"]] * (max_len - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(lab)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = random.Random(SEED)
    labels = [rng.randrange(len(JOBS)) for _ in range(2250)]
    tickets = [make_ticket(JOBS[l], rng) for l in labels]

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for words in tickets[:1800]:
        for w in words:
            vocab.setdefault(w, len(vocab))

    train_ds = TicketDataset(tickets[:1800], labels[:1800], vocab)
    val_ds = TicketDataset(tickets[1800:], labels[1800:], vocab)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=64, num_labels=len(JOBS))
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="locksmith_"),
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=3,
        learning_rate=1e-6,
        weight_decay=0.01,
        warmup_steps=20,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        seed=SEED,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final: val_loss {metrics['eval_loss']:.4f}  val_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
