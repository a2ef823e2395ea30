import random

import numpy as np
import torch
import torch.nn as nn

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)

PAD, BOS, EOS = 0, 1, 2
NDIG = 10
V = NDIG + 3
MAXLEN = 9


def sample_pair():
    n = random.randint(3, MAXLEN)
    digits = [random.randint(0, 9) + 3 for _ in range(n)]
    return digits, digits[::-1]


def collate(pairs):
    src = torch.full((len(pairs), MAXLEN), PAD)
    tgt = torch.full((len(pairs), MAXLEN + 2), PAD)
    for i, (s, t) in enumerate(pairs):
        src[i, :len(s)] = torch.tensor(s)
        seq = [BOS] + t + [EOS]
        tgt[i, :len(seq)] = torch.tensor(seq)
    return src, tgt


train_pairs = [sample_pair() for _ in range(6000)]
val_pairs = [sample_pair() for _ in range(500)]


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 64, padding_idx=PAD)
        self.rnn = nn.GRU(64, 128, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(256, 128)

    def forward(self, src):
        out, h = self.rnn(self.emb(src))
        h = torch.tanh(self.bridge(torch.cat([h[0], h[1]], dim=-1)))
        return out, h.unsqueeze(0)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 64, padding_idx=PAD)
        self.attn_q = nn.Linear(128, 256)
        self.rnn = nn.GRU(64 + 256, 128, batch_first=True)
        self.out = nn.Linear(128 + 256, V)

    def step(self, tok, h, enc_out, src_mask):
        e = self.emb(tok).unsqueeze(1)
        scores = torch.bmm(enc_out, self.attn_q(h[-1]).unsqueeze(2)).squeeze(2)
        scores = scores.masked_fill(~src_mask, -1e9)
        ctx = torch.bmm(scores.softmax(-1).unsqueeze(1), enc_out)
        o, h = self.rnn(torch.cat([e, ctx], dim=-1), h)
        return self.out(torch.cat([o.squeeze(1), ctx.squeeze(1)], dim=-1)), h


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = Encoder()
        self.dec = Decoder()

    def forward(self, src, tgt_in):
        enc_out, h = self.enc(src)
        mask = src != PAD
        logits = []
        for t in range(tgt_in.size(1)):
            lg, h = self.dec.step(tgt_in[:, t], h, enc_out, mask)
            logits.append(lg)
        return torch.stack(logits, 1)

    @torch.no_grad()
    def greedy(self, src, steps):
        enc_out, h = self.enc(src)
        mask = src != PAD
        tok = torch.full((src.size(0),), BOS)
        outs = []
        for _ in range(steps):
            lg, h = self.dec.step(tok, h, enc_out, mask)
            tok = lg.argmax(-1)
            outs.append(tok)
        return torch.stack(outs, 1)


model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.CrossEntropyLoss(ignore_index=PAD)

for epoch in range(6):
    model.train()
    random.shuffle(train_pairs)
    total = 0.0
    nb = 0
    for i in range(0, len(train_pairs), 64):
        src, tgt = collate(train_pairs[i:i + 64])
        logits = model(src, tgt[:, :-1])
        loss = crit(logits.reshape(-1, V), tgt[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        total += loss.item()
        nb += 1
    model.eval()
    src, tgt = collate(val_pairs)
    pred = model.greedy(src, MAXLEN + 1)
    gold = tgt[:, 1:]
    keep = gold != PAD
    tok_acc = ((pred == gold) & keep).sum().item() / keep.sum().item()
    seq_acc = ((pred == gold) | ~keep).all(1).float().mean().item()
    print(f"epoch {epoch} loss {total / nb:.3f} val_token_acc {tok_acc:.3f} val_seq_acc {seq_acc:.3f}")

print(f"final val exact-sequence accuracy {seq_acc:.3f}")
