"""Ice-cream freezer cabinets in kiosks: will a cabinet need a service call-out within the next
week? Telemetry summary of the last 7 days per cabinet plus its model and refrigerant (one-hot).
About one cabinet-week in seven ends in a call-out; the loss weights those up."""
import numpy as np
import torch
from torch import nn

import nndoctor

MODELS = ["chest_200l", "chest_350l", "upright_glass", "scoop_dipping", "soft_serve"]
GASES = ["R290", "R600a", "R404A"]


def cabinet_weeks(n, seed=8):
    rng = np.random.default_rng(seed)
    model = rng.choice(len(MODELS), n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    gas = rng.choice(len(GASES), n, p=[0.5, 0.3, 0.2])
    age_y = rng.gamma(2.5, 2.0, n)
    mean_c = rng.normal(-18.5, 1.2, n)
    swing_c = rng.gamma(3.0, 0.6, n)
    duty = rng.beta(5, 4, n)
    door_per_h = rng.gamma(2.0, 3.0, n)
    ambient = rng.normal(27, 4, n)
    defrost_min = rng.gamma(4.0, 6.0, n)
    z = (-3.8 + 1.3 * np.abs(mean_c + 18.5) + 0.7 * (swing_c - 1.8) + 4.0 * (duty - 0.55)
         + 0.18 * (age_y - 5) + 0.05 * (ambient - 27) + 0.08 * np.clip(door_per_h - 6, 0, None) * (ambient > 29) + 0.03 * (defrost_min - 24)
         + 0.8 * (gas == 2) + 0.6 * (model == 4) * (duty > 0.65))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    cont = np.stack([age_y, mean_c, swing_c, duty, door_per_h, ambient, defrost_min], 1)
    cat = np.concatenate([np.eye(len(MODELS))[model], np.eye(len(GASES))[gas]], 1)
    return cont.astype(np.float32), cat.astype(np.float32), y


def setup():
    torch.manual_seed(8)
    cont, cat, y = cabinet_weeks(6000)
    n_tr = 4800
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, cat], 1)      # one-hot columns left as 0/1
    pos = y[:n_tr].mean()
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    return nndoctor.Setup(
        model=model,
        train=(Xt[:n_tr], yt[:n_tr]),
        val=(Xt[n_tr:], yt[n_tr:]),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - pos) / pos])),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=128,
    )
