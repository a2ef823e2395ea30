"""``nndoctor run SCRIPT ARGS``: run a training script as ``python SCRIPT ARGS`` would, watched.

The script sees ``__name__ == "__main__"``, its own ``sys.argv`` and its folder first on
``sys.path``; every optimizer it creates is watched with the modules holding its
parameters. When the script raises, its traceback is printed as Python would print it
(nndoctor's own frames taken out, see ``tracebacks``) and the report is still produced (a
NaN crash is evidence). A script that made no training step at all (a syntax error, an
exception before the first step, a loop that never steps) gets no verdict: the report's
``extra["trained"]`` is False and ``extra["did_not_train"]`` says why. Ranks the script forks
itself (``torch.multiprocessing`` with the fork start method) are watched too; each
reports to this process when it exits, and the report covers all of them (T508).

``run`` is watch + checkup: a :class:`~nndoctor.watch.capture.SetupCapture` records what
the script built at its first training step (model before its first update, optimizer,
loss, loaders) and, after the script, :func:`nndoctor.combine.examine` runs the static
exam on copies of it; the report merges both (:func:`nndoctor.combine.merge`).
"""
from __future__ import annotations

import os
import runpy
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import NNDoctorError
from ..report import CheckFailure, Report
from .capture import SetupCapture
from .instrument import instrumented
from .session import DEFAULT_EVERY, Doctor
from .telemetry import Telemetry
from .tracebacks import print_script_error


@dataclass
class RunOutcome:
    """The report of a watched script and the exit status ``python SCRIPT`` would have had.

    ``capture``: what the script built at its first training step, kept only when asked for
    (``fix`` trials remedies on it); None otherwise, so a run holds no copy of the model after its report.
    """

    report: Report
    exit_status: int
    capture: SetupCapture | None = None


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def run_script(path: str, args: Sequence[str] = (), every: int = DEFAULT_EVERY, alerts: bool = True,
               exam: bool = True, exam_budget: float | None = None, keep_capture: bool = False) -> RunOutcome:
    """Run ``path`` with ``args`` under a Doctor; return its report and the script's exit status.

    With ``exam`` (the default) the setup the script built is captured and examined after
    it ends (within ``exam_budget`` seconds, default ``combine.DEFAULT_EXAM_BUDGET_S``), and
    the report carries the exam under ``extra["exam"]``; ``exam=False`` gives the watch report alone.
    ``keep_capture`` returns the capture with the outcome (for ``fix``).
    """
    script = Path(path)
    if not script.is_file():
        raise NNDoctorError(f"The script {path!r} does not exist.", "Pass the path of the Python training script to run.")
    resolved = str(script.resolve())
    doctor = Doctor(every=every, alerts=alerts, name=script.name)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(path), *args]
    sys.path.insert(0, str(script.resolve().parent))
    status = 0
    error: BaseException | None = None
    exited: int | None = None
    doctor.start()
    capture = SetupCapture().start() if exam else None
    from ..integrations.distributed import ForkedRanks, combine_ranks

    ranks = ForkedRanks(doctor)
    try:
        with instrumented(doctor), ranks:
            runpy.run_path(resolved, run_name="__main__")
    except SystemExit as exc:
        status = exited = _exit_status(exc.code)
    except KeyboardInterrupt as exc:
        doctor.telemetry.exception = "KeyboardInterrupt"
        error, status = exc, 130
    except BaseException as exc:  # the script's own error: printed as Python would once the watch stopped, kept as evidence
        doctor.telemetry.exception = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        error, status = exc, 1
    finally:
        doctor.stop()
        if capture is not None:
            capture.stop()
        sys.argv = saved_argv
        sys.path[:] = saved_path
    if error is not None:
        print_script_error(error, resolved)  # after stop(): nndoctor's hooks and patches are gone from the frames
    report = doctor.report()
    summaries = ranks.collect()
    if summaries:
        try:
            report = combine_ranks(report, summaries)
        except Exception as exc:  # the ranks' reports are extra evidence: never lose the run's own report over them
            doctor.internal_error("ranks-combine", exc)
    reason = did_not_train(doctor.telemetry, error, exited, ranks_trained=bool(summaries), script=resolved,
                           spawned=ranks.spawned)
    report.extra["trained"] = reason is None
    if reason is not None:
        report.extra["did_not_train"] = reason
    if capture is not None and not isinstance(error, KeyboardInterrupt):
        capture.manual_rates = doctor.hand_update.sgd.rates()  # a hand-written update's own LR per parameter, where measured
        report = _with_exam(report, capture, exam_budget)
    return RunOutcome(report, status, capture if keep_capture else None)


