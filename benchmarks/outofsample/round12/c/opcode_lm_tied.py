"""Small recurrent language model over bytecode opcode streams.

Opcode traces (96 opcodes, calls closed by their returns) are modelled autoregressively to flag unusual programs later.
A GRU ties its output projection to the token embedding, warms the LR up linearly
then decays it with a cosine, clips the gradient norm and reports validation perplexity
from summed token NLL against the trace generator's own entropy rate.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import get_cosine_schedule_with_warmup

V, CTX = 96, 32
torch.manual_seed(8)
rng = np.random.default_rng(8)

# trace generator: each opcode allows a handful of next opcodes (sparse first-order chain),
# and a call opcode (0..7) is always closed by its matching return (8..15) four steps later
ctx_table = rng.dirichlet(np.full(V, 0.05), size=V).astype(np.float64)
ctx_table = np.maximum(ctx_table, 1e-6)
ctx_table /= ctx_table.sum(-1, keepdims=True)
ROW_H = -(ctx_table * np.log(ctx_table)).sum(-1)


def traces(n, length):
    """Returns the token ids and the generator's entropy (nats) of each position given its past."""
    out = np.zeros((n, length), dtype=np.int64)
    ent = np.zeros((n, length))
    out[:, 0] = rng.integers(0, V, n)
    ent[:, 0] = math.log(V)
    u = rng.random((n, length))
    for t in range(1, length):
        cdf = ctx_table[out[:, t - 1]].cumsum(-1)
        out[:, t] = np.minimum((u[:, t:t + 1] > cdf).sum(-1), V - 1)
        ent[:, t] = ROW_H[out[:, t - 1]]
        if t >= 4:
            forced = out[:, t - 4] < 8
            out[forced, t] = out[forced, t - 4] + 8
            ent[forced, t] = 0.0
    return torch.from_numpy(out), ent


class OpcodeLM(nn.Module):
    def __init__(self, d=96):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        nn.init.normal_(self.tok.weight, std=0.05)
        self.rnn = nn.GRU(d, d, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.lm_head = nn.Linear(d, V)
        self.lm_head.weight = self.tok.weight

    def forward(self, idx):
        h, _ = self.rnn(self.drop(self.tok(idx)))
        return self.lm_head(self.drop(h))


def main():
    train, _ = traces(6000, CTX + 1)
    val, val_ent = traces(400, CTX + 1)
    h_true = float(val_ent[:, 3:].mean())

    model = OpcodeLM()
    steps, bs = 400, 64
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, betas=(0.9, 0.98), weight_decay=0.01)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=40, num_training_steps=steps)

    def val_ppl():
        model.eval()
        nll, count = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(val), 200):
                b = val[i:i + 200]
                logits = model(b[:, :-1])
                nll += F.cross_entropy(logits[:, 2:].reshape(-1, V), b[:, 3:].reshape(-1), reduction="sum").item()
                count += b[:, 3:].numel()
        model.train()
        return math.exp(nll / count)

    model.train()
    for step in range(1, steps + 1):
        b = train[torch.randint(0, len(train), (bs,))]
        logits = model(b[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V), b[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e} val_ppl {val_ppl():.3f}")
    print(f"final val_ppl {val_ppl():.3f} (generator entropy-rate ppl {math.exp(h_true):.3f}, unigram ppl {V})")


if __name__ == "__main__":
    main()
