import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


def store_days(n, seed):
    """Daily records: temperature, price, promo flag, store id (30 stores); label = high-demand day."""
    rng = np.random.default_rng(0)
    store_effect = rng.normal(0, 2.0, 30)
    rng = np.random.default_rng(seed)
    temp = rng.normal(18, 7, n)
    price = rng.uniform(2.0, 6.0, n)
    promo = (rng.random(n) < 0.3).astype(float)
    store = rng.integers(0, 30, n)
    logit = 0.12 * (temp - 18) - 0.8 * (price - 4) + 1.0 * promo + store_effect[store]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    X = np.column_stack([temp, price, promo, store])
    return X, y


def setup():
    X, y = store_days(5000, seed=701)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=701, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train).astype(np.float32)
    X_val = scaler.transform(X_val).astype(np.float32)
    torch.manual_seed(21)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
