"""Which pest is eating a stilt-house timber pile?

Survey crews inspecting raised timber houses on river floodplains log a resistograph
drilling profile summary and field observations for every damaged pile. The agency wants
a triage model that names the likely culprit before a specialist visits: subterranean
termites, drywood termites, carpenter ants, wood-boring beetles or fungal decay.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

PESTS = ["subterranean termite", "drywood termite", "carpenter ant", "wood-boring beetle", "fungal decay"]
FIELDS = ["moisture_pct", "height_above_ground_m", "density_kg_m3", "age_years", "preservative_kg_m3",
          "gallery_width_mm", "gallery_alignment", "frass_pellet_mm", "mud_tubes", "drill_drop_depth_cm",
          "drill_drop_count", "resistance_cv", "surface_softness", "humidity_pct", "shade_fraction",
          "distance_to_water_m"]


def survey(n, rng):
    pest = rng.integers(0, len(PESTS), n)
    z = rng.normal(0, 1, (n, 6))
    centre = rng.normal(0, 1.0, (len(PESTS), 6))
    z += centre[pest]
    mix = rng.normal(0, 1, (6, len(FIELDS)))
    h = np.tanh(z @ rng.normal(0, 0.7, (6, 6))) + 0.5 * z
    X = h @ mix + 0.6 * np.sin(z[:, :1] * z[:, 1:2]) + rng.normal(0, 0.8, (n, len(FIELDS)))
    return X.astype(np.float32), pest


class PileNet(nn.Module):
    def __init__(self, d_in, n_out, width=64, n_layers=20):
        super().__init__()
        layers = [nn.Linear(d_in, width), nn.ReLU()]
        for _ in range(n_layers - 1):
            layers += [nn.Linear(width, width), nn.ReLU()]
        layers.append(nn.Linear(width, n_out))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def setup():
    rng = np.random.default_rng(17)
    X, y = survey(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    torch.manual_seed(17)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    return nndoctor.Setup(
        model=PileNet(len(FIELDS), len(PESTS)),
        train=(Xt[tr], yt[tr]),
        val=(Xt[va], yt[va]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
        name="stilt-pile-borers",
    )
