"""Checks grouped by family; every module here registers its checks on import."""
from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every check module in this package so their ``@check`` decorators run."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
