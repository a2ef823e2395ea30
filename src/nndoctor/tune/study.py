"""Where a study lives and how it samples: Optuna storages, samplers and the median pruner.

The default storage is a SQLite file beside the spec (``<spec>.nndoctor-tune.db``): embedded,
and resumable -- the same command continues the same study. ``--storage`` takes any URL Optuna
accepts (``postgresql://...``), so workers on several machines share one study.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import NNDoctorError
from .space import Space, grid_of

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband")
# Hyperband's smallest budget is one checkpoint's worth of steps, its largest the full trial; brackets shrink by 3x (Optuna's default).
HYPERBAND_REDUCTION = 3
# Random trials before TPE models the results (Optuna's own default): random search first, then Bayesian.
RANDOM_STARTUP = 10
# The median pruner judges a trial only once this many trials have finished, as Optuna's default does.
PRUNER_STARTUP = 5


def default_storage(spec: str | Path) -> str:
    """``sqlite:///<spec>.nndoctor-tune.db`` next to the spec file."""
    return f"sqlite:///{Path(spec).resolve()}.nndoctor-tune.db"


def make_sampler(kind: str, space: Space, seed: int | None) -> Any:
    """random | tpe (random for the first trials, then TPE; a constant liar for parallel workers) | grid."""
    import optuna

    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if kind == "tpe":
        return optuna.samplers.TPESampler(n_startup_trials=RANDOM_STARTUP, seed=seed, constant_liar=True)
    if kind == "grid":
        return optuna.samplers.GridSampler(grid_of(space), seed=seed)
    raise NNDoctorError(f"There is no sampler {kind!r}.", f"Use one of {', '.join(SAMPLERS)}.")


def make_pruner(kind: str, steps: int, checkpoints: int) -> Any:
    """Optuna's MedianPruner or HyperbandPruner (resources in training steps); the doctor prunes on top of either."""
    import optuna

    if kind == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP)
    if kind == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=max(1, steps // checkpoints), max_resource=steps,
                                              reduction_factor=HYPERBAND_REDUCTION)
    raise NNDoctorError(f"There is no pruner {kind!r}.", f"Use one of {', '.join(PRUNERS)}.")


# Workers that start together on a fresh database race to create its schema; the loser retries.
SCHEMA_RACE_RETRIES = 5


def _create_or_load(optuna: Any, storage: str | None, name: str, sampler: Any, pruner: Any) -> Any:
    """``optuna.create_study(load_if_exists=True)``, retried while another worker is creating the same schema."""
    import time

    from sqlalchemy.exc import IntegrityError, OperationalError

    for attempt in range(SCHEMA_RACE_RETRIES):
        try:
            return optuna.create_study(storage=storage, study_name=name, sampler=sampler, pruner=pruner,
                                       direction="maximize", load_if_exists=True)
        except (IntegrityError, OperationalError):
            if attempt == SCHEMA_RACE_RETRIES - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def open_study(storage: str | None, name: str, sampler: Any, pruner: Any = None) -> Any:
    """Create the study, or load it when it exists (resuming); the metric is maximised."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if pruner is None:
        pruner = optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP)
    try:
        return _create_or_load(optuna, storage, name, sampler, pruner)
    except (ImportError, ModuleNotFoundError) as exc:
        raise NNDoctorError(f"The storage {storage!r} needs a driver that is not installed ({exc}).",
                            "Install it (e.g. `pip install psycopg[binary]` for postgresql://) or use a sqlite:/// URL.") from exc
    except ValueError as exc:
        raise NNDoctorError(f"Optuna cannot open the storage {storage!r}: {exc}.",
                            "Pass a URL Optuna accepts, e.g. sqlite:///study.db or postgresql://user@host/db.") from exc
