"""Heartbeat morphology classifier (single-lead ECG segments, 128 samples at 180 Hz)."""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["normal", "supraventricular", "ventricular", "fusion", "paced"]


def _beats(n, rng):
    t = np.linspace(-0.35, 0.35, 128)
    y = rng.integers(0, len(CLASSES), n)
    X = np.zeros((n, 128))
    for k in range(n):
        c = y[k]
        jitter = rng.normal(0, 0.03)
        p_amp = {0: 0.15, 1: 0.05, 2: 0.0, 3: 0.08, 4: 0.1}[c] * rng.uniform(0.7, 1.3)
        qrs_w = {0: 0.014, 1: 0.014, 2: 0.026, 3: 0.02, 4: 0.022}[c] * rng.uniform(0.75, 1.25)
        qrs_amp = {0: 1.0, 1: 0.9, 2: 1.4, 3: 1.1, 4: 0.8}[c] * rng.uniform(0.8, 1.2)
        t_amp = {0: 0.3, 1: 0.25, 2: -0.4, 3: 0.1, 4: -0.2}[c] * rng.uniform(0.7, 1.3)
        p_pos = -0.17 if c != 1 else -0.11
        beat = (p_amp * np.exp(-((t - p_pos - jitter) / 0.025) ** 2)
                + qrs_amp * np.exp(-((t - jitter) / qrs_w) ** 2)
                - 0.2 * qrs_amp * np.exp(-((t - 0.03 - jitter) / 0.01) ** 2)
                + t_amp * np.exp(-((t - 0.2 - jitter) / 0.05) ** 2))
        if c == 4:
            beat += 0.35 * np.exp(-((t + 0.06 - jitter) / 0.003) ** 2)      # pacing spike
        wander = 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * (t + rng.uniform(0, 3)))
        X[k] = rng.uniform(0.6, 1.4) * beat + wander + rng.normal(0, 0.12, 128)
    return X.astype(np.float32)[:, None, :], y


class BeatCNN(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        chans = [1, 16, 32, 32, 64, 64]
        layers = []
        for i in range(len(chans) - 1):
            layers += [nn.Conv1d(chans[i], chans[i + 1], 5, padding=2), nn.ReLU()]
            if i % 2 == 1:
                layers.append(nn.MaxPool1d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 32, 128), nn.ReLU(),
                                        nn.Linear(128, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def init_weights(m):
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)


def setup():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    X, y = _beats(2400, rng)
    model = BeatCNN()
    model.apply(init_weights)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000])),
        val=(torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
