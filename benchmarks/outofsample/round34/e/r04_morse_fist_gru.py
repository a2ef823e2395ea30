"""Which coastal-station operator keyed a Morse transmission ("fist" identification).

A transmission is the sequence of key-down / key-up durations captured by the decoder,
100-190 elements long, each with the symbol kind the decoder read (one-hot).  Every operator keys textbook ratios with the same spread of
timing errors (the speed changes from message to message and is divided out); they differ
in the rhythm of their errors: an even hand, a slowly drifting tempo, a hand that
over-corrects every element, and a bug-key habit of long marks followed by long gaps.

GRU over the full sequence with packed variable lengths.  Curriculum: the first two
epochs see only the first 60 elements of each message (short, easy credit assignment),
later epochs the whole message.  Gradient-norm clipping is routine insurance for the
recurrent net; it rarely needs to act.
"""
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

random.seed(5)
np.random.seed(5)
torch.manual_seed(5)

MORSE = [".-", "-...", "-.-.", "-..", ".", "..-.", "--.", "....", "..", ".---", "-.-", ".-..", "--",
         "-.", "---", ".--.", "--.-", ".-.", "...", "-", "..-", "...-", ".--", "-..-", "-.--", "--.."]
N_OPS = 4


def jitter(op, n, rng, sigma=0.15):
    """Log-timing errors: same spread for every operator, different rhythm over time."""
    e = rng.normal(0, 1, n)
    if op == 0:
        return sigma * e                                 # even hand, independent errors
    if op == 1:                                          # slow drift of the hand's tempo
        phi = 0.85
        out = np.empty(n)
        out[0] = e[0]
        for i in range(1, n):
            out[i] = phi * out[i - 1] + np.sqrt(1 - phi ** 2) * e[i]
        return sigma * out
    if op == 2:                                          # over-corrects every element
        phi = -0.6
        out = np.empty(n)
        out[0] = e[0]
        for i in range(1, n):
            out[i] = phi * out[i - 1] + np.sqrt(1 - phi ** 2) * e[i]
        return sigma * out
    # op 3: errors come in pairs, a long mark is followed by a long gap (bug-key habit)
    pair = rng.normal(0, 1, (n + 1) // 2).repeat(2)[:n]
    return sigma * (0.8 * pair + 0.6 * e)


def key_message(op, rng):
    speed = rng.uniform(0.7, 1.4)
    nominal, kinds = [], []          # kinds: 0 dot, 1 dash, 2 element gap, 3 letter gap, 4 word gap
    n_chars = rng.integers(20, 27)
    for c in range(n_chars):
        code = MORSE[rng.integers(0, 26)]
        for k, sym in enumerate(code):
            nominal.append(1.0 if sym == "." else 3.0); kinds.append(0 if sym == "." else 1)
            if k < len(code) - 1:
                nominal.append(1.0); kinds.append(2)
        if c < n_chars - 1:
            word_end = rng.random() < 0.2
            nominal.append(7.0 if word_end else 3.0); kinds.append(4 if word_end else 3)
    nominal = np.array(nominal)
    durs = nominal * speed * np.exp(jitter(op, len(nominal), rng, sigma=0.25))
    # the decoder has already read the symbols; keep the timing residual and the symbol kind
    resid = np.log(durs / nominal)
    resid -= np.median(resid)                           # remove the message's speed
    return np.column_stack([resid, np.eye(5)[kinds]]).astype(np.float32)


def make(n, rng):
    ops = rng.integers(0, N_OPS, n)
    return [key_message(o, rng) for o in ops], ops


rng = np.random.default_rng(5)
train_seqs, ytr = make(640, rng)
val_seqs, yva = make(200, rng)
test_seqs, yte = make(400, rng)
all_tr = np.concatenate(train_seqs)
mu, sd = all_tr[:, 0].mean(), all_tr[:, 0].std()


def norm(s):
    s = s.copy()
    s[:, 0] = (s[:, 0] - mu) / sd
    return torch.from_numpy(s)


train_seqs = [norm(s) for s in train_seqs]
val_seqs = [norm(s) for s in val_seqs]
test_seqs = [norm(s) for s in test_seqs]
print("elements per message:", min(len(s) for s in train_seqs), "-", max(len(s) for s in train_seqs))


def batches(seqs, labels, bs, shuffle, max_len=None):
    order = list(range(len(seqs)))
    if shuffle:
        random.shuffle(order)
    for i in range(0, len(order), bs):
        idx = order[i:i + bs]
        chunk = [seqs[j][:max_len] if max_len else seqs[j] for j in idx]
        lengths = torch.tensor([len(c) for c in chunk])
        yield pad_sequence(chunk, batch_first=True), lengths, torch.as_tensor(labels[idx]).long()


class FistGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.inp = nn.Linear(6, 16)
        self.gru = nn.GRU(16, hidden, batch_first=True)
        self.out = nn.Linear(hidden, N_OPS)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(torch.tanh(self.inp(x)), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1])


model = FistGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=6e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.4)
epochs, clipped, steps = 12, 0, 0


def evaluate(seqs, labels):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for x, lengths, y in batches(seqs, labels, 256, False):
            logits = model(x, lengths)
            loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    return loss / len(seqs), correct / len(seqs)


for epoch in range(epochs):
    max_len = 60 if epoch < 2 else None
    model.train()
    for x, lengths, y in batches(train_seqs, ytr, 32, True, max_len):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x, lengths), y)
        loss.backward()
        norm_before = nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        clipped += int(norm_before > 5.0)
        steps += 1
        optimizer.step()
    scheduler.step()
    vl, va = evaluate(val_seqs, yva)
    print(f"epoch {epoch + 1:2d} (len {'60' if max_len else 'full'}) train loss {loss.item():.3f} val loss {vl:.3f} val acc {va:.3f}")

print(f"clipped {clipped} of {steps} steps")


def summary(seqs):
    feats = []
    for s in seqs:
        s = s.numpy()
        m, g = s[s[:, 1:3].sum(1) == 1, 0], s[s[:, 3:].sum(1) == 1, 0]
        feats.append([m.mean(), m.std(), g.mean(), g.std(), np.percentile(m, 90), np.percentile(g, 90),
                      np.percentile(m, 10), np.percentile(g, 10), np.abs(s[:, 0]).mean()])
    return np.array(feats)


sc = StandardScaler().fit(summary(train_seqs))
base = LogisticRegression(max_iter=1000).fit(sc.transform(summary(train_seqs)), ytr)
print(f"baseline logistic regression on timing-residual statistics: test acc {base.score(sc.transform(summary(test_seqs)), yte):.3f}")
print(f"final GRU test acc: {evaluate(test_seqs, yte)[1]:.3f}")
