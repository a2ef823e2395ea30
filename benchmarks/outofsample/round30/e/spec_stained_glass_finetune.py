"""Checkup spec: conservation priority (routine / monitor / urgent) of stained-glass panels.

A survey of another cathedral's windows gave 6,000 graded panels; this cathedral has 360. The
network is pre-trained inside setup() on the large survey, then its first layer is frozen and the
rest fine-tuned on the local panels at a small learning rate (1e-4), the usual recipe when the
labelled set is small and the source task is the same task on slightly different glass.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

D = 14


def panels(n, rng, lead_weight):
    X = rng.normal(0, 1, (n, D)).astype(np.float32)   # standardised scan features
    risk = np.tanh(X[:, 0] * X[:, 1]) + 0.8 * np.abs(X[:, 2]) + 0.5 * np.sin(2 * X[:, 3]) \
        + lead_weight * X[:, 4] + 0.6 * X[:, D - 1] + rng.normal(0, 0.15, n)
    y = np.digitize(risk, np.quantile(risk, [0.5, 0.8]))
    return torch.from_numpy(X), torch.from_numpy(y)


class PanelNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(D, 64), nn.ReLU())
        self.mid = nn.Sequential(nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, 3)

    def forward(self, x):
        return self.head(self.mid(self.features(x)))


def pretrained_net(rng):
    torch.manual_seed(41)
    Xs, ys = panels(6000, rng, lead_weight=0.3)
    net = PanelNet()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(15):
        for idx in torch.randperm(len(Xs)).split(128):
            opt.zero_grad()
            nn.functional.cross_entropy(net(Xs[idx]), ys[idx]).backward()
            opt.step()
    for p in net.features.parameters():
        p.requires_grad_(False)                          # keep the pre-trained first layer
    return net


def data(rng):
    X, y = panels(600, rng, lead_weight=0.6)            # this cathedral's lead is older
    return X[:360], y[:360], X[360:], y[360:]


def setup():
    rng = np.random.default_rng(41)
    model = pretrained_net(rng)
    Xtr, ytr, Xva, yva = data(rng)
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=1e-4),
        batch_size=32,
    )


if __name__ == "__main__":
    rng = np.random.default_rng(41)
    model = pretrained_net(rng)
    Xtr, ytr, Xva, yva = data(rng)
    with torch.no_grad():
        print(f"pre-trained, before fine-tuning: val accuracy {(model(Xva).argmax(1) == yva).float().mean():.3f}")
    torch.manual_seed(0)
    scratch = PanelNet()
    for name, net, lr in [("fine-tuned", model, 1e-4), ("from scratch", scratch, 1e-3)]:
        torch.manual_seed(0)
        opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
        for _ in range(30):
            for idx in torch.randperm(len(Xtr)).split(32):
                opt.zero_grad()
                nn.functional.cross_entropy(net(Xtr[idx]), ytr[idx]).backward()
                opt.step()
        with torch.no_grad():
            acc = (net(Xva).argmax(1) == yva).float().mean()
        print(f"{name}: val accuracy {acc:.3f}")
