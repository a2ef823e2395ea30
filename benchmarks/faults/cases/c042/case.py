import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

REGIONS = 12


def load_sales(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    region = rng.integers(0, REGIONS, n)
    price = rng.uniform(5, 50, n)
    advertising = rng.gamma(2.0, 2.0, n)
    season = rng.uniform(0, 1, n)
    region_effect = np.sin(region * 2.4) * 3.0
    sales = region_effect - 0.08 * price + 0.6 * np.log1p(advertising) + np.cos(season * 6.28) + 0.3 * rng.standard_normal(n)
    return np.column_stack([price, advertising, season]), region, sales


def setup():
    numeric, region, sales = load_sales()
    X = np.column_stack([numeric, region])
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (sales - sales.mean()) / sales.std()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
