"""Character-level MLP language model for made-up place names (Bengio et al. 2003 style,
as in the "makemore" notebooks): 8 previous characters -> embedding -> tanh layer -> next char.
Minibatches drawn by random indices from the full tensors.
"""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(42)
torch.manual_seed(2147483647)
g = torch.Generator().manual_seed(2147483647)

# ------------------------------------------------------------------ data
ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "kl", "l", "m", "n", "p",
          "pr", "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "z", ""]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"]
CODAS = ["", "", "", "n", "r", "l", "s", "th", "m", "ck", "x"]
SUFFIXES = ["", "", "ton", "ville", "burg", "ford", "ham", "wick", "dale", "mouth", "by"]


def make_name():
    n_syl = random.choice([1, 2, 2, 3])
    s = "".join(random.choice(ONSETS) + random.choice(VOWELS) + random.choice(CODAS)
                for _ in range(n_syl))
    return s + random.choice(SUFFIXES)


words = sorted({make_name() for _ in range(40000)})
random.shuffle(words)
chars = sorted(set("".join(words)))
stoi = {ch: i + 1 for i, ch in enumerate(chars)}
stoi["."] = 0
vocab_size = len(stoi)
block_size = 8


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


n1 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xva, Yva = build_dataset(words[n1:])
print(f"{len(words)} names, vocab {vocab_size}, {Xtr.shape[0]} train / {Xva.shape[0]} val examples")

# ------------------------------------------------------------------ model
class CharMLP(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd=10, n_hidden=200):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, n_embd)
        self.hidden = nn.Linear(n_embd * block_size, n_hidden)
        self.out = nn.Linear(n_hidden, vocab_size)
        nn.init.normal_(self.emb.weight)
        nn.init.normal_(self.hidden.weight)
        nn.init.zeros_(self.hidden.bias)

    def forward(self, idx):
        x = self.emb(idx).flatten(1)
        h = torch.tanh(self.hidden(x))
        return self.out(h)


model = CharMLP(vocab_size, block_size)
print("parameters:", sum(p.numel() for p in model.parameters()))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3000], gamma=0.1)


@torch.no_grad()
def split_loss(X, Y):
    model.eval()
    loss = F.cross_entropy(model(X), Y).item()
    model.train()
    return loss


max_steps, batch_size = 4000, 64
for i in range(max_steps):
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if i % 500 == 0:
        print(f"{i:6d}/{max_steps}: {loss.item():.4f}")

train_loss, val_loss = split_loss(Xtr, Ytr), split_loss(Xva, Yva)
print(f"final train_loss={train_loss:.4f} val_loss={val_loss:.4f}")
