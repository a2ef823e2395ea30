"""Marionette theatre: recognise the puppeteer's move from four string-tension traces.

A 4 s show excerpt is logged at 50 Hz (200 steps, 4 strings: head, back, left hand, right hand);
the move happens somewhere in the excerpt, often early, so the GRU must carry it to the end.
Training uses a length curriculum (short centred crops first, full excerpts after), routine
gradient clipping and a one-cycle LR schedule.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

SEED = 5
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
MOVES = ["walk", "bow", "wave", "jump", "sit"]
T, C = 200, 4


def excerpt(move):
    t = np.arange(T) / 50.0
    x = 1.0 + 0.07 * rng.standard_normal((T, C))
    x += 0.08 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t)[:, None]      # the puppet's sway
    start = rng.integers(10, T - 80)
    seg = slice(start, start + 60)
    s = np.linspace(0, 1, 60)
    if move == 0:      # walk: hands alternate
        x[seg, 2] += 0.3 * np.sin(2 * np.pi * 3 * s)
        x[seg, 3] -= 0.3 * np.sin(2 * np.pi * 3 * s)
    elif move == 1:    # bow: head string slackens, back tightens
        x[seg, 0] -= 0.35 * np.sin(np.pi * s)
        x[seg, 1] += 0.3 * np.sin(np.pi * s)
    elif move == 2:    # wave: right hand only, fast
        x[seg, 3] += 0.3 * np.sin(2 * np.pi * 5 * s)
    elif move == 3:    # jump: everything spikes then slackens
        x[seg] += (0.45 * np.exp(-((s - 0.3) / 0.08) ** 2) - 0.25 * np.exp(-((s - 0.6) / 0.1) ** 2))[:, None]
    else:              # sit: all strings drop and stay lower
        x[start:] -= 0.2
    return x.astype(np.float32), start


class Excerpts(Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, len(MOVES), n)
        pairs = [excerpt(m) for m in self.y]
        self.x = torch.from_numpy(np.stack([p[0] for p in pairs]))
        self.start = np.array([p[1] for p in pairs])
        self.crop = None

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.crop is not None:          # curriculum: a window around the move
            a = int(np.clip(self.start[i] + 30 - self.crop // 2, 0, T - self.crop))
            x = x[a:a + self.crop]
        return (x - 1.0) / 0.2, int(self.y[i])


class MoveGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(C, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 64), nn.ReLU(), nn.Linear(64, len(MOVES)))

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.mean(1)], dim=1))


train_set, val_set = Excerpts(1200), Excerpts(400)
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=200)

model = MoveGRU()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 8
curriculum = {0: 80, 1: 120, 2: 160}
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=EPOCHS * len(train_loader))

for epoch in range(EPOCHS):
    train_set.crop = curriculum.get(epoch)
    model.train()
    tot, n = 0.0, 0
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        tot += loss.item() * len(y)
        n += len(y)
    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad():
        for x, y in val_loader:
            out = model(x)
            vloss += criterion(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
    print(f"epoch {epoch} crop {train_set.crop or T:3d}  train {tot / n:.4f}  val {vloss / len(val_set):.4f}  acc {correct / len(val_set):.3f}")

print(f"FINAL val accuracy {correct / len(val_set):.3f} (chance {1 / len(MOVES):.3f})")
