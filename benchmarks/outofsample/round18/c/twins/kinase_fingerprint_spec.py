"""Kinase-inhibitor activity from 1024-bit hashed substructure fingerprints (checkup spec).

Molecules are assembled from a library of 150 fragments (Zipf-like usage); each fragment
sets a handful of hashed bits, plus a little hashing noise. Activity depends on a few
pharmacophore fragments, a hinge-binder x solvent-tail interaction and two liabilities.
Bits are fed raw (0/1), as is usual for fingerprints. A held-out test set is kept apart
for the final report; the remaining molecules are split again into fit/val.
"""
import numpy as np
import torch
import torch.nn as nn
import nndoctor
from sklearn.model_selection import train_test_split

N_BITS, N_FRAG = 1024, 150


def make_library(seed=21):
    rng = np.random.default_rng(seed)
    frag_bits = [rng.choice(N_BITS, size=rng.integers(4, 10), replace=False) for _ in range(N_FRAG)]
    usage = 1 / np.arange(1, N_FRAG + 1) ** 0.8
    usage /= usage.sum()
    n = 2400
    X = np.zeros((n, N_BITS), dtype=np.float32)
    F = np.zeros((n, N_FRAG), dtype=np.float32)
    for i in range(n):
        frags = rng.choice(N_FRAG, size=rng.integers(6, 16), replace=False, p=usage)
        F[i, frags] = 1
        for f in frags:
            X[i, frag_bits[f]] = 1
        X[i, rng.choice(N_BITS, size=6, replace=False)] = 1   # hashing collisions / rare atoms
    w = np.zeros(N_FRAG)
    w[[3, 8, 17, 25, 40]] = [1.6, 1.2, 1.0, 0.9, 1.4]      # pharmacophores
    w[[5, 12]] = [-1.8, -1.3]                               # liabilities
    logit = F @ w + 1.8 * F[:, 3] * F[:, 33] - 1.4 + np.random.default_rng(seed + 1).normal(0, 0.5, n)
    y = (np.random.default_rng(seed + 2).random(n) < 1 / (1 + np.exp(-2.0 * logit))).astype(np.float32)
    return X, y


X, y = make_library()
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
X_fit, X_val, y_fit, y_val = train_test_split(X_tr, y_tr, test_size=0.2, stratify=y_tr, random_state=0)


def build_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Dropout(0.2),                       # bit dropout
        nn.Linear(N_BITS, 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(32, 1),
    )


def make_optimizer(params):
    return torch.optim.AdamW(params, lr=3e-4, weight_decay=0.1)


def splits():
    return dict(
        train=(torch.tensor(X_fit), torch.tensor(y_fit)[:, None]),
        val=(torch.tensor(X_val), torch.tensor(y_val)[:, None]),
    )


def setup():
    return nndoctor.Setup(model=build_model(), **splits(), loss=nn.BCEWithLogitsLoss(),
                          optimizer=make_optimizer, batch_size=64, name="kinase-fp-mlp")


if __name__ == "__main__":
    # plain training run of the same setup, with the held-out test set reported beside val
    from sklearn.metrics import roc_auc_score
    from torch.utils.data import DataLoader, TensorDataset
    model, loss_fn = build_model(), nn.BCEWithLogitsLoss()
    opt = make_optimizer(model.parameters())
    loader = DataLoader(TensorDataset(*splits()["train"]), batch_size=64, shuffle=True)

    def score(X_, y_):
        model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(torch.tensor(X_))).squeeze(1).numpy()
        return roc_auc_score(y_, p), ((p > 0.5) == y_).mean()

    for epoch in range(30):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    va, vacc = score(X_val, y_val)
    ta, tacc = score(X_te, y_te)
    print(f"positives {y.mean():.3f}  val AUC {va:.4f} acc {vacc:.4f}  |  test AUC {ta:.4f} acc {tacc:.4f}")
