"""Freight train arrival delay class at the terminal yard (ordinal: on time, <30 min,
30-120 min, 2-6 h, >6 h) from consist and corridor data known at departure.

Cumulative-link (proportional-odds) head on a small MLP: one score per train and four
ordered cut-points kept increasing by a softplus parameterisation. The whole training set
fits in memory, so the model is fitted full-batch with L-BFGS and a strong-Wolfe line search;
an explicit L2 penalty sits inside the closure. Reported: quadratic weighted kappa and
mean absolute class error against the majority class and a multinomial logistic regression.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score

torch.manual_seed(2)
torch.set_num_threads(1)
rng = np.random.default_rng(2)
torch.set_default_dtype(torch.float64)

n = 5000
length_m = rng.normal(1900, 450, n)                   # train length in metres
tonnage = length_m * rng.normal(5.2, 0.6, n)
locos = np.clip(np.round(tonnage / 4500 + rng.normal(0, 0.4, n)), 1, 5)
hp_per_ton = locos * 4400 / tonnage
distance = rng.uniform(200, 1500, n)                  # km
single_track = rng.beta(2, 3, n)                      # share of single-track route
meets = rng.poisson(distance * single_track / 120)    # scheduled meets / passes
dep_hour = rng.integers(0, 24, n)
crew_hours_left = rng.uniform(2, 12, n)
hazmat = rng.random(n) < 0.18
weekend = rng.random(n) < 2 / 7
latent = (0.0012 * (length_m - 1900) + 0.8 * (hp_per_ton < 1.0) - 1.2 * (hp_per_ton - 1.0)
          + 0.0015 * distance + 0.25 * meets + 0.6 * (crew_hours_left < distance / 110)
          + 0.4 * hazmat - 0.3 * weekend + 0.35 * np.cos(2 * np.pi * (dep_hour - 17) / 24)
          + 1.2 * (meets >= 4) * (length_m > 2100)            # too long for the passing sidings
          + rng.logistic(0, 0.6, n))
cuts = np.quantile(latent, [0.35, 0.6, 0.8, 0.93])
y = np.searchsorted(cuts, latent)                     # 0..4, ordered
hour_sin, hour_cos = np.sin(2 * np.pi * dep_hour / 24), np.cos(2 * np.pi * dep_hour / 24)
Xc = np.column_stack([length_m, tonnage, locos, hp_per_ton, distance, single_track, meets,
                      crew_hours_left, crew_hours_left - distance / 110])
X = np.column_stack([Xc, hazmat, weekend, hour_sin, hour_cos])
idx = rng.permutation(n)
tr, va = idx[:3800], idx[3800:]
mu, sd = Xc[tr].mean(0), Xc[tr].std(0)
X[:, :Xc.shape[1]] = (Xc - mu) / sd
Xtr, Xva = torch.tensor(X[tr]), torch.tensor(X[va])
ytr, yva = torch.tensor(y[tr]), torch.tensor(y[va])
print("class shares (train):", np.round(np.bincount(y[tr]) / len(tr), 3))


class CumulativeLink(nn.Module):
    def __init__(self, d, train_labels, k=5, hidden=32):
        super().__init__()
        self.score = nn.Sequential(nn.Linear(d, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        # cut-points start at the logits of the training set's cumulative class shares
        prior = np.cumsum(np.bincount(train_labels, minlength=k))[:-1] / len(train_labels)
        logit_cuts = np.log(prior / (1 - prior))
        self.first = nn.Parameter(torch.tensor(logit_cuts[0]))
        gaps = np.diff(logit_cuts)
        self.raw_gaps = nn.Parameter(torch.tensor(np.log(np.expm1(gaps))))

    def thresholds(self):
        return torch.cat([self.first.view(1), self.first + torch.cumsum(F.softplus(self.raw_gaps), 0)])

    def forward(self, x):
        s = self.score(x)                                  # (N, 1)
        cdf = torch.sigmoid(self.thresholds() - s)        # P(y <= j), j = 0..3
        ones, zeros = torch.ones_like(s), torch.zeros_like(s)
        cdf = torch.cat([zeros, cdf, ones], 1)
        return (cdf[:, 1:] - cdf[:, :-1]).clamp_min(1e-9)  # class probabilities


model = CumulativeLink(X.shape[1], y[tr])
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                        line_search_fn="strong_wolfe")
L2 = 3e-3


def nll(probs, target):
    return -torch.log(probs.gather(1, target[:, None])).mean()


def closure():
    opt.zero_grad()
    loss = nll(model(Xtr), ytr)
    loss = loss + L2 * sum((p ** 2).sum() for n_, p in model.score.named_parameters() if "weight" in n_)
    loss.backward()
    return loss


for it in range(10):
    loss = opt.step(closure)
    with torch.no_grad():
        vp = model(Xva)
        vl = nll(vp, yva).item()
    if it % 3 == 0 or it == 9:
        print(f"outer iter {it:2d} train objective {loss.item():.4f} val NLL {vl:.4f}")

with torch.no_grad():
    probs = model(Xva)
pred = probs.argmax(1).numpy()
qwk = cohen_kappa_score(y[va], pred, weights="quadratic")
mae = np.abs(pred - y[va]).mean()
lr = LogisticRegression(max_iter=3000).fit(X[tr], y[tr])
p_lr = lr.predict(X[va])
print(f"baselines: majority class QWK 0.000 MAE {np.abs(np.bincount(y[tr]).argmax() - y[va]).mean():.3f}; "
      f"multinomial logistic QWK {cohen_kappa_score(y[va], p_lr, weights='quadratic'):.3f} "
      f"MAE {np.abs(p_lr - y[va]).mean():.3f}")
print(f"final: val QWK {qwk:.3f} MAE {mae:.3f} classes, val NLL {vl:.4f}")
