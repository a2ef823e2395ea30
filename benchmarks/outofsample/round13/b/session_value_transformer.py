"""E-commerce: predict a browsing session's order value from its clickstream.

Sessions are variable-length sequences of page types with dwell times, padded to 32 and masked.
Order values are heavy-tailed, so the loss is Huber on robustly scaled targets; AdamW with a linear
warm-up then cosine decay (stepped per batch), gradient clipping as routine insurance.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_PAGES, MAX_LEN, PAD = 24, 32, 0
HOME, SEARCH, PRODUCT, CART, CHECKOUT = 1, 2, 3, 4, 5


def make_sessions(n, rng):
    tok = np.zeros((n, MAX_LEN), np.int64)
    dwell = np.zeros((n, MAX_LEN), np.float32)
    value = np.zeros(n, np.float32)
    for i in range(n):
        L = rng.integers(5, MAX_LEN + 1)
        intent = rng.random()
        p = np.full(N_PAGES - 1, 0.3 / (N_PAGES - 6))
        p[:5] = [0.1, 0.15, 0.3 + 0.3 * intent, 0.05 + 0.1 * intent, 0.02 + 0.05 * intent]
        s = rng.choice(np.arange(1, N_PAGES), L, p=p / p.sum())
        d = rng.lognormal(2.5 + 0.5 * (s == PRODUCT) * intent, 0.6)
        tok[i, :L], dwell[i, :L] = s, np.log1p(d)
        carts = np.flatnonzero(s == CART)
        bought = carts.size > 0 and (s[carts[0]:] == CHECKOUT).any()
        value[i] = (np.sqrt((s == PRODUCT).sum()) + 1.5 * carts.size + 3.0 * bought
                    + 0.2 * np.log1p(d[s == PRODUCT]).sum() + 0.6 * rng.standard_t(2))
    return tok, dwell, value


class SessionEncoder(nn.Module):
    def __init__(self, d=48, heads=4, layers=2):
        super().__init__()
        self.page = nn.Embedding(N_PAGES, d, padding_idx=PAD)
        self.dwell = nn.Linear(1, d)
        self.pos = nn.Parameter(torch.randn(MAX_LEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=96, dropout=0.1, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))

    def forward(self, tokens, dwell):
        pad = tokens == PAD
        h = self.page(tokens) + self.dwell(dwell.unsqueeze(-1)) + self.pos[: tokens.size(1)]
        h = self.encoder(h, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.head(pooled).squeeze(-1)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    tok_tr, dw_tr, v_tr = make_sessions(1600, rng)
    tok_va, dw_va, v_va = make_sessions(500, rng)
    med = np.median(v_tr)
    iqr = np.subtract(*np.percentile(v_tr, [75, 25]))
    y_tr, y_va = (v_tr - med) / iqr, (v_va - med) / iqr
    dmu, dsd = dw_tr[tok_tr != PAD].mean(), dw_tr[tok_tr != PAD].std()
    dw_tr = np.where(tok_tr != PAD, (dw_tr - dmu) / dsd, 0).astype(np.float32)
    dw_va = np.where(tok_va != PAD, (dw_va - dmu) / dsd, 0).astype(np.float32)
    t = torch.from_numpy
    train_dl = DataLoader(TensorDataset(t(tok_tr), t(dw_tr), t(y_tr.astype(np.float32))), batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(t(tok_va), t(dw_va), t(y_va.astype(np.float32))), batch_size=250)

    model = SessionEncoder()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    epochs = 10
    total, warmup = epochs * len(train_dl), 40

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    for epoch in range(epochs):
        model.train()
        for tb, db, yb in train_dl:
            loss = F.huber_loss(model(tb, db), yb, delta=1.0)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(tb, db) for tb, db, _ in val_dl])
        yv = torch.from_numpy(y_va.astype(np.float32))
        mae = (pred - yv).abs().mean().item() * iqr
        print(f"epoch {epoch + 1} train_huber {loss.item():.4f} val_huber {F.huber_loss(pred, yv).item():.4f} "
              f"val_MAE {mae:.3f}")
    base = np.abs(v_va - med).mean()
    print(f"final val_MAE {mae:.3f} (median-predictor MAE {base:.3f})")


if __name__ == "__main__":
    main()
