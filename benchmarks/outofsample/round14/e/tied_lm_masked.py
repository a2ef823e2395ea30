"""Small causal Transformer language model over a templated shipping-notice
language, with input/output embedding weights tied (Press & Wolf, 2017).

Notices have variable length; batches are right-padded and padded positions
carry the label -100 so cross-entropy ignores them. Forward passes run under
CPU bf16 autocast.
"""
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pad_sequence

random.seed(3)
torch.manual_seed(3)

PAD, BOS, EOS = "<pad>", "<s>", "</s>"
SG_N = "container pallet crate parcel drum".split()
PL_N = "containers pallets crates parcels drums".split()
SG_V = "leaves reaches clears waits".split()
PL_V = "leave reach clear wait".split()
ADJ = "heavy fragile sealed frozen urgent".split()
PORT = "rotterdam hamburg antwerp felixstowe gdansk valencia".split()
DAY = "monday tuesday wednesday thursday friday".split()
MISC = "the one two three from to on at and . , via delayed ack".split()
CARRIER = {"maersk": PORT[:3], "cosco": PORT[2:5], "msc": PORT[3:] + PORT[:1]}
vocab = [PAD, BOS, EOS] + SG_N + PL_N + SG_V + PL_V + ADJ + PORT + DAY + MISC + list(CARRIER)
stoi = {w: i for i, w in enumerate(vocab)}


def clause(ports):
    plural = random.random() < 0.5
    subj = []
    if plural:
        subj += [random.choice(["two", "three"])]
    else:
        subj += [random.choice(["the", "one"])]
    if random.random() < 0.5:
        subj.append(random.choice(ADJ))
    k = random.randrange(5)
    subj.append(PL_N[k] if plural else SG_N[k])
    verb = random.randrange(4)
    out = subj + [PL_V[verb] if plural else SG_V[verb]]
    if verb in (0, 1, 2):
        src, dst = random.sample(ports, 2)
        out += (["from", src, "to", dst] if verb == 0 else [dst])
        if random.random() < 0.4:
            out += ["via", random.choice([p for p in ports if p not in (src, dst)])]
    else:
        out += ["at", random.choice(ports)]
        if random.random() < 0.5:
            out += [",", "delayed"]
    out += ["on", random.choice(DAY)]
    return out


def notice():
    carrier = random.choice(list(CARRIER))
    words = [carrier]
    words += clause(CARRIER[carrier])
    for _ in range(2):
        if random.random() > 0.45:
            break
        words += ["and"] + clause(CARRIER[carrier])
    return [BOS] + words + [".", "ack", carrier, EOS]


def encode(n):
    return [torch.tensor([stoi[w] for w in notice()]) for _ in range(n)]


train_seqs, val_seqs = encode(3000), encode(600)


def collate(seqs):
    x = pad_sequence([s[:-1] for s in seqs], batch_first=True, padding_value=stoi[PAD])
    y = pad_sequence([s[1:] for s in seqs], batch_first=True, padding_value=-100)
    return x, y


class TiedLM(nn.Module):
    def __init__(self, v, d=64, layers=2, heads=4, max_len=64):
        super().__init__()
        self.tok = nn.Embedding(v, d, padding_idx=stoi[PAD])
        self.pos = nn.Embedding(max_len, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, batch_first=True,
                                           norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, v, bias=False)
        self.head.weight = self.tok.weight                    # tied
        nn.init.normal_(self.tok.weight, std=d ** -0.5)

    def forward(self, x):
        T = x.shape[1]
        h = self.tok(x) + self.pos(torch.arange(T))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        h = self.blocks(h, mask=mask, is_causal=True, src_key_padding_mask=(x == stoi[PAD]))
        return self.head(self.norm(h))


model = TiedLM(len(vocab))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
BS, EPOCHS = 64, 5
steps = EPOCHS * math.ceil(len(train_seqs) / BS)
warm = 30
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))


def val_nll():
    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for i in range(0, len(val_seqs), 300):
            x, y = collate(val_seqs[i:i + 300])
            logits = model(x).float()
            tot += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                   ignore_index=-100, reduction="sum").item()
            n += (y != -100).sum().item()
    return tot / n


for epoch in range(EPOCHS):
    model.train()
    random.shuffle(train_seqs)
    tot = 0.0
    for i in range(0, len(train_seqs), BS):
        x, y = collate(train_seqs[i:i + BS])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, len(vocab)), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        tot += loss.item()
    print(f"epoch {epoch + 1} train nll {tot / math.ceil(len(train_seqs) / BS):.4f} "
          f"val ppl {math.exp(val_nll()):.3f}")

# baseline: add-one bigram model on the training notices
V = len(vocab)
counts = np.ones((V, V))
for s in train_seqs:
    for a, b in zip(s[:-1].tolist(), s[1:].tolist()):
        counts[a, b] += 1
logp = np.log(counts / counts.sum(1, keepdims=True))
nll = [-logp[a, b] for s in val_seqs for a, b in zip(s[:-1].tolist(), s[1:].tolist())]
print(f"baseline bigram: val ppl {math.exp(np.mean(nll)):.3f}")
print(f"final: val ppl {math.exp(val_nll()):.3f}")
