"""Dye-recipe prediction for a textile colour kitchen (checkup spec).

A spectrophotometer measures the reflectance of a dyed cotton swatch at 31 wavelengths
(400-700 nm). The model proposes the concentrations (% on weight of fibre) of the three
reactive dyes (yellow, red, blue) of the house trichromatic set that reproduce the swatch.
Every recipe uses all three dyes, so the outputs go through a Softplus to keep them positive;
targets stay in their natural units (0.02-3 % owf), which is the scale the dye house works in.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

WL = np.linspace(400, 700, 31)


def kubelka_munk_swatches(n, seed=4):
    rng = np.random.default_rng(seed)

    def band(centre, width, height):
        return height * np.exp(-0.5 * ((WL - centre) / width) ** 2)

    k_dyes = np.stack([
        band(430, 35, 9.0) + band(470, 25, 4.0),     # yellow absorbs blue/violet
        band(520, 30, 8.0) + band(550, 25, 5.0),     # red absorbs green
        band(610, 40, 7.0) + band(660, 30, 5.0),     # blue absorbs orange/red
    ])
    conc = np.exp(rng.uniform(np.log(0.02), np.log(3.0), size=(n, 3)))
    substrate = 0.02 + 0.01 * rng.random((n, 1)) + 0.004 * (WL[None] - 400) / 300
    ks = substrate + conc @ k_dyes * rng.lognormal(0, 0.03, size=(n, 1))
    refl = 1 + ks - np.sqrt(ks ** 2 + 2 * ks)
    refl = refl + rng.normal(0, 0.003, refl.shape)      # instrument noise
    return refl.astype(np.float32), conc.astype(np.float32)


class RecipeNet(nn.Module):
    def __init__(self, n_in=31, n_dyes=3, width=128):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, width), nn.GELU(),
                                  nn.Linear(width, width), nn.GELU())
        self.out = nn.Linear(width, n_dyes)
        self.positive = nn.Softplus()

    def forward(self, x):
        return self.positive(self.out(self.body(x)))


def setup():
    torch.manual_seed(1)
    R, C = kubelka_munk_swatches(3600)
    n_tr = 3000
    # absorbance-like inputs are closer to linear in concentration than reflectance
    A = -np.log(np.clip(R, 1e-3, None))
    mu, sd = A[:n_tr].mean(0), A[:n_tr].std(0)
    A = ((A - mu) / sd).astype(np.float32)
    return nndoctor.Setup(
        model=RecipeNet(),
        train=(torch.from_numpy(A[:n_tr]), torch.from_numpy(C[:n_tr])),
        val=(torch.from_numpy(A[n_tr:]), torch.from_numpy(C[n_tr:])),
        loss=nn.SmoothL1Loss(beta=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
