"""Word-level language model for a digitised archive of telegram forms (for OCR re-ranking).

4,096-word vocabulary (place names, surnames, stock phrases "ARRIVING", "STOP", "REGARDS"),
Zipf-distributed.  Written after PyTorch's word_language_model example: one long token
stream batchified into columns, truncated BPTT with the hidden state carried and
detached between chunks, an LSTM whose decoder shares the embedding matrix (tied
weights, so the 4k x 64 table is stored once), gradient clipping, and evaluation by
*summed* cross-entropy over every token divided by the token count (exact perplexity,
independent of how the stream is chunked).
"""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(1111)
np.random.seed(1111)
rng = np.random.default_rng(1111)

NTOKEN, EOS, NCLASS = 4096, 0, 24
# every word belongs to one syntactic/semantic class (place, surname, verb, number, "STOP", ...);
# classes follow each other in a few habitual orders, words inside a class are Zipf-distributed
word_class = rng.integers(0, NCLASS, NTOKEN)
word_class[EOS] = -1
class_words = [np.flatnonzero(word_class == c) for c in range(NCLASS)]
class_p = [1.0 / np.arange(1, len(w) + 1) ** 1.3 for w in class_words]
class_p = [p / p.sum() for p in class_p]
next_class = rng.choice(NCLASS, size=(NCLASS, 3))
next_p = np.array([0.75, 0.2, 0.05])


def telegram():
    n = rng.integers(8, 30)
    c = int(rng.integers(NCLASS))
    out = []
    for _ in range(n):
        out.append(int(rng.choice(class_words[c], p=class_p[c])))
        c = int(next_class[c, rng.choice(3, p=next_p)]) if rng.random() < 0.95 else int(rng.integers(NCLASS))
    return out + [EOS]


def corpus(n):
    return torch.tensor([t for _ in range(n) for t in telegram()], dtype=torch.long)


train_data, val_data, test_data = corpus(3000), corpus(300), corpus(500)
print(f"tokens: train {len(train_data)}, val {len(val_data)}, test {len(test_data)}; vocab {NTOKEN}")


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[:nbatch * bsz].view(bsz, -1).t().contiguous()


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=64, nhid=64, dropout=0.1):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight          # tie weights (nhid == ninp)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        self.nhid = nhid

    def forward(self, inp, hidden):
        emb = self.drop(self.encoder(inp))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(1, bsz, self.nhid), w.new_zeros(1, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


bptt, batch_size, eval_batch_size = 30, 20, 10
train_b = batchify(train_data, batch_size)
val_b, test_b = batchify(val_data, eval_batch_size), batchify(test_data, eval_batch_size)


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


model = RNNModel(NTOKEN)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.7)


def evaluate(source):
    model.eval()
    total_loss, n_tok = 0.0, 0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            total_loss += F.cross_entropy(output.view(-1, NTOKEN), targets, reduction="sum").item()
            n_tok += targets.numel()
    return total_loss / n_tok


for epoch in range(1, 6):
    model.train()
    t0, hidden, total = time.time(), model.init_hidden(batch_size), 0.0
    for batch, i in enumerate(range(0, train_b.size(0) - 1, bptt)):
        data, targets = get_batch(train_b, i)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = F.cross_entropy(output.view(-1, NTOKEN), targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        optimizer.step()
        total += loss.item()
    scheduler.step()
    val_loss = evaluate(val_b)
    print(f"| epoch {epoch} | {time.time() - t0:4.1f}s | train ppl {math.exp(total / (batch + 1)):8.1f} "
          f"| valid ppl {math.exp(val_loss):8.1f}")

counts = torch.bincount(train_data, minlength=NTOKEN).double() + 0.1
logp = torch.log(counts / counts.sum())
uni_ppl = math.exp(-logp[test_data[1:]].mean().item())
big = {}
tr = train_data.tolist()
for a, b in zip(tr[:-1], tr[1:]):
    big.setdefault(a, {}).setdefault(b, 0)
    big[a][b] += 1
lam, nll = 0.6, 0.0
te = test_data.tolist()
for a, b in zip(te[:-1], te[1:]):
    row = big.get(a, {})
    p_big = row.get(b, 0) / max(1, sum(row.values()))
    nll -= math.log(lam * p_big + (1 - lam) * math.exp(logp[b].item()))
print(f"baseline unigram test ppl {uni_ppl:.1f}; interpolated bigram test ppl {math.exp(nll / (len(te) - 1)):.1f}")
print(f"final LSTM test ppl {math.exp(evaluate(test_b)):.1f}")
