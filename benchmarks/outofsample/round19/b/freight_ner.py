"""Entity tagging for freight booking messages (BIO tags: quantity, cargo, location, carrier, date).

A small Transformer encoder tags each word. Padding positions are ignored by the loss, the
targets are label-smoothed, and training stops early on validation entity F1 with the best
model saved whole and reloaded for the final score. Some ports and carriers in validation
never occur in training, so the model has to read the context.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(8)
rng = np.random.default_rng(8)

PORTS = ["rotterdam", "houston", "singapore", "antwerp", "santos", "busan", "durban", "valencia", "felixstowe",
         "shanghai", "jebel ali", "los angeles", "new york", "le havre", "port klang", "colombo", "hamburg",
         "genoa", "savannah", "manzanillo", "tanjung pelepas", "laem chabang", "piraeus", "callao", "mombasa"]
CARRIERS = ["maersk", "msc", "cma cgm", "hapag lloyd", "evergreen", "cosco", "one", "zim", "yang ming",
            "hmm", "pil", "wan hai", "hamburg sud", "matson", "x press feeders"]
CARGO = ["steel coils", "frozen shrimp", "coffee beans", "auto parts", "cotton bales", "solar panels",
         "wine", "timber", "fertiliser", "tyres", "rice", "machinery", "plastic resin", "copper cathodes",
         "bananas", "furniture", "paper rolls", "ceramic tiles", "chemicals", "textiles"]
UNITS = ["pallets", "containers", "teu", "tonnes", "boxes", "reefers", "crates"]
MONTHS = ["jan", "feb", "march", "april", "may", "june", "july", "aug", "sept", "oct", "nov", "dec"]
TAGS = ["O", "B-QTY", "I-QTY", "B-CARGO", "I-CARGO", "B-LOC", "I-LOC", "B-CARRIER", "I-CARRIER", "B-DATE", "I-DATE"]
T = {t: i for i, t in enumerate(TAGS)}

held_ports, held_carriers = set(PORTS[-5:]), set(CARRIERS[-3:])


def span(text, label):
    words = text.split()
    return [(w, ("B-" if i == 0 else "I-") + label) for i, w in enumerate(words)]


def message(split):
    ports = PORTS if split == "val" else [p for p in PORTS if p not in held_ports]
    carriers = CARRIERS if split == "val" else [c for c in CARRIERS if c not in held_carriers]
    qty = span(f"{rng.integers(1, 400)} {rng.choice(UNITS)}", "QTY")
    cargo = span(rng.choice(CARGO), "CARGO")
    a, b = rng.choice(len(ports), 2, replace=False)
    src, dst = span(ports[a], "LOC"), span(ports[b], "LOC")
    car = span(rng.choice(carriers), "CARRIER")
    date = span(f"{rng.integers(1, 29)} {rng.choice(MONTHS)}", "DATE")
    O = lambda s: [(w, "O") for w in s.split()]
    templates = [
        O("pls book") + qty + O("of") + cargo + O("from") + src + O("to") + dst + O("with") + car + O("etd") + date,
        O("hi team need space for") + qty + cargo + O("ex") + src + O("dest") + dst + O("on") + car,
        O("quote") + qty + O("pol") + src + O("pod") + dst + O("commodity") + cargo + O("ready") + date,
        car + O("vessel delayed at") + src + O("cargo") + cargo + O("eta") + dst + date,
        O("confirm booking") + car + qty + cargo + src + O("-") + dst + O("sailing") + date,
        O("can you move") + cargo + O("from") + src + O("by") + date + O("thanks"),
    ]
    return templates[rng.integers(len(templates))]


train_msgs = [message("train") for _ in range(2400)]
val_msgs = [message("val") for _ in range(600)]

vocab = {"<pad>": 0, "<unk>": 1}
for m in train_msgs:
    for w, _ in m:
        if not w.isdigit() and w not in vocab:
            vocab[w] = len(vocab)
NUM = len(vocab)
vocab["<num>"] = NUM


def encode(msgs):
    ids = [torch.tensor([NUM if w.isdigit() else vocab.get(w, 1) for w, _ in m]) for m in msgs]
    tags = [torch.tensor([T[t] for _, t in m]) for m in msgs]
    return ids, tags


def batches(ids, tags, bs, shuffle):
    order = rng.permutation(len(ids)) if shuffle else np.arange(len(ids))
    for i in range(0, len(order), bs):
        idx = order[i:i + bs]
        x = pad_sequence([ids[j] for j in idx], batch_first=True, padding_value=0)
        y = pad_sequence([tags[j] for j in idx], batch_first=True, padding_value=-100)
        yield x, y


class Tagger(nn.Module):
    def __init__(self, vocab_size, n_tags, d=64, max_len=40):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, d, padding_idx=0)
        self.pos = nn.Embedding(max_len, d)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.out = nn.Linear(d, n_tags)

    def forward(self, x):
        pos = torch.arange(x.shape[1], device=x.device)
        h = self.encoder(self.emb(x) + self.pos(pos), src_key_padding_mask=x.eq(0))
        return self.out(h)


def entity_f1(model, ids, tags):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for x, y in batches(ids, tags, 256, False):
            p = model(x).argmax(-1)
            valid = y.ne(-100)
            ent_p, ent_y = (p != 0) & valid, (y > 0) & valid
            tp += ((p == y) & ent_y).sum().item()
            fp += (ent_p & (p != y)).sum().item()
            fn += (ent_y & (p != y)).sum().item()
    return 2 * tp / max(2 * tp + fp + fn, 1)


tr_ids, tr_tags = encode(train_msgs)
va_ids, va_tags = encode(val_msgs)
model = Tagger(len(vocab), len(TAGS))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)

ckpt = os.path.join(tempfile.mkdtemp(), "best_tagger.pt")
best, patience, bad = -1.0, 2, 0
for epoch in range(1, 16):
    model.train()
    total, n = 0.0, 0
    for x, y in batches(tr_ids, tr_tags, 32, True):
        opt.zero_grad()
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, len(TAGS)), y.reshape(-1))
        loss.backward()
        opt.step()
        total += loss.item() * len(x)
        n += len(x)
    f1 = entity_f1(model, va_ids, va_tags)
    print(f"epoch {epoch} train_loss {total / n:.4f} val_entity_f1 {f1:.4f}")
    if f1 > best + 1e-4:
        best, bad = f1, 0
        torch.save(model, ckpt)
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model = torch.load(ckpt, weights_only=False)
print(f"final val_entity_f1 {entity_f1(model, va_ids, va_tags):.4f}")
