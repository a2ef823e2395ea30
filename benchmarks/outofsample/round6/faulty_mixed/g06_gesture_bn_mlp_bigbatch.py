"""Wearable gesture recognition: 24 summary features per recording (IMU statistics), 5 gestures,
900 labelled recordings. MLP with BatchNorm; the batch size comes from the team's default config
for the full 2M-recording corpus."""
import torch
from torch import nn
import nndoctor
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

BATCH_SIZE = 1024          # shared training config


def setup():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=900, n_features=24, n_informative=12, n_redundant=6,
                               n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=21)
    Xtr, Xva, ytr, yva = X[:720], X[720:], y[:720], y[720:]
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
    model = nn.Sequential(
        nn.Linear(24, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=BATCH_SIZE,
    )
