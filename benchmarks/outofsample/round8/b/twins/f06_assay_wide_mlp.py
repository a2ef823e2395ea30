"""Hit calling for a small screening assay: 48 plate-reader descriptors per compound,
only 300 labelled compounds (replicates agree on ~96% of calls)."""
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

import nndoctor


def load_assay():
    X, y = make_classification(n_samples=1300, n_features=48, n_informative=8, n_redundant=6,
                               n_classes=2, flip_y=0.04, class_sep=1.6, random_state=21)
    Xtr, ytr, Xva, yva = X[:300], y[:300], X[300:], y[300:]
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return f(sc.transform(Xtr)), torch.tensor(ytr), f(sc.transform(Xva)), torch.tensor(yva)


def setup():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = load_assay()
    model = nn.Sequential(
        nn.Linear(48, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 2),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=2e-3, weight_decay=3e-2),
        batch_size=32,
    )
