"""Shade outcome of reactive-dye batches in the jet-dyeing vats.

One row per batch from the dyehouse MES export; the lab's spectrophotometer grades the
dyed lot as 0 on-shade, 1 too light, 2 too dark, 3 uneven (listing / ending).
The network carries its own input scaling so the MES can feed it raw values.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

COLUMNS = ["vat_temp_c", "ph", "salt_g_l", "soda_g_l", "dye_pct_owf", "liquor_ratio",
           "ramp_c_per_min", "hold_min", "fabric_gsm", "water_hardness_dh", "reel_speed_m_min"]
FEATURES = ["vat_temp_c", "ph", "salt_g_l", "soda_g_l", "dye_pct_owf",
            "ramp_c_per_min", "hold_min", "fabric_gsm", "water_hardness_dh", "reel_speed_m_min"]


def mes_export(n, rng):
    d = {
        "vat_temp_c": rng.normal(60, 2.5, n),
        "ph": rng.normal(11.0, 0.25, n),
        "salt_g_l": rng.uniform(40, 80, n),
        "soda_g_l": rng.uniform(10, 25, n),
        "dye_pct_owf": rng.uniform(0.5, 4.0, n),
        "liquor_ratio": np.full(n, 8.0),
        "ramp_c_per_min": rng.uniform(0.5, 3.0, n),
        "hold_min": rng.uniform(30, 90, n),
        "fabric_gsm": rng.uniform(120, 260, n),
        "water_hardness_dh": rng.gamma(2.0, 1.5, n),
        "reel_speed_m_min": rng.uniform(150, 350, n),
    }
    # fixation: exhaustion and fixation rise with salt/soda/temperature, fall with hardness
    fix = (0.04 * (d["vat_temp_c"] - 60) + 1.2 * (d["ph"] - 11.0) + 0.02 * (d["salt_g_l"] - 60)
           + 0.05 * (d["soda_g_l"] - 17) + 0.01 * (d["hold_min"] - 60) - 0.15 * (d["water_hardness_dh"] - 3)
           - 0.004 * (d["fabric_gsm"] - 190))
    depth = fix + 0.35 * np.log(d["dye_pct_owf"] / 1.5) + rng.normal(0, 0.15, n)
    uneven = (d["ramp_c_per_min"] - 1.75) * 1.2 + (250 - d["reel_speed_m_min"]) / 80 + rng.normal(0, 0.3, n)
    y = np.zeros(n, dtype=np.int64)
    y[depth < -0.45] = 1
    y[depth > 0.45] = 2
    y[uneven > 1.1] = 3
    X = np.column_stack([d[c] for c in COLUMNS]).astype(np.float32)
    return X, y


class Scale(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


def setup():
    rng = np.random.default_rng(5)
    X, y = mes_export(6000, rng)
    X = X[:, [COLUMNS.index(c) for c in FEATURES]]
    Xtr, ytr, Xva, yva = X[:4800], y[:4800], X[4800:], y[4800:]
    Xtr_t = torch.from_numpy(Xtr)

    torch.manual_seed(1)
    model = nn.Sequential(
        Scale(Xtr_t.mean(0), Xtr_t.std(0)),
        nn.Linear(len(FEATURES), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr_t, torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
