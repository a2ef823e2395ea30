import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


def setup():
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y  # predict malignant (the minority class) as positive
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=11, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train).astype(np.float32)
    X_val = scaler.transform(X_val).astype(np.float32)
    pos = y_train.mean()
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(30, 32), nn.Tanh(), nn.Dropout(0.1), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.reshape(-1, 1).astype(np.float32)),
        val=(X_val, y_val.reshape(-1, 1).astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - pos) / pos], dtype=torch.float32)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
