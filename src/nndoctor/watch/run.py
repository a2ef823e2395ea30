"""``nndoctor run SCRIPT ARGS``: run a training script as ``python SCRIPT ARGS`` would, watched.

The script sees ``__name__ == "__main__"``, its own ``sys.argv`` and its folder first on
``sys.path``; every optimizer it creates is watched with the modules holding its
parameters. When the script raises, its traceback is printed as Python would print it
and the report is still produced (a NaN crash is evidence). Ranks the script forks
itself (``torch.multiprocessing`` with the fork start method) are watched too; each
reports to this process when it exits, and the report covers all of them (T508).
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
from ..report import Report
from .instrument import instrumented
from .session import DEFAULT_EVERY, Doctor


@dataclass
class RunOutcome:
    """The report of a watched script and the exit status ``python SCRIPT`` would have had."""

    report: Report
    exit_status: int


def _script_frames(tb, script: str):
    """Skip nndoctor's and runpy's frames so the traceback starts in the user's script."""
    first = tb
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == script:
            return tb
        tb = tb.tb_next
    return first


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def run_script(path: str, args: Sequence[str] = (), every: int = DEFAULT_EVERY, alerts: bool = True) -> RunOutcome:
    """Run ``path`` with ``args`` under a Doctor; return its report and the script's exit status."""
    script = Path(path)
    if not script.is_file():
        raise NNDoctorError(f"The script {path!r} does not exist.", "Pass the path of the Python training script to run.")
    resolved = str(script.resolve())
    doctor = Doctor(every=every, alerts=alerts, name=script.name)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(path), *args]
    sys.path.insert(0, str(script.resolve().parent))
    status = 0
    doctor.start()
    from ..integrations.distributed import ForkedRanks, combine_ranks

    ranks = ForkedRanks(doctor)
    try:
        with instrumented(doctor), ranks:
            runpy.run_path(resolved, run_name="__main__")
    except SystemExit as exc:
        status = _exit_status(exc.code)
    except KeyboardInterrupt:
        doctor.telemetry.exception = "KeyboardInterrupt"
        traceback.print_exc()
        status = 130
    except BaseException as exc:  # the script's own error: print it as Python would, keep the evidence
        doctor.telemetry.exception = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        sys.stderr.flush()
        traceback.print_exception(type(exc), exc, _script_frames(exc.__traceback__, resolved))
        status = 1
    finally:
        doctor.stop()
        sys.argv = saved_argv
        sys.path[:] = saved_path
    report = doctor.report()
    summaries = ranks.collect()
    if summaries:
        try:
            report = combine_ranks(report, summaries)
        except Exception as exc:  # the ranks' reports are extra evidence: never lose the run's own report over them
            doctor.internal_error("ranks-combine", exc)
    return RunOutcome(report, status)
