"""Cell viability after 72 h of drug exposure, from compound descriptors, cell line and dose.

The target is the fraction of viable cells relative to the untreated control, a number in
[0, 1]. It is fitted as a fractional response: the network outputs a logit and the loss is
binary cross-entropy against the soft target (the quasi-likelihood of a fractional logit
model), which keeps predictions inside [0, 1] and matches the sigmoidal shape of dose-response
curves in log-dose. Cell line enters as a raw one-hot block; log10 dose and the descriptors
are standardised.
"""
import numpy as np
import torch
import nndoctor
from torch import nn

N_LINES, N_DESC = 10, 8


def make_plates(rng):
    n_comp = 160
    desc = rng.normal(0, 1, (n_comp, N_DESC))
    w_pot = rng.normal(0, 0.5, N_DESC)
    w_eff = rng.normal(0, 0.6, N_DESC)
    line_sens = rng.normal(0, 0.45, N_LINES)
    line_path = rng.normal(0, 1, (N_LINES, N_DESC)) * 0.25

    rows = []
    for c in range(n_comp):
        for line in rng.choice(N_LINES, 6, replace=False):
            log_ic50 = -6.0 + desc[c] @ w_pot - line_sens[line] - desc[c] @ line_path[line]
            emax = 1 / (1 + np.exp(-(1.0 + desc[c] @ w_eff)))          # maximal kill fraction
            hill = np.exp(rng.normal(0.1, 0.2))
            for log_dose in np.linspace(-9, -4, 9):
                v = 1 - emax / (1 + 10 ** (hill * (log_ic50 - log_dose)))
                v = np.clip(v + rng.normal(0, 0.04), 0, 1)
                rows.append((c, line, log_dose, v))
    c, line, log_dose, v = map(np.array, zip(*rows))
    X = np.concatenate([log_dose[:, None], desc[c], np.eye(N_LINES)[line]], axis=1)
    return X.astype(np.float32), v.astype(np.float32), c


def setup():
    torch.manual_seed(31)
    rng = np.random.default_rng(31)
    X, v, compound = make_plates(rng)
    # split by compound: the question is how well it generalises to unseen molecules
    val_comp = rng.choice(np.unique(compound), 32, replace=False)
    is_val = np.isin(compound, val_comp)
    tr, va = np.where(~is_val)[0], np.where(is_val)[0]
    cont = slice(0, 1 + N_DESC)
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.GELU(),
        nn.Linear(64, 64), nn.GELU(),
        nn.Linear(64, 1), nn.Flatten(0),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(v[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(v[va])),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )


if __name__ == "__main__":
    s = setup()
    Xv, vv = s.val
    print(Xv.shape, vv.min().item(), vv.max().item(), vv.mean().item())
