"""``nndoctor run`` = the watched loop + the static exam of what it built, as one report.

The watch records the real training (curves, call order, what happened at step 812) and,
through :class:`nndoctor.watch.capture.SetupCapture`, what the script built before its
first update. :func:`examine` runs checkup's data, model and loss checks on that capture
(the training-phase checks stay with the real run, whose curves are better evidence than
a short trial); :func:`merge` makes one report of both. The two modes decide codes
through the same verdict functions, so a code both decided is one problem, reported
once: the more severe verdict stands, and on a tie the watch one, since it saw the real
loop. This module is the adapter that joins the two modes; neither mode imports the other.
"""
from __future__ import annotations

import copy
import time
import traceback
from typing import Any

from .diagnosis import rank
from .errors import SetupError
from .findings import Finding
from .report import CheckFailure, Report
from .watch.capture import SetupCapture

EXAM_KEY = "exam"
DEFAULT_EXAM_BUDGET_S = 60.0
# Checkup phases the exam runs: the ones that judge what the script built, not how it trained.
STATIC_PHASES = ("data", "model", "loss")
# Codes whose verdict reads the real loss (its class, weights, output space): they abstain on a custom loss.
LOSS_DEPENDENT_CODES = frozenset({"D106", "D113", "M206", "M209", "M210"})
# Codes that judge the training targets: they abstain when no loss call compared the model with a batch tensor.
TARGET_DEPENDENT_CODES = frozenset({"D105", "D106", "D110", "D111", "D113", "D115", "G604"})
# Codes of the model's state at init that both modes measure on the same initial weights: the exam on a few hundred
# samples, the watch on the run's first sampled batches. A unit "silent on every sample" is rarer the more samples
# it is read on, so a batch-sized read overstates M203; where the exam judged these codes, its verdict stands.
EXAM_MEASURES_INIT = frozenset({"M203", "M204"})
# Codes of the inputs' scale: the exam reads what the first weight layer multiplies (after a standardisation written
# inside forward, on a sample of the dataset), the watch the loader's raw batches. Where the exam judged them, its
# verdict stands: a model that standardises its own input is fed raw values on purpose.
EXAM_READS_THE_INPUT = frozenset({"D101", "D102"})


def exam_codes(capture: SetupCapture, stand_in: bool = False) -> list[str]:
    """The codes of the static checks that can judge what ``capture`` holds.

    Checks of the data, model and loss phases; without a replayable loss (or with the
    stand-in) the loss phase and :data:`LOSS_DEPENDENT_CODES` abstain, without known targets
    :data:`TARGET_DEPENDENT_CODES` too; after training in stages on different data the split
    shift (D109) too. No static check needs the optimizer.
    """
    from .checks.base import registered_checks

    from .look.checkup import CODES as LOOK_CODES

    checks = registered_checks()
    # the look's verdict (G606) reads the exam's own trial copy against baselines on the captured validation split
    codes = [code for chk in checks if chk.phase in STATIC_PHASES for code in chk.codes] + list(LOOK_CODES)
    drop: set[str] = set()
    if not capture.loss_known or stand_in:
        loss_codes = {code for chk in checks if chk.phase == "loss" for code in chk.codes}
        drop |= LOSS_DEPENDENT_CODES | set(LOOK_CODES) | loss_codes
    if not capture.targets_known or stand_in:
        drop |= TARGET_DEPENDENT_CODES | set(LOOK_CODES)
    if capture.trained_in_stages():  # the captured data is the first stage's: a shift from it may be the next's purpose
        drop.add("D109")
    return [c for c in dict.fromkeys(codes) if c not in drop]


