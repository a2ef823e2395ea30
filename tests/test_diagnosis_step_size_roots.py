"""Roots that set the training itself: eval-mode training (T502) and a misconfigured optimizer (O410).

Training in eval mode trains another network than the one written (BatchNorm frozen at its
running statistics, dropout off), so every curve symptom is that network's; an Adam whose eps
swamps the gradient's scale takes steps as an LR far too low does, so the plateau and the
failure to fit follow from it. Neither is a curve symptom's rival: the report names it first.
"""
from __future__ import annotations

from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity


def _roots(findings: list[Finding]) -> list[str]:
    return [f.code for f in rank(findings) if f.explained_by is None]


def test_divergence_while_training_in_eval_mode_is_explained_by_the_eval_mode():
    diverged = Finding("O401", Severity.ERROR, "step 64: loss became NaN", {"step": 64, "nonfinite": True})
    exploded = Finding("O403", Severity.ERROR, "gradient norm turned non-finite", {"peak": 1.3e17})
    eval_mode = Finding("T502", Severity.WARNING, "eval mode during 29 of 51 backward passes",
                        {"backward_in_eval_mode": 29, "backward_checked": 51})
    assert _roots([diverged, exploded, eval_mode]) == ["T502"]
    assert diverged.explained_by == "T502"


def test_a_plateau_under_an_optimizer_whose_eps_swamps_the_gradient_is_explained_by_it():
    plateau = Finding("O406", Severity.ERROR, "train loss went from 0.6929 to 0.6931", {"update_ratio": 2.3e-6})
    small = Finding("O412", Severity.WARNING, "update ratios too small", {"too_small": {"w": 2.3e-6}, "some_layers": False})
    unfit = Finding("G602", Severity.WARNING, "does not fit the training data", {"at_any_lr": False})
    eps = Finding("O410", Severity.WARNING, "AdamW: group 0 has eps=1", {"problems": ["eps"]})
    roots = _roots([plateau, small, unfit, eps])
    assert roots == ["O410"], roots


def test_without_the_loop_bug_the_curve_symptoms_stay_roots():
    diverged = Finding("O401", Severity.ERROR, "step 64: loss became NaN", {"step": 64, "nonfinite": True})
    plateau = Finding("O406", Severity.ERROR, "flat", {"update_ratio": 2.3e-6})
    assert set(_roots([diverged])) == {"O401"} and set(_roots([plateau])) == {"O406"}
