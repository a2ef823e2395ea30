"""Live diagnosis of the user's own training loop: ``watch`` and ``nndoctor run``."""
from __future__ import annotations

from .session import DEFAULT_EVERY, Doctor, watch

__all__ = ["DEFAULT_EVERY", "Doctor", "watch"]
