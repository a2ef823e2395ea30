"""Irrigation valve faults (checkup spec): from a day's telemetry summary of a field
valve controller, flag each of four faults that may co-occur: leak, stuck closed, clogged
filter, low battery. Multi-label targets under BCEWithLogitsLoss, with pos_weight per fault
(faults are rare, and rarer still in combination); most valves show none.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

FAULTS = ["leak", "stuck_closed", "clogged_filter", "low_battery"]


def make_data(seed=37, n=4000):
    rng = np.random.default_rng(seed)
    leak = rng.random(n) < 0.08
    stuck = rng.random(n) < 0.05
    clog = rng.random(n) < 0.12
    batt = rng.random(n) < 0.07
    p_up = rng.normal(3.2, 0.35, n)                                    # bar
    flow_cmd = rng.uniform(0.5, 4.0, n)                                 # m3/h requested
    flow = flow_cmd * (1 - 0.3 * clog * rng.uniform(0, 1, n)) * (1 - 0.6 * stuck * rng.uniform(0.2, 1, n)) + rng.normal(0, 0.2, n)
    p_down = p_up - 0.15 * flow - 0.3 * clog * rng.uniform(0, 1, n) - 0.6 * stuck * rng.uniform(0, 1, n) + rng.normal(0, 0.2, n)
    night_flow = 0.02 + 0.2 * leak * rng.uniform(0.1, 1, n) + np.abs(rng.normal(0, 0.06, n))
    volts = 6.3 - 0.6 * batt * rng.uniform(0.2, 1, n) + rng.normal(0, 0.2, n)
    coil_ma = 250 * volts / 6.3 + 15 * stuck + rng.normal(0, 12, n)
    lag_s = rng.gamma(2, 0.8, n) + 3 * stuck * rng.random(n) + 1.0 * batt * rng.random(n)
    soil_delta = 0.8 * flow + 0.5 * leak + rng.normal(0, 0.25, n)
    temp = rng.normal(22, 6, n)
    X = np.stack([p_up, p_down, flow_cmd, flow, night_flow, volts, coil_ma, lag_s, soil_delta, temp], 1)
    Y = np.stack([leak, stuck, clog, batt], 1).astype(np.float32)
    return X, Y


def parts():
    torch.manual_seed(37)
    X, Y = make_data()
    tr, va = slice(0, 3200), slice(3200, None)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = torch.tensor((X - mu) / sd, dtype=torch.float32)
    Y = torch.from_numpy(Y)
    pos = Y[tr].mean(0)
    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, len(FAULTS)))
    return dict(
        model=model,
        train=(X[tr], Y[tr]),
        val=(X[va], Y[va]),
        loss=nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )


def setup():
    return nndoctor.Setup(**parts())


if __name__ == "__main__":          # plain training of the spec, for the record
    from sklearn.metrics import f1_score, roc_auc_score
    s = parts()
    (Xt, Yt), (Xv, Yv) = s["train"], s["val"]
    model, loss_fn = s["model"], s["loss"]
    opt = s["optimizer"](model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(20):
        model.train()
        for b in torch.randperm(len(Xt), generator=g).split(64):
            opt.zero_grad()
            loss_fn(model(Xt[b]), Yt[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xv)
        vloss = loss_fn(logits, Yv).item()
    p = torch.sigmoid(logits).numpy()
    auc = np.mean([roc_auc_score(Yv[:, k], p[:, k]) for k in range(len(FAULTS))])
    f1 = f1_score(Yv.numpy(), (p > 0.5).astype(int), average="macro", zero_division=0)
    print(f"final val_loss={vloss:.4f} macro_AUC={auc:.4f} macro_F1={f1:.4f}")
