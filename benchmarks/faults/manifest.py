"""Read the case manifest (manifest.toml): the labels only the scorer sees."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
MODES = ("checkup", "run")


@dataclass(frozen=True)
class Case:
    """One benchmark case. ``code`` is None for a healthy case."""

    id: str
    mode: str
    file: str
    code: str | None
    task: str
    data: str
    architecture: str
    twin: str | None = None
    pattern: str | None = None
    metric_visible: bool = True
    note: str = ""

    @property
    def path(self) -> Path:
        return HERE / self.file

    @property
    def healthy(self) -> bool:
        return self.code is None


def load_cases(path: Path = MANIFEST) -> list[Case]:
    """Every case in the manifest, in file order; ``code = ""`` marks a healthy case."""
    raw = tomllib.loads(path.read_text())
    cases = []
    for entry in raw["case"]:
        entry = dict(entry)
        entry["code"] = entry.get("code") or None
        cases.append(Case(**entry))
    return cases
