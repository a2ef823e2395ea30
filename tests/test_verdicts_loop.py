"""The training-loop verdicts (T501-T508, nndoctor.verdicts.loop) and the step-size ones (O408, O411, O412, nndoctor.verdicts.schedule).

Each verdict is fed hand-built measurements: a broken one fires with its severity and a piece
of evidence computed here independently, a healthy one (near the threshold where there is
one) stays silent. The adapters in watch and integrations only build these measurements.
"""
from __future__ import annotations

import numpy as np

from nndoctor import Severity
from nndoctor.verdicts import VERDICTS
from nndoctor.verdicts.loop import (
    BackwardModes,
    BatchFingerprints,
    EvaluationModes,
    GradientClearing,
    ParameterUpdates,
    Replicas,
    ReplicaState,
    Seeding,
    StepOrder,
    eval_mode_training,
    missing_zero_grad,
    parameters_not_updated,
    ranks_out_of_sync,
    same_batch,
    step_order,
    train_mode_evaluation,
    trained_in_eval_mode,
    unseeded,
)
from nndoctor.verdicts.schedule import Clipping, LrSchedule, UpdateRatios, aggressive_clipping, lr_schedule, update_ratio

CODES = ["T501", "T502", "T503", "T504", "T505", "T506", "T507", "T508", "O408", "O411", "O412"]


def test_each_code_has_its_verdict_registered_when_the_adapters_are_imported():
    import nndoctor.integrations.distributed  # noqa: F401
    import nndoctor.watch.live_rules  # noqa: F401

    assert all(VERDICTS[code].__module__ in ("nndoctor.verdicts.loop", "nndoctor.verdicts.schedule") for code in CODES)


# -- T501 ---------------------------------------------------------------------------------------
def test_t501_fires_when_nearly_every_step_keeps_the_previous_gradients():
    [found] = missing_zero_grad(GradientClearing(uncleared_steps=19, cleared_steps=1, zero_grad_calls=1, steps=20))
    assert (found.code, found.severity) == ("T501", Severity.ERROR)
    assert found.evidence["checked_steps"] == 19 + 1
    assert "19 of 20 steps" in found.message


def test_t501_is_silent_for_accumulation_that_clears_now_and_then():
    # 8 of 10 uncleared: gradient accumulation over a few micro-batches, cleared in between
    assert list(missing_zero_grad(GradientClearing(uncleared_steps=8, cleared_steps=2, zero_grad_calls=2, steps=10))) == []
    assert list(missing_zero_grad(GradientClearing(uncleared_steps=2, cleared_steps=0, zero_grad_calls=0, steps=2))) == []


# -- T502 / T503 -----------------------------------------------------------------------------------
def test_t502_fires_when_half_of_the_backward_passes_run_in_eval_mode():
    modes = BackwardModes(checked=6, in_eval_mode=3)
    [found] = eval_mode_training(modes)
    assert (found.code, found.severity) == ("T502", Severity.WARNING)
    assert found.evidence == {"backward_in_eval_mode": 3, "backward_checked": 6}
    assert trained_in_eval_mode(modes)


def test_t502_is_silent_below_half_and_with_too_few_passes_checked():
    assert list(eval_mode_training(BackwardModes(checked=10, in_eval_mode=4))) == []
    assert list(eval_mode_training(BackwardModes(checked=2, in_eval_mode=2))) == []  # the first passes may precede model.train()
    assert not trained_in_eval_mode(BackwardModes(checked=0, in_eval_mode=0))


def test_t503_fires_when_evaluation_runs_in_train_mode():
    [found] = train_mode_evaluation(EvaluationModes(eval_forwards=8, in_train_mode=8))
    assert (found.code, found.severity) == ("T503", Severity.WARNING)
    assert found.evidence["eval_forwards_in_train_mode"] == 8
    assert found.message.startswith("8 of 8 forward passes")


def test_t503_is_silent_when_most_evaluation_is_in_eval_mode_or_a_single_pass_is_not():
    assert list(train_mode_evaluation(EvaluationModes(eval_forwards=10, in_train_mode=4))) == []
    assert list(train_mode_evaluation(EvaluationModes(eval_forwards=1, in_train_mode=1))) == []


