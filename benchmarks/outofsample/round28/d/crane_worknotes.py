"""Harbour crane work orders: route the technician's free-text note to a subsystem team.

Notes are short and messy ("STS07 hoist brk pad worn replaced, retest ok"). We tokenise on
whitespace, keep tokens seen at least twice, and train an EmbeddingBag classifier as in the
PyTorch text-classification tutorial (flat token stream + offsets). The embedding table is
sparse, so it gets its own SparseAdam; the dense layers use AdamW.
"""
import random
from collections import Counter

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

SEED = 3
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

TEAMS = ["hoist", "spreader", "trolley", "gantry", "electrical", "hydraulics", "boom"]
KEYWORDS = {
    "hoist": "hoist rope drum brake brk pad sheave wire lay reeving overload slack lifting motor gearbox coupling".split(),
    "spreader": "spreader twistlock twl flipper telescopic 20ft 40ft headblock landed pin locked unlocked sensor prox cable".split(),
    "trolley": "trolley rail wheel travel catenary festoon rope tension buffer end stop cabin sway cab skew".split(),
    "gantry": "gantry travel bogie wheel rail storm pin anchor clamp bumper waterside landside flange skew track".split(),
    "electrical": "plc inverter drive vfd fault code trip breaker fuse encoder cable earth relay contactor 24v reset".split(),
    "hydraulics": "hydraulic hyd oil leak hose seal cylinder pump pressure bar filter accumulator valve topped fitting".split(),
    "boom": "boom hinge latch forestay backstay hoist limit raise lower luffing pin lubrication wire inspection".split(),
}
FILLER = ("checked ok replaced adjusted retest tested found worn noisy intermittent alarm shift night day "
          "operator reported after before during again still cleaned greased tightened loose broken new "
          "spare ordered waiting parts crew done pending monitor no issue see previous wo tbc").split()


def note(team):
    words = []
    kw = KEYWORDS[team]
    other = KEYWORDS[random.choice(TEAMS)]
    for _ in range(random.randint(3, 6)):
        words.append(random.choice(kw))
    for _ in range(random.randint(1, 3)):
        words.append(random.choice(other))
    for _ in range(random.randint(3, 9)):
        words.append(random.choice(FILLER))
    words.append(f"sts{random.randint(1, 24):02d}")
    words.append(f"wo{random.randint(10000, 99999)}")
    random.shuffle(words)
    return " ".join(words)


records = [(t, note(TEAMS[t])) for t in np.random.randint(0, len(TEAMS), 5000)]
train_rec, val_rec = records[:4000], records[4000:]

counts = Counter(w for _, s in train_rec for w in s.split())
itos = ["<unk>"] + sorted(w for w, c in counts.items() if c >= 2)
stoi = {w: i for i, w in enumerate(itos)}


def collate(batch):
    labels, tokens, offsets = [], [], [0]
    for label, text in batch:
        ids = torch.tensor([stoi.get(w, 0) for w in text.split()], dtype=torch.long)
        labels.append(label)
        tokens.append(ids)
        offsets.append(ids.numel())
    offsets = torch.tensor(offsets[:-1]).cumsum(0)
    return torch.tensor(labels), torch.cat(tokens), offsets


class NoteClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean", sparse=True)
        self.fc = nn.Sequential(nn.Linear(embed_dim, 64), nn.ReLU(), nn.Linear(64, num_class))

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


train_loader = DataLoader(train_rec, batch_size=32, shuffle=True, collate_fn=collate)
val_loader = DataLoader(val_rec, batch_size=256, shuffle=False, collate_fn=collate)

model = NoteClassifier(len(itos), 32, len(TEAMS))
criterion = nn.CrossEntropyLoss()
sparse_opt = torch.optim.SparseAdam(list(model.embedding.parameters()), lr=1e-2)
dense_opt = torch.optim.AdamW(model.fc.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(dense_opt, step_size=2, gamma=0.5)


def train_epoch(epoch):
    model.train()
    total_acc, total_count = 0, 0
    for label, text, offsets in train_loader:
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        logits = model(text, offsets)
        loss = criterion(logits, label)
        loss.backward()
        dense_opt.step()
        total_acc += (logits.argmax(1) == label).sum().item()
        total_count += label.size(0)
    return total_acc / total_count


def evaluate(loader):
    model.eval()
    total_acc, total_count, total_loss = 0, 0, 0.0
    with torch.no_grad():
        for label, text, offsets in loader:
            logits = model(text, offsets)
            total_loss += criterion(logits, label).item() * label.size(0)
            total_acc += (logits.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count, total_loss / total_count


for epoch in range(1, 7):
    train_acc = train_epoch(epoch)
    val_acc, val_loss = evaluate(val_loader)
    scheduler.step()
    print(f"| epoch {epoch} | train acc {train_acc:.3f} | val loss {val_loss:.4f} | val acc {val_acc:.3f}")

print(f"final val accuracy {val_acc:.4f}")