def examine(capture: SetupCapture, budget: float = DEFAULT_EXAM_BUDGET_S, requested: tuple[str, ...] = ()) -> Report:
    """Run checkup's data, model and loss checks on what ``capture`` recorded; never raises.

    Stops the capture first. Call it after the script and after the watch Doctor stopped,
    so the exam's own batches and loss calls are not recorded as the user's loop. When the
    captured loss or targets do not fit the model's output on the loader's batches, it
    examines again with a stand-in loss and only the checks that need neither; when even that
    setup cannot be rebuilt (the batches cut do not fit the model), nothing is examined and
    ``skipped`` says why. Other failures become :class:`CheckFailure` entries; what was left out, and why, is in ``skipped``;
    ``extra`` holds ``capture`` (what was captured) and ``exam_codes``. Mode "checkup".
    ``requested``: training-phase codes the watch asked for (only a copy can measure them,
    e.g. O409's fit without the regularisation); they run only with the real loss and targets.
    """
    started = time.perf_counter()
    try:
        capture.stop()
    except Exception as exc:
        capture.internal_error("stop", exc)
    skipped = list(capture.skipped)
    if capture.trained_in_stages():
        skipped.append("D109: the script trained in stages (a later loader over other data, or a later loss "
                       "function, trained the model after the steps captured), so the captured training data is the "
                       "first stage's, and a shift between it and the validation split is not judged")
    failures = list(capture.failures)
    report: Report | None = None
    if capture.captured and capture.model is not None and capture.train_loader is not None:
        attempts = [False, True] if capture.loss_known or capture.targets_known else [False]
        for stand_in in attempts:
            try:
                report = _exam(capture, stand_in, budget - (time.perf_counter() - started), requested)
                break
            except SetupError as exc:
                if stand_in or len(attempts) == 1:  # the batches the capture cut do not fit the model: nothing to examine
                    skipped.append(f"the captured setup could not be rebuilt, so the data, model and loss checks were "
                                   f"skipped: {exc.problem}")
                else:  # the captured loss/targets do not fit the output: examine what needs neither
                    skipped.append(f"loss and target checks skipped: {exc.problem}")
            except Exception as exc:
                failures.append(CheckFailure("run exam", (), _describe(exc)))
                break
    if report is None:
        report = Report(mode="checkup")
    report.failures = failures + report.failures
    report.skipped = list(dict.fromkeys(skipped + capture.skipped + report.skipped))  # with the notes setup() added
    try:
        report.extra["capture"] = capture.summary()
    except Exception as exc:
        report.failures.append(CheckFailure("run capture: summary", (), _describe(exc)))
    report.duration_s = time.perf_counter() - started
    return report


def _exam(capture: SetupCapture, stand_in: bool, budget: float, requested: tuple[str, ...] = ()) -> Report:
    from .runner import checkup

    setup = capture.setup(stand_in=stand_in)
    codes = exam_codes(capture, stand_in=stand_in)
    added = [c for c in requested if c not in codes] if not stand_in and capture.loss_known and capture.targets_known else []
    codes += added
    report = checkup(setup, select=codes, budget=max(1.0, budget), last=added, phases=STATIC_PHASES)
    report.extra["exam_codes"] = codes
    return report


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _by_code(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.code, []).append(finding)
    return grouped


def _worst(findings: list[Finding]) -> int:
    return max(f.severity.rank for f in findings)


def _judged(exam_report: Report) -> set[str]:
    """The codes the exam decided: run to the end, neither inconclusive, deselected nor failed."""
    extra = exam_report.extra
    left_out = {code for entry in [*extra.get("inconclusive", []), *extra.get("skipped_checks", [])]
                for code in entry.get("codes", ())}
    left_out |= {code for failure in exam_report.failures for code in failure.codes}
    return set(extra.get("exam_codes", ())) - left_out


def _reached_later(findings: list[Finding], telemetry: dict[str, Any]) -> bool:
    """Whether every parameter the exam's M209 names got a non-zero gradient on some sampled step of the run.

    The exam replays the loss of the run's first step; a run that changes its loss later (an MSE
    warm-up before a Gaussian NLL that trains a variance head) reaches parameters the first one did not.
    Names match when the exam's ends with the run's (the exam may wrap the model).
    """
    norms = telemetry.get("grad_norms") or {}
    reached = {name for name, values in norms.items() if any(v for v in values if v == v)}
    flagged = [name for f in findings for name in [*f.evidence.get("no_grad", []), *f.evidence.get("zero_grad", [])]]
    return bool(flagged) and all(any(n == r or n.endswith("." + r) for r in reached) for n in flagged)


