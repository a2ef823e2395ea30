"""Core contracts: JSON schema, ranking, crash isolation, selection, and never hurting the patient."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Finding, Severity
from nndoctor.checks import base
from nndoctor.diagnosis import rank
from nndoctor.report import Report

from conftest import blobs


@pytest.fixture
def temporary_check():
    """Register checks for one test and remove them afterwards."""
    added: list[str] = []

    def register(*codes: str, phase: str = "data"):
        def wrap(fn):
            base.check(*codes, phase=phase, name=f"test.{fn.__name__}")(fn)
            added.append(f"test.{fn.__name__}")
            return fn
        return wrap

    yield register
    for key in added:
        base._REGISTRY.pop(key, None)


def test_json_contract_fields_and_order():
    findings = [
        Finding("O401", Severity.ERROR, "diverged"),
        Finding("D101", Severity.WARNING, "raw pixels"),
        Finding("T507", Severity.INFO, "unseeded"),
    ]
    report = Report(mode="checkup", findings=rank(findings))
    data = json.loads(report.to_json())
    assert data["mode"] == "checkup"
    assert {"version", "findings"} <= set(data)
    for item in data["findings"]:
        assert {"code", "name", "severity", "message", "evidence", "location", "fix", "explained_by"} <= set(item)
        assert item["severity"] in ("error", "warning", "info")
    assert [f["code"] for f in data["findings"]] == ["D101", "O401", "T507"]
    assert data["findings"][1]["explained_by"] == "D101"
    assert data["findings"][0]["explained_by"] is None


def test_ranking_puts_root_first_even_when_symptom_is_more_severe():
    ordered = rank([Finding("G602", Severity.ERROR, "cannot fit"), Finding("L301", Severity.WARNING, "softmax")])
    assert [f.code for f in ordered] == ["L301", "G602"]
    assert ordered[1].explained_by == "L301"


@pytest.mark.parametrize("symptom", ["O403", "O407"])
def test_pathological_optimizer_settings_explain_bouncing_and_exploding_losses(symptom):
    ordered = rank([Finding(symptom, Severity.WARNING, "loss misbehaves"), Finding("O410", Severity.WARNING, "momentum 1.0")])
    assert [f.code for f in ordered] == ["O410", symptom]
    assert ordered[1].explained_by == "O410"


def test_unrelated_findings_rank_by_severity():
    ordered = rank([Finding("D106", Severity.WARNING, "imbalance"), Finding("M209", Severity.ERROR, "no grad")])
    assert [f.code for f in ordered] == ["M209", "D106"]
    assert all(f.explained_by is None for f in ordered)


def _codes_and_links(findings: list[Finding]) -> list[tuple[str, str | None]]:
    return [(f.code, f.explained_by) for f in rank(findings)]


@pytest.mark.parametrize("evidence, root", [({"leaking_columns": [8], "balanced_accuracy": 1.0}, "G604"),
                                             ({"val_loss": 0.01, "train_loss": 0.4}, None)])
def test_a_column_that_leaks_the_label_explains_the_overfitting_read_from_validation(evidence, root):
    """Round 36 b/shelter_adoption_trainer (G604: a fee billed only on adoption among the inputs): the net fitted the
    leak, train loss 2e-4, and a validation loss that rose off its 1e-4 low read G601 first. A column that alone
    predicts the validation labels makes the validation curve a measure of the leak (G604's own message): G601 is
    its symptom. Validation merely better than training says nothing of a leak in the inputs: both stay roots."""
    overfit = Finding("G601", Severity.WARNING, "val rose", {"kind": "gap"})
    leak = Finding("G604", Severity.WARNING, "leak", evidence)
    ordered = dict(_codes_and_links([overfit, leak]))
    assert ordered["G601"] == root and ordered["G604"] is None


def test_mixed_feature_scales_are_the_root_of_unnormalised_inputs():
    ordered = _codes_and_links([Finding("D101", Severity.WARNING, "raw"), Finding("D102", Severity.WARNING, "units")])
    assert ordered == [("D102", None), ("D101", "D102")]


def test_the_imbalance_explains_a_neutral_output_bias_but_not_a_wrong_one():
    neutral = {"offset_loss": 0.69, "chance_loss": 0.693, "constant_predictor_loss": 0.2}
    ordered = _codes_and_links([Finding("M210", Severity.WARNING, "bias", evidence=neutral),
                                Finding("D106", Severity.WARNING, "imbalance")])
    assert ordered[0] == ("D106", None) and ("M210", "D106") in ordered
    wrong = {"offset_loss": 2.7, "chance_loss": 0.693, "constant_predictor_loss": 0.2}
    ordered = _codes_and_links([Finding("M210", Severity.WARNING, "bias", evidence=wrong),
                                Finding("L307", Severity.WARNING, "init loss", explained_by="M210"),
                                Finding("D106", Severity.WARNING, "imbalance")])
    assert ordered[0] == ("M210", None) and ("D106", None) in ordered


@pytest.mark.parametrize("spread, root", [(True, "D105"), (False, "M210")])
def test_targets_off_in_spread_need_scaling_off_in_offset_only_need_the_bias(spread, root):
    ordered = _codes_and_links([Finding("D105", Severity.WARNING, "targets", evidence={"spread_off_scale": spread}),
                                Finding("M210", Severity.WARNING, "bias")])
    assert ordered[0] == (root, None) and len({code for code, link in ordered if link == root}) == 1


@pytest.mark.parametrize("factor, linked", [(0.57, True), (0.14, False)])
def test_depth_explains_a_scale_drift_only_within_a_matching_init_per_layer(factor, linked):
    drift = Finding("M202", Severity.WARNING, "drift",
                    evidence={"activation_factor_per_layer": factor, "grad_factor_per_layer": factor})
    rank([drift, Finding("M205", Severity.WARNING, "deep")])
    assert drift.explained_by == ("M205" if linked else None)


@pytest.mark.parametrize("slope_limited, root", [(True, "O404"), (False, "M202")])
def test_a_sigmoid_stack_makes_vanishing_gradients_the_root_of_the_scale_drift(slope_limited, root):
    ordered = _codes_and_links([Finding("M202", Severity.WARNING, "drift", evidence={"slope_limited": slope_limited}),
                                Finding("O404", Severity.WARNING, "vanishing")])
    assert ordered[0] == (root, None) and len(ordered) == 2 and ordered[1][1] == root


def test_a_realised_accuracy_paradox_ranks_before_the_imbalance_that_risked_it():
    ordered = _codes_and_links([Finding("D106", Severity.WARNING, "imbalance"), Finding("G603", Severity.WARNING, "paradox")])
    assert ordered == [("G603", None), ("D106", "G603")]


@pytest.mark.parametrize("curve, linked", [
    ((0.69, 0.30, 0.18, 0.172, 0.171, 0.171, 0.172, 0.171), True),   # fell to the prior's loss and stayed
    ((0.69, 0.69, 0.689, 0.69, 0.691, 0.69, 0.69, 0.69), False),     # never moved: frozen, no gradient
])
def test_a_plateau_at_the_prior_is_the_accuracy_paradox_only_when_the_loss_got_there(curve, linked):
    from nndoctor.verdicts.optimisation import LossCurve, PlateauEvidence, loss_plateau

    prior_loss = -(0.04 * np.log(0.04) + 0.96 * np.log(0.96))  # BCE of predicting 4% positives
    (flat,) = loss_plateau(PlateauEvidence(LossCurve(curve, "per-step", 300, "over the run", reference=prior_loss)))
    rank([flat, Finding("G603", Severity.WARNING, "minority never predicted")])
    assert flat.explained_by == ("G603" if linked else None)


def test_dead_units_explain_the_collapsed_scale_not_the_reverse():
    ordered = _codes_and_links([Finding("M202", Severity.WARNING, "drift"), Finding("M203", Severity.WARNING, "dead")])
    assert ordered == [("M203", None), ("M202", "M203")]


@pytest.mark.parametrize("ratio, linked", [(1.7, True), (0.2, False)])
def test_an_initial_loss_far_above_chance_explains_a_too_high_lr(ratio, linked):
    too_high = Finding("O401", Severity.ERROR, "diverged")
    rank([too_high, Finding("L307", Severity.WARNING, "init loss", evidence={"ratio_to_chance": ratio})])
    assert too_high.explained_by == ("L307" if linked else None)


def test_whole_non_finite_columns_are_explained_by_the_constant_feature_only():
    void = Finding("D103", Severity.ERROR, "void", evidence={"void_features": [7]})
    whole = Finding("D104", Severity.ERROR, "nan", evidence={"whole_columns": True, "nonfinite_columns": [7]})
    scattered = Finding("D104", Severity.ERROR, "nan", evidence={"whole_columns": False, "nonfinite_columns": [2]})
    rank([void, whole])
    rank([Finding("D103", Severity.ERROR, "void", evidence={"void_features": [7]}), scattered])
    assert whole.explained_by == "D103" and scattered.explained_by is None


@pytest.mark.parametrize("analytical, linked", [(0.0, True), (0.5, False)])
def test_a_cut_gradient_path_explains_a_gradient_check_that_sees_zeros(analytical, linked):
    mismatch = {"numerical": 0.01, "analytical": analytical, "relative_error": 1.0}
    check = Finding("M208", Severity.ERROR, "gradcheck", evidence={"mismatched": {"<input>": mismatch, "enc.weight": mismatch}})
    rank([check, Finding("M209", Severity.ERROR, "no grad", evidence={"no_grad": ["enc.weight"], "zero_grad": []})])
    assert check.explained_by == ("M209" if linked else None)


def test_advice_below_warning_explains_no_problem():
    """reduction='sum' under Adam is info (the optimizer cancels the scale): it cannot be why the run diverged."""
    ordered = rank([Finding("L308", Severity.INFO, "sum under Adam"), Finding("O401", Severity.ERROR, "diverged"),
                    Finding("G602", Severity.WARNING, "cannot fit", explained_by="L308")])
    assert [(f.code, f.explained_by) for f in ordered if f.code != "L308"] == [("O401", None), ("G602", "O401")]
    report = Report(mode="watch", findings=ordered)
    assert report.verdict().startswith("O401") and report.exit_code() == 1


def test_a_root_carries_the_severity_of_what_it_explains():
    ordered = rank([Finding("D101", Severity.WARNING, "raw pixels"), Finding("M202", Severity.WARNING, "drift"),
                    Finding("O401", Severity.ERROR, "diverged", explained_by="M202")])
    assert [(f.code, f.severity.value, f.explained_by) for f in ordered] == [
        ("D101", "error", None), ("M202", "error", "D101"), ("O401", "error", "M202")]
    assert ordered[0].evidence["severity_raised_by"] == "M202"


def test_the_verdict_follows_the_worst_severity_even_unranked():
    findings = [Finding("D106", Severity.WARNING, "imbalance"), Finding("L308", Severity.INFO, "sum"),
                Finding("O401", Severity.ERROR, "diverged", explained_by="L308")]
    assert Report(mode="watch", findings=findings).verdict().startswith("O401")
    assert Report(mode="watch", findings=findings[1:2]).verdict().startswith("Healthy")
    # explained by a cause the report does not hold: still no reason to call the run healthy
    orphan = [Finding("G602", Severity.ERROR, "cannot fit", explained_by="O402")]
    assert Report(mode="checkup", findings=orphan).verdict().startswith("G602")


def test_a_run_that_never_trained_is_not_healthy_and_exits_by_its_findings():
    said = Report(mode="watch", extra={"trained": False, "did_not_train": "the script exited before its first step"})
    assert said.verdict() == "Did not train: the script exited before its first step"
    assert said.exit_code() == 0
    said.findings = [Finding("T505", Severity.ERROR, "never stepped")]
    assert said.verdict().startswith("Did not train") and said.exit_code() == 1
    # hand-written updates (p -= lr * p.grad) train without any optimizer step
    by_hand = Report(mode="watch", telemetry={"optimizer_steps": {"0": 0}, "steps": 40, "counters": {"manual_steps": 40}})
    assert by_hand.verdict().startswith("Healthy")
    # nndoctor run knows more (ranks it forked trained): its word wins over this process's counters
    forked = Report(mode="watch", telemetry={"optimizer_steps": {"0": 0}, "steps": 0}, extra={"trained": True})
    assert forked.verdict().startswith("Healthy")


def test_a_watched_loop_whose_optimizer_never_steps_did_not_train():
    torch.manual_seed(0)
    x, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for i in range(0, 64, 16):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x[i:i + 16]), y[i:i + 16])
            loss.backward()  # forgot optimizer.step()
    assert doctor.report().verdict().startswith("Did not train")
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for i in range(0, 64, 16):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[i:i + 16]), y[i:i + 16]).backward()
            optimizer.step()
    assert not doctor.report().verdict().startswith("Did not train")


def test_evidence_becomes_plain_json():
    finding = Finding("D104", Severity.ERROR, "nan", evidence={"count": torch.tensor(3), "mean": np.float32(1.5), "bad": float("nan"), "shape": (2, 3)})
    data = finding.to_dict()
    assert json.loads(json.dumps(data))["evidence"] == {"count": 3, "mean": 1.5, "bad": "nan", "shape": [2, 3]}


def test_crashing_check_becomes_reported_failure(healthy_classification, temporary_check):
    @temporary_check("D107")
    def explodes(ctx):
        raise RuntimeError("boom")

    report = nndoctor.checkup(healthy_classification, select=["D107"])
    assert [f.check for f in report.failures] == ["test.explodes"]
    assert "boom" in report.failures[0].error
    assert "boom" in report.to_json()


def test_select_and_ignore_filter_by_prefix(healthy_classification, temporary_check):
    @temporary_check("D107", "D108")
    def two_codes(ctx):
        yield Finding("D107", Severity.WARNING, "a")
        yield Finding("D108", Severity.WARNING, "b")

    assert nndoctor.checkup(healthy_classification, select=["D107"]).codes == ["D107"]
    assert nndoctor.checkup(healthy_classification, select=["D10"], ignore=["D107"]).codes == ["D108"]


def test_budget_skips_checks_that_would_start_late(healthy_classification, temporary_check):
    @temporary_check("D107")
    def never_runs(ctx):
        yield Finding("D107", Severity.WARNING, "should have been skipped")

    report = nndoctor.checkup(healthy_classification, select=["D107"], budget=0)
    assert report.codes == [] and "test.never_runs" in report.skipped


def _model_fingerprint(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_checkup_leaves_model_optimizer_and_rng_exactly_as_they_were(temporary_check):
    x, y = blobs(n=256)
    model = nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.from_numpy(x[:32])).sum().backward()
    optimizer.step()
    model.eval()

    @temporary_check("D107", phase="training")
    def trains_the_given_model(ctx):
        # a careless check: trains the user's own objects and draws random numbers
        ctx.setup.model.train()
        out = ctx.setup.model(torch.randn(8, 10))
        out.sum().backward()
        ctx.setup.user_optimizer.step()
        np.random.rand(3)
        random.random()
        return []

    before_state = _model_fingerprint(model)
    before_grads = [p.grad.clone() for p in model.parameters()]
    before_opt = optimizer.state_dict()
    before_opt_bufs = [t.clone() for s in before_opt["state"].values() for t in s.values() if isinstance(t, torch.Tensor)]
    rng_before = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())

    setup = nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), optimizer=optimizer)
    nndoctor.checkup(setup, select=["D107"])

    after_state = _model_fingerprint(model)
    assert before_state.keys() == after_state.keys()
    for key in before_state:
        assert torch.equal(before_state[key], after_state[key]), key
    for saved, p in zip(before_grads, model.parameters()):
        assert torch.equal(saved, p.grad)
    after_bufs = [t for s in optimizer.state_dict()["state"].values() for t in s.values() if isinstance(t, torch.Tensor)]
    assert all(torch.equal(a, b) for a, b in zip(before_opt_bufs, after_bufs)) and len(after_bufs) == len(before_opt_bufs)
    assert not model.training and not any(m.training for m in model.modules())
    assert torch.equal(rng_before[0], torch.get_rng_state())
    assert np.array_equal(rng_before[1], np.random.get_state()[1])
    assert rng_before[2] == random.getstate()


def test_full_checkup_does_not_touch_the_patient(healthy_classification):
    before = _model_fingerprint(healthy_classification.model)
    rng = torch.get_rng_state()
    nndoctor.checkup(healthy_classification, budget=60)
    after = _model_fingerprint(healthy_classification.model)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert torch.equal(rng, torch.get_rng_state())
