"""How much do the two missed faults hurt? f1: store id as a standardised scalar vs one-hot; f2: 25% flipped labels vs clean."""
import importlib.util
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_gaussian_quantiles
from sklearn.model_selection import train_test_split, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)


def load(path):
    sp = importlib.util.spec_from_file_location("m", path)
    m = importlib.util.module_from_spec(sp)
    sp.loader.exec_module(m)
    return m


def train_mlp(Xt, yt, Xv, yv, n_out, epochs=20, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(Xt.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, n_out))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    Xt, yt, Xv, yv = map(torch.as_tensor, (Xt, yt, Xv, yv))
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=g)
        for i in range(0, len(Xt), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(Xt[b]), yt[b]).backward()
            opt.step()
    with torch.no_grad():
        return float((model(Xt).argmax(1) == yt).float().mean()), float((model(Xv).argmax(1) == yv).float().mean())


m1 = load("f1_store_demand.py")
X, y = m1.store_days(5000, seed=701)
Xt, Xv, yt, yv = train_test_split(X, y, test_size=0.2, random_state=701, stratify=y)
sc = StandardScaler().fit(Xt)
a = train_mlp(sc.transform(Xt).astype(np.float32), yt, sc.transform(Xv).astype(np.float32), yv, 2)
def onehot(X, sc3):
    return np.hstack([sc3.transform(X[:, :3]), np.eye(30)[X[:, 3].astype(int)]]).astype(np.float32)
sc3 = StandardScaler().fit(Xt[:, :3])
b = train_mlp(onehot(Xt, sc3), yt, onehot(Xv, sc3), yv, 2)
print(f"f1 store id as standardised scalar: train acc {a[0]:.3f} val acc {a[1]:.3f}")
print(f"f1 store id one-hot (fixed):       train acc {b[0]:.3f} val acc {b[1]:.3f}")
rng = np.random.default_rng(0); eff = rng.normal(0, 2.0, 30)
print(f"f1 Bayes-ish reference: store effects std {eff.std():.2f}")

Xg, yc = make_gaussian_quantiles(n_samples=4000, n_features=6, n_classes=3, random_state=801)
rng = np.random.default_rng(801)
idx = rng.random(len(yc)) < 0.25
yn = yc.copy()
yn[idx] = (yn[idx] + rng.integers(1, 3, idx.sum())) % 3
print(f"f2 share flipped: {idx.mean():.3f}")
Xt, Xv, ynt, ynv, yct, ycv = train_test_split(Xg, yn, yc, test_size=0.2, random_state=801)
m, s = Xt.mean(0), Xt.std(0)
Xt, Xv = ((Xt - m) / s).astype(np.float32), ((Xv - m) / s).astype(np.float32)
a = train_mlp(Xt, ynt, Xv, ynv, 3)
b = train_mlp(Xt, yct, Xv, ycv, 3)
print(f"f2 noisy labels: train acc {a[0]:.3f} val acc (noisy val) {a[1]:.3f}")
print(f"f2 clean labels: train acc {b[0]:.3f} val acc {b[1]:.3f}")
knn = KNeighborsClassifier(15)
p = cross_val_predict(knn, Xt, ynt, cv=5, method="predict_proba")
flip_t = ynt != yct
pl = p[np.arange(len(ynt)), ynt]
print(f"f2 15-NN CV acc vs given labels {(p.argmax(1) == ynt).mean():.3f}; vs true labels {(p.argmax(1) == yct).mean():.3f}")
print(f"f2 15-NN prob of given label: flipped rows median {np.median(pl[flip_t]):.3f}, clean rows median {np.median(pl[~flip_t]):.3f}; "
      f"rows with p<0.05: {(pl < 0.05).sum()} (of which flipped {(pl[flip_t] < 0.05).sum()})")
