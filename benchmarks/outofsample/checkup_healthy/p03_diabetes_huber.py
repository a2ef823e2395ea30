import numpy as np
import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = load_diabetes(return_X_y=True, scaled=False)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=5)
    xm, xs = X_train.mean(0), X_train.std(0)
    ym, ys = y_train.mean(), y_train.std()
    X_train, X_val = (X_train - xm) / xs, (X_val - xm) / xs
    y_train, y_val = (y_train - ym) / ys, (y_val - ym) / ys
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.SiLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(X_train.astype(np.float32), y_train.reshape(-1, 1).astype(np.float32)),
        val=(X_val.astype(np.float32), y_val.reshape(-1, 1).astype(np.float32)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
