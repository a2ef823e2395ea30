"""`import nndoctor` and the command line start light: scikit-learn, SciPy, matplotlib and the
fix machinery load only when used (issue 13, item 10). Checked in fresh interpreters."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "scipy", "matplotlib", "nndoctor.fix", "jinja2", "tensorboard", "optuna")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = code + "\nimport sys, json\nsys.stdout.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY or m.startswith("nndoctor.fix"))


def test_import_nndoctor_loads_no_heavy_dependency():
    modules = modules_after("import nndoctor\nassert nndoctor.watch and nndoctor.checkup and nndoctor.Report")
    assert "torch" in modules
    assert heavy(modules) == []


@pytest.mark.parametrize("argv", [["--help"], ["rules"], ["explain", "D101"]])
def test_cli_help_and_catalog_commands_load_no_heavy_dependency(argv):
    code = ("from nndoctor.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n")
    assert heavy(modules_after(code)) == []


def test_fix_loads_on_first_use_and_stays_callable_either_way():
    code = ("import sys, nndoctor\n"
            "assert 'nndoctor.fix' not in sys.modules\n"
            "from nndoctor import fix\n"
            "from nndoctor.fix.api import fix as api_fix\n"
            "assert fix is api_fix and nndoctor.fix is api_fix\n")
    assert "sklearn" in modules_after(code)
    # a submodule imported first binds nndoctor.fix to the package, which still runs fix()
    code = ("import nndoctor\n"
            "from nndoctor.fix import REMEDIES\n"
            "from nndoctor.fix.api import fix\n"
            "def error(call):\n"
            "    try:\n"
            "        call(None, budget=1)\n"
            "    except Exception as exc:\n"
            "        return type(exc), str(exc)\n"
            "assert callable(nndoctor.fix) and error(nndoctor.fix) == error(fix) is not None\n")
    modules_after(code)
