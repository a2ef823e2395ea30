import random
import numpy as np, torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence
from torch.utils.data import DataLoader

random.seed(0); np.random.seed(0); torch.manual_seed(0)

def make(n, rng):
    data = []
    for _ in range(n):
        L = int(rng.integers(5, 40))
        x = rng.standard_normal((L, 3)).astype(np.float32)
        label = int(x[:, 0].mean() > 0) + 2 * int(x[-3:, 1].sum() > 0)
        data.append((torch.tensor(x), label))
    return data

def collate(batch):
    xs, ys = zip(*batch)
    lengths = torch.tensor([len(x) for x in xs])
    return pad_sequence(xs, batch_first=True), lengths, torch.tensor(ys)

rng = np.random.default_rng(0)
train, val = make(3000, rng), make(600, rng)
train_dl = DataLoader(train, batch_size=64, shuffle=True, collate_fn=collate)
val_dl = DataLoader(val, batch_size=200, collate_fn=collate)

class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 64, batch_first=True)
        self.head = nn.Linear(64, 4)
    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.head(h[-1])

model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(12):
    model.train()
    for x, lengths, y in train_dl:
        opt.zero_grad()
        loss = crit(model(x, lengths), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    model.eval(); correct = 0
    with torch.no_grad():
        for x, lengths, y in val_dl:
            correct += (model(x, lengths).argmax(1) == y).sum().item()
    print(f"epoch {epoch} loss {loss.item():.4f} val_acc {correct/len(val):.3f}")
print(f"final val_acc {correct/len(val):.4f}")
