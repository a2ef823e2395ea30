"""Round 25's measurements (benchmarks/outofsample/round25/RESULTS.md) and the tuning half's misses they share."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

import nndoctor


def _stripe_images(n: int = 1600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """10x10 noisy images of four patterns (a row, a column, the diagonal, a 2x2 block) at random places."""
    g = np.random.default_rng(seed)
    labels = g.integers(0, 4, n)
    images = np.zeros((n, 1, 10, 10), np.float32)
    for i, label in enumerate(labels):
        r, c = g.integers(1, 8, 2)
        if label == 0:
            images[i, 0, r, :] = 1
        elif label == 1:
            images[i, 0, :, c] = 1
        elif label == 2:
            np.fill_diagonal(images[i, 0], 1)
        else:
            images[i, 0, r:r + 2, c:c + 2] = 1
    return images + 0.3 * g.standard_normal(images.shape).astype(np.float32), labels


def _plain_conv_stack(normalised: bool, channels: int = 12, depth: int = 6) -> nn.Sequential:
    def block() -> list[nn.Module]:
        return [nn.Conv2d(channels, channels, 3, padding=1), *([nn.BatchNorm2d(channels)] if normalised else []),
                nn.ReLU()]
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), *sum([block() for _ in range(depth)], []),
                         nn.MaxPool2d(2), *sum([block() for _ in range(depth)], []), nn.Flatten(),
                         nn.Linear(channels * 25, 64), nn.ReLU(), nn.Linear(64, 4))


def test_gradients_growing_out_of_a_deep_plain_stacks_vanished_start_are_put_down_to_its_depth():
    # Thirteen plain convolutions: the first layer's gradient starts ~1e-6 of the last's (M205), and its norm then
    # grows ~100x under Adam as training escapes that start, which O403 reads as an explosion. Depth is the root.
    x, y = _stripe_images()

    def setup(normalised: bool) -> nndoctor.Setup:
        return nndoctor.Setup(model=_plain_conv_stack(normalised), train=(x[:1200], y[:1200]), val=(x[1200:], y[1200:]),
                              loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=2e-3),
                              batch_size=64)

    plain = nndoctor.checkup(setup(normalised=False), select=["M205", "O403"])
    assert plain.findings and plain.findings[0].code == "M205", plain.verdict()
    explosion = [f for f in plain.findings if f.code == "O403"]
    assert explosion and explosion[0].explained_by == "M205", plain.verdict()
    assert not {"M205", "O403"} & set(nndoctor.checkup(setup(normalised=True), select=["M205", "O403"]).codes)
