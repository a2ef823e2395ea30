"""Click-through-rate model (wide & deep style) on an impression log:
8 dense features plus 4 categorical fields (site, ad category, device,
hour of day). One pass over the log, as in production retraining."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

CARD = {"site": 60, "ad_cat": 24, "device": 4, "hour": 24}


def impressions(n, rng, eff):
    cats = np.column_stack([rng.integers(0, c, n) for c in CARD.values()])
    dense = rng.normal(size=(n, 8)).astype(np.float32)
    logit = (-4.1 + eff["site"][cats[:, 0]] + eff["ad_cat"][cats[:, 1]] + eff["device"][cats[:, 2]]
             + eff["hour"][cats[:, 3]] + eff["cross"][cats[:, 0] % 8, cats[:, 1]]
             + dense @ eff["w"] + 0.4 * np.tanh(dense[:, 0] * dense[:, 1]))
    click = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return dense, cats, click


class WideDeep(nn.Module):
    def __init__(self, n_dense=8, emb_dim=8, hidden=(128, 64)):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in CARD.values()])
        self.wide = nn.ModuleList([nn.Embedding(c, 1) for c in CARD.values()])
        layers, d = [], n_dense + emb_dim * len(CARD)
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        self.deep = nn.Sequential(*layers)
        self.out = nn.Linear(d, 1)
        for e in self.embs:
            nn.init.normal_(e.weight, std=0.05)
        for e in self.wide:
            nn.init.zeros_(e.weight)

    def forward(self, dense, cats):
        emb = torch.cat([e(cats[:, i]) for i, e in enumerate(self.embs)], dim=1)
        wide = sum(w(cats[:, i]) for i, w in enumerate(self.wide))
        return (self.out(self.deep(torch.cat([dense, emb], dim=1))) + wide).squeeze(1)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    eff = {k: rng.normal(0, s, c) for (k, c), s in zip(CARD.items(), (0.8, 0.6, 0.3, 0.3))}
    eff["cross"] = rng.normal(0, 0.5, (8, CARD["ad_cat"]))
    eff["w"] = rng.normal(0, 0.25, 8)
    d_tr, c_tr, y_tr = impressions(40000, rng, eff)
    d_va, c_va, y_va = impressions(10000, rng, eff)
    print(f"train CTR {y_tr.mean():.4f}")

    train = DataLoader(TensorDataset(torch.from_numpy(d_tr), torch.from_numpy(c_tr), torch.from_numpy(y_tr)),
                       batch_size=512, shuffle=True)
    model = WideDeep()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    model.train()
    for step, (dense, cats, y) in enumerate(train):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(dense, cats), y)
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step:3d} logloss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(torch.from_numpy(d_va), torch.from_numpy(c_va))).numpy()
    logloss = -np.mean(y_va * np.log(p + 1e-7) + (1 - y_va) * np.log(1 - p + 1e-7))
    print(f"final val_logloss {logloss:.4f} val_auc {roc_auc_score(y_va, p):.4f} "
          f"(constant-CTR logloss {-np.mean(y_va * np.log(y_tr.mean()) + (1 - y_va) * np.log(1 - y_tr.mean())):.4f})")


if __name__ == "__main__":
    main()
