"""Benchmarks for nndoctor (run as modules, e.g. ``python -m benchmarks.faults``)."""
