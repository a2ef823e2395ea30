"""Tiny BERT (from a config, no download) trained with the Hugging Face Trainer
on a synthetic review-polarity task where many opinions are negated opposites
("not bland"), so the model has to read word pairs, not just count words.

AdamW with decoupled weight decay (no decay on biases / LayerNorm) and a cosine
schedule with linear warm-up from transformers.get_cosine_schedule_with_warmup,
handed to the Trainer through `optimizers=`.
"""
import math
import random
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          get_cosine_schedule_with_warmup, set_seed)

set_seed(11)
rng = random.Random(11)

POS = ["good", "great", "excellent", "tasty", "friendly", "fast", "clean", "lovely", "fresh", "cheap"]
NEG = ["bad", "awful", "slow", "rude", "dirty", "bland", "stale", "noisy", "pricey", "cold"]
NEGATORS = ["not", "never", "hardly"]
FILLER = ["the", "food", "was", "and", "service", "staff", "place", "really", "quite", "we", "ordered",
          "pasta", "pizza", "soup", "table", "waiter", "it", "our", "very", "a", "bit", "overall", "here",
          "dessert", "coffee", "menu", "prices", "drinks", "music", "room", "evening", "visit"]
SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
VOCAB = SPECIALS + FILLER + NEGATORS + POS + NEG
tok2id = {t: i for i, t in enumerate(VOCAB)}
MAX_LEN = 32


def make_review():
    # every opinion in a review carries the reviewer's verdict, stated either directly
    # ("tasty") or as a negated opposite ("not bland")
    label = rng.random() < 0.5
    words = []
    for _ in range(rng.randint(1, 3)):
        words += rng.sample(FILLER, rng.randint(2, 5))
        if rng.random() < 0.4:
            words += [rng.choice(NEGATORS), rng.choice(NEG if label else POS)]
        else:
            words.append(rng.choice(POS if label else NEG))
    return words[:MAX_LEN - 2], int(label)


class ReviewDataset(Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            words, label = make_review()
            ids = [tok2id["[CLS]"]] + [tok2id[w] for w in words] + [tok2id["[SEP]"]]
            mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            ids = ids + [tok2id["[PAD]"]] * (MAX_LEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(label)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


train_ds, val_ds = ReviewDataset(3000), ReviewDataset(600)

config = BertConfig(vocab_size=len(VOCAB), hidden_size=96, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=192, max_position_embeddings=MAX_LEN, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)

epochs, bsz = 4, 32
steps_per_epoch = math.ceil(len(train_ds) / bsz)
total_steps = epochs * steps_per_epoch

no_decay = ("bias", "LayerNorm.weight")
groups = [
    {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=2e-3, betas=(0.9, 0.98), eps=1e-8)
scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=int(0.1 * total_steps),
                                            num_training_steps=total_steps)


def compute_metrics(p):
    logits, labels = p
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="bert_sent_"),
    per_device_train_batch_size=bsz,
    per_device_eval_batch_size=128,
    num_train_epochs=epochs,
    eval_strategy="epoch",
    logging_steps=25,
    save_strategy="no",
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=11,
    dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics, optimizers=(optimizer, scheduler))
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")
