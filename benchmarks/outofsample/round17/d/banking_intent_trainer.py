"""Banking-assistant intent classifier: a 2-layer BERT trained from scratch on chat
utterances with the Hugging Face Trainer (word-level vocabulary built from the training split).
"""
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(11)
rnd = random.Random(11)

INTENTS = {
    "check_balance": ["how much is in my {acct}", "what is my {acct} balance", "show {acct} balance please",
                      "balance on my {acct} {when}", "how much money do i have in {acct}"],
    "transfer": ["send {amt} to {who}", "move {amt} from {acct} to {acct2}", "transfer {amt} to {who} {when}",
                 "i want to pay {who} {amt}", "wire {amt} to my {acct2}"],
    "lost_card": ["i lost my {card}", "my {card} was stolen", "block my {card} {when}",
                  "cannot find my {card} anywhere", "freeze the {card} please"],
    "open_account": ["open a new {acct}", "i want to start a {acct}", "how do i open a {acct}",
                     "sign me up for a {acct}", "create a {acct} for my {who}"],
    "loan_rates": ["what is the rate on a {loan}", "current {loan} interest", "how much interest for a {loan}",
                   "compare {loan} rates", "is the {loan} rate fixed"],
    "change_address": ["update my address", "i moved to a new {place}", "change the address on my {acct}",
                       "new home address for my {card}", "my {place} address changed {when}"],
    "dispute": ["i do not recognise a charge of {amt}", "dispute the {amt} payment", "wrong charge on my {card}",
                "someone took {amt} from my {acct}", "refund the {amt} charge {when}"],
    "branch_hours": ["when does the {place} branch open", "is the branch open {when}", "opening hours {when}",
                     "what time does the {place} branch close", "hours of the branch near my {place}"],
}
SLOTS = {
    "acct": ["checking", "savings", "joint account", "business account", "isa"],
    "acct2": ["savings", "checking", "brokerage", "pension"],
    "amt": ["50 dollars", "200", "1000 pounds", "twenty bucks", "the rent", "3 hundred"],
    "who": ["mom", "john", "my landlord", "the plumber", "sarah", "my son"],
    "when": ["today", "tomorrow", "right now", "on friday", "this weekend", "asap", "last night"],
    "card": ["debit card", "credit card", "visa", "card", "travel card"],
    "loan": ["mortgage", "car loan", "personal loan", "student loan", "home equity loan"],
    "place": ["downtown", "city", "office", "apartment", "north side", "town"],
}
FILLER = ["hi", "hey", "please", "thanks", "um", "quick question", "hello there", "can you", "i need help"]
labels = sorted(INTENTS)


def utter(intent):
    text = rnd.choice(INTENTS[intent])
    for k, v in SLOTS.items():
        text = text.replace("{" + k + "}", rnd.choice(v))
    words = text.split()
    if rnd.random() < 0.5:
        words = rnd.choice(FILLER).split() + words
    if rnd.random() < 0.3:
        words = words + rnd.choice(FILLER).split()
    words = [w for w in words if rnd.random() > 0.12] or words  # typing-style word drops
    return words


data = [(utter(it), labels.index(it)) for it in labels for _ in range(300)]
rnd.shuffle(data)
train_raw, val_raw = data[:1900], data[1900:]

vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
for words, _ in train_raw:
    for w in words:
        vocab.setdefault(w, len(vocab))
MAX_LEN = 24


class IntentDataset(torch.utils.data.Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        words, label = self.rows[i]
        ids = [2] + [vocab.get(w, 1) for w in words][: MAX_LEN - 2] + [3]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [0] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(labels))
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((np.argmax(pred.predictions, -1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/banking_intent_out",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    num_train_epochs=5,
    learning_rate=1e-4,
    warmup_steps=30,
    weight_decay=0.01,
    eval_strategy="epoch",
    logging_steps=50,
    save_strategy="no",
    report_to=[],
    use_cpu=True,
    seed=11,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=IntentDataset(train_raw),
                  eval_dataset=IntentDataset(val_raw), compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"val accuracy {metrics['eval_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")
