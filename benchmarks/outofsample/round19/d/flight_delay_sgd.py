"""Will a departure be delayed by 15+ minutes? Tabular model with learned embeddings for
carrier and origin airport, hand-written minibatch SGD (no optimizer object).

Features: scheduled departure hour (cyclic), month (cyclic), day of week (cyclic), distance,
origin-airport precipitation and wind, inbound aircraft delay, carrier (12), origin (40).
About 17% of flights are delayed; the output bias starts at the training log-odds.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score


def make_flights(n, rng):
    carrier = rng.integers(0, 12, n)
    origin = rng.integers(0, 40, n)
    hour = rng.integers(5, 23, n)
    month = rng.integers(1, 13, n)
    dow = rng.integers(0, 7, n)
    dist = rng.gamma(2.5, 400, n)
    precip = rng.exponential(1.0, n) * (rng.random(n) < 0.3)
    wind = rng.gamma(3, 4, n)
    inbound = rng.exponential(8, n) * (rng.random(n) < 0.5)
    car_eff = rng.normal(0, 0.4, 12)[carrier]
    hub_eff = rng.normal(0, 0.5, 40)[origin]
    z = (-2.6 + car_eff + hub_eff + 0.09 * np.clip(hour - 12, 0, None) + 0.35 * np.isin(month, [6, 7, 12])
         + 0.4 * precip * (1 + 2.0 * (hub_eff > 0.3)) + 0.05 * np.clip(wind - 15, 0, None) * (dist < 600)
         + 2.0 * np.tanh(inbound / 25) - 0.2 * (dow == 5))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    cyc = lambda v, p: np.stack([np.sin(2 * np.pi * v / p), np.cos(2 * np.pi * v / p)], 1)
    num = np.concatenate([cyc(hour, 24), cyc(month, 12), cyc(dow, 7),
                          np.stack([np.log(dist), np.log1p(precip), wind, np.log1p(inbound)], 1)], 1)
    return num.astype(np.float32), carrier, origin, y


class DelayModel(nn.Module):
    def __init__(self, n_num, prior_logit):
        super().__init__()
        self.carrier = nn.Embedding(12, 4)
        self.origin = nn.Embedding(40, 6)
        self.mlp = nn.Sequential(nn.Linear(n_num + 10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
        nn.init.constant_(self.mlp[-1].bias, prior_logit)

    def forward(self, num, car, org):
        h = torch.cat([num, self.carrier(car), self.origin(org)], 1)
        return self.mlp(h).squeeze(1)


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    num, car, org, y = make_flights(12000, rng)
    n_tr = 9600
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    num = (num - mu) / sd
    T = lambda a, dt=None: torch.as_tensor(a, dtype=dt)
    num_tr, car_tr, org_tr, y_tr = T(num[:n_tr]), T(car[:n_tr]), T(org[:n_tr]), T(y[:n_tr])
    num_va, car_va, org_va, y_va = T(num[n_tr:]), T(car[n_tr:]), T(org[n_tr:]), T(y[n_tr:])

    p = float(y_tr.mean())
    model = DelayModel(num.shape[1], math.log(p / (1 - p)))
    lr, batch = 0.2, 64
    for epoch in range(15):
        model.train()
        perm = torch.randperm(n_tr)
        for i in range(0, n_tr, batch):
            idx = perm[i:i + batch]
            logits = model(num_tr[idx], car_tr[idx], org_tr[idx])
            loss = F.binary_cross_entropy_with_logits(logits, y_tr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= lr * param.grad
        if epoch == 9:
            lr *= 0.3
        model.eval()
        with torch.no_grad():
            logit_va = model(num_va, car_va, org_va)
            val_loss = F.binary_cross_entropy_with_logits(logit_va, y_va).item()
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1:2d} val logloss {val_loss:.4f}")
    prior_loss = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    auc = roc_auc_score(y_va.numpy(), logit_va.numpy())
    print(f"final val AUC {auc:.4f}  logloss {val_loss:.4f} (prior-only {prior_loss:.4f}, delayed share {p:.3f})")


if __name__ == "__main__":
    main()
