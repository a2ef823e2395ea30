"""M209, M210, L302, L307 and G602's reference on setups that looked broken to a naive reading but are healthy.

Autoencoders (per-pixel targets in [0, 1] or globally standardised), spectral-norm / WGAN
critics whose loss is shift invariant, a linear logits head whose small init outputs land in
[0, 1], and a class-weighted binary loss: each rule stays silent on them and still fires on the
broken twin.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from models import examine, fired, mlp, tabular
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

import nndoctor
from nndoctor.checks.base import Context
from nndoctor.probes.init_outputs import OFFSET_LIMIT_SIGMAS, init_outputs
from nndoctor.verdicts.layers import (
    GradientReach,
    no_gradient_path,
    shift_invariant_biases,
)
from nndoctor.watch.live_rules import reference_loss
from nndoctor.watch.telemetry import LossCall, Telemetry


def pixels(n: int = 256) -> np.ndarray:
    """Digit images as 64 features in [0, 1]: many border pixels are (nearly) always 0."""
    return (load_digits().data[:n] / 16.0).astype(np.float32)


def autoencoder(inputs: int = 64, final: nn.Module | None = None) -> nn.Sequential:
    torch.manual_seed(0)
    layers = [nn.Linear(inputs, 64), nn.ReLU(), nn.Linear(64, 12), nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, inputs)]
    return nn.Sequential(*layers, *([final] if final is not None else []))


def reconstruct(model: nn.Module, x: np.ndarray) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=(x, x), loss=nn.MSELoss(), batch_size=32, task="regression")


# -- M210 / L307: the prior of a reconstruction ------------------------------------------------
@pytest.mark.parametrize("final", [nn.Sigmoid(), None], ids=["sigmoid", "linear"])
def test_autoencoder_on_unit_interval_pixels_has_no_prior_or_initial_loss_finding(final):
    assert fired(reconstruct(autoencoder(final=final), pixels()), "M210", "L307") == set()


def test_autoencoder_on_standardised_pixels_has_no_prior_or_initial_loss_finding():
    x = pixels()
    x = (x - x.mean()) / x.std()  # one mean and std for all pixels: per-pixel means differ, the pooled mean is 0
    assert fired(reconstruct(autoencoder(), x), "M210", "L307") == set()


def test_autoencoder_whose_targets_sit_far_off_its_outputs_gets_m210():
    x = pixels()
    setup = nndoctor.Setup(model=autoencoder(), train=(x, x + 5.0), loss=nn.MSELoss(), batch_size=32, task="regression")
    assert "M210" in fired(setup, "M210")


def test_offset_limit_is_a_constant_two_pooled_stds_off_in_the_users_loss():
    x = pixels()
    setup = reconstruct(autoencoder(), x)
    setup.resolve()
    probe = init_outputs(Context(setup=setup, deadline=1e18))
    y = x.astype(np.float64)
    pooled = float(np.var(y, ddof=0))
    std = float(np.std(y, ddof=1))
    assert probe.shared_constant_loss == pytest.approx(pooled, rel=1e-3)
    assert probe.offset_limit_loss == pytest.approx(pooled + (OFFSET_LIMIT_SIGMAS * std) ** 2, rel=1e-3)
    assert probe.constant_loss == pytest.approx(float(np.var(y, axis=0).mean()), rel=1e-3)  # per-pixel means


# -- M209: a shift-invariant critic ---------------------------------------------------------------
def critic_loss(scores: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """WGAN critic: mean score of fakes minus mean score of reals; a constant shift cancels."""
    scores, real = scores.reshape(-1), real.reshape(-1).bool()
    return scores[~real].mean() - scores[real].mean()


def critic_setup(model: nn.Module) -> nndoctor.Setup:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 2)).astype(np.float32)
    real = (np.arange(256) % 2).astype(np.float32)
    x[real == 1] += 2.0
    return nndoctor.Setup(model=model, train=(x, real), loss=critic_loss, batch_size=32, task="regression")


def test_spectral_norm_critic_output_bias_without_gradient_is_not_m209():
    torch.manual_seed(0)
    critic = nn.Sequential(spectral_norm(nn.Linear(2, 32)), nn.LeakyReLU(0.2), spectral_norm(nn.Linear(32, 1)))
    assert "M209" not in fired(critic_setup(critic), "M209")


def test_critic_behind_a_rounding_op_still_gets_m209():
    class Rounded(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body, self.head = nn.Linear(2, 32), spectral_norm(nn.Linear(32, 1))

        def forward(self, x):
            return self.head(torch.round(self.body(x)))

    torch.manual_seed(0)
    found = [f for f in examine(critic_setup(Rounded()), "M209") if f.code == "M209"]
    assert found and {"body.weight", "body.bias"} <= set(found[0].evidence["zero_grad"])


def test_shift_invariant_biases_read_parametrized_and_old_style_weights():
    reached = ["a.parametrizations.weight.original", "b.weight_orig", "c.weight"]
    zero = ["a.bias", "b.bias", "c.bias", "d.bias", "d.weight"]
    assert shift_invariant_biases(zero, reached) == ["a.bias", "b.bias", "c.bias"]
    found = list(no_gradient_path(GradientReach(8, [], zero, "in 5 steps", reached=reached)))
    assert found and found[0].evidence["zero_grad"] == ["d.bias", "d.weight"]
    assert not list(no_gradient_path(GradientReach(2, [], ["a.bias"], "in 5 steps", reached=reached)))


# -- L302: decided by the wiring ----------------------------------------------------------------
def test_linear_logits_head_with_outputs_in_unit_interval_is_not_l302():
    x, y = tabular(classes=2)
    model = mlp(10, 1)
    with torch.no_grad():  # a linear head whose init outputs all happen to land in [0.4, 0.6]
        model[4].weight.mul_(1e-3)
        model[4].bias.fill_(0.5)
    setup = nndoctor.Setup(model=model, train=(x, y.astype(np.float32).reshape(-1, 1)), loss=nn.BCEWithLogitsLoss(),
                           batch_size=32)
    assert "L302" not in fired(setup, "L302")
    sigmoid = nndoctor.Setup(model=mlp(10, 1, final=nn.Sigmoid()), train=(x, y.astype(np.float32).reshape(-1, 1)),
                             loss=nn.BCEWithLogitsLoss(), batch_size=32)
    assert "L302" in fired(sigmoid, "L302")


# -- G602's reference under pos_weight ----------------------------------------------------------
def test_reference_loss_of_a_pos_weighted_binary_loss_is_the_weighted_constants():
    p, w = 0.04, 24.0
    t = Telemetry()
    t.loss_calls = [LossCall("binary_cross_entropy_with_logits", s, True, None, {"target_mean": p, "pos_weight": w})
                    for s in range(3)]
    # independent: minimise -(w p log q + (1-p) log(1-q)) over q on a fine grid
    q = np.linspace(1e-4, 1 - 1e-4, 200_001)
    expected = float(np.min(-(w * p * np.log(q) + (1 - p) * np.log(1 - q))))
    assert reference_loss(t, {}) == pytest.approx(expected, rel=1e-6)
    plain = Telemetry()
    plain.loss_calls = [LossCall("binary_cross_entropy_with_logits", 0, True, None, {"target_mean": p})]
    assert reference_loss(plain, {}) == pytest.approx(-(p * math.log(p) + (1 - p) * math.log(1 - p)))
    weighted = Telemetry()
    weighted.loss_calls = [LossCall("binary_cross_entropy_with_logits", 0, True, None, {"target_mean": p, "weighted": True})]
    assert reference_loss(weighted, {}) is None


# -- L307 on one batch: sampling noise is not a finding ------------------------------------------
def test_initial_loss_of_one_small_batch_is_judged_with_its_standard_error():
    from nndoctor.verdicts.loss import InitialLoss, unexpected_initial_loss

    chance = math.log(3)
    # per-sample cross-entropy terms at init spread ~0.8: a batch of 16 has standard error 0.2
    noisy = InitialLoss(init=1.69, chance=chance, constant=1.07, space="class_logits", n_classes=3,
                        standard_error=0.8 / math.sqrt(16))
    assert not list(unexpected_initial_loss(noisy))
    exact = InitialLoss(init=1.69, chance=chance, constant=1.07, space="class_logits", n_classes=3)
    assert list(unexpected_initial_loss(exact))  # the same value known exactly is outside 1.5 ln C
    confidently_wrong = InitialLoss(init=6.0, chance=chance, constant=1.07, space="class_logits", n_classes=3,
                                    standard_error=0.8 / math.sqrt(16))
    assert list(unexpected_initial_loss(confidently_wrong))


def test_loss_inspection_records_the_per_sample_spread_of_cross_entropy():
    from nndoctor.watch.loss_inspect import inspect_loss_call

    torch.manual_seed(0)
    logits, labels = torch.randn(16, 3), torch.randint(0, 3, (16,))
    evidence = inspect_loss_call("cross_entropy", logits, labels, {})
    terms = nn.functional.cross_entropy(logits, labels, reduction="none")
    assert evidence["terms"] == 16 and evidence["term_std"] == pytest.approx(float(terms.std()), rel=1e-6)


# -- L307: an architecture that starts from an input baseline ------------------------------------
class InstanceNormForecaster(nn.Module):
    """Reversible instance normalisation: each window is standardised by its own statistics and the forecast de-normalised."""

    def __init__(self, lookback: int = 24, horizon: int = 4, skip: bool = True) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.skip = skip
        self.net = nn.Sequential(nn.Linear(lookback, 32), nn.ReLU(), nn.Linear(32, horizon))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean, std = x.mean(1, keepdim=True), x.std(1, keepdim=True) + 1e-5
        out = self.net((x - mean) / std)
        return out * std + mean if self.skip else out


def load_windows(n: int = 512, lookback: int = 24, horizon: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Series on their own levels (100-900) with a daily cycle: the window's level predicts the next values."""
    rng = np.random.default_rng(0)
    level = rng.uniform(100, 900, (n, 1))
    t = np.arange(lookback + horizon)[None, :] + rng.integers(0, 24, (n, 1))
    series = level + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, (n, lookback + horizon))
    return series[:, :lookback].astype(np.float32), series[:, lookback:].astype(np.float32)


