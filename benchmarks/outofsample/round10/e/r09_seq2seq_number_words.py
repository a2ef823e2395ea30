"""Spoken-number normalisation for ASR post-processing ("four thousand and twelve" -> "4012"):
GRU encoder-decoder with scheduled teacher forcing (ratio decays 1.0 -> 0.5) and a length
curriculum (the first two epochs visit utterances shortest first, then the usual shuffle).
"""
import random

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence

random.seed(2)
torch.manual_seed(2)

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
       "fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n):
    if n < 20:
        return [ONES[n]]
    if n < 100:
        return [TENS[n // 10]] + ([ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = n % 100
        return [ONES[n // 100], "hundred"] + ((["and"] if random.random() < 0.5 else []) + words(rest) if rest else [])
    rest = n % 1000
    return words(n // 1000) + ["thousand"] + ((["and"] if rest < 100 and random.random() < 0.5 else []) + words(rest) if rest else [])


SRC = ["<pad>"] + sorted(set(ONES + TENS[2:] + ["hundred", "thousand", "and"]))
TGT = ["<pad>", "<s>", "</s>"] + list("0123456789")
s2i, t2i = {w: i for i, w in enumerate(SRC)}, {c: i for i, c in enumerate(TGT)}

numbers = random.sample(range(100000), 9500)
pairs = [(torch.tensor([s2i[w] for w in words(n)]),
          torch.tensor([t2i["<s>"]] + [t2i[c] for c in str(n)] + [t2i["</s>"]])) for n in numbers]
train, test = pairs[:7500], pairs[7500:]


class Seq2Seq(nn.Module):
    def __init__(self, hidden=128, emb=64):
        super().__init__()
        self.src_emb = nn.Embedding(len(SRC), emb, padding_idx=0)
        self.tgt_emb = nn.Embedding(len(TGT), emb, padding_idx=0)
        self.encoder = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * hidden, hidden)
        self.decoder = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, len(TGT))

    def encode(self, src):
        _, h = self.encoder(self.src_emb(src))
        return torch.tanh(self.bridge(torch.cat([h[0], h[1]], -1))).unsqueeze(0)

    def forward(self, src, tgt, teacher_forcing=1.0):
        h = self.encode(src)
        inp = tgt[:, :1]
        logits = []
        for t in range(1, tgt.size(1)):
            o, h = self.decoder(self.tgt_emb(inp), h)
            step = self.out(o)
            logits.append(step)
            use_truth = random.random() < teacher_forcing
            inp = tgt[:, t:t + 1] if use_truth else step.argmax(-1)
        return torch.cat(logits, 1)

    @torch.no_grad()
    def greedy(self, src, max_len=8):
        h = self.encode(src)
        inp = torch.full((src.size(0), 1), t2i["<s>"])
        outs = []
        for _ in range(max_len):
            o, h = self.decoder(self.tgt_emb(inp), h)
            inp = self.out(o).argmax(-1)
            outs.append(inp)
        return torch.cat(outs, 1)


def collate(batch):
    src, tgt = zip(*batch)
    return pad_sequence(src, batch_first=True), pad_sequence(tgt, batch_first=True)


def decode(ids):
    s = ""
    for i in ids.tolist():
        if TGT[i] == "</s>":
            break
        s += TGT[i] if TGT[i].isdigit() else ""
    return s


def exact_match(model, data):
    model.eval()
    src, tgt = collate(data)
    pred = model.greedy(src)
    return sum(decode(p) == decode(t[1:]) for p, t in zip(pred, tgt)) / len(data)


model = Seq2Seq()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss(ignore_index=0)
epochs, bs = 6, 64
for epoch in range(epochs):
    model.train()
    if epoch < 2:
        order = sorted(range(len(train)), key=lambda i: (len(train[i][0]), random.random()))
        chunks = [order[i:i + bs] for i in range(0, len(order), bs)]
    else:
        order = random.sample(range(len(train)), len(train))
        chunks = [order[i:i + bs] for i in range(0, len(order), bs)]
    tf = max(0.5, 1.0 - 0.1 * epoch)
    total = 0.0
    for idx in chunks:
        src, tgt = collate([train[i] for i in idx])
        optimizer.zero_grad()
        logits = model(src, tgt, teacher_forcing=tf)
        loss = criterion(logits.reshape(-1, len(TGT)), tgt[:, 1:].reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item()
    print(f"epoch {epoch} tf={tf:.1f} loss {total / len(chunks):.4f} test exact {exact_match(model, test):.4f}")

answers = [decode(t[1:]) for _, t in test]
majority = max(answers.count(a) for a in set(answers)) / len(answers)
print(f"final test exact-match={exact_match(model, test):.4f} (most-frequent-answer baseline {majority:.4f})")
