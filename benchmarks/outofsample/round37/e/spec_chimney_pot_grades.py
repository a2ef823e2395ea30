"""Checkup spec: weathering grade (0 sound .. 4 replace) of clay chimney pots from a roofing survey.

Grades are ordinal and imbalanced (most pots are sound or lightly crazed; few need replacing).
Class-weighted cross-entropy (inverse square-root frequency) with light label smoothing;
the one-hot clay/glaze/aspect columns and the 0/1 flags are left as they are, only the
continuous columns are standardised with training statistics.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_survey(seed=29, n=2600):
    rng = np.random.default_rng(seed)
    clay = rng.integers(0, 4, n)            # red, buff, terracotta, blue-black
    glaze = rng.integers(0, 3, n)           # none, salt, lead
    aspect = rng.integers(0, 4, n)          # N/E/S/W face
    age = rng.gamma(3, 25, n)               # years
    frost_days = rng.normal(45, 15, n)
    height = rng.uniform(0.4, 1.2, n)       # m
    flue_in_use = (rng.random(n) < 0.6).astype(float)
    coastal = (rng.random(n) < 0.25).astype(float)
    unglazed = (glaze == 0).astype(float)
    score = (0.35 * np.sqrt(age) + 0.03 * frost_days * (0.4 + unglazed) + 1.0 * coastal * (aspect == 3) + 0.4 * flue_in_use + 0.8 * (height - 0.8)
             + np.array([0.0, 0.3, 0.5, -0.4])[clay] + np.array([0.2, -0.3, -0.1])[glaze]
             + np.array([0.4, 0.2, -0.2, 0.0])[aspect] + rng.logistic(0, 0.25, n))
    grade = np.digitize(score, np.quantile(score, [0.3, 0.58, 0.78, 0.91])).astype(np.int64)
    onehot = lambda v, k: np.eye(k)[v]
    cont = np.stack([age, frost_days, height], 1)
    return onehot(clay, 4), onehot(glaze, 3), onehot(aspect, 4), np.stack([flue_in_use, coastal], 1), cont, grade


def setup():
    torch.manual_seed(29)
    c1, c2, c3, flags, cont, grade = make_survey()
    idx = np.random.default_rng(29).permutation(len(grade))
    tr, va = idx[:2000], idx[2000:]
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([c1, c2, c3, flags, (cont - mu) / sd], 1).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(grade)
    counts = np.bincount(grade[tr], minlength=5)
    w = 1 / np.sqrt(counts)
    w = torch.tensor(w / (w * counts).sum() * counts.sum(), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 5))
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.CrossEntropyLoss(weight=w, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )


if __name__ == "__main__":
    c1, c2, c3, flags, cont, grade = make_survey()
    print("grade shares:", np.round(np.bincount(grade) / len(grade), 3))