def _with_exam(report: Report, capture: SetupCapture, budget: float | None) -> Report:
    """The watch report merged with the static exam of what the script built; the watch report alone if that fails."""
    from ..combine import DEFAULT_EXAM_BUDGET_S, examine, merge

    try:
        requested = tuple(report.extra.get("exam_requests") or ())
        capture.observed_counts = report.extra.get("eval_class_counts")  # what the run's own evaluation recalled per class
        capture.observed_terms = report.extra.get("eval_loss_terms")  # and how its held-out rows scored
        capture.observed_accuracy = report.extra.get("eval_accuracy")  # and its accuracy there (G606's network)
        capture.manual_lr = report.extra.get("manual_sgd_lr")  # a hand-written update the run measured as plain SGD
        vanished = next((f for f in report.findings if f.code == "O404"), None)  # M205 reads it (a deep plain stack)
        capture.observed_vanishing = vanished.evidence.get("ratio") if vanished is not None else None
        capture.observed_fell_short = bool(report.extra.get("fell_short"))  # O404 reads it back through time
        return merge(report, examine(capture, DEFAULT_EXAM_BUDGET_S if budget is None else budget, requested))
    except KeyboardInterrupt:  # interrupted during the exam: the watch report still stands
        report.skipped.append("exam: interrupted")
    except Exception as exc:  # the exam is extra evidence: never lose the run's own report over it
        report.failures.append(CheckFailure("run exam", (), f"{type(exc).__name__}: {exc}"))
    return report


def did_not_train(telemetry: Telemetry, error: BaseException | None = None, exited: int | None = None,
                  ranks_trained: bool = False, script: str | None = None, spawned: int = 0) -> str | None:
    """Why a watched script made no training step, or None when it trained.

    A script trained when an optimizer stepped, when the loop updated parameters by hand
    (``telemetry.manual_steps``), or when ranks it forked trained. Otherwise the reason names
    what stopped it first: a syntax error (with its line), an exception or an exit before the
    first step, ranks started with the spawn start method (``spawned``: they run without
    nndoctor), or a script that simply never stepped.
    """
    manual = getattr(telemetry, "manual_steps", 0) or telemetry.counters.get("manual_steps", 0)
    if ranks_trained or sum(telemetry.optimizer_steps.values()) > 0 or manual > 0:
        return None
    if isinstance(error, SyntaxError):
        where = f" at line {error.lineno}" if error.lineno else ""
        name = os.path.basename(error.filename) if error.filename else "the script"
        if script is None or not error.filename or os.path.realpath(error.filename) == os.path.realpath(script):
            return f"{type(error).__name__}{where} of {name}: the script never ran"
        return f"{type(error).__name__}{where} of {name}, imported before the first training step"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt) before the first training step"
    if error is not None:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"{type(error).__name__} raised before the first training step" + (f": {detail}" if detail else "")
    if exited is not None:
        return f"the script exited (status {exited}) before the first training step"
    if spawned:
        return (f"the script started {spawned} process{'es' if spawned != 1 else ''} with the 'spawn' start method "
                "(torch.multiprocessing.spawn), which begin without nndoctor, and trained none itself: run each rank "
                "under torchrun with nndoctor.integrations.distributed.DistributedDoctor, or start the ranks with fork")
    if not telemetry.optimizer_kinds:
        return "no optimizer was created and no parameter update was seen"
    return "no optimizer step and no parameter update seen"
