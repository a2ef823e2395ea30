import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_out=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(32, n_out)

    def forward(self, x):
        return self.head(self.body(x))

    def train(self, mode=True):
        super().train(mode)
        if not any(p.requires_grad for p in self.body.parameters()):
            self.body.eval()
        return self


def setup():
    digits = load_digits()
    X = digits.images.astype(np.float32)[:, None] / 16.0
    X_train, X_val, y_train, y_val = train_test_split(X, digits.target, test_size=0.2, random_state=116, stratify=digits.target)
    mean, std = X_train.mean(), X_train.std()
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    model = Net()
    backbone_opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    X_pre, y_pre = torch.tensor(X_train), torch.tensor(y_train)
    for epoch in range(3):
        for idx in torch.randperm(len(X_pre)).split(32):
            backbone_opt.zero_grad()
            nn.functional.cross_entropy(model(X_pre[idx]), y_pre[idx]).backward()
            backbone_opt.step()
    for p in model.body.parameters():
        p.requires_grad = False
    model.head = nn.Linear(model.head.in_features, 10)
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.Adam((p for p in params if p.requires_grad), lr=0.003),
        batch_size=32,
    )
