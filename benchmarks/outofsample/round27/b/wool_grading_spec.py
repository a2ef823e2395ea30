"""Fleece grading from core-test and staple measurements (checkup spec).

Each lot is cored and measured by the testing house; the classer's grade
(0 superfine, 1 fine, 2 medium, 3 strong, 4 broad) is the target.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

FEATURES = ["mfd_micron", "cv_diam", "curvature", "staple_len_mm", "staple_str_nktex", "yield_pct",
            "veg_matter_pct", "colour_yz", "comfort_factor", "pob_mid_pct", "spin_fineness"]


def fleece_lots(n, seed=5):
    rng = np.random.default_rng(seed)
    mfd = rng.gamma(9, 2.3, n) + 2.0
    cv = rng.normal(20, 3, n)
    curv = 120 - 3.0 * mfd + rng.normal(0, 10, n)
    slen = rng.normal(85, 15, n) + 0.6 * mfd
    sstr = rng.normal(38, 8, n)
    yld = rng.normal(68, 6, n)
    vm = rng.exponential(0.8, n)
    yz = rng.normal(-1.5, 1.2, n)
    cf = 100 - np.clip(2.5 * (mfd - 15), 0, 90) + rng.normal(0, 1, n)
    pob = rng.normal(40, 12, n)
    sf = mfd * np.sqrt(1 + 5 * (cv / 100) ** 2) + rng.normal(0, 0.3, n)
    X = np.stack([mfd, cv, curv, slen, sstr, yld, vm, yz, cf, pob, sf], 1)
    score = (sf - 0.03 * (curv - 60) + 0.04 * (sstr < 30) * (40 - sstr) + 0.4 * np.tanh(vm - 1.5)
             + 0.3 * np.sin(yz) + rng.normal(0, 0.35, n))
    y = np.digitize(score, [18.0, 21.5, 25.0, 29.5])
    return X.astype(np.float32), y.astype(np.int64)


class GradeNet(nn.Module):
    def __init__(self, n_in, n_classes=5, width=64, depth=32):
        super().__init__()
        layers = [nn.Linear(n_in, width), nn.Tanh()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.Tanh()]
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(width, n_classes)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.out(self.body(x))


def setup():
    torch.manual_seed(5)
    X, y = fleece_lots(2400)
    X_tr, y_tr, X_va, y_va = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = torch.tensor((X_tr - mu) / sd), torch.tensor((X_va - mu) / sd)
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)
    return nndoctor.Setup(
        model=GradeNet(X.shape[1]),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9),
        batch_size=64,
    )
