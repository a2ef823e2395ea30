"""Climbing-gym route grades (checkup spec): predict the consensus V-grade (V0..V7) of a newly
set boulder problem from the setter's route sheet, so the tag can go up on opening day.

Grades are ordinal, so the target is encoded as 7 cumulative binary columns (column k is
1 when the grade is above V_k) and the net outputs one difficulty score plus 7 learned,
ordered cut points (a cumulative-link head), trained with BCEWithLogitsLoss. The predicted
grade is the number of cut points the score passes.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
import nndoctor

K = 8   # V0..V7


def make_data(seed=43, n=3000):
    rng = np.random.default_rng(seed)
    angle = rng.choice([0, 10, 20, 30, 45], n, p=[.15, .25, .3, .2, .1])          # overhang, deg
    holds = rng.integers(5, 16, n)
    hold_mm = rng.normal(60, 15, n).clip(20, 120)
    crimp = rng.beta(2, 4, n)
    sloper = rng.beta(1.5, 5, n) * (1 - crimp)
    reach = rng.normal(1.3, 0.25, n).clip(0.6, 2.2)                               # m, longest move
    dyno = rng.poisson(0.4, n)
    feet = rng.uniform(0.2, 1.0, n)                                                # foothold density
    height = rng.uniform(3.0, 4.5, n)
    setter = rng.integers(0, 6, n)
    setter_bias = np.array([0.0, 0.4, -0.3, 0.2, -0.5, 0.1])                      # soft vs stiff setters
    difficulty = (0.05 * angle - 0.03 * (hold_mm - 60) + 2.2 * crimp + 2.8 * sloper + 1.6 * (reach - 1.3)
                  + 0.7 * dyno - 1.2 * (feet - 0.6) - 0.08 * (holds - 10) + 0.2 * (height - 3.75)
                  + 4.0 * (angle >= 30) * sloper + 2.0 * np.maximum(reach - 1.6, 0) * (feet < 0.5)
                  + setter_bias[setter] + rng.normal(0, 0.45, n))
    grade = np.digitize(difficulty, np.quantile(difficulty, [0.1, 0.25, 0.42, 0.58, 0.73, 0.85, 0.94]))
    X = np.concatenate([np.stack([angle, holds, hold_mm, crimp, sloper, reach, dyno, feet, height], 1),
                        np.eye(6)[setter]], 1)
    return X, grade


class CumulativeLink(nn.Module):
    """Scalar score minus K-1 ordered cut points -> K-1 logits of P(grade > k)."""

    def __init__(self, d_in, k):
        super().__init__()
        self.score = nn.Linear(d_in, 1)
        self.first = nn.Parameter(torch.tensor(-2.0))
        self.gaps = nn.Parameter(torch.full((k - 2,), -0.5))   # softplus keeps the cut points increasing

    def cuts(self):
        return torch.cat([self.first.view(1), self.first + torch.cumsum(F.softplus(self.gaps), 0)])

    def forward(self, h):
        return self.score(h) - self.cuts()


def parts():
    torch.manual_seed(43)
    X, grade = make_data()
    tr, va = slice(0, 2400), slice(2400, None)
    n_cont = 9
    mu, sd = X[tr, :n_cont].mean(0), X[tr, :n_cont].std(0)
    X = X.copy()
    X[:, :n_cont] = (X[:, :n_cont] - mu) / sd                 # setter one-hots stay 0/1
    X = torch.tensor(X, dtype=torch.float32)
    Y = torch.tensor(grade[:, None] > np.arange(K - 1)[None], dtype=torch.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), CumulativeLink(48, K))
    return dict(
        model=model,
        train=(X[tr], Y[tr]),
        val=(X[va], Y[va]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )


def setup():
    return nndoctor.Setup(**parts())


if __name__ == "__main__":          # plain training of the spec, for the record
    s = parts()
    (Xt, Yt), (Xv, Yv) = s["train"], s["val"]
    model, loss_fn = s["model"], s["loss"]
    opt = s["optimizer"](model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(25):
        model.train()
        for b in torch.randperm(len(Xt), generator=g).split(32):
            opt.zero_grad()
            loss_fn(model(Xt[b]), Yt[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xv)
        vloss = loss_fn(logits, Yv).item()
    pred = (logits > 0).sum(1)
    true = Yv.sum(1)
    exact = (pred == true).float().mean().item()
    within1 = ((pred - true).abs() <= 1).float().mean().item()
    mae = (pred - true).abs().float().mean().item()
    print(f"final val_loss={vloss:.4f} exact_grade={exact:.4f} within_one_grade={within1:.4f} grade_MAE={mae:.4f}")
