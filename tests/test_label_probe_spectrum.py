"""D111's label probe on grid inputs read by a convolution: shapes anywhere on the grid are predictable.

Raw-pixel probes (logistic regression, nearest neighbours) cannot see a bar that moves
across the image: two bars at different places share no pixels. A convolutional net with
pooling sees it wherever it lies. The probe adds the Fourier modulus view (shift-invariant)
for such models, so paired labels are not called unpaired; labels permuted independently of
the images stay unpredictable in every view.
"""
from __future__ import annotations

import numpy as np
from data_fixtures import of, raised, run_data_checks, small_cnn
from torch import nn

import nndoctor
from nndoctor.probes.label_probe import conv_dims, probe_labels, spectrum_features


def bars(n: int = 900, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(N, 1, 16, 16) noisy images of a horizontal bar, a vertical bar or a diagonal at a random place; label = the shape."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.5, size=(n, 1, 16, 16)).astype(np.float32)
    y = rng.integers(0, 3, size=n)
    for i in range(n):
        r, c = rng.integers(2, 12, size=2)
        for k in range(-2, 3):
            rr, cc = (r, c + k) if y[i] == 0 else (r + k, c) if y[i] == 1 else (r + k, c + k)
            x[i, 0, rr, cc] += 1.0
    return x, y


def test_spectrum_is_shift_invariant_and_conv_dims_read_the_model():
    x, _ = bars(4)
    shifted = np.roll(x, (3, -5), axis=(2, 3))
    np.testing.assert_allclose(spectrum_features(shifted, 2), spectrum_features(x, 2), rtol=1e-6, atol=1e-6)
    assert spectrum_features(x, 2).shape == (4, 16 * 9)
    assert conv_dims(small_cnn(1, 3)) == 2
    assert conv_dims(nn.Sequential(nn.Conv1d(1, 4, 3), nn.Flatten())) == 1
    assert conv_dims(nn.Sequential(nn.Flatten(), nn.Linear(256, 3))) is None


def test_raw_pixel_probes_miss_moving_shapes_that_the_spectrum_finds():
    """The independent measurement: the raw view sits near chance, the shift-invariant one far above it."""
    x, y = bars()
    raw, spectrum = probe_labels(x, y, "multiclass"), probe_labels(spectrum_features(x, 2), y, "multiclass")
    assert raw.p_value > 0.01 and raw.best < raw.chance + 0.05
    assert spectrum.p_value < 1e-20 and spectrum.best > raw.chance + 0.25


def test_d111_silent_on_paired_shapes_seen_by_a_cnn():
    x, y = bars()
    findings = run_data_checks(nndoctor.Setup(model=small_cnn(1, 3), train=(x, y), loss=nn.CrossEntropyLoss()), "D111")
    assert "D111" not in raised(findings, "info")


def test_d111_still_fires_on_shapes_with_permuted_labels():
    x, y = bars()
    shuffled = np.random.default_rng(1).permutation(y)
    findings = run_data_checks(nndoctor.Setup(model=small_cnn(1, 3), train=(x, shuffled), loss=nn.CrossEntropyLoss()), "D111")
    (finding,) = of(findings, "D111")
    assert finding.severity.value == "error"
