"""nndoctor inside a Lightning ``Trainer``: ``Trainer(callbacks=[DoctorCallback(json="doctor.json")])``.

The callback watches the LightningModule and the optimizers Lightning built for the whole
of ``fit``, reads the validation loss the module logs (``self.log("val_loss", ...)``),
prints live alerts through Lightning's logger (rank 0 only) and, at the end of fit (also
when fit raises), writes the report and keeps it as ``callback.report``.

Works with ``lightning`` (``lightning.pytorch``) and with the older ``pytorch_lightning``
package: ``DoctorCallback`` subclasses the first one installed;
``PytorchLightningDoctorCallback`` always subclasses ``pytorch_lightning``'s Callback.
"""
from __future__ import annotations

import functools
import importlib
import logging
from pathlib import Path
from typing import Any

import torch

from ..watch.monitors import Hooks
from ..watch.session import DEFAULT_EVERY
from .callback_core import DoctorCallbackCore
from .common import canonical_metrics
from .distributed import DEFAULT_TIMEOUT_S

# Optimizers whose step() may call the closure several times; their steps are left as they are.
MULTI_CLOSURE_OPTIMIZERS = ("LBFGS",)


def _closure_first(original: Any) -> Any:
    """``step(closure)`` as ``closure(); step()``: what Lightning's own AMP path does.

    Lightning passes the training step (forward, zero_grad, backward) as a closure to
    ``optimizer.step``, so step hooks would fire before backward. torch's optimizers
    (all but LBFGS) call the closure once under ``enable_grad`` before updating, so
    calling it first is the same computation, and watch sees backward → step in order.
    """

    @functools.wraps(original)
    def step(*args: Any, **kwargs: Any) -> Any:
        closure = kwargs.pop("closure", None)
        if closure is None and args:
            closure, args = args[0], args[1:]
        if closure is None:
            return original(*args, **kwargs)
        with torch.enable_grad():
            loss = closure()
        original(*args, **kwargs)
        return loss

    return step


def _build(pl: Any) -> type:
    rank_zero_logger = logging.getLogger(f"{pl.__name__}.nndoctor")

    class DoctorCallback(DoctorCallbackCore, pl.Callback):
        """Watch ``Trainer.fit``: live alerts through Lightning's logger, the report at the end.

        ``json`` / ``html``: where rank 0 writes the report. ``every``: how often a step is
        sampled in depth. ``print_report``: also print the report to the terminal at the
        end. ``timeout``: under DDP, how long rank 0 waits at the end for the other
        ranks' summaries. After fit, ``callback.report`` holds the Report.
        """

        def __init__(
            self,
            json: str | Path | None = None,
            html: str | Path | None = None,
            every: int = DEFAULT_EVERY,
            alerts: bool = True,
            print_report: bool = True,
            timeout: float = DEFAULT_TIMEOUT_S,
        ) -> None:
            pl.Callback.__init__(self)
            self._configure(json, html, every, alerts, print_report, timeout)
            self.logger = rank_zero_logger
            self._patches = Hooks()

        def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
            self._finish(trainer)
            optimizers = list(trainer.optimizers)
            doctor = self._start_doctor(pl_module, optimizers, type(pl_module).__name__, self.logger)
            for optimizer in optimizers:
                if type(optimizer).__name__ in MULTI_CLOSURE_OPTIMIZERS:
                    doctor.telemetry.limitation(
                        f"{type(optimizer).__name__} calls its closure several times per step: step-order checks may be off.")
                else:
                    self._patches.patch_method(optimizer, "step", _closure_first)
            doctor.start()

        def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
            if self.doctor is None or not self.doctor.active or trainer.sanity_checking:
                return
            self.doctor.log(**canonical_metrics(trainer.callback_metrics, validation=True))

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            if self.doctor is None or not self.doctor.active:
                return
            self.doctor.log(**canonical_metrics(trainer.callback_metrics, validation=False))

        def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
            self._finish(trainer)

        def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
            self._finish(trainer, exception)

        def _finish(self, trainer: Any, exception: BaseException | None = None) -> None:
            self._finish_doctor(self.logger.info, exception, cleanup=self._patches.remove)

    DoctorCallback.__module__ = __name__
    return DoctorCallback


def _package() -> Any:
    for name in ("lightning.pytorch", "pytorch_lightning"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("nndoctor's Lightning callback needs Lightning: pip install 'nndoctor[lightning]'")


DoctorCallback = _build(_package())
_pytorch_lightning_callback: type | None = None


def __getattr__(name: str) -> Any:
    global _pytorch_lightning_callback
    if name == "PytorchLightningDoctorCallback":
        if _pytorch_lightning_callback is None:
            pl = importlib.import_module("pytorch_lightning")
            _pytorch_lightning_callback = DoctorCallback if issubclass(DoctorCallback, pl.Callback) else _build(pl)
        return _pytorch_lightning_callback
    raise AttributeError(name)
