"""Checkup spec: which field an OCR token of a supplier invoice fills (other, invoice no., date, total,
VAT id, IBAN), for accounts-payable capture.

Each sample is one token with its context: the normalised ids of the two tokens before and after it
(word ids for known words, shape ids such as "dddd-dd-dd" for numbers) plus its page row and column
buckets. All seven columns are integer codes fed to embeddings. Most tokens are "other", so the
cross-entropy is weighted by inverse square-root class frequency. Invoices are split by supplier.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FIELDS = ["other", "invoice_no", "date", "total", "vat_id", "iban"]
KEYWORDS = {"invoice_no": [10, 11, 12], "date": [13, 14], "total": [15, 16, 17], "vat_id": [18, 19],
            "iban": [20, 21]}
SHAPES = {"invoice_no": [30, 31, 32], "date": [33, 34, 35], "total": [36, 37], "vat_id": [38], "iban": [39, 40]}
DISTRACTOR_SHAPES = [31, 33, 36, 37, 41, 42, 43]  # order refs, delivery dates, line amounts, phone numbers
N_WORDS, N_ROWS, N_COLS, PAD = 1200, 12, 6, 0
CTX = 2


def _invoice(rng, style):
    toks, labels, rows, cols = [], [], [], []
    fields = list(KEYWORDS)
    rng.shuffle(fields)
    layout = {f: (int(rng.integers(0, N_ROWS)), int(rng.integers(0, N_COLS))) for f in fields}
    for f in fields + [None] * 6:
        if f is None:  # filler line: words and distractor numbers
            r, c = int(rng.integers(0, N_ROWS)), int(rng.integers(0, N_COLS))
            for _ in range(int(rng.integers(3, 8))):
                t = int(rng.choice(DISTRACTOR_SHAPES)) if rng.random() < 0.4 else int(rng.integers(100, N_WORDS))
                toks.append(t); labels.append(0); rows.append(r); cols.append(c)
            continue
        r, c = layout[f]
        if rng.random() < 0.6:  # keyword on the same line; otherwise it sits on the line above
            toks.append(int(rng.choice(KEYWORDS[f]))); labels.append(0); rows.append(r); cols.append(c)
            if rng.random() < 0.3:
                toks.append(int(rng.integers(100, 140))); labels.append(0); rows.append(r); cols.append(c)
        shape = int(rng.choice(SHAPES[f])) if rng.random() < 0.9 else int(rng.choice(DISTRACTOR_SHAPES))  # OCR
        toks.append(shape); labels.append(FIELDS.index(f)); rows.append(r)
        cols.append(min(c + 1, N_COLS - 1))
        if f == "total" and style % 2:  # some suppliers print the currency after the amount
            toks.append(22); labels.append(0); rows.append(r); cols.append(min(c + 1, N_COLS - 1))
    return toks, labels, rows, cols


def _windows(toks, labels, rows, cols):
    padded = [PAD] * CTX + toks + [PAD] * CTX
    X = [padded[i:i + 2 * CTX + 1] + [N_WORDS + rows[i], N_WORDS + N_ROWS + cols[i]] for i in range(len(toks))]
    return X, labels


class FieldTagger(nn.Module):
    def __init__(self, vocab, n_fields, dim=24):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear((2 * CTX + 3) * dim, 128), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(128, n_fields))

    def forward(self, ids):
        return self.mlp(self.emb(ids).flatten(1))


def setup():
    rng = np.random.default_rng(12)
    torch.manual_seed(12)
    n_suppliers = 80
    supplier_style = rng.integers(0, 4, n_suppliers)
    X, y, sup = [], [], []
    for inv in range(500):
        s = int(rng.integers(0, n_suppliers))
        xs, ys = _windows(*_invoice(rng, supplier_style[s]))
        X += xs; y += ys; sup += [s] * len(ys)
    X, y, sup = torch.tensor(X), torch.tensor(y), np.array(sup)
    va = torch.from_numpy(np.isin(sup, rng.permutation(n_suppliers)[:16]))
    counts = torch.bincount(y[~va], minlength=len(FIELDS)).float()
    weight = (counts.sum() / counts).sqrt()
    weight = weight / weight.mean()
    return nndoctor.Setup(
        model=FieldTagger(N_WORDS + N_ROWS + N_COLS, len(FIELDS)),
        train=(X[~va], y[~va]),
        val=(X[va], y[va]),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
