"""Checkup spec: few-label digit recognition (300 labelled scans) on top of a convolutional
encoder pretrained as a denoising autoencoder on the full unlabelled pool. The encoder is
frozen (requires_grad=False); only the linear probe trains, with Adagrad at lr=0.5, which
suits a convex probe on fixed features.
"""
import numpy as np
import torch
import nndoctor
from sklearn.datasets import load_digits
from torch import nn


def pretrain_encoder(x_unlab, epochs=25):
    enc = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                        nn.ReLU(), nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU())
    dec = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 64))
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=2e-3)
    for _ in range(epochs):
        for idx in torch.randperm(len(x_unlab)).split(128):
            xb = x_unlab[idx]
            noisy = xb + 0.3 * torch.randn_like(xb)
            loss = nn.functional.mse_loss(dec(enc(noisy)), xb.flatten(1))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return enc


def setup():
    torch.manual_seed(9)
    rng = np.random.default_rng(9)
    d = load_digits()
    X = torch.tensor(d.images / 16.0 * 2 - 1, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target)
    perm = torch.from_numpy(rng.permutation(len(X)))
    pool, val = perm[:1400], perm[1400:]
    labelled = pool[:300]

    encoder = pretrain_encoder(X[pool])
    for p in encoder.parameters():
        p.requires_grad_(False)
    model = nn.Sequential(encoder, nn.Linear(64, 10))

    return nndoctor.Setup(
        model=model,
        train=(X[labelled], y[labelled]),
        val=(X[val], y[val]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adagrad([p for p in params if p.requires_grad], lr=0.5),
        batch_size=32,
    )
