"""Intent routing for customer-support tickets (billing / shipping / account / other)
with a small BERT trained from scratch through the Hugging Face Trainer."""
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(13)
rng = random.Random(13)

FILLER = ("i the a my to and is was it this please hi hello thanks for on in of with have has "
          "not can you we your me still yesterday today week again help need why when how").split()
TOPIC = {
    0: "invoice charged refund payment card bill twice price subscription fee".split(),
    1: "package delivery courier tracking parcel arrived address shipped late box".split(),
    2: "password login account email locked username reset profile verify settings".split(),
    3: "feedback suggestion app feature love idea colour website dark mode".split(),
}
SHARED = "order number problem issue support team reply".split()
MAXLEN = 32


def ticket(label):
    n = rng.randint(8, 28)
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.16:
            words.append(rng.choice(TOPIC[label]))
        elif r < 0.21:                       # some off-topic vocabulary in every ticket
            words.append(rng.choice(TOPIC[rng.randrange(4)]))
        elif r < 0.32:
            words.append(rng.choice(SHARED))
        else:
            words.append(rng.choice(FILLER))
    return words


vocab = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2}
for w in FILLER + SHARED + sum(TOPIC.values(), []):
    vocab.setdefault(w, len(vocab))


def encode(words):
    ids = [1] + [vocab[w] for w in words][: MAXLEN - 2] + [2]
    mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
    return ids + [0] * (MAXLEN - len(ids)), mask


class Tickets(torch.utils.data.Dataset):
    def __init__(self, n):
        self.rows = []
        for _ in range(n):
            label = rng.randrange(4)
            ids, mask = encode(ticket(label))
            self.rows.append((ids, mask, label))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        ids, mask, label = self.rows[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(label)}


train_ds, eval_ds = Tickets(640), Tickets(400)
config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=4)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((np.argmax(p.predictions, -1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/ticket_intent_out",
    per_device_train_batch_size=16,
    per_device_eval_batch_size=200,
    num_train_epochs=8,
    learning_rate=1e-3,
    weight_decay=0.01,
    eval_strategy="epoch",
    logging_strategy="epoch",
    save_strategy="no",
    report_to="none",
    use_cpu=True,
    disable_tqdm=True,
    seed=13,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
