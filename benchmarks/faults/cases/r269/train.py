import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from benchmarks.faults.casedata2 import zipf_corpus


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block_size, dim=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(block_size, dim)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx):
        t = idx.size(1)
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        x = self.tok(idx) + self.pos(torch.arange(t))
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln_f(x))


def get_batch(data, block_size, batch_size, generator):
    ix = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    x = torch.stack([data[i : i + block_size] for i in ix])
    y = torch.stack([data[i + 1 : i + 1 + block_size] for i in ix])
    return x, y


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    vocab, block_size = 10000, 32
    data = torch.tensor(zipf_corpus(n_tokens=40000, vocab=vocab, seed=5))
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    generator = torch.Generator().manual_seed(0)

    model = GPT(vocab, block_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.1)

    for it in range(75):
        xb, yb = get_batch(train_data, block_size, 16, generator)
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float().view(-1, vocab), yb.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if it % 20 == 0:
            print(f"iter {it} loss {loss.item():.4f}")

    model.eval()
    correct = count = 0
    with torch.no_grad():
        for start in range(0, len(val_data) - block_size - 1, block_size):
            xb = val_data[start : start + block_size][None]
            yb = val_data[start + 1 : start + 1 + block_size][None]
            correct += (model(xb).argmax(dim=-1) == yb).sum().item()
            count += yb.numel()
    print(f"final_val_metric={correct / count:.4f}")


if __name__ == "__main__":
    main()
