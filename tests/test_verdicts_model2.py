"""The M202, M205, M206, M207, M210, L305 and L306 verdicts on hand-built measurements.

Each verdict fires on a broken measurement (code, severity and a piece of evidence computed
here independently) and stays silent on a healthy one, including one just inside its limit.
The adapters in ``checks/model.py`` and ``checks/loss.py`` are covered by
``test_checks_model.py`` and ``test_checks_loss.py`` on real models.
"""
from __future__ import annotations

import math

import pytest

from nndoctor import Severity
from nndoctor.probes.init_outputs import InitOutputs
from nndoctor.verdicts import VERDICTS
from nndoctor.verdicts.loss import (
    LossForTargets,
    regression_loss_for_classification,
    wrong_classification_loss,
)
from nndoctor.verdicts.model import (
    BatchMixing,
    Bottleneck,
    DeepStack,
    InitScale,
    OutputOffset,
    bad_init_scale,
    batch_mixing,
    narrow_bottleneck,
    offset_is_the_fault,
    output_bias_not_prior,
    too_deep_plain_network,
)


def test_each_code_has_its_one_verdict_here():
    home = {"M202": "model", "M205": "model", "M206": "model", "M207": "model", "M210": "model", "L305": "loss", "L306": "loss"}
    from nndoctor.checks import load_all

    load_all()  # the adapters import their verdicts
    assert {code: VERDICTS[code].__module__ for code in home} == {code: f"nndoctor.verdicts.{m}" for code, m in home.items()}


# -- M202 --------------------------------------------------------------------------------------
NAMES = ["0", "2", "4", "6"]


def test_init_scale_fires_on_activations_shrinking_geometrically():
    act = [1.0, 0.05, 0.0025, 0.0001]
    (found,) = bad_init_scale(InitScale(NAMES, act, [1.0, 1.0, 1.0, 1.0], between=["ReLU"], weight_gain=0.05))
    assert found.code == "M202" and found.severity == Severity.WARNING
    # read up to what the last layer multiplies: the third layer's output, two steps from the first
    assert found.evidence["activation_factor_per_layer"] == pytest.approx((act[-2] / act[0]) ** (1 / 2))
    assert found.evidence["grad_factor_per_layer"] == pytest.approx(1.0)
    assert found.evidence["weight_gain_per_layer"] == 0.05 and found.location == "0 .. 6"
    assert found.evidence["nonlinearities"] == ["ReLU"] and found.evidence["slope_limited"] is False


def test_init_scale_fires_on_a_gradient_vanishing_toward_the_first_layer_of_a_sigmoid_stack():
    grads = [1e-4, 1e-3, 1e-2, 1.0]
    (found,) = bad_init_scale(InitScale(NAMES, [1.0] * 4, grads, between=["Dropout", "Sigmoid"]))
    assert found.evidence["grad_factor_per_layer"] == pytest.approx((grads[0] / grads[-1]) ** (1 / 3))
    assert found.evidence["activation_factor_per_layer"] == pytest.approx(1.0)
    assert found.evidence["nonlinearities"] == ["Sigmoid"] and found.evidence["slope_limited"] is True


def test_init_scale_silent_within_two_orders_overall_behind_normalisation_or_on_short_stacks():
    # ×0.3 per layer over three steps is ×0.027 overall: inside the hundredfold the far layers tolerate
    assert list(bad_init_scale(InitScale(NAMES, [1.0, 0.3, 0.09, 0.027], [0.027, 0.09, 0.3, 1.0]))) == []
    # the last layer's own output starves no weight (round 19 a/battery_soh_lightning: PyTorch's default init, then
    # average pooling and a one-unit regression head): its scale at init is the loss's business (M210, L307)
    assert list(bad_init_scale(InitScale(NAMES, [0.52, 0.2, 0.097, 0.0044], [1e-4, 2.5e-4, 6.5e-4, 8e-3],
                                         optimizer="Adam"))) == []
    shrinking = [1.0, 0.1, 0.01, 0.001]
    assert list(bad_init_scale(InitScale(NAMES, shrinking, [1.0] * 4, has_normalisation=True))) == []
    assert list(bad_init_scale(InitScale(NAMES[:2], [1.0, 1e-4], [1.0, 1.0]))) == []
    # a gradient that was not measured at one end is no trend
    assert list(bad_init_scale(InitScale(NAMES, [1.0] * 4, [None, 1e-3, 1e-2, 1.0]))) == []


