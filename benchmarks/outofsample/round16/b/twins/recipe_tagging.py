"""Recipe auto-tagging: ingredient/step tokens -> a set of tags (vegetarian, spicy, baked, ...).

A recipe usually carries several tags at once. Bag-of-tokens encoder (EmbeddingBag, mean) with an
MLP head, AdamW with a one-cycle schedule stepped per batch; tags are predicted where the tag's
probability exceeds 0.5 and scored by micro-F1 on held-out recipes.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
rng = np.random.default_rng(11)

VOCAB, MAXLEN, N_TOPICS = 1200, 40, 16
TAGS = ["vegetarian", "vegan", "spicy", "baked", "dessert", "quick", "one-pot", "grilled",
        "gluten-free", "dairy", "seafood", "breakfast", "soup", "asian", "italian", "mexican"]
N = 5000

topic_words = rng.dirichlet(np.full(VOCAB - 1, 0.03), size=N_TOPICS)   # token 0 is padding
topic_tags = (rng.random((N_TOPICS, len(TAGS))) < 0.16).astype(np.float32)
for t in range(N_TOPICS):
    topic_tags[t, t % len(TAGS)] = 1.0

tokens = np.zeros((N, MAXLEN), dtype=np.int64)
targets = np.zeros((N, len(TAGS)), dtype=np.float32)
for i in range(N):
    k = rng.integers(1, 3)
    topics = rng.choice(N_TOPICS, size=k, replace=False)
    length = rng.integers(15, MAXLEN + 1)
    mix = topic_words[topics].mean(0)
    tokens[i, :length] = rng.choice(VOCAB - 1, size=length, p=mix) + 1
    tags = topic_tags[topics].max(0)
    flip = rng.random(len(TAGS)) < 0.02
    targets[i] = np.where(flip, 1 - tags, tags)

perm = rng.permutation(N)
tr, va = perm[:4000], perm[4000:]
train_loader = DataLoader(TensorDataset(torch.from_numpy(tokens[tr]), torch.from_numpy(targets[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(tokens[va]), torch.from_numpy(targets[va])),
                        batch_size=500)


class Tagger(nn.Module):
    def __init__(self, vocab, n_tags, dim=64):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean", padding_idx=0)
        self.head = nn.Sequential(nn.Linear(dim, 128), nn.ReLU(), nn.Dropout(0.1),
                                  nn.Linear(128, n_tags))

    def forward(self, tok):
        return self.head(self.bag(tok))


model = Tagger(VOCAB, len(TAGS))
EPOCHS = 12
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))
criterion = nn.BCEWithLogitsLoss()


def micro_f1():
    model.eval()
    tp = fp = fn = 0.0
    with torch.no_grad():
        for tok, tgt in val_loader:
            pred = (torch.sigmoid(model(tok)) > 0.5).float()
            tp += (pred * tgt).sum().item()
            fp += (pred * (1 - tgt)).sum().item()
            fn += ((1 - pred) * tgt).sum().item()
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


for epoch in range(1, EPOCHS + 1):
    model.train()
    total = 0.0
    for tok, tgt in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(tok), tgt)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(tok)
    f1 = micro_f1()
    print(f"epoch {epoch:2d} loss {total / len(tr):.4f} val_micro_f1 {f1:.4f}")

print(f"final val_micro_f1 {f1:.4f}")
