"""Word-level language model over coasting-schooner deck-log entries (for autocomplete
in a log transcription tool). Follows the structure of PyTorch's word_language_model example:
batchify, truncated BPTT with the hidden state detached between chunks, tied input/output
embeddings, gradient-norm clipping at 0.25, a hand-written SGD update at lr 20, and the
learning rate divided by 4 whenever validation perplexity stops improving.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(1111)
rng = np.random.default_rng(1111)
torch.set_num_threads(1)

# ---- corpus -----------------------------------------------------------------------------
syll = ["an", "bel", "cor", "da", "el", "fa", "gar", "hel", "is", "jo", "kar", "la", "mar", "nor", "or",
        "pen", "ros", "sa", "tor", "ul", "ven", "wyn", "ys", "zel"]
def names(n, k):
    out = set()
    while len(out) < n:
        out.add("".join(rng.choice(syll, size=k)).capitalize())
    return sorted(out)
vessels = names(2500, 3)
ports = names(400, 2)
masters = names(1200, 3)
zipf = lambda n, a=1.1: (lambda w: w / w.sum())(1.0 / np.arange(1, n + 1) ** a)
pv, pp, pm = zipf(len(vessels)), zipf(len(ports)), zipf(len(masters))
home = rng.integers(0, len(ports), len(vessels))          # each vessel trades mostly to one port
points = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
sky = ["fine", "clear", "overcast", "squally", "hazy", "drizzle", "rain", "fog", "showers"]
sea = ["smooth", "slight", "moderate", "rough", "heavy", "swell"]


def entry(hour, wind_i, force, baro, course):
    toks = [f"{hour:02d}00", "wind", points[wind_i], "force", str(force), sky[rng.integers(len(sky))],
            "sea", sea[min(5, max(0, force // 2 + rng.integers(-1, 2)))],
            "course", f"{course:03d}", "baro", str(baro), "rising" if rng.random() < 0.5 else "falling"]
    r = rng.random()
    if r < 0.35:
        v = rng.choice(len(vessels), p=pv)
        toks += ["passed", vessels[v], "bound", ports[home[v] if rng.random() < 0.8 else rng.choice(len(ports), p=pp)]]
    elif r < 0.5:
        toks += ["spoke", vessels[rng.choice(len(vessels), p=pv)], "master", masters[rng.choice(len(masters), p=pm)]]
    elif r < 0.6:
        toks += ["reefed", "main" if force > 5 else "topsail"]
    elif r < 0.7:
        toks += ["pumps", "sounded", str(rng.integers(2, 14)), "inches"]
    return toks + ["<eos>"]


def voyage():
    toks, wind_i, force = [], rng.integers(16), rng.integers(1, 7)
    baro, course = rng.integers(990, 1030), rng.integers(0, 360)
    for h in range(0, 24, 4):
        wind_i = (wind_i + rng.integers(-1, 2)) % 16
        force = int(np.clip(force + rng.integers(-1, 2), 0, 10))
        baro = int(np.clip(baro + rng.integers(-4, 5), 960, 1045))
        course = int((course + rng.integers(-10, 11)) % 360)
        toks += entry(h, wind_i, force, baro, course)
    return toks


corpus = [voyage() for _ in range(850)]
vocab = {w: i for i, w in enumerate(sorted({t for d in corpus for t in d} | set(vessels) | set(ports) | set(masters)))}
enc = lambda days: torch.tensor([vocab[t] for d in days for t in d], dtype=torch.long)
train_ids, val_ids, test_ids = enc(corpus[:650]), enc(corpus[650:750]), enc(corpus[750:])
V = len(vocab)
print(f"vocab {V}, train tokens {len(train_ids)}")


def batchify(data, bsz):
    nb = data.size(0) // bsz
    return data[: nb * bsz].view(bsz, -1).t().contiguous()


bptt, train_bs, eval_bs = 35, 20, 10
train_data, val_data, test_data = batchify(train_ids, train_bs), batchify(val_ids, eval_bs), batchify(test_ids, eval_bs)


def get_batch(source, i):
    n = min(bptt, len(source) - 1 - i)
    return source[i:i + n], source[i + 1:i + 1 + n].reshape(-1)


# ---- model ------------------------------------------------------------------------------
class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=128, nhid=128, nlayers=1, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight            # weight tying (Press & Wolf 2016)
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, inp, hidden):
        emb = self.drop(self.encoder(inp))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


model = RNNModel(V)
criterion = nn.NLLLoss()
log_softmax = nn.LogSoftmax(dim=-1)


def evaluate(source):
    model.eval()
    total, hidden = 0.0, model.init_hidden(eval_bs)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i)
            out, hidden = model(data, hidden)
            total += len(data) * criterion(log_softmax(out), targets).item()
    return total / (len(source) - 1)


lr, clip, best_val = 20.0, 0.25, None
for epoch in range(1, 4):
    model.train()
    hidden = model.init_hidden(train_bs)
    total = 0.0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        out, hidden = model(data, hidden)
        loss = criterion(log_softmax(out), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item()
        if batch % 50 == 49:
            print(f"| epoch {epoch} | batch {batch + 1} | lr {lr:.2f} | loss {total / 50:.3f} | ppl {math.exp(total / 50):7.2f}")
            total = 0.0
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:.3f} | valid ppl {math.exp(val_loss):7.2f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    else:
        lr /= 4.0

model.load_state_dict(best_state)
test_loss = evaluate(test_data)
counts = torch.bincount(train_ids, minlength=V).float() + 0.5
unigram = -(torch.log(counts / counts.sum())[test_ids]).mean().item()
print(f"| test ppl {math.exp(test_loss):.2f} | unigram ppl {math.exp(unigram):.2f} | uniform ppl {V}")
