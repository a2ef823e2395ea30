"""M family: each rule fires on a broken model and stays silent on healthy ones of several kinds."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.patient import PatientSnapshot

from models import TinyTransformer, examine, fired, healthy_setups, mlp, regression, sequences, tabular

M_CODES = ("M201", "M202", "M203", "M204", "M205", "M206", "M207", "M208", "M209", "M210")


def classification(model: nn.Module, loss: nn.Module | None = None, data=None) -> nndoctor.Setup:
    x, y = data if data is not None else tabular()
    return nndoctor.Setup(model=model, train=(x, y), loss=loss or nn.CrossEntropyLoss(), batch_size=32)


def init_linear(model: nn.Module, init) -> nn.Module:
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            init(layer)
    return model


def only(findings, code):
    return [f for f in findings if f.code == code]


def test_healthy_models_raise_no_model_findings():
    for name, setup in healthy_setups().items():
        found = examine(setup, *M_CODES)
        assert found == [], f"{name}: {[(f.code, f.message) for f in found]}"


def test_checks_leave_the_users_model_untouched():
    setup = healthy_setups()["cnn-digits"]
    before = PatientSnapshot(setup.model)
    examine(setup, *M_CODES)
    for key, value in setup.model.state_dict().items():
        assert torch.equal(value, before.state[key]), key
    assert all(p.grad is None for p in setup.model.parameters())
    assert not any(m._forward_hooks or m._backward_hooks for m in setup.model.modules())


# -- M201 -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0.0, 0.05])
def test_constant_init_fires_on_constant_hidden_weights(value):
    model = init_linear(mlp(10, 4), lambda l: nn.init.constant_(l.weight, value))
    found = only(examine(classification(model), "M201"), "M201")
    assert len(found) == 1 and found[0].severity == Severity.ERROR
    assert set(found[0].location.split(", ")) == {"0", "2"}


def test_zero_gradients_of_a_constant_init_are_explained_by_it():
    model = init_linear(mlp(10, 4), lambda l: (nn.init.zeros_(l.weight), nn.init.zeros_(l.bias)))
    found = {f.code: f for f in examine(classification(model), "M201", "M209")}
    assert found["M209"].explained_by == "M201"
    assert "0.weight" in found["M209"].evidence["zero_grad"]


def test_constant_init_ignores_a_zero_initialised_output_layer():
    model = mlp(10, 4)
    nn.init.zeros_(model[4].weight)
    assert "M201" not in fired(classification(model), "M201")


# -- M202 -------------------------------------------------------------------------------
@pytest.mark.parametrize("std", [0.01, 1.0])
def test_bad_init_scale_fires_when_scale_changes_geometrically(std):
    model = init_linear(mlp(10, 4, depth=4), lambda l: nn.init.normal_(l.weight, std=std))
    found = only(examine(classification(model), "M202"), "M202")
    assert found and found[0].severity == Severity.WARNING
    factors = [found[0].evidence["activation_factor_per_layer"], found[0].evidence["grad_factor_per_layer"]]
    assert any(f is not None and not (1 / 3 <= f <= 3) for f in factors)


def test_bad_init_scale_silent_with_he_init_on_a_deep_relu_net():
    model = init_linear(mlp(10, 4, depth=6), lambda l: (nn.init.kaiming_normal_(l.weight, nonlinearity="relu"), nn.init.zeros_(l.bias)))
    assert "M202" not in fired(classification(model), "M202")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bad_init_scale_silent_on_pytorch_default_init_of_a_shallow_net(seed):
    # PyTorch's default shrinks a ReLU stack by ~0.3 per layer: x0.1 over 3 layers trains fine.
    assert "M202" not in fired(classification(mlp(10, 4, depth=2, seed=seed)), "M202")


def test_bad_init_scale_fires_when_default_init_shrinks_a_deep_stack_by_orders_of_magnitude():
    found = only(examine(classification(mlp(10, 4, depth=8)), "M202"), "M202")
    grads = found[0].evidence["output_grad_norm"] if found else []
    assert found and grads[0] / grads[-1] < 1e-2


@pytest.mark.parametrize("activation, slope_limited", [(nn.Sigmoid, True), (nn.ReLU, False)])
def test_bad_init_scale_says_whether_the_activation_slope_alone_shrinks_the_stack(activation, slope_limited):
    # Sigmoid's slope is at most 1/4: eight of them shrink the signal whatever the init.
    found = only(examine(classification(mlp(10, 4, depth=8, activation=activation)), "M202"), "M202")
    assert found and found[0].evidence["slope_limited"] is slope_limited
    assert found[0].evidence["nonlinearities"] == [activation.__name__]


class PooledSignalNet(nn.Module):
    """Round 36's rope-bridge CNNs: three 1-D convolutions with max-pooling, a global average over 32 positions, two
    Linear layers; PyTorch's default init, no normalisation."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv1d(3, 24, 7, padding=3), nn.Conv1d(24, 48, 5, padding=2), \
            nn.Conv1d(48, 64, 5, padding=2)
        self.fc1, self.fc2 = nn.Linear(64, 64), nn.Linear(64, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.max_pool1d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool1d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.conv3(x)).mean(dim=2)
        return self.fc2(torch.relu(self.fc1(x)))


