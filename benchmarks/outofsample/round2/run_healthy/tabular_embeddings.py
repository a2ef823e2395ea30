import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(123)
torch.manual_seed(123)

N = 12000
cards = {"store": 40, "weekday": 7, "product": 120, "region": 9}
cats = {k: rng.integers(0, c, N) for k, c in cards.items()}
price = rng.lognormal(3.0, 0.5, N)
promo_depth = rng.uniform(0, 0.4, N)
temperature = rng.normal(18, 7, N)

store_eff = rng.normal(0, 0.6, cards["store"])
day_eff = np.array([0.0, -0.1, -0.05, 0.0, 0.2, 0.5, 0.35])
prod_eff = rng.normal(0, 0.8, cards["product"])
reg_eff = rng.normal(0, 0.3, cards["region"])
logit = (store_eff[cats["store"]] + day_eff[cats["weekday"]] + prod_eff[cats["product"]]
         + reg_eff[cats["region"]] - 0.6 * np.log(price) + 4.0 * promo_depth
         + 0.03 * (temperature - 18) + 1.2)
p = 1 / (1 + np.exp(-logit))
y = (rng.random(N) < p).astype(np.float32)

num = np.stack([np.log(price), promo_depth, temperature], 1).astype(np.float32)
cat = np.stack([cats[k] for k in cards], 1).astype(np.int64)

idx = rng.permutation(N)
tr, va = idx[:10000], idx[10000:]
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd

train_ds = TensorDataset(torch.from_numpy(cat[tr]), torch.from_numpy(num[tr]), torch.from_numpy(y[tr]))
val_ds = TensorDataset(torch.from_numpy(cat[va]), torch.from_numpy(num[va]), torch.from_numpy(y[va]))
train_dl = DataLoader(train_ds, batch_size=256, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=1024)


class TabNet(nn.Module):
    def __init__(self, cards, n_num):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, min(16, (c + 1) // 2)) for c in cards.values()])
        d = sum(e.embedding_dim for e in self.embs) + n_num
        self.mlp = nn.Sequential(
            nn.Linear(d, 128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 1),
        )

    def forward(self, c, x):
        e = [emb(c[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat(e + [x], 1)).squeeze(1)


def auc(scores, labels):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


model = TabNet(cards, num.shape[1])
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(8):
    model.train()
    for c, x, t in train_dl:
        loss = loss_fn(model(c, x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        s, l, vl = [], [], 0.0
        for c, x, t in val_dl:
            out = model(c, x)
            vl += loss_fn(out, t).item() * len(t)
            s.append(out.numpy())
            l.append(t.numpy())
    s, l = np.concatenate(s), np.concatenate(l)
    print(f"epoch {epoch} val_loss {vl / len(val_ds):.4f} val_auc {auc(s, l):.4f}")

print(f"final val AUC {auc(s, l):.4f}")
