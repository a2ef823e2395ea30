"""How many days will a civil case take from filing to disposition?

Court administration uses the estimate to plan hearing slots.  Durations are
heavy-tailed (a few cases run for years), so we fit days directly on a robust
scale (median / IQR of the training cases) with a Huber loss, embed the court
and case-type codes, and stop early on validation MAE.  Evaluation sums
absolute errors over the whole split and divides once.  Reports MAE in days.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(8)
rng = np.random.default_rng(8)

N_COURTS, N_TYPES = 28, 11


def simulate_cases(n):
    court = rng.integers(0, N_COURTS, n)
    ctype = rng.choice(N_TYPES, n, p=rng.dirichlet(np.full(N_TYPES, 3.0)))
    parties = 2 + rng.poisson(0.8, n)
    motions = rng.poisson(2.5, n)
    claim = rng.lognormal(10, 1.5, n)                                     # claimed amount
    represented = rng.random(n) < 0.7
    caseload = rng.normal(0, 1, n)                                        # judge's open cases, z-score
    court_speed = rng.normal(0, 0.35, N_COURTS)
    type_effect = np.linspace(-0.8, 0.9, N_TYPES)[rng.permutation(N_TYPES)]
    log_days = (5.1 + court_speed[court] + type_effect[ctype] + 0.12 * (parties - 2)
                + 0.09 * motions + 0.08 * np.log(claim / 2e4) - 0.25 * represented
                + 0.15 * caseload + 0.1 * caseload * (motions > 3))
    noise = 0.35 * rng.standard_t(df=3, size=n)                           # heavy tails
    days = np.exp(log_days + noise)
    x_num = np.column_stack([parties, motions, np.log(claim), caseload, represented]).astype(np.float32)
    x_cat = np.column_stack([court, ctype]).astype(np.int64)
    return x_num, x_cat, days.astype(np.float32)


class DurationNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.court = nn.Embedding(N_COURTS, 6)
        self.ctype = nn.Embedding(N_TYPES, 4)
        self.mlp = nn.Sequential(nn.Linear(n_num + 10, 64), nn.SiLU(),
                                 nn.Linear(64, 32), nn.SiLU(), nn.Linear(32, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.court(x_cat[:, 0]), self.ctype(x_cat[:, 1])], dim=1)
        return self.mlp(h).squeeze(1)


@torch.no_grad()
def mae_days(model, x_num, x_cat, days, centre, scale, batch=1024):
    model.eval()
    abs_err = 0.0
    for i in range(0, len(days), batch):
        pred = model(x_num[i:i + batch], x_cat[i:i + batch]) * scale + centre
        abs_err += F.l1_loss(pred, days[i:i + batch], reduction="sum").item()
    return abs_err / len(days)


def main():
    xn, xc, d = simulate_cases(7000)
    tr, va = slice(0, 5600), slice(5600, None)
    cont = slice(0, 4)                                  # the last column is a 0/1 flag, left as is
    mu, sd = xn[tr, cont].mean(0), xn[tr, cont].std(0)
    xn[:, cont] = (xn[:, cont] - mu) / sd
    centre = float(np.median(d[tr]))
    scale = float(np.subtract(*np.percentile(d[tr], [75, 25])))

    Xn, Xc, D = torch.from_numpy(xn), torch.from_numpy(xc), torch.from_numpy(d)
    target = (D - centre) / scale
    n_train = 5600

    model = DurationNet(xn.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.HuberLoss(delta=1.0)
    best, best_state, patience, bad = float("inf"), None, 6, 0
    for epoch in range(60):
        model.train()
        for idx in torch.randperm(n_train).split(64):
            loss = loss_fn(model(Xn[idx], Xc[idx]), target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        val_mae = mae_days(model, Xn[va], Xc[va], D[va], centre, scale)
        if val_mae < best - 0.05:
            best, best_state, bad = val_mae, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} train_huber {loss.item():.4f} val_mae {val_mae:.1f} d")
        if bad >= patience:
            print(f"early stop at epoch {epoch}, best val_mae {best:.1f} d")
            break

    model.load_state_dict(best_state)
    val_mae = mae_days(model, Xn[va], Xc[va], D[va], centre, scale)
    naive = float(np.abs(d[va] - centre).mean())
    print(f"final val_mae={val_mae:.1f} days (median-only baseline {naive:.1f} days)")


if __name__ == "__main__":
    main()
