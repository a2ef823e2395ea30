"""Materials-recovery facility: classify items on the sorting belt from the sensor bridge
(hyperspectral summary, eddy-current, weight/size, colour camera) into six output chutes.
Rare chutes (glass, steel) get higher loss weights. Checkup spec."""
import math

import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor

CHUTES = ["PET", "HDPE", "paperboard", "aluminium", "steel", "glass"]
SHARES = [0.38, 0.24, 0.19, 0.10, 0.05, 0.04]


def belt_items(n, rng):
    y = rng.choice(len(CHUTES), n, p=SHARES)
    density = np.array([1.38, 0.95, 0.7, 2.7, 7.8, 2.5])[y] * rng.lognormal(0, 0.5, n)
    thickness = np.array([0.3, 0.8, 0.5, 0.15, 0.25, 3.0])[y] * rng.lognormal(0, 0.5, n)
    eddy = np.array([0.0, 0.0, 0.0, 1.0, 0.6, 0.0])[y] * rng.uniform(0.3, 1.2, n) + rng.normal(0, 0.3, n)
    magnetic = ((y == 4) & (rng.random(n) < 0.9)) | (rng.random(n) < 0.02)
    nir_c_h = np.array([0.8, 1.0, 0.3, 0.0, 0.0, 0.05])[y] + rng.normal(0, 0.4, n)     # C-H stretch band
    nir_o_h = np.array([0.2, 0.05, 0.9, 0.0, 0.0, 0.3])[y] + rng.normal(0, 0.4, n)      # cellulose O-H
    hue = rng.uniform(0, 2 * np.pi, n)
    sat = np.where(np.isin(y, [0, 5]), rng.beta(1.2, 6, n), rng.beta(2, 2, n))
    gloss = np.array([0.7, 0.4, 0.15, 0.8, 0.5, 0.85])[y] + rng.normal(0, 0.25, n)
    label_print = (rng.random(n) < 0.5).astype(float)                                   # printed label seen
    weight_g = density * thickness * rng.lognormal(3.0, 0.6, n)
    cont = np.column_stack([np.log(density), np.log(thickness), eddy, nir_c_h, nir_o_h, np.sin(hue),
                            np.cos(hue), sat, gloss, np.log(weight_g)])
    binary = np.column_stack([magnetic.astype(float), label_print])
    return cont.astype(np.float32), binary.astype(np.float32), y.astype(np.int64)


def warmup_cosine(optimizer, total_steps, warmup=60):
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total_steps - warmup))))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def setup():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    cont, binary, y = belt_items(5000, rng)
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=13)
    mu, sd = cont[idx_tr].mean(0), cont[idx_tr].std(0)
    X = np.hstack([(cont - mu) / sd, binary]).astype(np.float32)      # 0/1 sensor flags kept as they are

    counts = np.bincount(y[idx_tr], minlength=len(CHUTES))
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()

    model = nn.Sequential(nn.Linear(X.shape[1], 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(),
                          nn.Linear(48, len(CHUTES)))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[idx_tr]), torch.from_numpy(y[idx_tr])),
        val=(torch.from_numpy(X[idx_va]), torch.from_numpy(y[idx_va])),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-3),
        scheduler=warmup_cosine,
        batch_size=64,
    )
