"""Checkup spec: grading Akoya pearls from the imaging rig's measurements.

The rig photographs each pearl under a ring lamp on a turntable and reports a
handful of optical and shape measurements; graders assign AAA / AA / A / B.
The model carries its own input standardisation (fitted on the training lot)
so the exported module can be dropped straight into the rig software.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

GRADES = ["AAA", "AA", "A", "B"]
RIG_COLUMNS = ["gloss_index", "reflect_sharpness", "roundness_dev_pct", "nacre_mm", "spot_count",
               "blemish_pct", "overtone_rose", "overtone_green", "body_tone", "lamp_gain",
               "size_dev_mm", "drill_offset_mm"]
FEATURES = ["gloss_index", "reflect_sharpness", "roundness_dev_pct", "nacre_mm", "spot_count",
            "blemish_pct", "overtone_rose", "overtone_green", "body_tone",
            "size_dev_mm", "drill_offset_mm"]


def rig_export(n, seed=0):
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1, n)                                   # latent pearl quality
    gloss = 1.6 + 0.45 * quality + rng.normal(0, 0.35, n)
    sharp = 1.2 + 0.30 * quality + 0.3 * (gloss - 1.6) + rng.normal(0, 0.3, n)
    round_dev = np.abs(rng.normal(1.5 - 0.4 * quality, 0.8, n))
    nacre = np.clip(0.45 + 0.12 * quality + rng.normal(0, 0.1, n), 0.1, None)
    spots = rng.poisson(np.exp(0.6 - 0.5 * quality))
    blemish = rng.gamma(1.5, np.exp(-0.3 * quality) * 0.6)
    rose = rng.beta(2, 3, n) * 2
    green = rng.beta(2, 5, n) * 2
    tone = rng.normal(1.0, 0.4, n)
    lamp_gain = np.ones(n)                                          # ring lamp calibration
    size_dev = rng.normal(0, 0.6, n)
    drill = np.abs(rng.normal(0, 0.15, n))
    cols = dict(gloss_index=gloss, reflect_sharpness=sharp, roundness_dev_pct=round_dev, nacre_mm=nacre,
                spot_count=spots, blemish_pct=blemish, overtone_rose=rose, overtone_green=green,
                body_tone=tone, lamp_gain=lamp_gain, size_dev_mm=size_dev, drill_offset_mm=drill)
    # graders: a pearl is only as good as its weakest attribute; overtone adds a little
    luster = 1.8 * (gloss - 1.6) + 1.0 * (sharp - 1.2) + 2.0 * (nacre - 0.45)
    surface = 0.6 - 0.55 * spots - 0.8 * blemish
    shape = 0.9 - 0.6 * round_dev - 0.5 * np.abs(size_dev)
    score = np.minimum(np.minimum(luster, surface), shape) + 0.25 * rose + rng.normal(0, 0.15, n)
    cuts = np.quantile(score, [0.2, 0.5, 0.8])
    grade = 3 - np.searchsorted(cuts, score)                         # 0 = AAA ... 3 = B
    return cols, grade


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


def setup():
    torch.manual_seed(0)
    cols, grade = rig_export(2600, seed=4)
    X = np.stack([cols[c] for c in FEATURES], axis=1).astype(np.float32)
    y = grade.astype(np.int64)
    X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]

    model = nn.Sequential(
        Standardize(X_tr.mean(0), X_tr.std(0)),
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
