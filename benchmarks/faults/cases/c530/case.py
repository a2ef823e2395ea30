import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class AutoEncoder(nn.Module):
    def __init__(self, inputs=64, code=16):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(inputs, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, code))
        self.decoder = nn.Sequential(nn.Linear(code, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, inputs))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def setup():
    X, _ = load_digits(return_X_y=True)
    X = (X[:, X.std(axis=0) > 3.0] / 16.0).astype(np.float32)
    X_train, X_val = train_test_split(X, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    model = AutoEncoder(inputs=X.shape[1])
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=1.0)
    return nndoctor.Setup(
        model=model,
        train=(X_train, X_train),
        val=(X_val, X_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
        task="regression",
    )