def merge(watch_report: Report, exam_report: Report) -> Report:
    """A Report (mode "watch", the JSON contract's mode for a watched loop) holding both reports' findings, one verdict per code, re-ranked.

    - Per code, the findings of the mode with the more severe verdict are kept (on a tie the
      watch's, except for data codes: the exam measured those on a sample of the dataset, the
      watch on single batches); a code only one mode decided is kept as it is. A kept finding that the
      other mode confirmed gets ``evidence["also_seen_by"]``. The init-state codes
      :data:`EXAM_MEASURES_INIT` and the input-scale codes :data:`EXAM_READS_THE_INPUT` are the exam's
      alone where it judged them (silence included).
    - Symptom links are recomputed over the merged set by :func:`nndoctor.diagnosis.rank`:
      the watch's links were made without the exam's codes (a plateau linked to the LR when
      the exam found the labels unpaired), so they are cleared first, as is a link to a root
      the merge dropped. The exam's links are kept (some are set by its verdicts from their
      own measurement, which ranking cannot redo).
    - The watch telemetry, setup and extra fields are kept; the exam's telemetry, setup and
      extra go under ``"exam"``. Failures and skipped notes of both are listed, exam ones
      labelled. The inputs are not modified.
    """
    watch_groups = _by_code(copy.deepcopy(watch_report.findings))
    exam_groups = _by_code(copy.deepcopy(exam_report.findings))
    for code in (EXAM_MEASURES_INIT | EXAM_READS_THE_INPUT) & _judged(exam_report):
        watch_groups.pop(code, None)
    notes = []
    if "M209" in exam_groups and "M209" not in watch_groups and _reached_later(exam_groups["M209"], watch_report.telemetry):
        exam_groups.pop("M209")  # the first step's loss left them out; a later loss of the run trained them (a warm-up stage)
        notes.append("M209: the parameters the exam found without a gradient under the first step's loss received "
                     "gradients later in the run (a later loss reaches them)")
    merged: list[Finding] = []
    for code in dict.fromkeys([*watch_groups, *exam_groups]):
        seen_watch, seen_exam = watch_groups.get(code), exam_groups.get(code)
        if seen_watch and seen_exam:
            exam_wins = _worst(seen_exam) > _worst(seen_watch) or (code.startswith("D") and _worst(seen_exam) == _worst(seen_watch))
            kept, other = (seen_exam, "watch") if exam_wins else (seen_watch, "exam")
            for finding in kept:
                finding.evidence["also_seen_by"] = other
        else:
            kept = seen_watch or seen_exam or []
        for finding in kept:
            finding.evidence.setdefault("seen_by", "watch" if kept is seen_watch else "exam")
            if kept is seen_watch:
                finding.explained_by = None  # ranked without the exam's codes: rank() links again below
        merged.extend(kept)
    present = {f.code for f in merged}
    for finding in merged:
        if finding.explained_by is not None and finding.explained_by not in present:
            finding.explained_by = None
    setup: dict[str, Any] = dict(watch_report.setup)
    if exam_report.setup:
        setup[EXAM_KEY] = dict(exam_report.setup)
    telemetry: dict[str, Any] = dict(watch_report.telemetry)
    telemetry[EXAM_KEY] = dict(exam_report.telemetry)
    extra: dict[str, Any] = dict(watch_report.extra)
    extra[EXAM_KEY] = {**exam_report.extra, "duration_s": round(exam_report.duration_s, 3),
                       "findings": len(exam_report.findings)}
    failures = list(watch_report.failures) + [copy.copy(f) for f in exam_report.failures]
    for failure in failures[len(watch_report.failures):]:
        if not failure.check.startswith(("run exam", "run capture")):
            failure.check = f"exam: {failure.check}"
    skipped = list(dict.fromkeys([*watch_report.skipped, *(f"exam: {s}" for s in [*exam_report.skipped, *notes])]))
    return Report(
        mode="watch",
        findings=rank(merged),
        setup=setup,
        telemetry=telemetry,
        failures=failures,
        skipped=skipped,
        duration_s=watch_report.duration_s + exam_report.duration_s,
        extra=extra,
    )
