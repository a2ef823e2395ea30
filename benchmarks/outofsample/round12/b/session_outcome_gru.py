"""Predict how a shop session ends (left / abandoned cart / purchased) from its clickstream:
variable-length event sequences of up to 100 events, left-padded so the GRU's last step
is every session's last event. Label smoothing,
gradient clipping, ReduceLROnPlateau and early stopping on validation loss."""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(4)
rng = np.random.default_rng(4)
N_EVENTS, MAXLEN = 32, 100
PAD, VIEW, SEARCH, ADD, REMOVE, CHECKOUT, COUPON = 0, 1, 2, 3, 4, 5, 6


def session():
    n = int(rng.integers(30, MAXLEN))
    ev = rng.choice(np.arange(7, N_EVENTS), n)                # background browsing events
    ev[rng.random(n) < 0.25] = VIEW
    ev[rng.random(n) < 0.05] = SEARCH
    n_add = rng.poisson(1.2)
    adds = np.sort(rng.choice(n, min(n_add, n), replace=False))
    ev[adds] = ADD
    if len(adds) and rng.random() < 0.3:
        ev[rng.integers(adds[0], n)] = REMOVE
    reached = len(adds) > 0 and rng.random() < 0.6
    if reached:
        ev[rng.integers(adds[-1], n)] = CHECKOUT
        if rng.random() < 0.3:
            ev[rng.integers(0, n)] = COUPON
    # outcome from the sequence, with some noise
    cart = (ev == ADD).sum() - (ev == REMOVE).sum()
    checkout_after_add = len(adds) > 0 and (ev[adds[0]:] == CHECKOUT).any()
    if cart > 0 and checkout_after_add:
        y = 2 if rng.random() < 0.85 + 0.1 * (ev == COUPON).any() else 1
    elif cart > 0:
        y = 1
    else:
        y = 0
    if rng.random() < 0.05:
        y = int(rng.integers(3))
    return ev, y


class Sessions(Dataset):
    def __init__(self, n):
        self.items = [session() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    T = max(len(e) for e, _ in batch)
    x = torch.zeros(len(batch), T, dtype=torch.long)
    for k, (e, _) in enumerate(batch):
        x[k, T - len(e):] = torch.from_numpy(e)
    return x, torch.tensor([y for _, y in batch])


train_ds, val_ds = Sessions(1600), Sessions(500)
counts = np.bincount([y for _, y in train_ds.items], minlength=3)
print("class counts (left, abandoned, purchased):", counts.tolist())
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=collate)
val_dl = DataLoader(val_ds, batch_size=250, collate_fn=collate)


class SessionGRU(nn.Module):
    def __init__(self, n_events, emb=24, hidden=64, n_classes=3):
        super().__init__()
        self.emb = nn.Embedding(n_events, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(self.emb(x))
        return self.out(h[-1])


model = SessionGRU(N_EVENTS)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.3, patience=1)


def evaluate():
    model.eval()
    loss = correct = 0.0
    with torch.no_grad():
        for x, y in val_dl:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    return loss / len(val_ds), correct / len(val_ds)


best, best_state, bad = float("inf"), None, 0
for epoch in range(1, 16):
    model.train()
    for x, y in train_dl:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    vl, acc = evaluate()
    plateau.step(vl)
    print(f"epoch {epoch:2d} train {loss.item():.4f} val loss {vl:.4f} val acc {acc:.3f} lr {opt.param_groups[0]['lr']:.1e}")
    if vl < best - 1e-4:
        best, best_state, bad = vl, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= 3:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
vl, acc = evaluate()
print(f"final val loss {vl:.4f} accuracy {acc:.4f}")
