"""Tiny GPT-2 language model on a templated synthetic corpus (5,000-word vocabulary).

Sentences are generated from a handful of templates over word classes (names, verbs,
objects, places, ...), so a model that learns the grammar gets a much lower perplexity than
the unigram baseline.
"""
import math

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

SEED = 21
VOCAB = 5000
BLOCK = 64
EPOCHS = 2
BATCH = 16
LR = 1e-3

set_seed(SEED)
rng = np.random.default_rng(SEED)

# ---------------------------------------------------------------- corpus
CLASSES = {"DET": 12, "ADJ": 600, "NOUN": 1800, "NAME": 700, "VERB": 900, "PREP": 25,
           "PLACE": 500, "TIME": 150, "ADV": 300}
bounds, start = {}, 4                          # 0 pad, 1 bos, 2 eos, 3 "."
for cls, size in CLASSES.items():
    bounds[cls] = (start, start + size)
    start += size
assert start <= VOCAB
TEMPLATES = [
    ["NAME", "VERB", "DET", "ADJ", "NOUN", "PREP", "PLACE"],
    ["DET", "NOUN", "VERB", "DET", "NOUN", "TIME"],
    ["NAME", "ADV", "VERB", "DET", "ADJ", "ADJ", "NOUN"],
    ["TIME", "NAME", "VERB", "PREP", "PLACE"],
    ["DET", "ADJ", "NOUN", "PREP", "DET", "NOUN", "VERB", "ADV"],
]
# within a class, words follow a Zipf law, and each verb prefers a few object nouns
cdf = {c: np.cumsum(1.0 / np.arange(1, n + 1) ** 1.05) for c, n in CLASSES.items()}
verb_objects = rng.integers(0, CLASSES["NOUN"], size=(CLASSES["VERB"], 6))


def sample_word(cls):
    lo, _ = bounds[cls]
    c = cdf[cls]
    return lo + min(int(np.searchsorted(c, rng.random() * c[-1])), len(c) - 1)


def sentence():
    out, last_verb = [], None
    for cls in TEMPLATES[rng.integers(len(TEMPLATES))]:
        if cls == "NOUN" and last_verb is not None and rng.random() < 0.8:
            w = bounds["NOUN"][0] + rng.choice(verb_objects[last_verb])
        else:
            w = sample_word(cls)
        if cls == "VERB":
            last_verb = w - bounds["VERB"][0]
        out.append(int(w))
    return out + [3]


def corpus(n_tokens):
    toks = [1]
    while len(toks) < n_tokens:
        toks += sentence()
    return np.array(toks[:n_tokens], dtype=np.int64)


class Blocks(torch.utils.data.Dataset):
    def __init__(self, ids):
        n = len(ids) // BLOCK
        self.x = torch.from_numpy(ids[:n * BLOCK].reshape(n, BLOCK))

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.x[i]}


def main():
    train_ds = Blocks(corpus(800 * BLOCK))
    eval_ds = Blocks(corpus(100 * BLOCK))

    config = GPT2Config(vocab_size=VOCAB, n_positions=BLOCK, n_embd=96, n_layer=2, n_head=4,
                        bos_token_id=1, eos_token_id=2)
    model = GPT2LMHeadModel(config)

    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)

    args = TrainingArguments(output_dir="/tmp/gpt2_templates_out",
                             per_device_train_batch_size=BATCH, per_device_eval_batch_size=64,
                             num_train_epochs=EPOCHS, logging_steps=20, eval_strategy="epoch",
                             save_strategy="no", report_to=[], seed=SEED, use_cpu=True,
                             disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      optimizers=(optimizer, scheduler))
    trainer.train()
    ev = trainer.evaluate()
    print(f"final eval_loss={ev['eval_loss']:.4f} eval_ppl={math.exp(ev['eval_loss']):.1f}")


if __name__ == "__main__":
    main()
