"""LSTM language model over tokenised server-log templates (next-token prediction),
in the style of the PyTorch word_language_model example: batchify, truncated BPTT,
hand-written SGD step, LR annealed by 4 when validation stops improving."""
import argparse
import math
import time

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--emsize", type=int, default=64)
parser.add_argument("--nhid", type=int, default=128)
parser.add_argument("--nlayers", type=int, default=2)
parser.add_argument("--lr", type=float, default=20)
parser.add_argument("--clip", type=float, default=25)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch_size", type=int, default=20)
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--seed", type=int, default=1111)
args = parser.parse_args()
torch.manual_seed(args.seed)

# ---------------------------------------------------------------- corpus
# Log lines are produced by a few dozen templates; fields are filled from small vocabularies.
g = torch.Generator().manual_seed(args.seed)
services = [f"svc{i}" for i in range(12)]
hosts = [f"node{i:02d}" for i in range(30)]
users = [f"u{i}" for i in range(40)]
codes = ["200", "201", "204", "301", "400", "401", "403", "404", "500", "503"]
verbs = ["GET", "POST", "PUT", "DELETE"]
paths = [f"/api/v1/{r}" for r in ["items", "orders", "users", "carts", "search", "auth", "health"]]
templates = [
    "INFO {svc} {host} request {verb} {path} status {code} latency {num} ms",
    "INFO {svc} {host} user {user} logged in from {host}",
    "WARN {svc} {host} retry {num} for {path} after status {code}",
    "ERROR {svc} {host} upstream {svc} timeout after {num} ms",
    "INFO {svc} {host} cache hit ratio {num} percent",
    "DEBUG {svc} {host} gc pause {num} ms heap {num} mb",
    "INFO {svc} {host} user {user} {verb} {path} status {code}",
    "ERROR {svc} {host} user {user} denied {path} status {code}",
]


def pick(lst):
    return lst[torch.randint(len(lst), (1,), generator=g).item()]


def line():
    t = pick(templates)
    svc = pick(services)
    out = []
    for w in t.split():
        if w == "{svc}":
            out.append(svc)
        elif w == "{host}":
            out.append(pick(hosts))
        elif w == "{verb}":
            out.append(pick(verbs))
        elif w == "{path}":
            out.append(pick(paths))
        elif w == "{code}":
            out.append(pick(codes[:4]) if t.startswith("INFO") else pick(codes[4:]))
        elif w == "{user}":
            out.append(pick(users))
        elif w == "{num}":
            out.append(str(torch.randint(0, 100, (1,), generator=g).item() // 10 * 10))
        else:
            out.append(w)
    return out + ["<eos>"]


words = [w for _ in range(9000) for w in line()]
vocab = {w: i for i, w in enumerate(sorted(set(words)))}
ids = torch.tensor([vocab[w] for w in words])
n = len(ids)
train_ids, val_ids = ids[: int(0.9 * n)], ids[int(0.9 * n):]
ntokens = len(vocab)
print(f"{n} tokens, vocabulary {ntokens}")


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


train_data = batchify(train_ids, args.batch_size)
val_data = batchify(val_ids, 10)


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


# ---------------------------------------------------------------- model
class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        return self.decoder(output).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


model = RNNModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout)
criterion = nn.NLLLoss()
log_softmax = nn.LogSoftmax(dim=-1)


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(log_softmax(output), targets).item()
    return total_loss / (len(data_source) - 1)


def train(epoch):
    model.train()
    total_loss, start = 0.0, time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(log_softmax(output), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        if batch % 50 == 0 and batch > 0:
            cur = total_loss / 50
            print(f"| epoch {epoch} | batch {batch:4d} | lr {lr:5.2f} | loss {cur:6.2f} | ppl {math.exp(min(cur, 50)):10.2f}")
            total_loss = 0.0


lr = args.lr
best_val = None
for epoch in range(1, args.epochs + 1):
    train(epoch)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:5.2f} | valid ppl {math.exp(min(val_loss, 50)):8.2f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0

print(f"final valid ppl {math.exp(min(val_loss, 50)):.2f}")
