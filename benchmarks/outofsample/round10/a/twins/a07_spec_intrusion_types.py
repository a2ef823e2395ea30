"""Network-flow attack-type classification (benign, scan, brute force, exfiltration, DoS)
from 24 per-flow statistics. Several traffic profiles per class, so boundaries are not linear."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import nndoctor


def setup():
    torch.manual_seed(8)
    X, y = make_classification(n_samples=6000, n_features=24, n_informative=14, n_redundant=4,
                               n_classes=5, n_clusters_per_class=3, class_sep=1.3,
                               flip_y=0.01, random_state=8)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=8)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xva = scaler.transform(Xtr).astype(np.float32), scaler.transform(Xva).astype(np.float32)
    p_drop = 0.2
    model = nn.Sequential(
        nn.Linear(24, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(128, 5))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
