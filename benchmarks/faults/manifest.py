"""Read the case manifests (manifest.toml plus every manifest_*.toml beside it): the labels only the scorer sees."""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
MODES = ("checkup", "run")
HALVES = ("tuning", "reporting")


def half_of_folder(folder: str) -> str:
    """The half a case folder belongs to: "tuning" when the first byte of sha256(folder name) is even.

    The rule looks only at the folder name (``c004``, ``r213``), so a case's half never changes
    when the manifest is reordered, split or extended, and nobody can tell the half from the
    number alone, which is assigned in authoring order (twin then fault, series of variants).
    """
    return HALVES[hashlib.sha256(folder.encode()).digest()[0] % 2]


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
    # Why a faulty case is no longer scored (e.g. "no measurable harm: ..."): kept in the manifest
    # and in the harm check, listed in the results, left out of every score.
    retired: str = ""

    @property
    def path(self) -> Path:
        return HERE / self.file

    @property
    def healthy(self) -> bool:
        return self.code is None

    @property
    def folder(self) -> str:
        return Path(self.file).parent.name

    @property
    def half(self) -> str:
        """"tuning" or "reporting", see ``half_of_folder``."""
        return half_of_folder(self.folder)


def manifest_files(folder: Path = HERE) -> list[Path]:
    """manifest.toml first, then every manifest_*.toml beside it in sorted order."""
    first = folder / "manifest.toml"
    rest = sorted(folder.glob("manifest_*.toml"))
    return ([first] if first.is_file() else []) + rest


def load_manifest(path: Path) -> list[Case]:
    """The cases of one manifest file, in file order; ``code = ""`` marks a healthy case."""
    raw = tomllib.loads(path.read_text())
    cases = []
    for entry in raw.get("case", []):
        entry = dict(entry)
        entry["code"] = entry.get("code") or None
        cases.append(Case(**entry))
    return cases


def load_cases(path: Path | None = None, folder: Path = HERE) -> list[Case]:
    """Every case: of ``path`` alone when given, else of all manifest files in ``folder`` (see ``manifest_files``).

    Raises ValueError when two entries share an id.
    """
    files = [path] if path is not None else manifest_files(folder)
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for file in files:
        for case in load_manifest(file):
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} appears in {seen[case.id].name} and again in {file.name}")
            seen[case.id] = file
            cases.append(case)
    return cases
