"""Click-through prediction on one-hot encoded impression logs (wide & deep).

Every impression is six categorical fields (site, ad, device, hour, user segment, slot)
one-hot encoded into a 0/1 vector of ~600 columns; most columns are rare and almost every
entry is zero, which is how the features are meant to be (no scaling of one-hot columns).
Clicks are ~7% of impressions; the output bias starts at the log-odds of the training click
rate so the first steps do not spend themselves learning the base rate.
Scored with ROC-AUC and log-loss against the constant click-rate predictor.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import log_loss, roc_auc_score

FIELDS = {"site": 220, "ad": 300, "device": 5, "hour": 24, "segment": 40, "slot": 4}


def make_impressions(n, rng):
    cols, effects = {}, {}
    for name, card in FIELDS.items():
        pop = rng.zipf(1.3, size=card * 50) % card                  # long-tailed popularity
        cols[name] = rng.choice(pop, size=n)
        effects[name] = rng.normal(0, 0.5, card)
    effects["slot"] = np.array([0.9, 0.2, -0.4, -1.0])
    ad_seg = rng.normal(0, 1.0, (FIELDS["ad"], FIELDS["segment"])) * (rng.random((FIELDS["ad"], FIELDS["segment"])) < 0.1)
    logit = -3.4 + sum(effects[k][cols[k]] for k in FIELDS) + 1.5 * ad_seg[cols["ad"], cols["segment"]]
    logit += 0.4 * np.cos(2 * np.pi * cols["hour"] / 24)
    click = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.concatenate([np.eye(card, dtype=np.float32)[cols[k]] for k, card in FIELDS.items()], 1)
    return X, click


class WideDeep(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.wide = nn.Linear(n_in, 1)
        self.deep = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, 1))

    def forward(self, x):
        return (self.wide(x) + self.deep(x)).squeeze(1)


def main():
    torch.manual_seed(10)
    rng = np.random.default_rng(10)
    X, y = make_impressions(40000, rng)
    X_tr, y_tr, X_va, y_va = X[:32000], y[:32000], X[32000:], y[32000:]
    rate = y_tr.mean()
    print(f"{X.shape[1]} one-hot columns, {(X_tr.sum(0) == 0).sum()} never seen in training, "
          f"click rate {rate:.4f}")

    model = WideDeep(X.shape[1])
    with torch.no_grad():
        model.wide.bias.fill_(float(np.log(rate / (1 - rate))))
        model.deep[-1].bias.zero_()
    optimizer = torch.optim.Adam([
        {"params": model.wide.parameters(), "weight_decay": 0.0},
        {"params": model.deep.parameters(), "weight_decay": 1e-4}], lr=5e-4)
    loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                        batch_size=256, shuffle=True)
    Xv = torch.from_numpy(X_va)
    for epoch in range(1, 4):
        model.train()
        for xb, yb in loader:
            loss = F.binary_cross_entropy_with_logits(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(Xv)).numpy()
        print(f"epoch {epoch} train_loss {loss.item():.4f} val_logloss {log_loss(y_va, p):.4f} "
              f"val_auc {roc_auc_score(y_va, p):.4f}")
    base = log_loss(y_va, np.full_like(y_va, rate))
    print(f"final val AUC={roc_auc_score(y_va, p):.4f} logloss={log_loss(y_va, p):.4f} "
          f"(click-rate predictor logloss {base:.4f})")


if __name__ == "__main__":
    main()