# -- T504 -----------------------------------------------------------------------------------------
def test_t504_warns_when_a_trained_tensor_is_missing_from_the_optimizer():
    reasons = {"head.weight": "not in any optimizer", "head.bias": "not in any optimizer"}
    found = list(parameters_not_updated(ParameterUpdates(
        optimizer_steps=50, steps=50, trainable=4, unchanged=["head.weight", "head.bias"], reasons=reasons,
        reached=["body.weight", "head.weight"])))
    assert [(f.code, f.severity) for f in found] == [("T504", Severity.WARNING)]
    assert found[0].evidence["receive_gradients"] == ["head.weight"]
    assert found[0].location == "head.weight"
    assert "2 are not in any optimizer" in found[0].message and "sends gradients to 1 of them" in found[0].message


def test_t504_is_an_error_when_everything_the_loss_trains_is_stuck():
    [found] = parameters_not_updated(ParameterUpdates(
        optimizer_steps=50, steps=50, trainable=3, unchanged=["w"], reasons={"w": "lr is 0"}, reached=["w"]))
    assert found.severity == Severity.ERROR
    assert found.evidence["unchanged"] == ["w"]


def test_t504_is_silent_without_a_reason_too_few_steps_or_after_divergence():
    base = dict(steps=50, trainable=2, unchanged=["w"], reasons={"w": "not in any optimizer"})
    assert list(parameters_not_updated(ParameterUpdates(optimizer_steps=50, **{**base, "reasons": {}}))) == []
    assert list(parameters_not_updated(ParameterUpdates(optimizer_steps=2, **base))) == []
    assert list(parameters_not_updated(ParameterUpdates(optimizer_steps=50, diverged=True, **base))) == []


# -- T505 -----------------------------------------------------------------------------------------
def test_t505_fires_on_steps_without_backward():
    [found] = step_order(StepOrder(optimizer_steps=10, backward_calls=5, step_without_backward=5))
    assert (found.code, found.severity) == ("T505", Severity.ERROR)
    assert found.evidence["step_without_backward"] == 5


def test_t505_warns_only_for_a_scheduler_stepped_first():
    [found] = step_order(StepOrder(optimizer_steps=10, backward_calls=10, scheduler_before_optimizer=1))
    assert found.severity == Severity.WARNING
    assert found.evidence["scheduler_before_optimizer"] == 1


def test_t505_never_stepping_is_judged_at_the_end_only_and_a_manual_update_is_a_step():
    broken = StepOrder(optimizer_steps=0, backward_calls=12, final=True)
    [found] = step_order(broken)
    assert "backward() ran 12 times but the optimizer never stepped" in found.message
    assert list(step_order(StepOrder(optimizer_steps=0, backward_calls=12, final=False))) == []
    assert list(step_order(StepOrder(optimizer_steps=0, backward_calls=12, manual_steps=12))) == []


def test_t505_is_silent_below_half_of_the_steps():
    # 4 of 10 steps misordered: under half, an occasional skipped backward (e.g. a NaN batch) is no loop order
    assert list(step_order(StepOrder(optimizer_steps=10, backward_calls=10, step_without_backward=4,
                                     zero_between_backward_and_step=4, discarded_backwards=4))) == []


# -- T506 -----------------------------------------------------------------------------------------
def test_t506_warns_when_a_loader_with_many_batches_gives_the_same_one():
    fp = (1.0, 2.0)
    [found] = same_batch(BatchFingerprints({0: fp, 1: fp, 2: fp, 3: fp}, loader_batches=8))
    assert (found.code, found.severity) == ("T506", Severity.WARNING)
    assert found.evidence["checked_pairs"] == 3 and found.evidence["distinct_batches"] == 1


def test_t506_full_batch_training_is_only_info_and_a_batch_index_that_does_not_advance_warns():
    fp, other = (1.0,), (2.0,)
    [full] = same_batch(BatchFingerprints({0: fp, 1: fp, 2: fp, 3: fp}))
    assert full.severity == Severity.INFO
    [stuck] = same_batch(BatchFingerprints({0: fp, 1: fp, 10: other, 11: other, 20: fp, 21: fp}))
    assert stuck.severity == Severity.WARNING and stuck.evidence["distinct_batches"] == 2


