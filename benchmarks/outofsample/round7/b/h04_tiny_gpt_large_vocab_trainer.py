"""A small GPT-2 style language model on a 6k-word synthetic product-review corpus,
trained with the Hugging Face Trainer.

The corpus generator is a sparse Markov chain over a Zipf-distributed 6,000-word
vocabulary (each word has a handful of likely successors, plus a topic that
biases word choice per document), so a model has real structure to learn while
the output layer stays 6,000 wide. Embeddings are tied with the LM head.
"""
import math

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

VOCAB = 6000
SEQ_LEN = 24
BOS = 0


def build_corpus(n_docs, seed):
    rng = np.random.default_rng(seed)
    lang = np.random.default_rng(2024)                      # the "language" is fixed
    zipf = 1.0 / np.arange(1, VOCAB) ** 1.1
    zipf /= zipf.sum()
    successors = lang.choice(np.arange(1, VOCAB), size=(VOCAB, 6), p=zipf)
    succ_p = lang.dirichlet(np.full(6, 0.6), size=VOCAB)
    topics = lang.choice(np.arange(1, VOCAB), size=(16, 40), p=zipf)
    succ_cdf = succ_p.cumsum(1)
    docs = np.empty((n_docs, SEQ_LEN), dtype=np.int64)
    r = rng.random((n_docs, SEQ_LEN))
    u = rng.random((n_docs, SEQ_LEN))
    topic_pick = rng.integers(40, size=(n_docs, SEQ_LEN))
    background = rng.choice(np.arange(1, VOCAB), size=(n_docs, SEQ_LEN), p=zipf)
    for d in range(n_docs):
        topic = topics[rng.integers(16)]
        tok = BOS
        for i in range(SEQ_LEN):
            if r[d, i] < 0.75 and tok != BOS:
                tok = successors[tok, min(np.searchsorted(succ_cdf[tok], u[d, i]), 5)]
            elif r[d, i] < 0.92:
                tok = topic[topic_pick[d, i]]
            else:
                tok = background[d, i]
            docs[d, i] = tok
    return docs


class LMDataset(Dataset):
    def __init__(self, docs):
        self.docs = torch.from_numpy(docs)

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        ids = torch.cat([torch.tensor([BOS]), self.docs[i]])
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids.clone()}


def main():
    set_seed(0)
    train_ds = LMDataset(build_corpus(1600, seed=1))
    eval_ds = LMDataset(build_corpus(300, seed=2))

    config = GPT2Config(vocab_size=VOCAB, n_positions=64, n_embd=64, n_layer=2, n_head=4,
                        bos_token_id=BOS, eos_token_id=BOS, tie_word_embeddings=True)
    model = GPT2LMHeadModel(config)
    print(f"parameters: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M")

    args = TrainingArguments(
        output_dir="/tmp/h04_tiny_gpt",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=100,
        num_train_epochs=3,
        learning_rate=3e-3,
        warmup_steps=15,
        lr_scheduler_type="cosine",
        weight_decay=0.01,
        logging_steps=25,
        eval_strategy="epoch",
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f} perplexity {math.exp(metrics['eval_loss']):.1f}"
          f" (uniform would be {VOCAB})")


if __name__ == "__main__":
    main()
