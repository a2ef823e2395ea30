"""Will a shopping session end in a purchase?  Transformer over event tokens, length curriculum.

Sessions are sequences of 6-96 event tokens (page views, searches, add/remove-cart, ...).
Batches are length-bucketed (sessions sorted by length, cut into batches, batch order
shuffled every epoch) so padding stays small, and training follows a short-to-long
curriculum: the first two epochs see only sessions of up to 24 events, after which every
session is used.  Padding is masked in attention and in the pooling.
"""
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

EVENTS = ["<pad>", "home", "search", "category", "product_view", "review_read", "wishlist",
          "add_to_cart", "remove_from_cart", "cart_view", "coupon", "help", "account", "logout"]
PAD, ADD, REMOVE = 0, EVENTS.index("add_to_cart"), EVENTS.index("remove_from_cart")
MAX_LEN = 96


def make_sessions(n, rng):
    sessions, labels = [], []
    browse_p = np.array([0, 8, 10, 8, 20, 5, 3, 0, 0, 4, 1, 1, 2, 1], dtype=float)
    browse_p /= browse_p.sum()
    while len(sessions) < n:
        L = int(np.clip(rng.lognormal(3.1, 0.55), 6, MAX_LEN))
        seq = rng.choice(len(EVENTS), size=L, p=browse_p)
        n_cart = rng.binomial(L, 0.25)
        pos = rng.choice(L, size=n_cart, replace=False)
        bias = rng.beta(2, 2)
        seq[pos] = np.where(rng.random(n_cart) < bias, ADD, REMOVE)
        adds, removes = (seq == ADD).sum(), (seq == REMOVE).sum()
        coupon = (seq == EVENTS.index("coupon")).any()
        logit = 0.8 * (adds - removes) + 0.8 * coupon - 0.3
        sessions.append(seq.astype(np.int64))
        labels.append(int(rng.random() < 1 / (1 + np.exp(-logit))))
    return sessions, np.array(labels)


def bucket_batches(lengths, batch_size, rng):
    order = np.argsort(lengths + rng.random(len(lengths)), kind="stable")   # ties broken randomly
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(sessions, labels, idx):
    L = max(len(sessions[i]) for i in idx)
    x = torch.full((len(idx), L), PAD, dtype=torch.long)
    for r, i in enumerate(idx):
        x[r, : len(sessions[i])] = torch.from_numpy(sessions[i])
    return x, torch.as_tensor(labels[idx])


class SessionEncoder(nn.Module):
    def __init__(self, vocab=len(EVENTS), d=48, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, padding_idx=PAD)
        self.pos = nn.Embedding(MAX_LEN, d)
        layer = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.out = nn.Linear(d, 2)

    def forward(self, x):
        pad = x == PAD
        h = self.tok(x) + self.pos(torch.arange(x.shape[1]))
        h = self.encoder(h, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.out(pooled)


def main():
    torch.manual_seed(12)
    random.seed(12)
    rng = np.random.default_rng(12)
    sessions, labels = make_sessions(3600, rng)
    tr_s, tr_y = sessions[:3000], labels[:3000]
    va_s, va_y = sessions[3000:], labels[3000:]
    tr_len = np.array([len(s) for s in tr_s])
    print(f"train sessions {len(tr_s)}, median length {np.median(tr_len):.0f}, "
          f"max {tr_len.max()}, purchase rate {tr_y.mean():.3f}")

    model = SessionEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    epochs = 6
    for epoch in range(1, epochs + 1):
        model.train()
        pool = np.where(tr_len <= 24)[0] if epoch <= 2 else np.arange(len(tr_s))
        for b in bucket_batches(tr_len[pool], 32, rng):
            x, y = collate(tr_s, tr_y, pool[b])
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for b in bucket_batches(np.array([len(s) for s in va_s]), 200, rng):
                x, y = collate(va_s, va_y, b)
                correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch} ({len(pool)} sessions) train_loss {loss.item():.4f} "
              f"val_acc {correct / len(va_y):.4f}")
    bayes = np.mean([(1 / (1 + np.exp(-(0.8 * ((s == ADD).sum() - (s == REMOVE).sum())
                                          + 0.8 * (s == EVENTS.index("coupon")).any() - 0.3))) > 0.5) == y
                     for s, y in zip(va_s, va_y)])
    print(f"final val acc={correct / len(va_y):.4f} (majority class "
          f"{max(va_y.mean(), 1 - va_y.mean()):.3f}, generating rule {bayes:.3f})")


if __name__ == "__main__":
    main()
