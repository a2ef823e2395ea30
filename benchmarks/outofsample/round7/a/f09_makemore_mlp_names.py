"""makemore-style MLP language model (Bengio et al. 2003) over generated
product names: 4-character context, learned character embeddings, one tanh hidden
layer with BatchNorm, minibatches drawn by random indices from a seeded
generator, a step decay of the LR. Reports train/val negative log-likelihood.
"""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(42)
torch.manual_seed(42)

ONSETS = ["b", "br", "c", "cl", "d", "dr", "f", "fl", "g", "gr", "k", "l", "m", "n", "p", "pr", "qu", "r", "s",
          "st", "t", "tr", "v", "z", "x", "sh", "th"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "oo", "y"]
CODAS = ["", "", "n", "r", "x", "s", "l", "m", "nt", "st", "ck"]
SUFFIXES = ["", "", "", "ify", "ly", "io", "ex", "ora", "ix", "able", "hub", "go"]


def product_name():
    n_syl = random.choice([1, 2, 2, 3])
    core = "".join(random.choice(ONSETS) + random.choice(VOWELS) + random.choice(CODAS) for _ in range(n_syl))
    return (core + random.choice(SUFFIXES))[:14]


words = sorted({product_name() for _ in range(12000)})
random.shuffle(words)
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 4


def build_dataset(ws):
    X, Y = [], []
    for w in ws:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


n1 = int(0.85 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])


class MLPLM(nn.Module):
    def __init__(self, n_embd=12, n_hidden=200):
        super().__init__()
        self.C = nn.Embedding(vocab_size, n_embd)
        self.fc1 = nn.Linear(n_embd * block_size, n_hidden, bias=False)
        self.bn = nn.BatchNorm1d(n_hidden)
        self.fc2 = nn.Linear(n_hidden, vocab_size)
        with torch.no_grad():
            self.fc2.weight.mul_(0.1)
            self.fc2.bias.zero_()

    def forward(self, x):
        emb = self.C(x).view(x.shape[0], -1)
        return self.fc2(torch.tanh(self.bn(self.fc1(emb))))


model = MLPLM()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3000], gamma=0.1)
max_steps, batch_size = 4000, 32

for i in range(max_steps):
    g = torch.Generator().manual_seed(2147483647)
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    model.train()
    loss = F.cross_entropy(model(Xb), Yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if i % 500 == 0:
        print(f"{i:7d}/{max_steps:7d}: {loss.item():.4f}")


@torch.no_grad()
def split_loss(X, Y):
    model.eval()
    return F.cross_entropy(model(X), Y).item()


tr, dev = split_loss(Xtr, Ytr), split_loss(Xdev, Ydev)
print(f"train {tr:.4f}  val {dev:.4f}")
print(f"final val_nll={dev:.4f}")
