"""Chimney sweeping contractor: predict the available draught (Pa) at the appliance
outlet from a survey of the flue — stack height, flue-gas and outdoor temperature,
liner diameter and roughness, number of bends, wind at the terminal — to decide which
installations need a draught stabiliser.  A few hundred surveys only: full-batch
L-BFGS with strong-Wolfe line search on a small tanh MLP, L2 penalty in the closure.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(41)
rng = np.random.default_rng(41)


def surveys(n):
    H = rng.uniform(4, 18, n)                 # effective height m
    t_gas = rng.uniform(80, 260, n)           # C
    t_out = rng.uniform(-10, 25, n)           # C
    D = rng.uniform(0.12, 0.25, n)            # liner diameter m
    rough = rng.uniform(0.5, 3.0, n)          # mm
    bends = rng.integers(0, 4, n).astype(float)
    wind = rng.gamma(2.0, 1.6, n)             # m/s at terminal
    To, Ti = t_out + 273.15, t_gas + 273.15
    stack = 3463 * H * (1 / To - 1 / Ti) * 1.0   # theoretical stack effect, Pa
    v = 0.9 + 0.4 * (t_gas - 80) / 180          # flue gas speed m/s
    fric = (0.02 + 0.004 * rough) * H / D * 0.5 * 0.75 * v ** 2
    bend_loss = bends * 0.45 * 0.5 * 0.75 * v ** 2
    wind_term = 0.12 * wind ** 1.5 - 0.02 * wind ** 2.2
    house = rng.normal(0, 2.0, n)           # building depressurisation, not surveyed
    draught = stack - fric - bend_loss + wind_term + house + rng.normal(0, 1.5, n)
    X = np.column_stack([H, t_gas, t_out, D, rough, bends, wind])
    return X, draught


def main():
    X, y = surveys(500)
    tr, te = np.arange(400), np.arange(400, 500)
    mx, sx = X[tr].mean(0), X[tr].std(0)
    my, sy = y[tr].mean(), y[tr].std()
    Xtr = torch.tensor((X[tr] - mx) / sx, dtype=torch.float64)
    ytr = torch.tensor((y[tr] - my) / sy, dtype=torch.float64)
    Xte = torch.tensor((X[te] - mx) / sx, dtype=torch.float64)

    model = nn.Sequential(nn.Linear(7, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)).double()
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                                  line_search_fn="strong_wolfe")
    l2 = 2e-3

    def closure():
        optimizer.zero_grad()
        mse = nn.functional.mse_loss(model(Xtr).squeeze(-1), ytr)
        loss = mse + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        loss.backward()
        return loss

    for it in range(1, 21):
        loss = optimizer.step(closure)
        if it % 5 == 0:
            with torch.no_grad():
                pred = model(Xte).squeeze(-1).numpy() * sy + my
            rmse = np.sqrt(np.mean((pred - y[te]) ** 2))
            print(f"outer step {it:2d} objective {loss.item():.5f} test RMSE {rmse:.3f} Pa")
    r2 = 1 - np.sum((pred - y[te]) ** 2) / np.sum((y[te] - y[te].mean()) ** 2)
    print(f"final test R2 {r2:.4f} RMSE {rmse:.3f} Pa (target std {y[te].std():.3f} Pa)")


if __name__ == "__main__":
    main()