def forecast_setup(model: nn.Module) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=load_windows(), loss=nn.L1Loss(), batch_size=64, task="regression")


def test_initial_loss_below_the_constant_by_an_input_baseline_is_no_finding():
    assert "L307" not in fired(forecast_setup(InstanceNormForecaster()), "L307")


def test_initial_loss_below_the_constant_without_an_architectural_baseline_still_fires():
    from nndoctor.verdicts.loss import InitialLoss, unexpected_initial_loss

    x, y = load_windows()
    constant = float(np.abs(y - np.median(y)).mean())
    # independent: the de-normalised skip alone (zero head) forecasts each window's mean
    baseline = float(np.abs(y - x.mean(1, keepdims=True)).mean())
    assert baseline < 0.5 * constant
    low = InitialLoss(init=baseline, chance=constant, constant=constant, space="values", loss="L1Loss")
    assert list(unexpected_initial_loss(low))  # nothing says where the low loss comes from: a finding
    plain = InitialLoss(init=baseline, chance=constant, constant=constant, space="values", loss="L1Loss", architecture=constant)
    assert list(unexpected_initial_loss(plain))  # the architecture alone scores the constant: the low loss is not its own
    by_design = InitialLoss(init=baseline, chance=constant, constant=constant, space="values", loss="L1Loss",
                            architecture=baseline)
    assert not list(unexpected_initial_loss(by_design))


def test_headless_loss_measures_what_the_architecture_alone_predicts():
    from nndoctor.checks.base import Context as Ctx
    from nndoctor.probes.init_outputs import headless_loss

    x, y = load_windows()
    for model, expected in ((InstanceNormForecaster(), np.abs(y - x.mean(1, keepdims=True)).mean()),
                            (InstanceNormForecaster(skip=False), np.abs(y).mean())):
        setup = forecast_setup(model)
        setup.resolve()
        measured = headless_loss(Ctx(setup=setup, deadline=math.inf))
        assert measured == pytest.approx(float(expected), rel=0.02)
