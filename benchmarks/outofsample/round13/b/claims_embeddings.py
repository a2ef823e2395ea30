"""Insurance: will a policy file a claim this year? Tabular model with entity embeddings.

Integer-coded region / vehicle make / occupation go through nn.Embedding, continuous columns are
standardised, binary flags stay 0/1. About 10% positives: the output bias starts at the training
log-odds, training stops early on the validation loss and the best weights are restored.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import average_precision_score, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CARD = {"region": 25, "make": 40, "occupation": 12}


def make_policies(n, seed=21):
    rng = np.random.default_rng(seed)
    cats = np.stack([rng.integers(0, k, n) for k in CARD.values()], 1)
    effects = [rng.normal(0, 0.7, k) for k in CARD.values()]
    age = rng.uniform(18, 80, n)
    vehicle_age = rng.gamma(2.0, 3.0, n)
    mileage = rng.lognormal(9.3, 0.5, n)
    urban = rng.binomial(1, 0.55, n)
    prior_claim = rng.binomial(1, 0.15, n)
    logit = (-4.0 + sum(e[cats[:, j]] for j, e in enumerate(effects))
             + 0.0009 * (age - 45) ** 2 + 0.05 * vehicle_age + 0.6 * np.log(mileage / 11000)
             + 0.4 * urban + 1.0 * prior_claim)
    y = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    num = np.stack([age, vehicle_age, np.log(mileage)], 1)
    flags = np.stack([urban, prior_claim], 1)
    return num.astype(np.float32), flags.astype(np.float32), cats, y.astype(np.float32)


class ClaimNet(nn.Module):
    def __init__(self, n_num, n_flags, prior_logit):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(k, min(8, (k + 1) // 2)) for k in CARD.values())
        d = n_num + n_flags + sum(e.embedding_dim for e in self.embs)
        self.mlp = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.ReLU())
        self.out = nn.Linear(32, 1)
        nn.init.constant_(self.out.bias, prior_logit)

    def forward(self, x_num, x_flags, x_cat):
        e = [emb(x_cat[:, j]) for j, emb in enumerate(self.embs)]
        return self.out(self.mlp(torch.cat([x_num, x_flags, *e], 1))).squeeze(1)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    total, n, scores, ys = 0.0, 0, [], []
    for xn, xf, xc, yb in loader:
        logit = model(xn, xf, xc)
        total += F.binary_cross_entropy_with_logits(logit, yb, reduction="sum").item()
        n += len(yb)
        scores.append(logit)
        ys.append(yb)
    s, t = torch.cat(scores).numpy(), torch.cat(ys).numpy()
    return total / n, roc_auc_score(t, s), average_precision_score(t, s)


def main():
    torch.manual_seed(0)
    num, flags, cats, y = make_policies(12000)
    rng = np.random.default_rng(1)
    idx = rng.permutation(len(y))
    tr, va = idx[:9600], idx[9600:]
    mu, sd = num[tr].mean(0), num[tr].std(0)
    num = (num - mu) / sd
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    train_dl = DataLoader(TensorDataset(t(num[tr]), t(flags[tr]), t(cats[tr]), t(y[tr])), batch_size=128, shuffle=True)
    val_dl = DataLoader(TensorDataset(t(num[va]), t(flags[va]), t(cats[va]), t(y[va])), batch_size=1024)

    p = y[tr].mean()
    model = ClaimNet(num.shape[1], flags.shape[1], float(np.log(p / (1 - p))))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    best, best_state, patience, bad = float("inf"), None, 4, 0
    for epoch in range(40):
        model.train()
        for xn, xf, xc, yb in train_dl:
            loss = F.binary_cross_entropy_with_logits(model(xn, xf, xc), yb)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        val_loss, auc, ap = evaluate(model, val_dl)
        print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_loss {val_loss:.4f} auc {auc:.4f} ap {ap:.4f}")
        if val_loss < best - 1e-4:
            best, bad = val_loss, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                break
    model.load_state_dict(best_state)
    val_loss, auc, ap = evaluate(model, val_dl)
    print(f"final val_auc {auc:.4f} val_ap {ap:.4f} val_loss {val_loss:.4f} (positives {y[va].mean():.3f})")


if __name__ == "__main__":
    main()