def _signals(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(256, 3, 128, generator=g), torch.randint(0, 4, (256,), generator=g)


def test_pooling_that_spreads_a_gradient_over_positions_is_no_init_scale_drift():
    """Round 36 a/twins/rope_bridge_sway_cnn and d/twins/rope_bridge_train (healthy, SGD): a plain norm of the gradient
    at each conv output shrank ~120x from fc2 back to conv1, because averaging 32 positions hands each 1/32 of the
    pooled gradient and max-pooling routes it to half the positions. Summed over positions per channel (the gradient a
    per-channel bias gets) it is comparable across layers; a conv stack initialised far too small still drifts."""
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=PooledSignalNet(), train=_signals(), loss=nn.CrossEntropyLoss(), batch_size=64,
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
    assert "M202" not in fired(setup, "M202")
    torch.manual_seed(0)
    tiny = PooledSignalNet()
    for layer in (tiny.conv1, tiny.conv2, tiny.conv3, tiny.fc1):
        nn.init.normal_(layer.weight, std=0.002)
    setup = nndoctor.Setup(model=tiny, train=_signals(), loss=nn.CrossEntropyLoss(), batch_size=64,
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
    assert "M202" in fired(setup, "M202")


def test_the_gradient_reaching_a_conv_layer_is_what_its_bias_receives_per_sample():
    """The layer statistics' gradient at a conv output against an independent calculation: per sample, the norm of
    the conv bias's gradient (one backward per sample)."""
    from nndoctor.probes.layer_stats import recording

    torch.manual_seed(0)
    model = PooledSignalNet()
    x, y = _signals()
    x, y = x[:8], y[:8]
    with recording(model) as recorder:
        nn.functional.cross_entropy(model(x), y, reduction="sum").backward()
    measured = {r.name: r.output_grad_norm for r in recorder.records.values() if r.is_weight}
    for name in ("conv1", "conv2", "fc1"):
        norms = []
        for i in range(len(x)):
            model.zero_grad()
            nn.functional.cross_entropy(model(x[i:i + 1]), y[i:i + 1], reduction="sum").backward()
            norms.append(float(getattr(model, name).bias.grad.norm()))
        assert measured[name] == pytest.approx(math.sqrt(sum(n * n for n in norms) / len(norms)), rel=1e-4)


# -- M203 / M204 ------------------------------------------------------------------------
def test_dead_relu_fires_on_large_negative_bias_and_names_the_layer():
    model = mlp(10, 4)
    nn.init.constant_(model[0].bias, -10.0)
    found = only(examine(classification(model), "M203"), "M203")
    assert found and found[0].location == "1"
    assert found[0].evidence["dead_share"]["1"] == 1.0


def test_dead_share_matches_an_independent_count():
    x, y = tabular()
    model = mlp(10, 4)
    nn.init.constant_(model[0].bias, -1.0)
    setup = classification(model, data=(x, y))
    setup.resolve()
    from nndoctor.checks.base import Context
    from nndoctor.probes.layer_stats import layer_stats

    ctx = Context(setup=setup, deadline=1e18)
    stats = layer_stats(ctx)
    sample = torch.cat([bx for bx, _ in ctx.batches()])
    with torch.no_grad():
        hidden = torch.relu(model[0](sample))
    expected = float((hidden.amax(dim=0) <= 0).float().mean())
    assert stats.layer("1").dead_share == pytest.approx(expected)
    assert stats.samples == len(sample)


def test_saturated_tanh_fires_and_default_tanh_is_silent():
    broken = init_linear(mlp(10, 4, activation=nn.Tanh), lambda l: nn.init.normal_(l.weight, std=1.0))
    found = only(examine(classification(broken), "M204"), "M204")
    assert found and "3" in found[0].evidence["saturated_share"]
    assert "M204" not in fired(classification(mlp(10, 4, activation=nn.Tanh)), "M204")
    sigmoid_net = mlp(10, 4, activation=nn.Sigmoid)
    assert "M204" not in fired(classification(sigmoid_net), "M204")


# -- M205 -------------------------------------------------------------------------------
def test_too_deep_plain_network_fires_on_twelve_plain_layers():
    found = only(examine(classification(mlp(10, 4, depth=11)), "M205"), "M205")
    assert found and found[0].evidence["depth"] == 12
    assert found[0].evidence["grad_ratio_first_last"] < 1e-2


def test_deep_network_with_normalisation_or_matching_init_is_not_flagged():
    torch.manual_seed(0)
    layers: list[nn.Module] = [nn.Linear(10, 32)]
    for _ in range(10):
        layers += [nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 32)]
    normalised = nn.Sequential(*layers, nn.ReLU(), nn.Linear(32, 4))
    assert "M205" not in fired(classification(normalised), "M205")
    he = init_linear(mlp(10, 4, depth=11), lambda l: (nn.init.kaiming_normal_(l.weight, nonlinearity="relu"), nn.init.zeros_(l.bias)))
    assert "M205" not in fired(classification(he), "M205")


# -- M206 -------------------------------------------------------------------------------
def test_narrow_bottleneck_fires_below_class_count_only():
    found = only(examine(classification(mlp(10, 4, hidden=2)), "M206"), "M206")
    assert found and found[0].evidence["classes"] == 4 and found[0].evidence["narrow_layers"] == {"0": 2, "2": 2}
    assert "M206" not in fired(classification(mlp(10, 4, hidden=4)), "M206")
    x, y = regression()
    assert "M206" not in fired(nndoctor.Setup(model=mlp(8, 1, hidden=2), train=(x, y)), "M206")


# -- M207 -------------------------------------------------------------------------------
class BatchCentred(nn.Module):
    """Subtracts the batch mean in forward: every output depends on the whole batch."""

    def __init__(self) -> None:
        super().__init__()
        self.body = mlp(10, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x - x.mean(dim=0))


def test_batch_mixing_fires_on_a_reduction_over_the_batch_axis():
    found = only(examine(classification(BatchCentred()), "M207"), "M207")
    assert found and found[0].severity == Severity.ERROR and found[0].evidence["relative_leak"] > 1e-3
    assert found[0].evidence["forward_leak"] > 1e-3


def test_batch_mixing_fires_on_a_sequence_first_transformer_fed_batch_first_data():
    x, y = sequences()
    model = TinyTransformer(batch_first=False)
    assert "M207" in fired(nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss()), "M207")


