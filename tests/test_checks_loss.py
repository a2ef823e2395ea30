"""L family: each rule fires on a broken output layer or loss and stays silent on healthy setups."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

import nndoctor
from nndoctor import Severity
from nndoctor.checks.base import Context
from nndoctor.demo import demo_setup
from nndoctor.diagnosis import rank
from nndoctor.probes.init_outputs import init_outputs

from models import examine, fired, healthy_setups, mlp, regression, tabular

L_CODES = ("L301", "L302", "L303", "L304", "L305", "L306", "L307", "L308")


def setup_of(model: nn.Module, data, loss, **kw) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=data, loss=loss, batch_size=32, **kw)


def only(findings, code):
    return [f for f in findings if f.code == code]


def probe(setup: nndoctor.Setup):
    setup.resolve()
    return init_outputs(Context(setup=setup, deadline=1e18))


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[labels]


def test_healthy_setups_raise_no_loss_findings():
    setups = healthy_setups()
    x, y = tabular(classes=2)
    setups["binary-logits"] = setup_of(mlp(10, 1), (x, y.astype(np.float32).reshape(-1, 1)), nn.BCEWithLogitsLoss())
    setups["nll-log-softmax"] = setup_of(mlp(10, 4, final=nn.LogSoftmax(dim=1)), tabular(), nn.NLLLoss())
    multi = (np.random.default_rng(0).random((400, 5)) < 0.3).astype(np.float32)
    setups["multilabel"] = setup_of(mlp(10, 5), (tabular()[0], multi), nn.BCEWithLogitsLoss())
    xr, yr = regression()
    setups["sigmoid-regression-in-range"] = setup_of(mlp(8, 1, final=nn.Sigmoid()), (xr, 1 / (1 + np.exp(-yr))), nn.MSELoss())
    for name, setup in setups.items():
        found = examine(setup, *L_CODES)
        assert found == [], f"{name}: {[(f.code, f.message) for f in found]}"


def test_chance_and_constant_losses_match_hand_calculations():
    x, y = tabular(n=256)  # exactly the 8 sample batches, so the sample is the whole set
    measured = probe(setup_of(mlp(10, 4), (x, y), nn.CrossEntropyLoss()))
    prior = np.bincount(y, minlength=4) / len(y)
    assert measured.chance_loss == pytest.approx(math.log(4), rel=1e-5)
    assert measured.constant_loss == pytest.approx(float(-(prior * np.log(prior)).sum()), rel=1e-4)
    xr, yr = regression(n=256)
    measured = probe(setup_of(mlp(8, 1), (xr, yr), nn.MSELoss()))
    assert measured.chance_loss == pytest.approx(float(np.var(yr)), rel=1e-4)
    with torch.no_grad():
        expected = float(F.mse_loss(mlp(8, 1)(torch.from_numpy(xr)), torch.from_numpy(yr)))
    assert measured.loss == pytest.approx(expected, rel=1e-5)


# -- L301 / L302 ------------------------------------------------------------------------
def test_double_softmax_fires_on_softmax_before_cross_entropy():
    found = only(examine(setup_of(mlp(10, 4, final=nn.Softmax(dim=1)), tabular(), nn.CrossEntropyLoss()), "L301"), "L301")
    assert found and found[0].severity == Severity.ERROR and found[0].location == "module 5 (Softmax)"
    assert abs(found[0].evidence["row_sum_max"] - 1) < 1e-3


def test_double_softmax_fires_on_the_bundled_broken_demo_but_not_the_healthy_one():
    assert "L301" in fired(demo_setup(), "L301")
    assert fired(demo_setup(healthy=True), *L_CODES) == set()


def test_log_softmax_before_cross_entropy_is_harmless_and_silent():
    assert "L301" not in fired(setup_of(mlp(10, 4, final=nn.LogSoftmax(dim=1)), tabular(), nn.CrossEntropyLoss()), "L301")


def test_sigmoid_before_logits_loss_fires_for_bce_with_logits_and_cross_entropy():
    x, y = tabular(classes=2)
    binary = setup_of(mlp(10, 1, final=nn.Sigmoid()), (x, y.astype(np.float32).reshape(-1, 1)), nn.BCEWithLogitsLoss())
    found = only(examine(binary, "L302"), "L302")
    assert found and found[0].severity == Severity.ERROR
    assert "L302" in fired(setup_of(mlp(10, 4, final=nn.Sigmoid()), tabular(), nn.CrossEntropyLoss()), "L302")


def test_all_zero_outputs_are_not_mistaken_for_sigmoid_outputs():
    model = mlp(10, 4)
    nn.init.zeros_(model[4].weight)
    nn.init.zeros_(model[4].bias)
    assert fired(setup_of(model, tabular(), nn.CrossEntropyLoss()), *L_CODES) == set()


# -- L303 -------------------------------------------------------------------------------
def test_nll_loss_on_raw_logits_fires():
    found = only(examine(setup_of(mlp(10, 4), tabular(), nn.NLLLoss()), "L303"), "L303")
    assert found and found[0].severity == Severity.ERROR and found[0].evidence["max_abs_logsumexp"] > 0.1


class OverflowingSoftmax(nn.Module):
    """A hand-written softmax on large scores: exp overflows to inf and inf/inf is NaN."""

    def __init__(self) -> None:
        super().__init__()
        self.body = mlp(10, 4)

    def forward(self, x):
        scores = 200.0 * self.body(x)
        return torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)


def test_non_finite_outputs_from_a_hand_written_softmax_fire():
    found = only(examine(setup_of(OverflowingSoftmax(), tabular(), nn.NLLLoss()), "L303"), "L303")
    assert found and found[0].evidence["nonfinite_outputs"] > 0 and found[0].evidence["nonfinite_inputs"] == 0


# -- L304 -------------------------------------------------------------------------------
def test_relu_output_with_negative_regression_targets_fires():
    x, y = regression()
    found = only(examine(setup_of(mlp(8, 1, final=nn.ReLU()), (x, y), nn.MSELoss()), "L304"), "L304")
    assert found and found[0].evidence["activation_range"] == [0.0, math.inf]
    assert 0.3 < found[0].evidence["share_unreachable"] < 0.7


class SquashedInForward(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = mlp(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.body(x))


def test_sigmoid_in_forward_with_targets_outside_unit_interval_fires():
    x, y = regression()
    assert "L304" in fired(setup_of(SquashedInForward(), (x, 3 * y), nn.MSELoss()), "L304")
    assert "L304" not in fired(setup_of(mlp(8, 1, final=nn.Tanh()), (x, np.tanh(y)), nn.MSELoss()), "L304")


class TanhInForward(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = mlp(8, 1)

    def forward(self, x):
        return torch.tanh(self.body(x)).squeeze(-1)


def test_final_activation_is_read_through_a_flatten_and_in_forward():
    x, y = regression()
    behind_flatten = nn.Sequential(mlp(8, 1), nn.ReLU(), nn.Flatten(0))
    found = only(examine(setup_of(behind_flatten, (x, y[:, 0]), nn.MSELoss()), "L304"), "L304")
    assert found and found[0].evidence["final_op"] == "Relu" and found[0].evidence["activation_range"] == [0.0, math.inf]
    found = only(examine(setup_of(TanhInForward(), (x, 3 * y[:, 0]), nn.MSELoss()), "L304"), "L304")
    assert found and found[0].evidence["activation_range"] == [-1.0, 1.0]


def test_a_linear_head_whose_outputs_happen_to_lie_in_the_unit_interval_is_not_an_activation():
    x, y = regression()
    head = mlp(8, 1)
    with torch.no_grad():
        head[-1].weight.mul_(1e-3)
        head[-1].bias.fill_(0.5)  # every output near 0.5 at init, yet nothing bounds it
    assert "L304" not in fired(setup_of(head, (x, 3 * y), nn.MSELoss()), "L304")


def test_an_output_stuck_at_its_bound_is_an_error_that_explains_the_zero_gradients():
    x, y = regression()
    head = mlp(8, 1, final=nn.ReLU())
    with torch.no_grad():
        head[-2].bias.fill_(-100.0)  # the final ReLU is off for every sample
    findings = examine(setup_of(head, (x, y), nn.MSELoss()), "L304", "M209")
    (l304,) = only(findings, "L304")
    assert l304.severity == Severity.ERROR and l304.evidence["stuck"]
    ordered = rank(findings)
    assert ordered[0].code == "L304" and only(ordered, "M209")[0].explained_by == "L304"
    found = only(examine(setup_of(mlp(8, 1, final=nn.ReLU()), (x, y), nn.MSELoss()), "L304"), "L304")
    assert found[0].severity == Severity.WARNING and not found[0].evidence["stuck"]


# -- L305 / L306 ------------------------------------------------------------------------
def test_regression_loss_on_class_labels_fires():
    x, y = tabular()
    as_numbers = setup_of(mlp(10, 1), (x, y.astype(np.float32).reshape(-1, 1)), nn.MSELoss())
    found = only(examine(as_numbers, "L305"), "L305")
    assert found and found[0].severity == Severity.ERROR and found[0].evidence["task"] == "multiclass"
    on_one_hot = setup_of(mlp(10, 4), (x, one_hot(y, 4)), nn.L1Loss())
    assert only(examine(on_one_hot, "L305"), "L305")[0].evidence["targets"] == "one-hot"
    assert "L305" not in fired(setup_of(mlp(10, 1), (x, y.astype(np.float32).reshape(-1, 1)), nn.MSELoss(), task="regression"), "L305")


def test_wrong_classification_loss_fires_both_ways():
    x, y = tabular()
    bce_on_one_hot = setup_of(mlp(10, 4), (x, one_hot(y, 4)), nn.BCEWithLogitsLoss())
    assert only(examine(bce_on_one_hot, "L306"), "L306")[0].evidence["classes"] == 4
    multi = (np.random.default_rng(0).random((400, 5)) < 0.4).astype(np.float32)
    ce_on_multi_hot = setup_of(mlp(10, 5), (x, multi), nn.CrossEntropyLoss())
    assert "L306" in fired(ce_on_multi_hot, "L306")
    assert "L306" not in fired(setup_of(mlp(10, 4), (x, one_hot(y, 4)), nn.CrossEntropyLoss()), "L306")


# -- L307 -------------------------------------------------------------------------------
def test_initial_loss_silent_when_an_untrained_regression_head_adds_its_own_variance():
    x, y = regression()
    model = mlp(8, 1)
    with torch.no_grad():
        out = model(torch.from_numpy(x))
        model[-1].weight.mul_(1.3 * float(np.std(y)) / float(out.std()))
    setup = setup_of(model, (x, y), nn.MSELoss())
    init_loss = float(nn.MSELoss()(setup.model(torch.from_numpy(x)), torch.from_numpy(y)))
    assert 1.5 * np.var(y) < init_loss < 3 * np.var(y)
    assert "L307" not in fired(setup, "L307")


def test_unexpected_initial_loss_fires_on_huge_logits_with_expected_value_in_message():
    model = mlp(10, 4)
    with torch.no_grad():
        model[4].weight.mul_(50.0)
    found = only(examine(setup_of(model, tabular(), nn.CrossEntropyLoss()), "L307"), "L307")
    assert found and found[0].severity == Severity.WARNING
    assert found[0].evidence["chance_loss"] == pytest.approx(math.log(4), rel=1e-5)
    assert f"{math.log(4):.4g}" in found[0].message
    assert found[0].evidence["init_loss"] > 1.5 * math.log(4)


def test_unexpected_initial_loss_is_explained_by_the_offset_in_regression():
    x, y = regression()
    findings = rank(examine(setup_of(mlp(8, 1), (x, 50.0 + y), nn.MSELoss()), "L307", "M210"))
    by_code = {f.code: f for f in findings}
    assert by_code["L307"].explained_by == "M210" and findings[0].code == "M210"


# -- L308 -------------------------------------------------------------------------------
def test_negated_loss_fires_as_an_error():
    found = only(examine(setup_of(mlp(10, 4), tabular(), lambda out, y: -F.cross_entropy(out, y)), "L308"), "L308")
    assert len(found) == 1 and found[0].severity == Severity.ERROR
    assert found[0].evidence["gradient_cosine"] == pytest.approx(-1.0, abs=1e-4)


def test_unreduced_loss_fires_as_a_warning():
    unreduced = lambda out, y: F.cross_entropy(out, y, reduction="none")  # noqa: E731
    found = only(examine(setup_of(mlp(10, 4), tabular(), unreduced), "L308"), "L308")
    assert len(found) == 1 and found[0].severity == Severity.WARNING


def test_summed_loss_alone_is_a_note_that_scales_the_step():
    # a sum is a convention when the LR was chosen for it; the diagnosis raises it when the steps prove too large
    found = only(examine(setup_of(mlp(10, 4), tabular(), nn.CrossEntropyLoss(reduction="sum")), "L308"), "L308")
    assert len(found) == 1 and found[0].severity == Severity.INFO and found[0].evidence["scales_the_step"]


def test_summed_regression_loss_ratio_is_exactly_two():
    x, y = regression()
    found = only(examine(setup_of(mlp(8, 1), (x, y), nn.MSELoss(reduction="sum")), "L308"), "L308")
    assert found[0].evidence["whole_over_halves"] == pytest.approx(2.0, rel=1e-4)


# -- sequence outputs: the class axis is the last one --------------------------------------
class TokenModel(nn.Module):
    """A next-token model over ``vocab`` ids returning (N, T, V) scores, optionally already softmaxed."""

    def __init__(self, vocab: int = 500, d: int = 16, softmax: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.head, self.softmax = nn.Embedding(vocab, d), nn.Linear(d, vocab), softmax

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        logits = self.head(torch.tanh(self.embed(ids)))
        return logits.softmax(dim=-1) if self.softmax else logits


def tokens(n: int = 256, length: int = 10, vocab: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, vocab, (n, length + 1), generator=g)
    return ids[:, :-1], ids[:, 1:]


def test_chance_loss_of_a_token_model_is_ln_of_the_vocabulary_on_the_last_axis():
    measured = probe(setup_of(TokenModel(), tokens(), None))
    assert measured.task == "sequence" and measured.class_axis == 2 and measured.n_classes == 500
    assert measured.chance_loss == pytest.approx(math.log(500), rel=1e-5)
    assert measured.loss == pytest.approx(math.log(500), rel=0.05)


def test_double_softmax_fires_on_a_token_model_softmaxing_its_last_axis():
    assert "L301" in fired(setup_of(TokenModel(softmax=True), tokens(), None), "L301")
    assert not fired(setup_of(TokenModel(), tokens(), None), *L_CODES)


def test_sign_check_abstains_for_a_loss_of_a_whole_tuple_output():
    class WithAux(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = mlp(10, 4)

        def forward(self, x):
            out = self.body(x)
            return out, out.pow(2).mean()

    def loss(output, y):  # the main loss plus a small auxiliary term, as real training loops write it
        logits, aux = output
        return F.cross_entropy(logits, y) + 0.01 * aux

    setup = setup_of(WithAux(), tabular(), loss)
    measured = probe(setup)
    assert setup.structured_output and setup.loss_reads == "output"
    assert measured.constant_loss is None and measured.loss == pytest.approx(math.log(4), rel=0.3)
    assert not fired(setup, *L_CODES)
