"""Sailmaking: failure mode of laminated sailcloth panels from the biaxial test rig.

28 measurements per coupon (warp/fill modulus, creep at three loads, peel strength,
UV exposure hours, film thickness, scrim angles, ...). Classes: 0 passes, 1 delamination,
2 scrim yarn break, 3 film split, 4 creep beyond spec, 5 seam slip.
"""
import numpy as np
import torch
from torch import nn
import nndoctor
from sklearn.datasets import make_classification


class CouponNet(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, 128), nn.Tanh(),
            nn.Linear(128, 64), nn.Tanh(),
        )
        self.head = nn.Linear(64, n_out)
        self.body.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=1.0)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(3)
    X, y = make_classification(n_samples=2400, n_features=28, n_informative=14, n_redundant=6,
                               n_classes=6, n_clusters_per_class=2, class_sep=1.4,
                               flip_y=0.02, random_state=3)
    X = X.astype(np.float32)
    y = y.astype(np.int64)
    Xtr, Xva, ytr, yva = X[:1900], X[1900:], y[:1900], y[1900:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=CouponNet(28, 6),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=64,
    )