# -- M205 --------------------------------------------------------------------------------------
def test_deep_plain_stack_fires_when_the_first_layer_gets_a_hundredth_of_the_last_ones_gradient():
    (found,) = too_deep_plain_network(DeepStack(12, "0", "22", first_grad_norm=2e-4, last_grad_norm=0.05))
    assert found.code == "M205" and found.severity == Severity.WARNING and found.location == "0"
    assert found.evidence["grad_ratio_first_last"] == pytest.approx(2e-4 / 0.05) and found.evidence["depth"] == 12


def test_deep_plain_stack_silent_near_the_ratio_when_shallow_normalised_recurrent_or_unmeasured():
    assert list(too_deep_plain_network(DeepStack(12, "0", "22", 0.011, 1.0))) == []
    assert list(too_deep_plain_network(DeepStack(9, "0", "16", 1e-5, 1.0))) == []
    assert list(too_deep_plain_network(DeepStack(12, "0", "22", 1e-5, 1.0, has_normalisation=True))) == []
    assert list(too_deep_plain_network(DeepStack(12, "0", "22", 1e-5, 1.0, has_recurrent=True))) == []
    assert list(too_deep_plain_network(DeepStack(12, "0", "22", 1e-5, 0.0))) == []
    assert list(too_deep_plain_network(DeepStack(12, "0", "22", None, 1.0))) == []


# -- M206 --------------------------------------------------------------------------------------
def test_bottleneck_fires_on_a_hidden_layer_narrower_than_the_classes():
    widths = {"0": 16, "2": 3, "rnn": 5}
    (found,) = narrow_bottleneck(Bottleneck("multiclass", 10, widths))
    assert found.code == "M206" and found.severity == Severity.WARNING
    assert found.evidence == {"narrow_layers": {"2": 3, "rnn": 5}, "classes": 10}
    assert found.location == "2, rnn" and "Hidden layer 2 has 3 units" in found.message


def test_bottleneck_silent_at_the_class_count_for_two_classes_sequences_and_reconstruction():
    assert list(narrow_bottleneck(Bottleneck("multiclass", 4, {"0": 4, "2": 4}))) == []
    assert list(narrow_bottleneck(Bottleneck("multiclass", 2, {"0": 1}))) == []
    assert list(narrow_bottleneck(Bottleneck("sequence", 30000, {"0": 256}))) == []
    assert list(narrow_bottleneck(Bottleneck("multilabel", 20, {"0": 3}, reconstruction=True))) == []
    assert list(narrow_bottleneck(Bottleneck("multiclass", None, {"0": 1}))) == []


# -- M207 --------------------------------------------------------------------------------------
def test_batch_mixing_fires_when_both_gradient_and_forward_see_other_samples():
    pairs = [{"sample": 0, "own_grad_max": 0.5, "other_grad_max": 0.1}, {"sample": 4, "own_grad_max": 0.4, "other_grad_max": 0.12}]
    leak = max(p["other_grad_max"] / p["own_grad_max"] for p in pairs)
    (found,) = batch_mixing(BatchMixing(leak, pairs, 5, forward_leak=0.2))
    assert found.code == "M207" and found.severity == Severity.ERROR
    assert found.evidence["relative_leak"] == pytest.approx(0.3) and found.evidence["pairs"] == pairs
    assert "sample 0's output" in found.message
    # integer inputs have no forward measurement: the gradient decides alone
    assert [f.code for f in batch_mixing(BatchMixing(1e-5, pairs, 5, forward_leak=None))] == ["M207"]


def test_batch_mixing_silent_on_rounding_or_a_backward_that_fakes_the_mixing():
    pairs = [{"sample": 0, "own_grad_max": 1.0, "other_grad_max": 5e-7}]
    assert list(batch_mixing(BatchMixing(5e-7, pairs, 5, forward_leak=0.0))) == []
    assert list(batch_mixing(BatchMixing(0.5, pairs, 5, forward_leak=5e-5))) == []


# -- M210 --------------------------------------------------------------------------------------
def _offset(**kw) -> OutputOffset:
    base = {"init_loss": 2.0, "constant_loss": 0.2, "offset_loss": 1.9, "shifted_loss": 0.25, "chance_loss": math.log(2),
            "task": "binary", "space": "element_logits", "classification": True}
    return OutputOffset(**{**base, **kw})


