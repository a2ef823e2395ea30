"""Claim routing: predict the line of business of an incoming claim from the
structured fields of the first notice of loss. Claims come from two intake
systems (head office and the regional office) which store the line of business
as free-text names."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import nndoctor

LINES = np.array(["auto", "health", "home", "liability", "property", "travel"])


def load_claims(seed=7):
    X, k = make_classification(n_samples=3600, n_features=20, n_informative=12,
                               n_redundant=4, n_classes=6, n_clusters_per_class=1,
                               class_sep=1.4, random_state=seed)
    rng = np.random.default_rng(seed)
    office = np.where(rng.random(len(k)) < 0.38, "regional", "head")
    names = LINES[k]
    # the regional office does not write health policies
    keep = ~((office == "regional") & (names == "health"))
    return X[keep].astype(np.float32), names[keep], office[keep]


def encode(names, classes=None):
    classes = classes if classes is not None else sorted(set(names))
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[n] for n in names], dtype=np.int64), classes


def build_table():
    X, names, office = load_claims()
    head, regional = office == "head", office == "regional"
    y_head, classes = encode(names[head])
    y_regional, _ = encode(names[regional])
    X = np.concatenate([X[head], X[regional]])
    y = np.concatenate([y_head, y_regional])
    return X, y, classes


def setup():
    torch.manual_seed(0)
    X, y, classes = build_table()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y,
                                              random_state=0)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, len(classes)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