# -- M208 -------------------------------------------------------------------------------
class WrongSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # the derivative of x² is 2x


class RightSquare(WrongSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * grad * x


class CustomOpNet(nn.Module):
    def __init__(self, op) -> None:
        super().__init__()
        self.op = op
        self.first, self.second = nn.Linear(10, 16), nn.Linear(16, 4)

    def forward(self, x):
        return self.second(self.op.apply(self.first(x)))


def test_gradient_mismatch_fires_on_a_wrong_custom_backward():
    found = only(examine(classification(CustomOpNet(WrongSquare)), "M208"), "M208")
    assert found and found[0].severity == Severity.ERROR
    mismatched = found[0].evidence["mismatched"]
    assert "first.weight" in mismatched and "second.weight" not in mismatched
    numbers = mismatched["first.weight"]
    assert numbers["analytical"] == pytest.approx(numbers["numerical"] / 2, rel=1e-3)


class ForgetfulSquare(WrongSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x  # ignores the incoming gradient: autograd then links every sample to every other


class QuarterStepSTE(torch.autograd.Function):
    """Rounding to quarter steps, with the straight-through estimator's identity backward (by design)."""

    @staticmethod
    def forward(ctx, x):
        return torch.round(x * 4) / 4

    @staticmethod
    def backward(ctx, grad):
        return grad


class DoubledSTE(QuarterStepSTE):
    @staticmethod
    def backward(ctx, grad):
        return 2 * grad  # still a surrogate: a piecewise-constant forward has no derivative to disagree with


def test_a_straight_through_estimator_is_a_surrogate_by_design_not_a_wrong_backward():
    for ste in (QuarterStepSTE, DoubledSTE):
        findings = examine(classification(CustomOpNet(ste)), "M208")
        assert "M208" not in {f.code for f in findings}, ste.__name__
    assert only(examine(classification(CustomOpNet(WrongSquare)), "M208"), "M208")  # a smooth forward is still judged


def test_a_backward_that_ignores_its_gradient_is_m208_not_batch_mixing():
    findings = examine(classification(CustomOpNet(ForgetfulSquare)), "M207", "M208")
    assert {f.code for f in findings} == {"M208"}


def test_gradient_check_silent_on_a_correct_custom_backward_and_dropout():
    assert "M208" not in fired(classification(CustomOpNet(RightSquare)), "M208")
    torch.manual_seed(0)
    dropout_net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 4))
    assert "M208" not in fired(classification(dropout_net), "M208")


