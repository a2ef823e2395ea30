"""Flag user sessions that hit a cascading-timeout incident, from the raw event stream.

Sessions are sequences of event-type ids of very different lengths (15 to 250
events). A GRU reads them as packed sequences (no compute or state on padding)
and classifies from the final hidden state. Gradient-norm clipping at 1.0 is
kept as routine insurance for the long sequences.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
N_EVENTS = 24           # 0 = pad
TIMEOUT, RETRY = 5, 6


def make_session(label):
    length = int(np.clip(rng.lognormal(3.9, 0.6), 15, 250))
    p = np.ones(N_EVENTS - 1)
    p[TIMEOUT - 1] = 3.5           # isolated timeouts are common and harmless
    p[RETRY - 1] = 1.5
    ev = rng.choice(np.arange(1, N_EVENTS), size=length, p=p / p.sum())
    if label:
        start = rng.integers(0, length - 4)
        ev[start:start + 3] = TIMEOUT
        ev[start + 3] = RETRY
    return torch.tensor(ev, dtype=torch.long)


class Sessions(Dataset):
    def __init__(self, n):
        self.y = (rng.random(n) < 0.35).astype(np.float32)
        self.x = [make_session(l) for l in self.y]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def collate(batch):
    seqs, ys = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True, padding_value=0), lengths, torch.tensor(ys)


class SessionGRU(nn.Module):
    def __init__(self, n_events=N_EVENTS, d_emb=12, hidden=32):
        super().__init__()
        self.emb = nn.Embedding(n_events, d_emb, padding_idx=0)
        self.gru = nn.GRU(d_emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.head(h[-1]).squeeze(1)


train_ds, val_ds = Sessions(1600), Sessions(500)
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, collate_fn=collate)
val_loader = DataLoader(val_ds, batch_size=250, collate_fn=collate)

model = SessionGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.BCEWithLogitsLoss()

for epoch in range(8):
    model.train()
    tot = 0.0
    for x, lengths, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x, lengths), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        tot += loss.item() * len(y)
    model.eval()
    scores, ys = [], []
    with torch.no_grad():
        for x, lengths, y in val_loader:
            scores.append(model(x, lengths)); ys.append(y)
    s, yv = torch.cat(scores), torch.cat(ys)
    vloss = criterion(s, yv).item()
    acc = ((s > 0).float() == yv).float().mean().item()
    print(f"epoch {epoch + 1:2d} train_loss {tot / len(train_ds):.4f} val_loss {vloss:.4f} val_acc {acc:.4f}")

print(f"final val_acc {acc:.4f} val_auc {roc_auc_score(yv.numpy(), s.numpy()):.4f} "
      f"(majority baseline {max(yv.mean().item(), 1 - yv.mean().item()):.4f})")