def test_t506_is_silent_when_one_pair_differs_or_too_few_pairs():
    fp = (1.0,)
    assert list(same_batch(BatchFingerprints({0: fp, 1: fp, 2: fp, 3: (3.0,)}, loader_batches=8))) == []
    assert list(same_batch(BatchFingerprints({0: fp, 1: fp, 2: fp}, loader_batches=8))) == []


# -- T507 -----------------------------------------------------------------------------------------
def test_t507_fires_for_an_unseeded_run_only():
    [found] = unseeded(Seeding(seeded=False, steps=10))
    assert (found.code, found.severity, found.evidence) == ("T507", Severity.INFO, {"seeded": False})
    assert list(unseeded(Seeding(seeded=True, steps=10))) == []
    assert list(unseeded(Seeding(seeded=False, steps=0))) == []


# -- T508 -----------------------------------------------------------------------------------------
def _rank(norms, start=(10.0, 5.0), end=(11.0, 6.0)):
    return ReplicaState(start_weights=list(start), end_weights=list(end), grad_norms=[[s, v] for s, v in norms])


def test_t508_fires_when_replicas_gradients_differ():
    drift = 1.5 * (1 + 1e-3)
    [found] = ranks_out_of_sync(Replicas({0: _rank([(1, 2.0), (5, 1.5)]), 1: _rank([(1, 2.0), (5, drift)])}))
    assert (found.code, found.severity, found.location) == ("T508", Severity.ERROR, "step 5")
    assert found.evidence["grad_norms"] == {0: 1.5, 1: drift}
    assert found.evidence["kind"] == "gradients"


def test_t508_fires_when_replicas_end_with_different_weights():
    [found] = ranks_out_of_sync(Replicas({0: _rank([(1, 2.0)]), 1: _rank([(1, 2.0)], end=(12.0, 7.0))}))
    assert found.evidence["kind"] == "weights" and found.evidence["weight_sums"] == {0: 11.0, 1: 12.0}
    assert found.location is None


def test_t508_is_silent_for_float_rounding_and_for_ranks_that_never_were_replicas():
    rounding = 1.5 * (1 + 1e-7)
    assert list(ranks_out_of_sync(Replicas({0: _rank([(5, 1.5)]), 1: _rank([(5, rounding)])}))) == []
    sharded = Replicas({0: _rank([(5, 1.5)]), 1: _rank([(5, 3.0)], start=(3.0, 1.0))})
    assert list(ranks_out_of_sync(sharded)) == []
    assert list(ranks_out_of_sync(Replicas({0: _rank([(5, 1.5)])}))) == []


# -- O408 -----------------------------------------------------------------------------------------
def test_o408_fires_when_clip_grad_norm_cuts_nine_steps_in_ten():
    norms = [5.0] * 18 + [0.5] * 2
    [found] = aggressive_clipping(Clipping(norm_calls=[(n, 1.0) for n in norms]))
    assert (found.code, found.severity) == ("O408", Severity.WARNING)
    assert found.evidence["clipped_share"] == 18 / 20
    assert found.evidence["median_pre_clip_norm"] == float(np.median(norms))


def test_o408_is_silent_below_nine_in_ten_for_a_scale_invariant_optimizer_and_for_few_calls():
    assert list(aggressive_clipping(Clipping(norm_calls=[(5.0, 1.0)] * 17 + [(0.5, 1.0)] * 3))) == []
    assert list(aggressive_clipping(Clipping(norm_calls=[(5.0, 1.0)] * 20, clip_shrinks_steps=False))) == []
    assert list(aggressive_clipping(Clipping(norm_calls=[(5.0, 1.0)] * 19))) == []
    # non-finite norms are not calls: 19 finite ones stay below the minimum
    assert list(aggressive_clipping(Clipping(norm_calls=[(5.0, 1.0)] * 19 + [(float("nan"), 1.0)]))) == []


