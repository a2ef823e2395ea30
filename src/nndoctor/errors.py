"""User-facing errors: one paragraph that names the problem and the fix, never a traceback."""
from __future__ import annotations


class NNDoctorError(Exception):
    """nndoctor cannot examine what it was given. The message says what and how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}")


class SetupError(NNDoctorError):
    """The Setup (model, data, loss, optimizer) is unusable as given."""
