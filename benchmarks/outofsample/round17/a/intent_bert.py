"""Banking chatbot intent classifier: a 2-layer BERT trained from scratch on
the support team's utterance logs (simulated here from their templates),
with the Hugging Face Trainer, warm-up then linear decay and label smoothing."""
import random
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()

INTENTS = {
    "check_balance": ["what is my {acct} balance", "how much money is in my {acct}",
                      "show {acct} balance please", "balance of {acct}",
                      "did {amt} from {who} arrive in my {acct}",
                      "question about my {acct}"],
    "transfer": ["send {amt} to {who}", "transfer {amt} from my {acct} to {who}",
                 "move {amt} to {who} today", "pay {who} {amt}",
                 "pay {who} with my {card}"],
    "lost_card": ["i lost my {card}", "my {card} was stolen", "block my {card} now",
                  "cannot find my {card}",
                  "my {card} for the {acct} is missing",
                  "help with my {card}"],
    "loan_rate": ["what is the rate on a {loan}", "how much interest for a {loan}",
                  "{loan} rates today", "current apr on {loan}",
                  "rate on a {loan} if i open a {acct}"],
    "open_account": ["open a new {acct}", "i want to start a {acct}", "how do i open a {acct}",
                     "sign up for a {acct}",
                     "open a {acct} to pay my {loan}",
                     "question about my {acct}"],
    "complaint": ["your app is {bad}", "the service was {bad}", "this is {bad} i want to complain",
                  "really {bad} experience with {who}",
                  "my {card} transfer was {bad}", "the {loan} process is {bad}",
                  "help with my {card}"],
}
SLOTS = {
    "acct": ["checking account", "savings", "joint account", "business account", "isa"],
    "amt": ["50 dollars", "200", "1000 euros", "twenty pounds", "the rent"],
    "who": ["my landlord", "mum", "john", "the plumber", "my sister", "support"],
    "card": ["debit card", "credit card", "card", "visa", "bank card"],
    "loan": ["mortgage", "car loan", "personal loan", "student loan"],
    "bad": ["terrible", "slow", "awful", "broken", "useless"],
}
FILLERS = ["hi", "hello", "please", "thanks", "um", "hey", "quick question", "asap", "can you"]


def utterance(intent, rnd):
    text = rnd.choice(INTENTS[intent])
    for slot, values in SLOTS.items():
        text = text.replace("{" + slot + "}", rnd.choice(values))
    words = text.split()
    if rnd.random() < 0.5:
        words = rnd.choice(FILLERS).split() + words
    if rnd.random() < 0.3:
        words = words + rnd.choice(FILLERS).split()
    if rnd.random() < 0.3:  # speech-to-text drops a word
        del words[rnd.randrange(len(words))]
    if rnd.random() < 0.3:  # ... or mishears one
        other = rnd.choice(INTENTS[rnd.choice(list(INTENTS))]).split()
        words[rnd.randrange(len(words))] = rnd.choice(other)
    return words


class Vocab:
    def __init__(self, sentences):
        words = sorted({w for s in sentences for w in s})
        self.itos = ["[PAD]", "[UNK]", "[CLS]"] + words
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def encode(self, words, max_len=20):
        ids = [2] + [self.stoi.get(w, 1) for w in words][: max_len - 1]
        mask = [1] * len(ids) + [0] * (max_len - len(ids))
        return ids + [0] * (max_len - len(ids)), mask


class IntentDataset(Dataset):
    def __init__(self, pairs, vocab):
        self.items = []
        for words, label in pairs:
            ids, mask = vocab.encode(words)
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(label)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    rnd = random.Random(8)
    torch.manual_seed(8)
    names = list(INTENTS)
    seen, pairs = set(), []
    for _ in range(400):
        for k, name in enumerate(names):
            words = utterance(name, rnd)
            if " ".join(words) not in seen:  # the logs repeat; keep each utterance once
                seen.add(" ".join(words))
                pairs.append((words, k))
    rnd.shuffle(pairs)
    split = int(0.8 * len(pairs))
    train_pairs, val_pairs = pairs[:split], pairs[split:]
    vocab = Vocab([w for w, _ in train_pairs])

    config = BertConfig(vocab_size=len(vocab.itos), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=128, max_position_embeddings=32,
                        num_labels=len(names), hidden_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/intent_bert_out", num_train_epochs=8, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01,
        warmup_steps=30, lr_scheduler_type="linear", label_smoothing_factor=0.1,
        eval_strategy="epoch", save_strategy="no", logging_steps=25, report_to=[],
        seed=8, use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=IntentDataset(train_pairs, vocab),
                      eval_dataset=IntentDataset(val_pairs, vocab), compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"val_loss {metrics['eval_loss']:.4f} val_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
