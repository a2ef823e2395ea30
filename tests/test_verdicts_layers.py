"""Layer verdicts (M201, M203, M204, M208, M209, O404): one answer for one model, whichever mode measured it.

Each known wrong verdict has a test here: the healthy case silent, the broken one still
firing, in checkup (probes on copies) and in watch (the user's own loop) alike.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from models import examine, mlp, tabular
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.verdicts import VERDICTS
from nndoctor.verdicts.layers import (
    DirectionalDerivative,
    GradientCheck,
    LayerGradients,
    UnitShare,
    UnitShares,
    by_block,
    dead_units_at_init,
    gradient_mismatch,
    stack_of,
    vanishing_gradients,
)
from nndoctor.watch.instrument import instrumented

EXAMPLES = Path(__file__).parent / "scripts" / "examples"


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def classification(model: nn.Module) -> nndoctor.Setup:
    x, y = tabular()
    return nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)


def watched(model: nn.Module, steps: int = 40, lr: float = 0.05) -> list[nndoctor.Finding]:
    """Train ``model`` on the tabular problem under watch; the findings of the run."""
    x, y = (torch.from_numpy(a) for a in tabular())
    doctor = nndoctor.Doctor(alerts=False).start()
    try:
        with instrumented(doctor):
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            for step in range(steps):
                index = torch.arange(step * 32, step * 32 + 32) % len(x)
                opt.zero_grad()
                F.cross_entropy(model(x[index]), y[index]).backward()
                opt.step()
    finally:
        doctor.stop()
    return doctor.findings()


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_each_layer_code_has_one_registered_verdict():
    for code in ("M201", "M203", "M204", "M208", "M209", "O404"):
        assert VERDICTS[code].__module__ == "nndoctor.verdicts.layers"


# -- M201: a zero-initialised output layer is a legitimate init in both modes ------------------
def zero_output_layer() -> nn.Sequential:
    model = mlp(10, 4)
    nn.init.zeros_(model[-1].weight)
    nn.init.zeros_(model[-1].bias)
    return model


def constant_hidden_layers() -> nn.Sequential:
    model = mlp(10, 4)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.constant_(layer.weight, 0.05)
    return model


def test_a_zero_initialised_output_layer_is_silent_in_checkup_and_in_watch():
    assert "M201" not in codes(examine(classification(zero_output_layer()), "M201"))
    assert "M201" not in codes(watched(zero_output_layer()))


def test_constant_hidden_layers_fire_in_checkup_and_in_watch_naming_the_same_layers():
    checkup = [f for f in examine(classification(constant_hidden_layers()), "M201") if f.code == "M201"]
    watch = [f for f in watched(constant_hidden_layers()) if f.code == "M201"]
    assert checkup and watch
    assert checkup[0].severity == watch[0].severity == Severity.ERROR
    hidden = {"0", "2"}  # the output layer "4" is exempt in both
    assert {n.split(".")[0] for n in checkup[0].location.split(", ")} == hidden
    assert {n.split(".")[0] for n in watch[0].location.split(", ")} == hidden


# -- M203: a unit is a channel of a conv map ---------------------------------------------------
class HalfDeadChannels(nn.Module):
    """Every second conv channel has a large negative bias (dead everywhere); the others are alive."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        with torch.no_grad():
            self.conv.bias[::2] = -100.0
        self.relu = nn.ReLU()
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.relu(self.conv(x.view(-1, 1, 5, 2))).mean(dim=(2, 3)))


def test_dead_units_are_counted_per_channel_of_a_conv_map():
    found = [f for f in examine(classification(HalfDeadChannels()), "M203") if f.code == "M203"]
    assert found and found[0].evidence["dead_share"]["relu"] == pytest.approx(0.5)


def test_the_dead_unit_verdict_ignores_a_one_unit_layer_and_keeps_a_wide_one():
    one = UnitShares([UnitShare("relu", 1.0, units=1)], "at init")
    wide = UnitShares([UnitShare("relu", 1.0, units=16)], "at init")
    assert list(dead_units_at_init(one)) == [] and [f.code for f in dead_units_at_init(wide)] == ["M203"]


