"""Bridge weigh-in-motion: estimate a lorry's gross weight from girder strain gauges.

Sixteen gauges under the deck record a strain peak as each vehicle crosses; with
the crossing speed (from the two end gauges) and deck temperature, an MLP
estimates gross vehicle weight so overloaded lorries can be flagged for the
static scale.  The toolbox on the logger only has plain tensors, so the update
is written out by hand.  Reports validation MAE (tonnes) and R^2.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_GAUGES = 16


def simulate_crossings(n):
    axles = rng.integers(2, 7, size=n)                               # 2..6 axles
    gvw = np.clip(rng.gamma(4.0, 4.0, size=n) + 4.0 * axles, 3.5, 60.0)   # tonnes
    lane = rng.integers(0, 2, size=n)
    speed = rng.uniform(40, 95, size=n)                               # km/h
    temp = rng.normal(14, 8, size=n)                                  # deck temperature, C
    pos = np.linspace(0, 1, N_GAUGES)
    # influence line of each gauge depends on lane; axle spread smears the peak
    centre = np.where(lane == 0, 0.35, 0.65)[:, None]
    spread = (0.08 + 0.02 * axles)[:, None]
    influence = np.exp(-0.5 * ((pos[None, :] - centre) / spread) ** 2)
    dyn = 1.0 + 0.004 * (speed[:, None] - 60) * rng.normal(1, 0.3, size=(n, 1))   # dynamic amplification
    thermal = 0.9 * (temp[:, None] - 14)                                           # thermal drift, microstrain
    strain = 3.1 * gvw[:, None] * influence * dyn + thermal + rng.normal(0, 2.5, size=(n, N_GAUGES))
    X = np.column_stack([strain, speed, temp, axles]).astype(np.float32)
    return X, gvw.astype(np.float32)


def main():
    X, y = simulate_crossings(6000)
    X_tr, y_tr, X_va, y_va = X[:4800], y[:4800], X[4800:], y[4800:]
    x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    Xt = torch.from_numpy((X_tr - x_mu) / x_sd)
    yt = torch.from_numpy((y_tr - y_mu) / y_sd).unsqueeze(1)
    Xv = torch.from_numpy((X_va - x_mu) / x_sd)

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.Tanh(),
                          nn.Linear(64, 64), nn.Tanh(),
                          nn.Linear(64, 1))
    params = list(model.parameters())
    lr, batch_size, epochs = 0.02, 32, 40

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xt))
        running = 0.0
        for i in range(0, len(Xt), batch_size):
            idx = perm[i:i + batch_size]
            pred = model(Xt[idx])
            loss = ((pred - yt[idx]) ** 2).sum()
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
            running += loss.item() * len(idx)
        if epoch % 5 == 0 or epoch == epochs - 1:
            model.eval()
            with torch.no_grad():
                pv = model(Xv).squeeze(1).numpy() * y_sd + y_mu
            mae = np.abs(pv - y_va).mean()
            print(f"epoch {epoch:2d}  train_loss {running / len(Xt):.4f}  val_mae {mae:.3f} t")

    model.eval()
    with torch.no_grad():
        pv = model(Xv).squeeze(1).numpy() * y_sd + y_mu
    mae = np.abs(pv - y_va).mean()
    r2 = 1 - ((pv - y_va) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
    print(f"final val_mae={mae:.3f} t val_r2={r2:.4f}")


if __name__ == "__main__":
    main()