def test_output_bias_fires_when_the_offset_alone_costs_twice_the_prior_and_moving_it_fixes_that():
    (found,) = output_bias_not_prior(_offset())
    assert found.code == "M210" and found.severity == Severity.WARNING
    assert found.evidence["offset_limit_loss"] == pytest.approx(2 * 0.2) and "the log class prior" in found.message
    assert found.location is None  # the adapter names the output layer


def test_output_bias_in_regression_is_judged_against_the_loss_two_stds_off():
    m = OutputOffset(init_loss=120.0, constant_loss=1.0, offset_loss=110.0, shifted_loss=1.5, offset_limit_loss=5.0,
                     task="regression", space="values")
    (found,) = output_bias_not_prior(m)
    assert found.evidence["offset_limit_loss"] == 5.0 and "the target mean" in found.message
    assert "more than a constant 2 target standard deviations off their mean (5)" in found.message


def test_output_bias_silent_under_the_limit_when_the_scale_is_off_too_or_on_ordered_batches():
    assert list(output_bias_not_prior(_offset(init_loss=0.39))) == []  # just under twice the prior's loss
    assert list(output_bias_not_prior(_offset(shifted_loss=0.45))) == []  # moving the average leaves it above: L307's
    assert list(output_bias_not_prior(_offset(ordered_batches=True))) == []
    assert list(output_bias_not_prior(_offset(init_loss=math.inf))) == []
    assert list(output_bias_not_prior(_offset(constant_loss=0.0))) == []
    assert not offset_is_the_fault(_offset(shifted_loss=None))


def test_the_probe_asks_the_verdict_whether_the_offset_is_the_fault():
    probe = InitOutputs(outputs=None, targets=None, loss=2.0, batch_losses=[2.0], loss_name="BCEWithLogitsLoss",
                        task="binary", space="element_logits", chance_loss=0.69, constant_loss=0.2, offset_loss=1.9,
                        shifted_loss=0.25)
    assert probe.offset_limit() == pytest.approx(0.4) and probe.offset_is_the_fault()
    assert probe.output_offset() == _offset(chance_loss=0.69)


# -- L305 / L306 -------------------------------------------------------------------------------
def test_regression_loss_on_class_labels_fires():
    m = LossForTargets("MSELoss", "multiclass", "indices", "integer labels", regression_loss=True, classification=True)
    (found,) = regression_loss_for_classification(m)
    assert found.code == "L305" and found.severity == Severity.ERROR
    assert found.evidence == {"loss": "MSELoss", "task": "multiclass", "targets": "indices"}
    (unknown,) = regression_loss_for_classification(LossForTargets("L1Loss", "binary", None, None, True, True))
    assert unknown.evidence["targets"] == "class labels" and "(given;" in unknown.message


def test_regression_loss_silent_on_regression_or_a_classification_loss():
    assert list(regression_loss_for_classification(LossForTargets("MSELoss", "regression", "indices", None, True, False))) == []
    assert list(regression_loss_for_classification(LossForTargets("CrossEntropyLoss", "multiclass", "indices", None, False, True))) == []


def test_wrong_classification_loss_fires_both_ways():
    (bce,) = wrong_classification_loss(LossForTargets("BCEWithLogitsLoss", "multiclass", "one-hot", width=4))
    assert bce.code == "L306" and bce.severity == Severity.ERROR and bce.evidence["classes"] == 4
    rows = [[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 0, 1], [0, 0, 1]]
    share = sum(sum(r) > 1 for r in rows) / len(rows)
    (ce,) = wrong_classification_loss(LossForTargets("CrossEntropyLoss", "multilabel", "multi-hot", width=3, multi_label_share=share))
    assert ce.severity == Severity.ERROR and ce.evidence["multi_label_share"] == pytest.approx(0.6) and ce.evidence["labels"] == 3
    assert ce.message.startswith("60% of the target rows")


def test_wrong_classification_loss_silent_on_matching_losses_and_two_one_hot_columns():
    assert list(wrong_classification_loss(LossForTargets("BCEWithLogitsLoss", "binary", "one-hot", width=2))) == []
    assert list(wrong_classification_loss(LossForTargets("CrossEntropyLoss", "multiclass", "one-hot", width=4))) == []
    assert list(wrong_classification_loss(LossForTargets("BCEWithLogitsLoss", "multilabel", "multi-hot", width=5,
                                                         multi_label_share=0.5))) == []
    assert list(wrong_classification_loss(LossForTargets("NLLLoss", "multiclass", "indices"))) == []
