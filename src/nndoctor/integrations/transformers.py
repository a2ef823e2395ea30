"""nndoctor inside a Hugging Face ``Trainer``: ``Trainer(..., callbacks=[DoctorCallback(json="doctor.json")])``.

The callback watches the model and optimizer the Trainer hands to its callbacks from
``on_train_begin`` to ``on_train_end``, records the losses the Trainer logs (``eval_loss``
becomes watch's validation curve), prints live alerts through transformers' logger
(main process only) and writes the report at the end; ``callback.report`` holds it.

The Trainer has no callback event for a crash: use ``DoctorCallback.attach(trainer, ...)``
to also get the report (and every hook removed) when ``trainer.train()`` raises, or call
``callback.close()`` yourself.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback
from transformers.utils import logging as hf_logging

from ..report import Report
from ..watch.session import DEFAULT_EVERY
from .callback_core import DoctorCallbackCore
from .common import canonical_metrics
from .distributed import DEFAULT_TIMEOUT_S

logger = hf_logging.get_logger("transformers.nndoctor")


def unwrap_optimizer(optimizer: Any) -> Any:
    """The torch optimizer inside accelerate's (or DeepSpeed's) wrapper, where its step hooks fire."""
    seen = 0
    while seen < 5 and isinstance(getattr(optimizer, "optimizer", None), torch.optim.Optimizer):
        optimizer = optimizer.optimizer
        seen += 1
    return optimizer


class DoctorCallback(DoctorCallbackCore, TrainerCallback):
    """Watch ``Trainer.train``: live alerts through transformers' logger, the report at the end.

    ``json`` / ``html``: where the main process writes the report. ``every``: how often a
    step is sampled in depth. ``print_report``: also print it to the terminal.
    ``timeout``: under DDP, how long rank 0 waits at the end for the other ranks.
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
        self._configure(json, html, every, alerts, print_report, timeout)

    @classmethod
    def attach(cls, trainer: Any, **kwargs: Any) -> "DoctorCallback":
        """Add a DoctorCallback to ``trainer`` and finish it also when ``trainer.train()`` raises."""
        callback = cls(**kwargs)
        trainer.add_callback(callback)
        original = trainer.train

        @functools.wraps(original)
        def train(*args: Any, **train_kwargs: Any) -> Any:
            try:
                return original(*args, **train_kwargs)
            except BaseException as exc:
                callback.close(exc)
                raise

        trainer.train = train
        return callback

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, optimizer: Any = None, **kwargs: Any) -> None:
        self.close()
        optimizers = [unwrap_optimizer(optimizer)] if optimizer is not None else []
        name = type(model).__name__ if model is not None else "Trainer"
        self._start_doctor(model, optimizers, name, logger).start()

    def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
        if self.doctor is not None and self.doctor.active and logs:
            train_logs = {k: v for k, v in logs.items() if not k.startswith("eval_")}  # on_evaluate records those
            self.doctor.log(**canonical_metrics(train_logs, validation=False))

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **kwargs: Any) -> None:
        if self.doctor is not None and self.doctor.active and metrics:
            self.doctor.log(**canonical_metrics(metrics, validation=True))

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.close()

    def close(self, exception: BaseException | None = None) -> Report | None:
        """Stop watching (idempotent), keep the report in ``self.report`` and, on the main process, write it."""
        return self._finish_doctor(logger.warning, exception)
