"""Hugging Face Trainer, small causal LM from a GPT2Config (vocab 6000, no download).
Token stream: 120 fixed "phrases" (length 4-10, words drawn Zipf-like from the vocabulary)
concatenated in random order with Zipf-like phrase frequencies.  Gradient accumulation
(4 micro-batches), linear warm-up/decay, validation perplexity on a fresh stream."""
import math
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

set_seed(0)

VOCAB = 6000
BLOCK = 64


def build_language(rng, n_phrases=120):
    word_p = 1.0 / np.arange(1, VOCAB + 1) ** 0.9
    word_p /= word_p.sum()
    phrases = [rng.choice(VOCAB, size=rng.integers(4, 11), p=word_p) for _ in range(n_phrases)]
    phrase_p = 1.0 / np.arange(1, n_phrases + 1) ** 0.7
    phrase_p /= phrase_p.sum()
    return phrases, phrase_p


def stream(phrases, phrase_p, n_tokens, rng):
    out = []
    while len(out) < n_tokens:
        out.extend(phrases[rng.choice(len(phrases), p=phrase_p)])
    return np.array(out[:n_tokens], dtype=np.int64)


class BlockDataset(Dataset):
    def __init__(self, tokens):
        n = len(tokens) // BLOCK
        self.blocks = torch.tensor(tokens[: n * BLOCK]).view(n, BLOCK)

    def __len__(self):
        return len(self.blocks)

    def __getitem__(self, i):
        ids = self.blocks[i]
        return {"input_ids": ids, "labels": ids.clone()}


def main():
    rng = np.random.default_rng(0)
    phrases, phrase_p = build_language(rng)
    train_ds = BlockDataset(stream(phrases, phrase_p, 1400 * BLOCK, rng))
    val_ds = BlockDataset(stream(phrases, phrase_p, 300 * BLOCK, rng))

    config = GPT2Config(vocab_size=VOCAB, n_positions=BLOCK, n_embd=64, n_layer=2, n_head=4,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(config)

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=4,
            per_device_train_batch_size=8,
            gradient_accumulation_steps=4,
            per_device_eval_batch_size=64,
            learning_rate=6e-3,
            warmup_steps=20,
            lr_scheduler_type="linear",
            weight_decay=0.01,
            max_grad_norm=1.0,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=25,
            report_to=[],
            use_cpu=True,
            seed=0,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val_loss {metrics['eval_loss']:.4f} val_perplexity {math.exp(metrics['eval_loss']):.2f} "
          f"(uniform would be {VOCAB})")


if __name__ == "__main__":
    main()
