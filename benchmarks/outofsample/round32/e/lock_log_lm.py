"""Word-level language model over a canal lock keeper's passage log.

Each entry: date, time, lock, direction, registration, vessel name, skipper, type,
draught, cargo, and a free-text remark. The registry of ~900 vessels makes the
vocabulary large (several thousand tokens), most of them rare; the LSTM's output
layer shares its weights with the embedding (tied), micro-batches are accumulated two
at a time, and the gradient norm is clipped at 1.0 as routine insurance.
Scored by validation perplexity against a unigram model.
"""
import math
from collections import Counter

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

syll = ["ka", "mer", "lo", "vin", "dra", "sel", "bru", "tan", "hol", "wen", "ost", "rig",
        "pen", "dor", "lis", "mar", "gal", "fen", "cob", "ash", "ley", "thorn", "bry", "wick"]
adjs = ["merry", "saint", "little", "old", "bold", "silver", "green", "morning", "quiet", "true",
        "lucky", "brave", "evening", "north", "gentle", "proud"]
nouns = ["heron", "agnes", "otter", "rose", "swan", "kingfisher", "willow", "lark", "dawn", "maid",
         "star", "pilgrim", "wren", "barley", "comet", "endeavour", "harmony", "clover"]
types = ["narrowboat", "widebeam", "dutch_barge", "cruiser", "hotel_boat", "work_boat",
         "tug", "butty", "dredger", "trip_boat", "canoe_group", "maintenance_pontoon"]
cargo_by_type = {
    "narrowboat": ["none", "coal", "diesel", "firewood"], "widebeam": ["none", "furniture"],
    "dutch_barge": ["none", "timber"], "cruiser": ["none"], "hotel_boat": ["passengers"],
    "work_boat": ["spoil", "stone", "piling"], "tug": ["none", "towing"], "butty": ["coal", "gravel"],
    "dredger": ["spoil"], "trip_boat": ["passengers"], "canoe_group": ["none"],
    "maintenance_pontoon": ["piling", "stone", "gates"],
}
remark_phrases = [
    "gates slow to close", "paddle gear stiff on top gate", "boat held back for oncoming",
    "shared lock with previous", "crew new to locks assisted", "water level low in pound above",
    "fender caught on cill warned skipper", "no remarks", "no remarks", "no remarks",
    "strong bywash flow", "reported rubbish in weed hatch", "passed with lock ahead set",
    "left paddle up reminded crew", "vessel licence checked ok", "heavy rain overflow running",
]


def word():
    return "".join(rng.choice(syll, rng.integers(2, 4)))


fleet = []
for reg in rng.choice(np.arange(10000, 99999), 900, replace=False):
    t = rng.choice(types)
    fleet.append({"reg": f"reg{reg}", "name": f"{rng.choice(adjs)} {rng.choice(nouns)}",
                  "skipper": word(), "type": t, "draught": rng.choice(np.round(np.arange(0.6, 1.6, 0.1), 1)),
                  "home": rng.integers(1, 41)})
popularity = rng.lognormal(0.0, 1.0, len(fleet))
popularity /= popularity.sum()


def entry(day):
    v = fleet[rng.choice(len(fleet), p=popularity)]
    lock = int(np.clip(v["home"] + rng.integers(-3, 4), 1, 40))
    hh, mm = rng.integers(7, 20), rng.choice([0, 15, 30, 45])
    toks = [f"day{day}", f"t{hh:02d}{mm:02d}", f"lock{lock}", rng.choice(["up", "down"]), v["reg"],
            *v["name"].split(), "skipper", v["skipper"], v["type"], f"draught{v['draught']}",
            "cargo", rng.choice(cargo_by_type[v["type"]]), *rng.choice(remark_phrases).split(), "<eol>"]
    return toks


days_train, days_val = range(1, 301), range(301, 366)
train_tokens = [t for d in days_train for _ in range(rng.integers(8, 16)) for t in entry(d)]
val_tokens = [t for d in days_val for _ in range(rng.integers(4, 10)) for t in entry(d)]

counts = Counter(train_tokens)
itos = ["<unk>"] + sorted(counts)
stoi = {w: i for i, w in enumerate(itos)}
V = len(itos)
encode = lambda toks: torch.tensor([stoi.get(t, 0) for t in toks])
train_ids, val_ids = encode(train_tokens), encode(val_tokens)
print(f"vocab {V}, train tokens {len(train_ids)}, val tokens {len(val_ids)}")


class Windows(Dataset):
    def __init__(self, ids, bptt, stride):
        self.ids, self.bptt = ids, bptt
        self.starts = list(range(0, len(ids) - bptt - 1, stride))

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, i):
        s = self.starts[i]
        return self.ids[s:s + self.bptt], self.ids[s + 1:s + 1 + self.bptt]


BPTT = 48
train_loader = DataLoader(Windows(train_ids, BPTT, 48), batch_size=16, shuffle=True)
val_loader = DataLoader(Windows(val_ids, BPTT, BPTT), batch_size=64)


class LogLM(nn.Module):
    def __init__(self, vocab, d=96, layers=1, dropout=0.2):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.drop = nn.Dropout(dropout)
        self.rnn = nn.LSTM(d, d, layers, batch_first=True)
        self.out = nn.Linear(d, vocab)
        self.out.weight = self.emb.weight
        nn.init.uniform_(self.emb.weight, -0.1, 0.1)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        h, _ = self.rnn(self.drop(self.emb(x)))
        return self.out(self.drop(h))


model = LogLM(V)
optimizer = torch.optim.AdamW(model.parameters(), lr=8e-3, weight_decay=0.0)
criterion = nn.CrossEntropyLoss()
ACCUM = 2
epochs = 6
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=5e-4)


def evaluate():
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, y in val_loader:
            logits = model(x)
            total += nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction="sum").item()
            n += y.numel()
    return total / n


for epoch in range(1, epochs + 1):
    model.train()
    optimizer.zero_grad()
    for i, (x, y) in enumerate(train_loader):
        loss = criterion(model(x).reshape(-1, V), y.reshape(-1)) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
        if i % 100 == 0:
            print(f"epoch {epoch} batch {i:4d}  loss {loss.item() * ACCUM:.3f}")
    scheduler.step()
    vl = evaluate()
    print(f"epoch {epoch}  val loss {vl:.3f}  val ppl {math.exp(vl):.1f}")

uni = torch.tensor([counts.get(itos[i], 0) + 1 for i in range(V)], dtype=torch.float)
uni_logp = torch.log(uni / uni.sum())
uni_ppl = math.exp(-uni_logp[val_ids].mean().item())
print(f"final: val perplexity {math.exp(vl):.1f} (unigram {uni_ppl:.1f}, uniform {V})")