def test_o408_fires_when_clip_grad_value_cuts_the_typical_entry():
    shares = [0.6, 0.7, 0.8, 0.9, 0.95]
    [found] = aggressive_clipping(Clipping(value_clips=[(i, s, 1e-4) for i, s in enumerate(shares)]))
    assert found.evidence["median_clipped_entries"] == float(np.median(shares))
    assert found.evidence["clip_value"] == 1e-4 and found.evidence["biting_share"] == 1.0


def test_o408_is_silent_when_clip_grad_value_cuts_only_outliers():
    assert list(aggressive_clipping(Clipping(value_clips=[(i, 0.49, 1.0) for i in range(10)]))) == []
    assert list(aggressive_clipping(Clipping(value_clips=[(i, 0.9, 1.0) for i in range(4)]))) == []  # too few samples


# -- O411 -----------------------------------------------------------------------------------------
def test_o411_fires_when_the_lr_sits_at_zero_for_half_the_run():
    lrs = [1.0] * 50 + [1e-4] * 50
    [found] = lr_schedule(LrSchedule(lrs, ["StepLR"], location="optimizer 0"))
    assert (found.code, found.severity, found.location) == ("O411", Severity.WARNING, "optimizer 0")
    assert found.evidence["onset_step"] == lrs.index(1e-4) and found.evidence["peak"] == 1.0


def test_o411_fires_when_the_lr_is_two_decades_down_for_most_of_the_run():
    [found] = lr_schedule(LrSchedule([1.0] * 20 + [0.005] * 80))
    assert found.evidence["onset_step"] == 20 and found.evidence["final_lr"] == 0.005


def test_o411_fires_when_the_lr_goes_back_up_unless_the_schedule_is_cyclic():
    lrs = [1.0] * 30 + [0.1] * 30 + [1.0] * 40
    [found] = lr_schedule(LrSchedule(lrs))
    assert found.evidence["raised_at"] == 60
    assert list(lr_schedule(LrSchedule(lrs, ["CyclicLR"]))) == []


def test_o411_is_silent_for_an_ordinary_step_decay_and_a_warmup():
    # x0.1 at half and at three quarters: two decades down only in the last quarter
    assert list(lr_schedule(LrSchedule([1.0] * 50 + [0.1] * 25 + [0.01] * 25))) == []
    assert list(lr_schedule(LrSchedule(list(np.linspace(0.0, 1.0, 20)) + [1.0] * 80))) == []
    assert list(lr_schedule(LrSchedule([1.0] * 10 + [1e-5] * 10))) == []  # too short to judge


# -- O412 -----------------------------------------------------------------------------------------
def test_o412_fires_for_one_layer_two_decades_below_the_others():
    ratios = {"a": 1e-3, "b": 2e-3, "c": 1e-6}
    [found] = update_ratio(UpdateRatios(per_layer=ratios, per_layer_vs_start=ratios, sampled_steps=10))
    assert (found.code, found.severity, found.location) == ("O412", Severity.WARNING, "c")
    assert found.evidence["too_small"] == {"c": 1e-6} and found.evidence["some_layers"] is True


def test_o412_judges_too_large_against_the_starting_norm():
    current = {"a": 0.05, "b": 0.04}
    start = {"a": 0.5, "b": 0.4}  # the layers grew ten-fold: modest against the new norm, re-drawing against the old one
    [found] = update_ratio(UpdateRatios(per_layer=current, per_layer_vs_start=start, sampled_steps=10))
    assert found.evidence["too_large"] == start and found.location == "a"


def test_o412_is_silent_near_the_threshold_for_zero_started_layers_and_for_line_search():
    ratios = {"a": 1e-3, "b": 1.1e-5}
    assert list(update_ratio(UpdateRatios(per_layer=ratios, per_layer_vs_start=ratios, sampled_steps=10))) == []
    tiny = {"a": 1e-3, "gate": 1e-7}
    assert list(update_ratio(UpdateRatios(per_layer=tiny, per_layer_vs_start={"a": 1e-3}, sampled_steps=10,
                                          started_at_zero=frozenset({"gate"})))) == []
    assert list(update_ratio(UpdateRatios(per_layer=tiny, per_layer_vs_start=tiny, sampled_steps=10, line_search=True))) == []
    assert list(update_ratio(UpdateRatios(per_layer=tiny, per_layer_vs_start=tiny, sampled_steps=2))) == []
