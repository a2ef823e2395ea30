"""Checkup spec: breast-cancer diagnosis (scikit-learn's Wisconsin data) with a wide MLP under
heavy dropout (0.5 after each hidden layer), label-smoothed cross-entropy (0.1) on two logits,
and SGD with Nesterov momentum and weight decay. Stratified split; features standardised with
training statistics. The training loss floor is raised by the smoothing and the dropout on
purpose."""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    data = load_breast_cancer()
    X_tr, X_va, y_tr, y_va = train_test_split(data.data, data.target, test_size=0.25,
                                              stratify=data.target, random_state=4)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    f = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    torch.manual_seed(4)
    model = nn.Sequential(
        nn.Linear(30, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 2))
    return nndoctor.Setup(
        model=model,
        train=(f(X_tr), torch.tensor(y_tr)),
        val=(f(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-4),
        batch_size=32,
    )
