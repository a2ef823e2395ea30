import random
import numpy as np, torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

random.seed(0); np.random.seed(0); torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = X / 8.0 - 1.0
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
Xtr, Xva = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)

def pairs(X, y, n, gen):
    i = torch.randint(0, len(X), (n,), generator=gen)
    same = torch.rand(n, generator=gen) < 0.5
    j = torch.empty(n, dtype=torch.long)
    for k in range(n):
        pool = torch.nonzero((y == y[i[k]]) == bool(same[k])).squeeze(1)
        j[k] = pool[torch.randint(0, len(pool), (1,), generator=gen)]
    t = torch.where(y[i] == y[j], 1.0, -1.0)
    return X[i], X[j], t

enc = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 16))
opt = torch.optim.Adam(enc.parameters(), lr=1e-3)
crit = nn.CosineEmbeddingLoss(margin=0.2)
gen = torch.Generator().manual_seed(0)
va1, va2, vt = pairs(Xva, yva, 1000, gen)

for epoch in range(15):
    a, b, t = pairs(Xtr, ytr, 4000, gen)
    enc.train()
    for s in range(0, len(a), 64):
        opt.zero_grad()
        loss = crit(enc(a[s:s + 64]), enc(b[s:s + 64]), t[s:s + 64])
        loss.backward()
        opt.step()
    enc.eval()
    with torch.no_grad():
        vl = crit(enc(va1), enc(va2), vt).item()
        e_tr, e_va = nn.functional.normalize(enc(Xtr), dim=1), nn.functional.normalize(enc(Xva), dim=1)
        nn_acc = (ytr[(e_va @ e_tr.T).argmax(1)] == yva).float().mean().item()
        pair_acc = ((nn.functional.cosine_similarity(enc(va1), enc(va2)) > 0.5).float() * 2 - 1 == vt).float().mean().item()
    print(f"epoch {epoch} val_loss {vl:.4f} pair_acc {pair_acc:.3f} 1nn_acc {nn_acc:.3f}")
print(f"final 1nn_acc {nn_acc:.4f} pair_acc {pair_acc:.4f}")
