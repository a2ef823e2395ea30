"""One recorder for every training loop nndoctor watches or runs (see :mod:`.recorder`)."""
from .measure import grad_norms, snapshot, total_norm, update_norms
from .recorder import Record, Recorder

__all__ = ["Record", "Recorder", "grad_norms", "snapshot", "total_norm", "update_norms"]
