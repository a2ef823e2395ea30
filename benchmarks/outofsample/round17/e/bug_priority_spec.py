"""Checkup spec: predict the priority (P1 / P2 / P3) of incoming bug reports.

Features are mostly sparse binary indicators: one-hot component (12) and platform (4),
presence of 40 keywords in the title/body, and two flags; plus two continuous columns
(log body length, number of attachments) standardised with training statistics.
The binary columns are deliberately left as 0/1.  P1 reports are the minority (~14%), so the
cross-entropy is class-weighted (inverse square root of class frequency), and the
model is deliberately small (one hidden layer of 24 units) with decoupled weight decay.
"""
import numpy as np
import torch
import torch.nn as nn

import nndoctor

N_COMP, N_PLAT, N_KW = 12, 4, 40


def make_reports(n, rng):
    comp = rng.integers(0, N_COMP, n)
    plat = rng.choice(N_PLAT, n, p=[0.5, 0.25, 0.15, 0.1])
    kw_rate = rng.uniform(0.02, 0.15, N_KW)
    kw_rate[:2] = 0.25
    kws = (rng.random((n, N_KW)) < kw_rate).astype(np.float32)
    regression = (rng.random(n) < 0.1).astype(np.float32)
    customer = (rng.random(n) < 0.3).astype(np.float32)
    body_len = np.exp(rng.normal(6.0, 0.9, n))
    attachments = rng.poisson(0.8, n).astype(np.float32)

    comp_risk = np.linspace(-1.0, 1.2, N_COMP)
    kw_weight = np.zeros(N_KW)
    kw_weight[:6] = [2.2, 0.0, 1.6, 1.2, 1.0, 0.8]     # "crash", "data loss", "security", ...
    kw_weight[6:10] = -1.0                              # "typo", "cosmetic", ...
    score = (comp_risk[comp] + kws @ kw_weight + 1.3 * regression + 0.9 * customer
             + 0.6 * (plat == 0) + 0.25 * np.log1p(attachments) + 0.15 * (np.log(body_len) - 6)
             + 1.2 * regression * customer + 1.5 * kws[:, 0] * (plat == 0) + 3.0 * kws[:, 1] * (comp >= 8) + 1.0 * regression * (comp_risk[comp] > 0)
             + rng.logistic(0, 0.35, n))
    priority = np.where(score > 4.6, 0, np.where(score > 2.2, 1, 2))   # 0 = P1
    binary = np.concatenate([np.eye(N_COMP)[comp], np.eye(N_PLAT)[plat], kws,
                             regression[:, None], customer[:, None]], 1)
    cont = np.stack([np.log(body_len), attachments], 1)
    return binary.astype(np.float32), cont.astype(np.float32), priority


def build():
    rng = np.random.default_rng(4)
    torch.manual_seed(4)
    binary, cont, y = make_reports(6000, rng)
    tr, va = slice(0, 4800), slice(4800, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = torch.from_numpy(np.concatenate([binary, (cont - mu) / sd], 1))
    y = torch.from_numpy(y)
    counts = torch.bincount(y[tr], minlength=3).float()
    weights = (counts.sum() / counts).sqrt()
    weights = weights / weights.mean()
    model = nn.Sequential(nn.Linear(X.shape[1], 24), nn.ReLU(), nn.Dropout(0.1), nn.Linear(24, 3))
    return model, X[tr], y[tr], X[va], y[va], weights


def setup():
    model, Xtr, ytr, Xva, yva, weights = build()
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.01),
        batch_size=64,
    )


if __name__ == "__main__":
    _, _, ytr, _, _, w = build()
    print("class shares P1/P2/P3:", np.round(np.bincount(ytr.numpy(), minlength=3) / len(ytr), 3),
          "weights:", np.round(w.numpy(), 3))
