import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import Dataset

import nndoctor


class Reconstruction(Dataset):
    def __init__(self, X):
        self.X = torch.as_tensor(X)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.X[i]


def setup():
    X, _ = load_digits(return_X_y=True)
    X = (X / 8.0 - 1.0).astype(np.float32)  # pixels 0..16 -> [-1, 1]
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=401)
    torch.manual_seed(14)
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 24), nn.ReLU(),
        nn.Linear(24, 128), nn.ReLU(), nn.Linear(128, 64),
    )
    return nndoctor.Setup(
        model=model,
        train=Reconstruction(X_train),
        val=Reconstruction(X_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
