"""Hugging Face Trainer: a tiny GPT-2 (from GPT2Config, 10,240-token vocabulary)
trained from scratch as a causal LM on a synthetic corpus (Zipfian unigrams plus
sticky word-to-word transitions); reports validation perplexity."""
import math

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments,
                          set_seed)

VOCAB = 10240
BLOCK = 32


def synthetic_corpus(n_tokens, rng, successors, zipf_p):
    out = np.empty(n_tokens, dtype=np.int64)
    tok = rng.choice(VOCAB, p=zipf_p)
    for i in range(n_tokens):
        out[i] = tok
        if rng.random() < 0.75:
            tok = successors[tok, rng.integers(0, successors.shape[1])]
        else:
            tok = rng.choice(VOCAB, p=zipf_p)
    return out


class Blocks(Dataset):
    def __init__(self, ids):
        n = len(ids) // BLOCK
        self.x = torch.from_numpy(ids[: n * BLOCK].reshape(n, BLOCK))

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.x[i]}


def main():
    set_seed(1234)
    rng = np.random.default_rng(1234)
    ranks = np.arange(1, VOCAB + 1)
    zipf_p = (1 / ranks ** 1.1) / (1 / ranks ** 1.1).sum()
    # each word has 3 preferred successors, drawn mostly among frequent words
    successors = rng.choice(VOCAB, size=(VOCAB, 3), p=zipf_p)
    train_ids = synthetic_corpus(44_800, rng, successors, zipf_p)
    val_ids = synthetic_corpus(6_400, rng, successors, zipf_p)
    train_ds, val_ds = Blocks(train_ids), Blocks(val_ids)

    config = GPT2Config(vocab_size=VOCAB, n_positions=BLOCK, n_embd=64, n_layer=2, n_head=4,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config)

    args = TrainingArguments(
        output_dir="/tmp/f13_hf_gpt2_tiny_lm",
        num_train_epochs=3,
        max_steps=40,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=64,
        learning_rate=2e-3,
        warmup_steps=20,
        lr_scheduler_type="constant_with_warmup",
        weight_decay=0.01,
        eval_strategy="steps",
        eval_steps=20,
        logging_steps=10,
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        use_cpu=True,
        seed=1234,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
    trainer.train()
    ev = trainer.evaluate()
    print(f"final eval_ppl={math.exp(ev['eval_loss']):.1f} eval_loss={ev['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
