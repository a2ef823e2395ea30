"""Float-glass furnaces: classify the dominant defect of a ribbon sample from furnace state.

The plant historian export holds one row per inspected sample from three furnaces (rows come
grouped per furnace). Features: crown / bottom / throat / refiner temperatures, pull rate,
cullet share, batch moisture, sulphate dosing, combustion O2, redox number, bubbler flow and
electric boost. Classes: 0 good, 1 seeds (fine bubbles), 2 stones, 3 cord / ream.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor

FEATURES = ["crown_t", "bottom_t", "throat_t", "refiner_t", "pull_tpd", "cullet", "moisture",
            "sulphate", "o2", "redox", "bubbler", "boost_kw"]


def furnace(n, rng, pull, cullet, crown, boost):
    crown_t = rng.normal(crown, 12, n)
    bottom_t = crown_t - rng.normal(180, 15, n)
    throat_t = crown_t - rng.normal(260, 20, n)
    refiner_t = throat_t - rng.normal(60, 15, n)
    pull_tpd = rng.normal(pull, 40, n)
    cullet_s = np.clip(rng.normal(cullet, 0.06, n), 0.05, 0.8)
    moisture = rng.gamma(4, 0.9, n)
    sulphate = rng.normal(5.5, 0.8, n)
    o2 = rng.normal(2.0, 0.5, n)
    redox = rng.normal(-15, 6, n)
    bubbler = rng.gamma(3, 1.0, n)
    boost_kw = rng.normal(boost, 300, n)
    X = np.column_stack([crown_t, bottom_t, throat_t, refiner_t, pull_tpd, cullet_s, moisture,
                         sulphate, o2, redox, bubbler, boost_kw])
    residence = 1000.0 / pull_tpd
    s_good = np.full(n, 1.0)
    s_seed = 2.2 * (pull_tpd / 600 - 1) - 0.02 * (refiner_t - 1245) - 0.35 * (sulphate - 5.5) + 0.04 * (redox + 15) + 0.6
    s_stone = 0.8 * np.maximum(3.0 - moisture, 0) + 0.15 * np.maximum(crown_t - 1585, 0) + 1.5 * (cullet_s - 0.3)
    s_cord = 0.9 * np.abs(bubbler - 3) - 1.2 * (residence - 1.6) + 0.0006 * (boost_kw - 1500)
    scores = np.column_stack([s_good, s_seed, s_stone, s_cord]) + rng.gumbel(0, 0.15, (n, 4))
    return X, scores.argmax(1)


def historian_export(seed=21):
    rng = np.random.default_rng(seed)
    parts = [furnace(1500, rng, pull=600, cullet=0.25, crown=1565, boost=1500),
             furnace(1500, rng, pull=560, cullet=0.30, crown=1560, boost=1200),
             furnace(1000, rng, pull=700, cullet=0.40, crown=1600, boost=1900)]
    X = np.concatenate([p[0] for p in parts]).astype(np.float32)
    y = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return X, y


def setup():
    torch.manual_seed(4)
    X, y = historian_export()
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
    )
