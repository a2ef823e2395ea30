"""Next-token model over glass-blowing studio shift logs (4,096-token vocabulary).

Logs are written in a controlled vocabulary of furnace, glory-hole, annealer, colour-rod and
tool codes. A one-layer GRU language model with the output projection tied to the input
embedding (saves 260k parameters at this vocabulary); cross-entropy over the full vocabulary,
gradient clipping, perplexity on held-out shifts against the unigram baseline.
"""
import math

import numpy as np
import torch
from torch import nn

VOCAB, SEQ, STATES, BOOK = 4096, 48, 12, 200


def shift_logs(n_tokens, rng):
    # a sticky hidden "activity" chain; each activity has its own Zipfian code book
    books = np.stack([rng.permutation(VOCAB)[:BOOK] for _ in range(STATES)])
    zipf = 1.0 / np.arange(1, BOOK + 1) ** 1.1
    zipf /= zipf.sum()
    switch = rng.random(n_tokens) < 0.12
    jumps = rng.integers(STATES, size=n_tokens)
    states = np.empty(n_tokens, np.int64)
    s = 0
    for i in range(n_tokens):
        if switch[i]:
            s = jumps[i]
        states[i] = s
    ranks = rng.choice(BOOK, size=n_tokens, p=zipf)
    return books[states, ranks]


class LogLM(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d)
        self.rnn = nn.GRU(d, d, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.decoder = nn.Linear(d, VOCAB)
        self.decoder.weight = self.embed.weight          # weight tying
        nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, x):
        h, _ = self.rnn(self.drop(self.embed(x)))
        return self.decoder(self.drop(h))


def batches(stream, batch, rng):
    n = (len(stream) - 1) // SEQ
    order = rng.permutation(n)
    for i in range(0, n - batch + 1, batch):
        starts = order[i:i + batch] * SEQ
        x = np.stack([stream[s:s + SEQ] for s in starts])
        y = np.stack([stream[s + 1:s + SEQ + 1] for s in starts])
        yield torch.from_numpy(x), torch.from_numpy(y)


def main():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    stream = shift_logs(90_000, rng)
    train, val = stream[:78_000], stream[78_000:]

    model = LogLM()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.6)

    for epoch in range(4):
        model.train()
        tot, cnt = 0.0, 0
        for x, y in batches(train, 32, rng):
            optimizer.zero_grad()
            logits = model(x)
            loss = criterion(logits.reshape(-1, VOCAB), y.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            tot, cnt = tot + loss.item(), cnt + 1
        scheduler.step()
        model.eval()
        vt, vc = 0.0, 0
        with torch.no_grad():
            for x, y in batches(val, 64, np.random.default_rng(0)):
                vt += criterion(model(x).reshape(-1, VOCAB), y.reshape(-1)).item() * y.numel()
                vc += y.numel()
        print(f"epoch {epoch + 1} train ppl {math.exp(tot / cnt):8.1f} val ppl {math.exp(vt / vc):8.1f}")

    counts = np.bincount(train, minlength=VOCAB) + 0.5
    p = counts / counts.sum()
    unigram_ppl = math.exp(-np.log(p[val]).mean())
    print(f"final: val perplexity {math.exp(vt / vc):.1f} (unigram {unigram_ppl:.1f}, vocab {VOCAB})")


if __name__ == "__main__":
    main()
