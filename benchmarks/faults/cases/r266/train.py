import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata2 import zipf_corpus


def windows(tokens, length):
    n = (len(tokens) - 1) // length
    x = tokens[: n * length].view(n, length)
    y = tokens[1 : n * length + 1].view(n, length)
    return x, y


class CausalLM(nn.Module):
    def __init__(self, vocab, length, dim=64, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(length, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=4 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(length))

    def forward(self, tokens):
        t = tokens.size(1)
        h = self.embed(tokens) + self.pos(torch.arange(t))
        h = self.blocks(h, mask=self.mask[:t, :t], is_causal=True)
        return self.lm_head(self.norm(h))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    vocab, length = 10000, 32
    corpus = torch.tensor(zipf_corpus(n_tokens=40000, vocab=vocab, seed=3))
    split = int(0.9 * len(corpus))
    x_train, y_train = windows(corpus[:split], length)
    x_val, y_val = windows(corpus[split:], length)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=16, shuffle=True)

    model = CausalLM(vocab, length)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01, betas=(0.9, 0.95))
    epochs = 1
    total = epochs * len(loader)
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))
    )

    for epoch in range(epochs):
        model.train()
        for step, (xb, yb) in enumerate(loader):
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits.view(-1, vocab), yb.view(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            if step % 20 == 0:
                print(f"step {step} loss {loss.item():.3f} lr {scheduler.get_last_lr()[0]:.2e}")

    model.eval()
    with torch.no_grad():
        logits = model(x_val)
        accuracy = (logits.argmax(dim=-1) == y_val).float().mean().item()
        val_loss = nn.functional.cross_entropy(logits.view(-1, vocab), y_val.view(-1)).item()
    print(f"val loss {val_loss:.3f} ppl {math.exp(val_loss):.1f}")
    print(f"final_val_metric={accuracy:.4f}")


if __name__ == "__main__":
    main()
