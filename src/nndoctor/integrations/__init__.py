"""Integrations with the places people already train.

- :mod:`nndoctor.integrations.lightning`: ``DoctorCallback`` for ``lightning.pytorch.Trainer``
  (or ``pytorch_lightning.Trainer``).
- :mod:`nndoctor.integrations.transformers`: ``DoctorCallback`` for the Hugging Face ``Trainer``.
- :mod:`nndoctor.integrations.distributed`: ``watch`` for DDP runs (each rank records, rank 0 reports).

Each submodule imports its framework only when imported itself; ``import nndoctor``
never imports Lightning or transformers.
"""
