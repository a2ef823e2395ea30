"""The LR range test and the pure LR suggestion.

``suggest_lr`` is tested on synthetic curves whose answer is known by construction: a
sigmoid-shaped fall centred at 1e-3 that explodes past 1e-1; the rule's answer is a tenth
of the LR at the noise-free curve's minimum.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from nndoctor.checks.base import Context
from nndoctor.probes import lr_range
from nndoctor.probes.lr_range import ema, suggest_lr

from test_checks_optimisation import classification, regression

LRS = np.geomspace(1e-7, 10, 100)
CENTRE, EXPLODES = 1e-3, 1e-1


def curve(centre: float = CENTRE, explodes: float = EXPLODES) -> np.ndarray:
    x = np.log10(LRS)
    fall = 2.0 - 1.8 / (1 + np.exp(-(x - math.log10(centre)) / 0.3))
    return fall + np.where(x > math.log10(explodes), np.expm1(3 * (x - math.log10(explodes))), 0.0)


def expected(centre: float = CENTRE, explodes: float = EXPLODES) -> float:
    return float(LRS[int(np.argmin(curve(centre, explodes)))]) / 10


def within(value: float | None, target: float, factor: float) -> bool:
    return value is not None and target / factor <= value <= target * factor


def test_ema_is_bias_corrected():
    values = [1.0, 2.0, 3.0]
    beta = 0.5
    # independent: weighted mean with weights beta^(t-i), normalised
    expected = [sum(v * beta ** (t - i) for i, v in enumerate(values[: t + 1])) / sum(beta ** (t - i) for i in range(t + 1)) for t in range(3)]
    assert ema(values, beta) == pytest.approx(expected)


def test_clean_curve_suggests_a_decade_below_the_minimum():
    s = suggest_lr(LRS, curve())
    assert within(s.lr, expected(), 1.5)
    assert s.lr > CENTRE  # past the steepest fall, still well below the minimum
    assert s.divergence_lr is not None and EXPLODES < s.divergence_lr < 1.0
    assert s.lr < s.min_loss_lr < s.divergence_lr


def on_the_valley_floor(lr: float, clean: np.ndarray, tolerance: float = 0.03) -> bool:
    """Whether ``lr`` lies where the noise-free loss is within ``tolerance`` of its total fall from the minimum."""
    floor = clean.min() + tolerance * (clean[0] - clean.min())
    inside = LRS[clean <= floor]
    return inside.min() / 1.3 <= lr <= inside.max() * 1.3


def test_noisy_curve_lands_a_decade_below_the_valley_floor():
    """With 10% noise the minimum can sit anywhere on the flat floor; the answer must stay a decade below it."""
    clean = curve()
    for seed in range(5):
        noisy = clean * (1 + 0.1 * np.random.default_rng(seed).standard_normal(100))
        assert on_the_valley_floor(10 * suggest_lr(LRS, noisy).lr, clean)


def test_early_spike_is_ignored():
    spiky = curve()
    spiky[3], spiky[4] = 50.0, 30.0
    assert within(suggest_lr(LRS, spiky).lr, expected(), 1.5)


def test_flat_curve_gets_no_suggestion():
    flat = 2.0 + 0.05 * np.random.default_rng(0).standard_normal(100)
    s = suggest_lr(LRS, flat)
    assert s.lr is None and "flat" in s.reason


def test_curve_diverging_from_the_start_gets_no_suggestion():
    rising = 2.0 * np.exp(np.linspace(0, 5, 100))
    s = suggest_lr(LRS, rising)
    assert s.lr is None and "rose" in s.reason
    assert s.divergence_lr is not None and s.divergence_lr < 1e-4


def test_a_sweep_cut_short_in_minibatch_noise_reports_no_divergence():
    # A noisy loss that never left its start level (the sweep ran out of time at 2.5e-4): a
    # last batch above the start is noise, not an explosion.
    rng = np.random.default_rng(4)
    lrs = LRS[LRS <= 2.5e-4]
    losses = 1.0 + 0.2 * rng.standard_normal(len(lrs))
    losses[-1] = 1.5
    assert suggest_lr(lrs, losses).divergence_lr is None
    dipped = np.concatenate([np.linspace(1.0, 0.3, len(lrs) - 3), [0.9, 1.2, 1.5]])
    assert suggest_lr(lrs, dipped).divergence_lr == pytest.approx(lrs[-2])  # a real dip, then back above the start


def test_nan_tail_is_cut_and_its_lr_reported():
    cut = curve()
    cut[80:] = np.nan
    s = suggest_lr(LRS, cut)
    assert within(s.lr, expected(), 1.5) and s.divergence_lr <= LRS[80]


def test_suggestion_tracks_a_late_fall():
    s = suggest_lr(LRS, curve(centre=3e-2, explodes=1.0))
    assert within(s.lr, expected(3e-2, 1.0), 1.5)


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def sweep(setup, steps: int = 80):
    """The range test as a checkup runs it: a step budget, no wall-clock limit to cut it short."""
    setup.resolve()
    ctx = Context(setup=setup)
    return lr_range.lr_range_probe(ctx, lr_range.RangeConfig(steps=steps)), ctx


def test_range_test_on_a_real_model_stops_at_divergence_and_stores_the_curve(one_thread):
    result, ctx = sweep(regression(lambda p: torch.optim.SGD(p, lr=0.01)))
    assert result.stopped in ("diverged", "non-finite loss")
    assert result.user_lr == 0.01 and result.optimizer == "SGD"
    assert result.suggestion.lr is not None and result.suggestion.lr < result.suggestion.divergence_lr
    assert ctx.telemetry["lr_range"]["lrs"] == result.lrs
    assert all(b / a == pytest.approx(result.lrs[1] / result.lrs[0]) for a, b in zip(result.lrs, result.lrs[1:]))


def test_adam_explodes_at_a_lower_lr_than_sgd(one_thread):
    adam, _ = sweep(regression(lambda p: torch.optim.Adam(p, lr=1e-3)))
    sgd, _ = sweep(regression(lambda p: torch.optim.SGD(p, lr=1e-3)))
    assert adam.suggestion.divergence_lr < sgd.suggestion.divergence_lr


def test_range_test_leaves_the_users_model_untouched(one_thread):
    setup = classification(lambda p: torch.optim.SGD(p, lr=0.01))
    before = {k: v.clone() for k, v in setup.model.state_dict().items()}
    sweep(setup)
    assert all(torch.equal(before[k], v) for k, v in setup.model.state_dict().items())


def test_the_sweep_length_is_its_step_budget_and_the_safety_net_abandons_it(one_thread):
    """A sweep that does not diverge runs every step; past its deadline it is inconclusive, never shorter."""
    import time

    from nndoctor.checks.base import Inconclusive

    setup = regression(lambda p: torch.optim.SGD(p, lr=0.01)).resolve()
    flat = lr_range.RangeConfig(start=1e-7, end=1e-5, steps=30)  # far too small an LR to diverge
    result = lr_range.lr_range_test(setup, setup.fresh_model(), flat)
    assert result.stopped == "end" and len(result.lrs) == 30
    with pytest.raises(Inconclusive):
        lr_range.lr_range_test(setup, setup.fresh_model(), flat, deadline=time.perf_counter() - 1.0)
