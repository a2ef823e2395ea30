"""The fault benchmark: realistic setups with one injected fault each, healthy twins, a scorer.

``python -m benchmarks.faults`` runs every case through the real CLI and scores the diagnosis;
see README.md.
"""
