"""Saffron lot grading (ISO 3632 category) from the lab's spectrophotometry sheet.

Per lot: crocin (E1% 440 nm), picrocrocin (257 nm), safranal (330 nm), moisture
and volatiles, floral waste share, foreign matter, mean stigma length and the
share of style left on.  Labels: category I, II, III or rejected.  Training
uses the current LIMS export plus the 2019-2021 archive, which stored the
category as a numeric code; validation is the current season only.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

GRADE_CODES = {"I": 0, "II": 1, "III": 2, "R": 3}
ARCHIVE_CODES = {"1": 0, "2": 1, "3": 2, "9": 3}


def lab_sheet(n, rng):
    quality = rng.normal(0, 1, n)
    crocin = 215 + 30 * quality + rng.normal(0, 12, n)
    picro = 80 + 12 * quality + rng.normal(0, 8, n)
    safranal = rng.normal(32, 6, n) - 3 * quality
    moisture = np.clip(rng.normal(9.5, 1.6, n) - 0.5 * quality, 4, None)
    waste = np.clip(rng.gamma(2, 1.6, n) - 0.8 * quality, 0, None)
    foreign = rng.exponential(0.25, n)
    length = rng.normal(24, 3, n) + 1.2 * quality
    style = np.clip(rng.beta(2, 8, n) - 0.04 * quality, 0, 1)
    X = np.column_stack([crocin, picro, safranal, moisture, waste, foreign, length, style])
    grade = np.where(crocin >= 220, "I", np.where(crocin >= 190, "II", np.where(crocin >= 160, "III", "R")))
    grade = np.where((grade != "R") & ((moisture > 12) | (foreign > 1.0)), "R", grade)
    grade = np.where((grade == "I") & (waste > 5), "II", grade)
    return X.astype(np.float32), grade


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X_cur, g_cur = lab_sheet(1500, rng)
    X_arc, g_arc = lab_sheet(600, rng)
    to_archive = {v: k for k, v in zip(["1", "2", "3", "9"], ["I", "II", "III", "R"])}
    arc_codes = np.array([to_archive[g] for g in g_arc])

    y_cur = np.array([GRADE_CODES[g] for g in g_cur])
    y_arc = np.array([ARCHIVE_CODES[c] for c in arc_codes])

    X_train = np.concatenate([X_cur[:1000], X_arc])
    y_train = np.concatenate([y_cur[:1000], y_arc])
    X_val, y_val = X_cur[1000:], y_cur[1000:]
    mu, sd = X_train.mean(0), X_train.std(0)

    model = nn.Sequential(
        nn.Linear(8, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy((X_train - mu) / sd), torch.from_numpy(y_train)),
        val=(torch.from_numpy((X_val - mu) / sd), torch.from_numpy(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
