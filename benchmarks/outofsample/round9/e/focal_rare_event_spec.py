"""Checkup spec: rare-event detection (about 3% positives) with a sigmoid focal loss
(Lin et al. 2017, RetinaNet) and the output bias initialised to the log-odds of the positive
prior, so the loss at init is already that of predicting the base rate.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor


class SigmoidFocalLoss(nn.Module):
    def __init__(self, alpha=0.25, gamma=2.0):
        super().__init__()
        self.alpha, self.gamma = alpha, gamma

    def forward(self, logits, target):
        ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        p = torch.sigmoid(logits)
        p_t = p * target + (1 - p) * (1 - target)
        a_t = self.alpha * target + (1 - self.alpha) * (1 - target)
        return (a_t * (1 - p_t) ** self.gamma * ce).mean()


class Detector(nn.Module):
    def __init__(self, d_in, prior):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.1),
                                  nn.Linear(128, 64), nn.ReLU())
        self.head = nn.Linear(64, 1)
        nn.init.constant_(self.head.bias, math.log(prior / (1 - prior)))

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def setup():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=12000, n_features=30, n_informative=10, n_redundant=8,
                               weights=[0.97, 0.03], class_sep=1.0, flip_y=0.0, random_state=3)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr, dtype=torch.float32), torch.tensor(yva, dtype=torch.float32)
    model = Detector(30, prior=ytr.mean().item())
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=SigmoidFocalLoss(alpha=0.25, gamma=2.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=128,
    )


if __name__ == "__main__":
    from sklearn.metrics import average_precision_score, roc_auc_score
    import types
    nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
    s = setup()
    (Xtr, ytr), (Xva, yva) = s.train, s.val
    opt = s.optimizer(s.model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(15):
        s.model.train()
        for idx in torch.randperm(len(Xtr), generator=g).split(s.batch_size):
            opt.zero_grad()
            s.loss(s.model(Xtr[idx]), ytr[idx]).backward()
            opt.step()
    s.model.eval()
    with torch.no_grad():
        score = torch.sigmoid(s.model(Xva)).numpy()
    print(f"final val_ap {average_precision_score(yva, score):.4f} val_auc {roc_auc_score(yva, score):.4f} "
          f"(positive rate {yva.mean():.3f})")
