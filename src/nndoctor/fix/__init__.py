"""fix: prove the cure. Remedies as Setup transformations, verified by equal-budget seeded A/B trials."""
from .api import fix
from .remedies import FOR_CODE, LOOP_PATTERNS, REMEDIES, Candidate, Remedy, remedies_for

__all__ = ["FOR_CODE", "LOOP_PATTERNS", "REMEDIES", "Candidate", "Remedy", "fix", "remedies_for"]