# -- M209 -------------------------------------------------------------------------------
class Detached(nn.Module):
    def __init__(self, cut=torch.Tensor.detach) -> None:
        super().__init__()
        self.cut = cut
        self.encoder, self.head, self.unused = nn.Linear(10, 16), nn.Linear(16, 4), nn.Linear(3, 3)

    def forward(self, x):
        return self.head(self.cut(torch.relu(self.encoder(x))))


def test_no_gradient_path_names_detached_and_unused_parameters():
    found = only(examine(classification(Detached()), "M209"), "M209")
    assert found and found[0].severity == Severity.ERROR
    assert set(found[0].evidence["no_grad"]) == {"encoder.weight", "encoder.bias", "unused.weight", "unused.bias"}
    assert "head.weight" not in found[0].location


def test_no_gradient_path_flags_rounding_as_zero_gradient():
    found = only(examine(classification(Detached(cut=torch.round)), "M209"), "M209")
    assert found and set(found[0].evidence["zero_grad"]) == {"encoder.weight", "encoder.bias"}


def test_frozen_parameters_are_not_flagged():
    model = mlp(10, 4)
    for p in model[0].parameters():
        p.requires_grad_(False)
    assert "M209" not in fired(classification(model), "M209")


# -- M210 -------------------------------------------------------------------------------
def test_output_bias_fires_on_offset_regression_targets_and_not_when_bias_is_the_mean():
    x, y = regression(n=256)  # exactly the 8 sample batches of 32, so the statistics cover every target
    y = 100.0 + 10.0 * y
    found = only(examine(nndoctor.Setup(model=mlp(8, 1), train=(x, y), loss=nn.MSELoss()), "M210"), "M210")
    assert found
    assert found[0].evidence["constant_predictor_loss"] == pytest.approx(float(np.var(y)), rel=1e-3)
    fixed = mlp(8, 1)
    nn.init.constant_(fixed[4].bias, float(y.mean()))
    assert "M210" not in fired(nndoctor.Setup(model=fixed, train=(x, y), loss=nn.MSELoss()), "M210")


def test_output_bias_fires_on_rare_positive_class_with_zero_bias():
    x, _ = tabular(n=256, classes=2)
    rng = np.random.default_rng(0)
    y = (rng.random(len(x)) < 0.05).astype(np.float32).reshape(-1, 1)
    setup = nndoctor.Setup(model=mlp(10, 1), train=(x, y), loss=nn.BCEWithLogitsLoss())
    found = only(examine(setup, "M210"), "M210")
    assert found
    p = float(y.mean())
    entropy = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert found[0].evidence["constant_predictor_loss"] == pytest.approx(entropy, rel=1e-3)
    fixed = mlp(10, 1)
    nn.init.constant_(fixed[4].bias, math.log(p / (1 - p)))
    assert "M210" not in fired(nndoctor.Setup(model=fixed, train=(x, y), loss=nn.BCEWithLogitsLoss()), "M210")


# -- what M202 / M206 / M209 do not judge -----------------------------------------------------
def test_bad_init_scale_is_not_judged_behind_layer_norm():
    # LayerNorm re-standardises every layer's output: a tiny init cannot compound through it.
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for width in (10, 32, 32, 32, 32):
        layers += [nn.Linear(width, 32), nn.LayerNorm(32), nn.ReLU()]
    model = init_linear(nn.Sequential(*layers, nn.Linear(32, 4)), lambda l: nn.init.normal_(l.weight, std=0.01))
    assert "M202" not in fired(classification(model), "M202")


def test_narrow_bottleneck_is_not_judged_for_an_autoencoder_reconstructing_its_input():
    x = (np.random.default_rng(0).random((256, 20)) < 0.3).astype(np.float32)  # multi-hot rows that are their own targets
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 3), nn.ReLU(), nn.Linear(3, 20))
    setup = nndoctor.Setup(model=model, train=(x, x), loss=nn.BCEWithLogitsLoss())
    assert "M206" not in fired(setup, "M206")
    assert setup.reconstruction and "reconstruction" in setup.task_reason
    other = (np.random.default_rng(1).random((256, 20)) < 0.3).astype(np.float32)  # a real 20-label problem still is judged
    assert "M206" in fired(nndoctor.Setup(model=model, train=(x, other), loss=nn.BCEWithLogitsLoss()), "M206")


def test_no_gradient_path_abstains_when_the_loss_cannot_run_on_the_labels():
    x, y = tabular(classes=4)
    setup = classification(mlp(10, 3), data=(x, y))  # class id 3 has no output
    assert not fired(setup, "M209")
