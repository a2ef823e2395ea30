"""Time to failure of industrial centrifugal pumps (DeepSurv-style Cox model).

Each pump has condition-monitoring covariates at install/inspection time and either a failure
time or a censoring time (still running at data extraction, or retired for other reasons).
The network outputs a log-risk score; training minimises the negative Cox partial likelihood
(Breslow ties) on minibatches, and model selection uses Harrell's C-index on held-out pumps.
"""
import copy

import numpy as np
import torch
from torch import nn


def simulate_fleet(n, rng):
    age_y = rng.uniform(0, 15, n)
    vib_rms = rng.lognormal(0.6, 0.45, n)                  # mm/s
    bearing_temp = rng.normal(62, 9, n)                     # deg C
    load = rng.beta(5, 2, n)                                # fraction of rated flow
    npsh_margin = rng.normal(1.5, 0.8, n)                   # m, cavitation margin
    seal_type = rng.integers(0, 3, n)                       # 0 packing, 1 single mech, 2 double mech
    maint_per_y = rng.poisson(1.5, n)
    solids = rng.random(n) < 0.25                           # abrasive service
    log_hazard = (0.08 * age_y + 0.9 * np.log(vib_rms) + 0.004 * (bearing_temp - 60) ** 2
                  + 1.2 * np.maximum(0.3 - npsh_margin, 0) + 1.5 * load * (vib_rms > 2.5)
                  + np.array([0.4, 0.0, -0.3])[seal_type] - 0.15 * maint_per_y + 0.6 * solids
                  - 0.35 * np.abs(load - 0.75) * 3)
    # Weibull failure times (shape 1.6) with that proportional hazard
    scale = 10.0 * np.exp(-log_hazard / 1.6)
    t_fail = scale * rng.weibull(1.6, n)
    t_cens = rng.uniform(0.5, 8.0, n)                       # years observed
    time = np.minimum(t_fail, t_cens)
    event = (t_fail <= t_cens).astype(np.float32)
    X = np.column_stack([age_y, np.log(vib_rms), bearing_temp, load, npsh_margin, maint_per_y, solids,
                         seal_type == 0, seal_type == 1, seal_type == 2]).astype(np.float32)
    return X, time.astype(np.float32), event


def cox_ph_loss(log_risk, time, event):
    order = torch.argsort(time, descending=True)
    lr, ev = log_risk[order], event[order]
    log_cum = torch.logcumsumexp(lr, dim=0)                # log sum over the risk set {j: t_j >= t_i}
    return -((lr - log_cum) * ev).sum() / ev.sum().clamp(min=1.0)


def c_index(risk, time, event):
    risk, time, event = map(np.asarray, (risk, time, event))
    conc, total = 0.0, 0
    for i in np.where(event == 1)[0]:
        at_risk = time > time[i]
        total += at_risk.sum()
        conc += (risk[i] > risk[at_risk]).sum() + 0.5 * (risk[i] == risk[at_risk]).sum()
    return conc / total


def main():
    torch.manual_seed(41)
    rng = np.random.default_rng(41)
    X, t, e = simulate_fleet(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    cont = slice(0, 6)                                      # standardise continuous columns only
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    print(f"train pumps {len(tr)}, failures observed {int(e[tr].sum())} ({e[tr].mean():.0%}), rest censored")

    Xtr, ttr, etr = map(torch.from_numpy, (X[tr], t[tr], e[tr]))
    Xva = torch.from_numpy(X[va])

    model = nn.Sequential(nn.Linear(X.shape[1], 48), nn.ELU(), nn.Dropout(0.1),
                          nn.Linear(48, 48), nn.ELU(), nn.Linear(48, 1, bias=False))
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)

    best_c, best_state, bad_epochs, patience = -1.0, None, 0, 6
    for epoch in range(1, 41):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(perm), 128):
            b = perm[i:i + 128]
            loss = cox_ph_loss(model(Xtr[b]).squeeze(1), ttr[b], etr[b])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            risk = model(Xva).squeeze(1).numpy()
        c = c_index(risk, t[va], e[va])
        if c > best_c + 1e-4:
            best_c, best_state, bad_epochs = c, copy.deepcopy(model.state_dict()), 0
        else:
            bad_epochs += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  last batch loss {loss.item():.4f}  val C-index {c:.4f}")
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        risk = model(Xva).squeeze(1).numpy()
    print(f"final: val C-index {c_index(risk, t[va], e[va]):.4f}")


if __name__ == "__main__":
    main()
