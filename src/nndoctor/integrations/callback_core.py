"""What the Lightning and Hugging Face callbacks share: their settings, starting the doctor, finishing it once."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from torch import nn

from ..report import Report
from ..watch.session import DEFAULT_EVERY
from .common import LogStream, exception_line, publish_report
from .distributed import DEFAULT_TIMEOUT_S, DistributedDoctor


class DoctorCallbackCore:
    """Settings and the doctor's life cycle for a framework callback.

    ``json`` / ``html``: where the main process writes the report. ``every``: how often a step
    is sampled in depth. ``print_report``: also print the report at the end. ``timeout``:
    under DDP, how long rank 0 waits at the end for the other ranks' summaries.
    """

    def _configure(
        self,
        json: str | Path | None = None,
        html: str | Path | None = None,
        every: int = DEFAULT_EVERY,
        alerts: bool = True,
        print_report: bool = True,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.json = json
        self.html = html
        self.every = every
        self.alerts = alerts
        self.print_report = print_report
        self.timeout = timeout
        self.report: Report | None = None
        self.doctor: DistributedDoctor | None = None

    def _start_doctor(self, model: nn.Module | None, optimizers: Sequence[Any], name: str, logger: logging.Logger) -> DistributedDoctor:
        """A fresh doctor over ``model`` and ``optimizers`` whose alerts go to ``logger``; not started yet."""
        self.report = None
        self.doctor = DistributedDoctor(
            model, list(optimizers), every=self.every, alerts=self.alerts, name=name,
            stream=LogStream(logger), timeout=self.timeout,
        )
        return self.doctor

    def _finish_doctor(self, log: Callable[..., None], exception: BaseException | None = None,
                       cleanup: Callable[[], None] | None = None) -> Report | None:
        """Stop watching (idempotent), keep the report and, on the main process, publish it through ``log``."""
        doctor = self.doctor
        if doctor is None or not doctor.active:
            return self.report
        if exception is not None:
            doctor.telemetry.exception = exception_line(exception)
        try:
            doctor.stop()
        finally:
            if cleanup is not None:
                cleanup()
        self.report = doctor.report()
        if doctor.rank == 0:
            publish_report(self.report, self.json, self.html, self.print_report, log)
        return self.report
