import numpy as np
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_in=8, hidden=64, n_out=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = make_regression(n_samples=1500, n_features=8, n_informative=6, noise=5.0, random_state=106)
    X_train, X_val, y_train, y_val = train_test_split(X.astype(np.float32), y, test_size=0.2, random_state=106)
    rng = np.random.default_rng(106)
    glitch = rng.random(len(y_train)) < 0.05
    y_train = np.where(glitch, y_train + rng.choice([-1.0, 1.0], size=len(y_train)) * 8 * y_train.std(), y_train)
    y_mean, y_std = np.median(y_train), np.percentile(y_train, 75) - np.percentile(y_train, 25)
    y_train = ((y_train - y_mean) / y_std).astype(np.float32)[:, None]
    y_val = ((y_val - y_mean) / y_std).astype(np.float32)[:, None]

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.SmoothL1Loss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.002, weight_decay=0.01),
        batch_size=32,
    )
