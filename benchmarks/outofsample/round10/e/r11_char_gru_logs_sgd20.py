"""Character-level GRU language model on web-server access logs, written the way
pytorch/examples/word_language_model trains: batchified stream, truncated BPTT with the
hidden state repackaged, plain SGD done by hand at lr=20 with gradient-norm clipping at 0.25,
and the LR divided by 4 whenever validation loss stops improving. Used to score log lines
for anomaly detection (bits per character).
"""
import math
import random

import torch
import torch.nn as nn

random.seed(0)
torch.manual_seed(0)

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
PATHS = ["/api/v1/orders", "/api/v1/users", "/static/app.js", "/static/style.css", "/login",
         "/logout", "/api/v1/cart", "/health", "/search"]
METHODS = {"/login": "POST", "/logout": "POST", "/api/v1/cart": "PUT"}


def log_line(t):
    path = random.choice(PATHS)
    method = METHODS.get(path, "GET")
    status = random.choices([200, 304, 404, 500], [0.85, 0.08, 0.05, 0.02])[0]
    size = 0 if status == 304 else random.randint(200, 9000)
    ms = random.randint(2, 40) if path.startswith("/static") or path == "/health" else random.randint(20, 900)
    user = "-" if path.startswith("/static") or path == "/health" else random.choice(USERS)
    hh, mm, ss = t // 3600 % 24, t // 60 % 60, t % 60
    return f"10.0.{random.randint(0, 3)}.{random.randint(1, 254)} {hh:02d}:{mm:02d}:{ss:02d} " \
           f"{method} {path} {status} {size} {ms}ms user={user}\n"


t, lines = 30000, []
for _ in range(2000):
    t += random.randint(0, 5)
    lines.append(log_line(t))
train_text, val_text = "".join(lines[:1750]), "".join(lines[1750:])  # later traffic is validation
chars = sorted(set(train_text + val_text))
stoi = {c: i for i, c in enumerate(chars)}
encode = lambda s: torch.tensor([stoi[c] for c in s], dtype=torch.long)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[:nbatch * bsz].view(bsz, -1).t().contiguous()


bsz, bptt = 20, 35
train_data, val_data = batchify(encode(train_text), bsz), batchify(encode(val_text), 10)


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp=32, nhid=192, nlayers=1, dropout=0.1):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.GRU(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, inp, hidden):
        output, hidden = self.rnn(self.drop(self.encoder(inp)), hidden)
        return self.decoder(self.drop(output)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        return torch.zeros(self.nlayers, bsz, self.nhid)


model = RNNModel(len(chars))
criterion = nn.CrossEntropyLoss()
lr, clip = 20.0, 0.25


def evaluate(source):
    model.eval()
    total, hidden = 0.0, model.init_hidden(source.size(1))
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            total += len(data) * criterion(output, targets).item()
    return total / (len(source) - 1)


best_val = None
for epoch in range(1, 7):
    model.train()
    hidden = model.init_hidden(bsz)
    total_loss = 0.0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        hidden = hidden.detach()
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
    val_loss = evaluate(val_data)
    print(f"| epoch {epoch} | lr {lr:5.2f} | train loss {total_loss / (batch + 1):.3f} "
          f"| valid loss {val_loss:.3f} | valid bpc {val_loss / math.log(2):.3f}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0

counts = torch.bincount(encode(train_text), minlength=len(chars)).float()
p = counts / counts.sum()
unigram = -(torch.log(p[encode(val_text)])).mean().item()
print(f"final valid bpc={best_val / math.log(2):.3f} (unigram baseline {unigram / math.log(2):.3f} bpc)")