# -- M208 / M209: a zero-init-residual ResNet is healthy ---------------------------------------
def resnet(zero_init_residual: bool = True) -> nn.Module:
    """The example's ResNet, residual branches' last BatchNorm weight at zero (torchvision's zero_init_residual)."""
    spec = importlib.util.spec_from_file_location("resnet_zero_init", EXAMPLES / "resnet_zero_init.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    return module.ResNet(planes=8, blocks=2, zero_init_residual=zero_init_residual)


def digits(n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Random 8x8 images with 4 classes read off their quadrants (a learnable toy problem)."""
    rng = np.random.default_rng(0)
    x = rng.random((n, 1, 8, 8)).astype(np.float32)
    y = (x[:, 0, :4].mean(axis=(1, 2)) > x[:, 0, 4:].mean(axis=(1, 2))).astype(np.int64) + 2 * (x[:, 0, :, :4].mean(axis=(1, 2)) > 0.5)
    return x, y


def test_a_zero_init_residual_resnet_has_no_gradient_mismatch_and_no_missing_gradient_path():
    x, y = digits()
    setup = nndoctor.Setup(model=resnet(), train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)
    found = examine(setup, "M208", "M209")
    assert found == [], [(f.code, f.message) for f in found]


def test_a_zero_init_residual_resnet_has_no_missing_gradient_path_in_watch():
    x, y = (torch.from_numpy(a) for a in digits())
    model = resnet()
    doctor = nndoctor.Doctor(alerts=False).start()
    try:
        with instrumented(doctor):
            opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            for step in range(30):
                index = torch.arange(step * 32, step * 32 + 32) % len(x)
                opt.zero_grad()
                F.cross_entropy(model(x[index]), y[index]).backward()
                opt.step()
    finally:
        doctor.stop()
    assert "M209" not in codes(doctor.findings())


class Rounded(nn.Module):
    """A rounding step between encoder and head: the encoder's gradient is exactly zero forever."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.encoder, self.head = nn.Linear(10, 16), nn.Linear(16, 4)

    def forward(self, x):
        return self.head(torch.round(torch.relu(self.encoder(x))))


def test_a_gradient_cut_by_rounding_fires_in_checkup_and_in_watch():
    checkup = [f for f in examine(classification(Rounded()), "M209") if f.code == "M209"]
    watch = [f for f in watched(Rounded()) if f.code == "M209"]
    assert checkup and watch
    assert set(checkup[0].evidence["zero_grad"]) == set(watch[0].evidence["zero_grad"]) == {"encoder.weight", "encoder.bias"}
    assert checkup[0].severity == watch[0].severity


def test_the_gradient_check_leaves_out_a_tensor_at_a_kink_and_judges_a_smooth_one():
    kink = DirectionalDerivative("bn.bias", analytical=0.0, central=0.5, forward=1.0, backward=0.0)
    assert list(gradient_mismatch(GradientCheck([kink], samples=2, coordinates=16))) == []
    wrong = DirectionalDerivative("op.weight", analytical=1.0, central=2.0, forward=2.0, backward=2.0)
    (found,) = gradient_mismatch(GradientCheck([kink, wrong], samples=2, coordinates=16))
    assert found.location == "op.weight" and found.evidence["at_a_kink"] == ["bn.bias"]


# -- O404: vanishing means shrinking through the stack ------------------------------------------
def test_one_small_layer_in_a_block_or_a_head_of_its_own_scale_is_not_vanishing():
    bert_like = [("encoder.layer.0.attention.query.weight", 1e-8), ("encoder.layer.0.output.dense.weight", 1e-3),
                 ("encoder.layer.1.attention.query.weight", 1e-8), ("encoder.layer.1.output.dense.weight", 2e-3),
                 ("pooler.dense.weight", 1e-2), ("classifier.weight", 10.0)]
    assert list(vanishing_gradients(LayerGradients(bert_like, "over the trial"))) == []
    one_block = [("encoder.layer.0.output.dense.weight", 1e-6), ("classifier.weight", 1e-2)]
    assert list(vanishing_gradients(LayerGradients(one_block, "over the trial"))) == []


def test_a_gradient_shrinking_block_over_block_is_vanishing():
    shrinking = [(f"encoder.layer.{i}.output.dense.weight", 10.0 ** -(8 - i)) for i in range(6)] + [("classifier.weight", 1.0)]
    (found,) = vanishing_gradients(LayerGradients(shrinking, "over the trial"))
    assert found.location == "encoder.layer.0.output.dense.weight"


def test_an_encoder_then_a_decoder_are_one_stack_the_gradient_passes_through():
    # per-element gradients at init of a 6-layer sigmoid autoencoder: each layer gets ~1/4-1/10 of the next
    autoencoder = [("encoder.0.weight", 2.2e-6), ("encoder.2.weight", 2.1e-5), ("encoder.4.weight", 2.4e-4),
                   ("decoder.0.weight", 1.2e-4), ("decoder.2.weight", 1.2e-3), ("decoder.4.weight", 5.5e-3)]
    assert [n for n, _ in stack_of(by_block(autoencoder))] == [n for n, _ in autoencoder]
    (found,) = vanishing_gradients(LayerGradients(autoencoder, "at init"))
    assert found.location == "encoder.0.weight" and found.evidence["ratio"] == pytest.approx(2.2e-6 / 5.5e-3)
    # the encoder alone shrinks ~100x only: below the 1000x the rule asks for
    assert list(vanishing_gradients(LayerGradients(autoencoder[:3], "at init"))) == []
    # stacks with a block of their own between them do not run one right after the other
    apart = [*autoencoder[:3], ("bottleneck.weight", 1.0), *autoencoder[3:]]
    assert [n for n, _ in stack_of(by_block(apart))] == [n for n, _ in autoencoder[:3]]
    # a residual block's branches run side by side: never one stack
    branches = [("block1.shortcut.0.weight", 1e-6), ("block1.shortcut.1.weight", 1e-6),
                ("block1.body.0.weight", 1e-2), ("block1.body.1.weight", 1e-2)]
    assert len(stack_of(by_block(branches))) == 2


def test_a_tiny_hugging_face_bert_gets_no_vanishing_gradient_warning():
    transformers = pytest.importorskip("transformers")
    transformers.logging.set_verbosity_error()
    from test_real_data import Reviews, tiny_bert

    setup = nndoctor.Setup(model=tiny_bert(), train=Reviews(256, 0), val=Reviews(128, 1), batch_size=32)
    report = nndoctor.checkup(setup, select=["O404"])
    assert "O404" not in report.codes and not report.failures


# -- what was not judged is shown, with its reason, by both renderers ---------------------------
def test_renderers_list_inconclusive_and_skipped_checks_with_reasons_and_the_setup_notes():
    import io

    from rich.console import Console

    from nndoctor.render.html import render_html
    from nndoctor.report import Report

    report = Report(mode="checkup", setup={"notes": ["D115 cannot be judged for a stream"]},
                    skipped=["optimisation.trial", "loss.unexpected_initial_loss"])
    report.extra["inconclusive"] = [{"check": "optimisation.trial", "codes": ["O406"], "reason": "trial: stopped by the wall-clock safety net"}]
    report.extra["skipped_checks"] = [{"check": "loss.unexpected_initial_loss", "codes": ["L307"], "reason": "no loss value: labels 4..5"}]
    out = io.StringIO()
    report.print(Console(file=out, width=200))
    html = render_html(report)
    for text in (out.getvalue(), html):
        assert "inconclusive (the --budget safety net ran out)" in text.lower()
        assert "trial: stopped by the wall-clock safety net" in text and "no loss value: labels 4..5" in text
        assert "D115 cannot be judged for a stream" in text
        assert "lack of budget" not in text


# -- O405: units that died during training, not at init ------------------------------------------
def test_units_dying_during_training_are_o405_and_units_dead_from_the_start_are_not():
    from nndoctor.verdicts.layers import UnitDeath, units_died

    died = UnitDeath("relu", [(0, 0.1), (20, 0.1), (40, 0.7), (60, 0.8), (80, 0.8)])
    (found,) = units_died([died])
    assert found.code == "O405" and found.location == "relu" and found.evidence["onset_step"] == 40
    dead_from_start = UnitDeath("relu", [(0, 0.9), (20, 0.9), (40, 0.9), (60, 0.9)])
    assert list(units_died([dead_from_start])) == []


@pytest.mark.parametrize("end_loss, severity", [(0.3, "INFO"), (1.4, "WARNING")])
def test_units_that_died_while_the_loss_still_halved_did_not_stop_learning(end_loss, severity):
    # round 23's b/vineyard_leaf_cnn twin (the MNIST example's CNN, Adadelta at 1.0): one large early step leaves 60% of
    # fc1's units dead and the loss still falls from 1.53 to 0.25; a death the loss stalls after is the catalog's O405
    from nndoctor.verdicts.layers import UnitDeath, units_died

    died = UnitDeath("fc1", [(0, 0.05), (1, 0.05), (2, 0.6), (50, 0.6), (100, 0.6), (150, 0.6)])
    steps = np.arange(200)
    losses = list(zip(steps.tolist(), np.interp(steps, [0, 199], [1.6, end_loss]).tolist()))
    (found,) = units_died([died], losses)
    assert found.severity.name == severity
    at_onset = np.median([v for s, v in losses if s >= 2][:19])  # the first tenth of the 198 steps after the onset
    assert found.evidence["loss_at_onset"] == pytest.approx(at_onset)
    assert found.evidence["final_loss"] == pytest.approx(np.median([v for _, v in losses][-19:]))
    negative = [(s, v - 2.0) for s, v in losses]  # a loss without its constant term (Poisson NLL): no ratio to read
    (kept,) = units_died([died], negative)
    assert kept.severity.name == "WARNING"


def test_under_label_smoothing_the_halving_is_of_the_loss_above_the_smoothed_targets_entropy():
    """A cross-entropy smoothed by 0.1 over 10 classes cannot fall below 0.50, the smoothed target's entropy: from 0.81
    to 0.62 is not half the loss, but it is 0.31 to 0.12 of what is left above that floor, so learning went on (a
    note). The floor is checked against torch's own loss of a prediction equal to the smoothed target. (Round 28's
    a/carpet_motif_cnn raised the question; over its 5 classes the floor is 0.39 and its loss fell 0.42 to 0.23 above
    it, not half: it stays a warning.)"""
    from nndoctor.verdicts.curves import smoothed_target_entropy
    from nndoctor.verdicts.layers import UnitDeath, units_died

    classes, smoothing = 10, 0.1
    target = torch.full((1, classes), smoothing / classes)
    target[0, 3] += 1 - smoothing
    by_torch = nn.CrossEntropyLoss(label_smoothing=smoothing)(target.log(), torch.tensor([3]))
    floor = smoothed_target_entropy(smoothing, classes)
    assert floor == pytest.approx(float(by_torch), rel=1e-5) and smoothed_target_entropy(0.0, classes) == 0.0

    died = UnitDeath("fc1", [(0, 0.14), (1, 0.14), (50, 0.55), (100, 0.58), (150, 0.59), (190, 0.59)])
    steps = np.arange(192)
    losses = list(zip(steps.tolist(), np.interp(steps, [50, 191], [0.81, 0.62]).tolist()))
    (plain,) = units_died([died], losses)
    (smoothed,) = units_died([died], losses, floor=floor)
    assert plain.severity.name == "WARNING" and smoothed.severity.name == "INFO"


def test_units_that_died_while_the_loss_was_still_falling_at_the_end_did_not_stop_learning():
    """round 28's a/carpet_motif_cnn (healthy: OneCycle, label smoothing, dropout): 59% of fc1's units died, the loss
    fell from 0.81 to 0.62 after, not half, but was still falling steadily when the run ended (G605 read it): learning
    had not stopped, so the death is a note. A loss flat after the death (O405's stalled run) keeps the warning."""
    from nndoctor.verdicts.curves import still_falling
    from nndoctor.verdicts.layers import UnitDeath, units_died

    died = UnitDeath("fc1", [(0, 0.14), (1, 0.14), (50, 0.55), (100, 0.58), (150, 0.59), (190, 0.59)])
    steps = np.arange(192)
    rng = np.random.default_rng(0)
    falling = 0.62 + 0.19 * np.exp(-(steps - 50).clip(0) / 300) + 0.01 * rng.standard_normal(192)
    flat = np.where(steps < 50, falling, 0.8) + 0.01 * rng.standard_normal(192)
    for curve, severity in ((falling, "INFO"), (flat, "WARNING")):
        at_end = still_falling(curve.tolist()) is not None
        assert at_end == (severity == "INFO")
        (found,) = units_died([died], list(zip(steps.tolist(), curve.tolist())), falling_at_end=at_end)
        assert found.severity.name == severity
