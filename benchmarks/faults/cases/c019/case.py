import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

CATEGORIES = 20


def load_orders(n=2000, seed=1):
    rng = np.random.default_rng(seed)
    category = rng.integers(0, CATEGORIES, n)
    basket = rng.lognormal(3.0, 0.6, n)
    account_age = rng.uniform(0, 10, n)
    risky = rng.permutation(CATEGORIES)[: CATEGORIES // 2]
    logit = 2.5 * np.isin(category, risky) - 1.2 + 0.3 * (np.log(basket) - 3.0) - 0.1 * account_age
    returned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return np.column_stack([np.log(basket), account_age]), category, returned.astype(np.float32)


class ReturnModel(nn.Module):
    def __init__(self, n_inputs):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_inputs, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def setup():
    numeric, category, y = load_orders()
    numeric = (numeric - numeric.mean(axis=0)) / numeric.std(axis=0)
    X = np.hstack([numeric, np.eye(CATEGORIES)[category]])
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=ReturnModel(X.shape[1]),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
