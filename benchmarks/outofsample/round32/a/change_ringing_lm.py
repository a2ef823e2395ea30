"""Character-level LSTM language model over change-ringing touches.

Each touch is rung from rounds on six or eight bells; every row is a permutation produced by a
method's place notation, with conductor's calls ("-" bob, "s" single) marked before the lead end.
Structure follows pytorch/examples word_language_model (batchify, truncated BPTT, plain SGD).
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn as nn

parser = argparse.ArgumentParser(description="change-ringing touch LM")
parser.add_argument("--emsize", type=int, default=32)
parser.add_argument("--nhid", type=int, default=96)
parser.add_argument("--nlayers", type=int, default=2)
parser.add_argument("--lr", type=float, default=20.0)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch_size", type=int, default=20)
parser.add_argument("--bptt", type=int, default=35)
parser.add_argument("--dropout", type=float, default=0.0)
parser.add_argument("--seed", type=int, default=1111)
parser.add_argument("--save", type=str, default="/tmp/change_ringing_lm.pt")
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

# ---------------------------------------------------------------- corpus
METHODS = {
    6: ["x16x16x16x16x16x16", "x16x14x16x16x14x16", "x16x12x16x16x12x16", "34x34.16x12x16x12x16x12"],
    8: ["x18x18x18x18x18x18x18x18", "x18x14x18x18x14x18x18x14", "x38x14x58x16x12x38x14x78"],
}
LEAD_ENDS = {"": {1, 2}, "-": {1, 4}, "s": {1, 2, 3, 4}}


def parse_pn(pn):
    changes = []
    for tok in pn.replace("x", ".x.").split("."):
        if tok:
            changes.append(set() if tok == "x" else {int(c, 16) for c in tok})
    return changes


def permute(row, places):
    row, i = list(row), 0
    while i < len(row):
        if i + 1 in places:
            i += 1
            continue
        row[i], row[i + 1] = row[i + 1], row[i]
        i += 2
    return row


def ring_touch():
    stage = int(rng.choice([6, 8]))
    method = parse_pn(METHODS[stage][rng.integers(len(METHODS[stage]))])
    row = list(range(1, stage + 1))
    lines = ["".join(map(str, row))]
    for _ in range(rng.integers(3, 9)):
        for places in method:
            row = permute(row, places)
            lines.append("".join(map(str, row)))
        call = str(rng.choice(["", "-", "s"], p=[0.6, 0.3, 0.1]))
        row = permute(row, LEAD_ENDS[call])
        lines.append(call + "".join(map(str, row)))
    return "\n".join(lines) + "\n\n"


touches = [ring_touch() for _ in range(65)]
text = "".join(touches)
vocab = sorted(set(text))
stoi = {c: i for i, c in enumerate(vocab)}
ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n_train, n_valid = int(0.8 * len(ids)), int(0.1 * len(ids))
train_ids, valid_ids, test_ids = ids[:n_train], ids[n_train:n_train + n_valid], ids[n_train + n_valid:]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


eval_batch_size = 10
train_data = batchify(train_ids, args.batch_size)
val_data = batchify(valid_ids, eval_batch_size)
test_data = batchify(test_ids, eval_batch_size)
ntokens = len(vocab)


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

    def forward(self, inp, hidden):
        emb = self.drop(self.encoder(inp))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


def get_batch(source, i):
    seq_len = min(args.bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


model = RNNModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout)
criterion = nn.CrossEntropyLoss()


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            total_loss += len(data) * criterion(output.view(-1, ntokens), targets).item()
    return total_loss / (len(data_source) - 1)


def train(epoch, lr):
    model.train()
    total_loss, start = 0.0, time.time()
    hidden = model.init_hidden(args.batch_size)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntokens), targets)
        loss.backward()
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        if batch % 20 == 0 and batch > 0:
            cur = total_loss / 20
            print(f"| epoch {epoch:2d} | batch {batch:3d} | lr {lr:5.2f} | "
                  f"ms/batch {(time.time() - start) * 1000 / 20:6.1f} | loss {cur:6.3f}")
            total_loss, start = 0.0, time.time()


lr, best_val = args.lr, None
for epoch in range(1, args.epochs + 1):
    train(epoch, lr)
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch:2d} | valid loss {val_loss:6.3f} | valid ppl {math.exp(min(val_loss, 50)):9.3f}")
    if best_val is None or val_loss < best_val:
        with open(args.save, "wb") as f:
            torch.save(model, f)
        best_val = val_loss
    else:
        lr /= 4.0

with open(args.save, "rb") as f:
    model = torch.load(f, weights_only=False)
test_loss = evaluate(test_data)
print(f"test loss {test_loss:.4f} | test ppl {math.exp(min(test_loss, 50)):.3f} | bits/char {test_loss / math.log(2):.3f}")
