"""Tag the fields of scanned supplier invoices, token by token (OCR output -> field labels).

Tokens come from the OCR'd header block of an invoice: vendor name, invoice number, dates,
amounts, VAT id and lots of boilerplate. Tags: O, VENDOR, INV_NO, DATE, TOTAL, VAT_ID.
A 2-layer pre-norm Transformer encoder with learned positions; padding masked in attention
and ignored in the loss (-100); linear warm-up then linear decay stepped per optimizer step;
gradient accumulation over two micro-batches; gradient-norm clipping as routine insurance.
"""
import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader

random.seed(4)
np.random.seed(4)
torch.manual_seed(4)

TAGS = ["O", "VENDOR", "INV_NO", "DATE", "TOTAL", "VAT_ID"]
SPECIAL = ["<pad>", "<unk>"]
WORDS = ("invoice no number date due total amount eur usd vat reg id tel fax email www page of bill to ship "
         "order ref customer account iban bic payment terms net days subtotal tax gmbh ltd bv sa inc street "
         "road city postcode qty unit price description delivery note thank you for your business").split()
VENDORS = ["acme", "nordwind", "bakker", "fischer", "ortiz", "lindqvist", "okafor", "tanaka", "rossi", "dubois",
           "kowalski", "haddad", "novak", "silva", "berg", "moreau"]
SHAPES = ["<num4>", "<num6>", "<num8>", "<date>", "<amount>", "<alnum>", "<vatid>", "<punct>"]
VOCAB = SPECIAL + WORDS + VENDORS + SHAPES + ["trading", "logistics", "supplies", "holding"]
IDX = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 48


def synth_invoice():
    toks, tags = [], []

    def emit(ws, tag):
        for w in ws:
            toks.append(w)
            tags.append(tag)

    fields = ["vendor", "inv", "date", "due", "total", "vat", "noise", "noise", "noise"]
    random.shuffle(fields)
    for f in fields:
        if f == "vendor":
            emit([random.choice(VENDORS)] + random.sample(["trading", "logistics", "supplies", "holding"], 1)
                 + [random.choice(["gmbh", "ltd", "bv", "sa", "inc"])], "VENDOR")
        elif f == "inv":
            emit(random.choice([["invoice", "no"], ["invoice", "number"], ["ref"]]), "O")
            emit([random.choice(["<num6>", "<num8>", "<alnum>"])], "INV_NO")
        elif f == "date":
            emit(random.choice([["date"], ["invoice", "date"]]), "O")
            emit(["<date>"], "DATE")
        elif f == "due":                                  # a due date is a date but not the invoice date
            emit(["due", "date"] if random.random() < 0.7 else ["payment", "terms"], "O")
            emit(["<date>"] if random.random() < 0.7 else ["net", "<num4>", "days"], "O")
        elif f == "total":
            emit(random.choice([["total"], ["total", "amount"], ["amount", "due"]]), "O")
            emit([random.choice(["eur", "usd"])], "O")
            emit(["<amount>"], "TOTAL")
            if random.random() < 0.5:                     # a subtotal amount nearby is not the total
                emit(["subtotal", "<amount>"], "O")
        elif f == "vat":
            emit(random.choice([["vat", "reg"], ["vat", "id"], ["tax", "id"]]), "O")
            emit(["<vatid>"] if random.random() < 0.85 else ["<alnum>"], "VAT_ID")
        else:
            emit(random.sample(WORDS, random.randint(2, 5)) + random.sample(SHAPES[:3] + ["<punct>"], 1), "O")
    ids = [IDX.get(w, 1) for w in toks][:MAX_LEN]
    lab = [TAGS.index(t) for t in tags][:MAX_LEN]
    return ids, lab


def collate(batch):
    L = max(len(ids) for ids, _ in batch)
    x = torch.zeros(len(batch), L, dtype=torch.long)
    y = torch.full((len(batch), L), -100, dtype=torch.long)
    for i, (ids, lab) in enumerate(batch):
        x[i, :len(ids)] = torch.tensor(ids)
        y[i, :len(lab)] = torch.tensor(lab)
    return x, y


class Tagger(nn.Module):
    def __init__(self, vocab, n_tags, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, padding_idx=0)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=2 * d, dropout=0.1, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, n_tags)

    def forward(self, x):
        pad = x == 0
        h = self.tok(x) + self.pos(torch.arange(x.size(1)))[None]
        h = self.encoder(h, src_key_padding_mask=pad)
        return self.out(self.norm(h))


def field_f1(model, loader):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for x, y in loader:
            p = model(x).argmax(-1)
            m = y != -100
            p, y = p[m], y[m]
            tp += ((p == y) & (y != 0)).sum().item()
            fp += ((p != y) & (p != 0)).sum().item()
            fn += ((p != y) & (y != 0)).sum().item()
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9)


def main():
    data = [synth_invoice() for _ in range(2500)]
    train, val = data[:2000], data[2000:2500]
    train_dl = DataLoader(train, batch_size=32, shuffle=True, collate_fn=collate)
    val_dl = DataLoader(val, batch_size=128, collate_fn=collate)

    model = Tagger(len(VOCAB), len(TAGS))
    accum, epochs = 2, 5
    total_steps = epochs * math.ceil(len(train_dl) / accum)
    warmup = int(0.1 * total_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total_steps - s) / (total_steps - warmup)))

    for epoch in range(1, epochs + 1):
        model.train()
        optimizer.zero_grad()
        for i, (x, y) in enumerate(train_dl):
            logits = model(x)
            loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), y.reshape(-1), ignore_index=-100) / accum
            loss.backward()
            if (i + 1) % accum == 0 or i + 1 == len(train_dl):
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
        print(f"epoch {epoch}: last loss {loss.item() * accum:.4f}  lr {schedule.get_last_lr()[0]:.2e}  "
              f"val field-F1 {field_f1(model, val_dl):.3f}")
    print(f"final val field-level F1 (non-O tokens) {field_f1(model, val_dl):.3f}")


if __name__ == "__main__":
    main()
