import math
import random

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

set_seed(21)
random.seed(21)
np.random.seed(21)

SUBJ = ["the cat", "a dog", "my sister", "the old man", "our teacher", "a small bird", "the pilot"]
VERB = ["sees", "likes", "follows", "paints", "finds", "calls", "ignores"]
OBJ = ["the river", "a red car", "the garden", "an apple", "the moon", "a letter", "the station"]
ADV = ["today", "again", "slowly", "at night", "every morning", "without a word"]


def sentence():
    s = f"{random.choice(SUBJ)} {random.choice(VERB)} {random.choice(OBJ)}"
    if random.random() < 0.6:
        s += " " + random.choice(ADV)
    return s + " ."


words = sorted({w for part in SUBJ + VERB + OBJ + ADV for w in part.split()} | {"."})
vocab = {"<pad>": 0, "<bos>": 1, "<eos>": 2}
for w in words:
    vocab[w] = len(vocab)

BLOCK = 32


def encode(text):
    return [vocab["<bos>"]] + [vocab[w] for w in text.split()] + [vocab["<eos>"]]


class PackedLM(Dataset):
    def __init__(self, n_sent):
        ids = []
        for _ in range(n_sent):
            ids.extend(encode(sentence()))
        n = len(ids) // BLOCK
        self.data = torch.tensor(ids[: n * BLOCK]).view(n, BLOCK)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        x = self.data[i]
        return {"input_ids": x, "labels": x.clone()}


train_ds = PackedLM(6000)
eval_ds = PackedLM(600)

config = GPT2Config(vocab_size=len(vocab), n_positions=BLOCK, n_embd=64, n_layer=2, n_head=4,
                    bos_token_id=1, eos_token_id=2, pad_token_id=0)
model = GPT2LMHeadModel(config)

args = TrainingArguments(
    output_dir="/tmp/gpt2_toy_out",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=64,
    num_train_epochs=3,
    learning_rate=1e-3,
    warmup_steps=12,
    lr_scheduler_type="cosine",
    weight_decay=0.01,
    logging_steps=50,
    eval_strategy="epoch",
    save_strategy="no",
    report_to=[],
    use_cpu=True,
    seed=21,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval loss {metrics['eval_loss']:.4f} perplexity {math.exp(metrics['eval_loss']):.2f} (vocab {len(vocab)})")
