"""The ``nndoctor`` command line: checkup, rules, explain, demo (and the commands built on them).

Exit status: 0 when nothing reaches warning, 1 when something does, 2 for usage errors or
when nndoctor cannot run the setup; the last comes with a one-paragraph message.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .catalog import FAMILIES, get_rule, select_rules
from .errors import NNDoctorError
from .report import Report
from .setup import Setup

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _err_console() -> Console:
    return Console(stderr=True, highlight=False)


def fail(problem: str, fix: str) -> int:
    """Print one paragraph naming the problem and the fix; return the usage exit status."""
    sys.stderr.write(f"nndoctor: error: {problem} {fix}\n")
    return EXIT_USAGE


def binds_setup(source: str) -> bool:
    """Whether a module's top level may bind the name ``setup`` (a def, an assignment, an import, a star import).

    Read from the source without running it: a training script has no ``setup`` and would
    train in full on import before nndoctor could say it is not a spec.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True  # let the import report the syntax error with its line
    return any(_binds_setup(node) for node in tree.body)


def _binds_setup(node: ast.stmt) -> bool:
    """Whether a module-level statement binds ``setup``; a class's or a function's own ``setup`` (Lightning's
    ``LightningDataModule.setup``) is not the module's."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == "setup"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any(alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == "setup" for alias in node.names)
    if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):  # blocks that run at import, e.g. a try/except import
        inner = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                 *(stmt for handler in getattr(node, "handlers", []) for stmt in handler.body)]
        return any(_binds_setup(stmt) for stmt in inner)
    return any(isinstance(target, ast.Name) and target.id == "setup"
               for sub in ast.walk(node) if isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr))
               for target in ([*sub.targets] if isinstance(sub, ast.Assign) else [sub.target]))


def import_file(path: str) -> Any:
    """Import the Python file ``path`` as a module (its folder importable while it runs); errors become NNDoctorErrors.

    The module stays in ``sys.modules`` under its own name, so classes the spec defines can be
    pickled (``torch.save(model)`` inside ``setup()``, DataLoader workers).
    """
    file = Path(path)
    if not file.is_file():
        raise NNDoctorError(f"The setup file {path!r} does not exist.", "Pass the path of a Python file that defines setup().")
    if _is_script(path):
        raise NNDoctorError(
            f"{path} defines no function setup(): it looks like a training script, not a spec, so nndoctor did not run it.",
            f"Watch the script as it trains with `nndoctor run {path}`, or add "
            "`def setup(): return nndoctor.Setup(model=..., train=(X, y), loss=..., optimizer=...)` to examine it with checkup.",
        )
    name = f"nndoctor_setup_{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise NNDoctorError(f"{path!r} is not a Python file nndoctor can import.", "Pass a .py file that defines setup().")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(file.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except NNDoctorError:
        sys.modules.pop(name, None)
        raise
    except Exception as exc:
        sys.modules.pop(name, None)
        raise NNDoctorError(
            f"Importing {path} raised {type(exc).__name__}: {exc}.",
            "Fix the error in that file (run `python " + path + "` to see the full traceback).",
        ) from exc
    finally:
        sys.path.remove(str(file.resolve().parent))
    return module


def load_setup(path: str) -> Setup:
    """Import ``path`` and call its ``setup()``; every way this can go wrong becomes an NNDoctorError."""
    module = import_file(path)
    factory = getattr(module, "setup", None)
    if not callable(factory):
        raise NNDoctorError(
            f"{path} defines no function setup().",
            "Add `def setup(): return nndoctor.Setup(model=..., train=(X, y), loss=..., optimizer=...)` to the file.",
        )
    try:
        result = factory()
    except NNDoctorError:
        raise
    except Exception as exc:
        raise NNDoctorError(
            f"setup() in {path} raised {type(exc).__name__}: {exc}.",
            "Fix setup() so that it returns an nndoctor.Setup.",
        ) from exc
    if not isinstance(result, Setup):
        raise NNDoctorError(
            f"setup() in {path} returned {type(result).__name__}, not an nndoctor.Setup.",
            "Return nndoctor.Setup(model=..., train=..., loss=..., optimizer=...).",
        )
    return result


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


def write_outputs(args: argparse.Namespace, show: Callable[[Console], None], save_json: Callable[[str], None],
                  save_html: Callable[[str], None]) -> None:
    """Show a result on the terminal and write the ``--json`` / ``--html`` files asked for: one place for every command."""
    show(Console())
    if getattr(args, "json", None):
        save_json(args.json)
    if getattr(args, "html", None):
        save_html(args.html)


def emit(report: Report, args: argparse.Namespace, show: Callable[[Console], None] | None = None,
         save_html: Callable[[str], None] | None = None) -> int:
    """Print a findings report, write the files asked for, and return the exit status.

    ``show`` and ``save_html`` replace the plain report's printer and HTML page (fix adds its trials)."""
    from .render.html import save_html as save_report_html

    write_outputs(args, show or report.print, report.save_json, save_html or (lambda path: save_report_html(report, path)))
    if getattr(args, "tensorboard", None):
        from .render.tensorboard import write_tensorboard

        write_tensorboard(report, args.tensorboard)
    return report.exit_code()


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over the checks on a terminal; one line per phase otherwise (logs, CI)."""
    console = _err_console()
    if not console.is_terminal:
        seen: set[str] = set()

        def log(phase: str, index: int, total: int) -> None:
            if phase != "done" and phase not in seen:
                seen.add(phase)
                console.print(f"[dim]· {phase} checks ({index + 1}/{total})…[/]")

        yield log
        return
    with Progress(
        TextColumn("[dim]checkup[/] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def show(phase: str, index: int, total: int) -> None:
            bar.update(task, description=f"{phase} checks", completed=index, total=total)

        yield show


def cmd_checkup(args: argparse.Namespace) -> int:
    from .runner import checkup

    setup = load_setup(args.file)
    with _progress() as progress:
        report = checkup(setup, select=_codes(args.select), ignore=_codes(args.ignore), budget=args.budget, progress=progress)
    return emit(report, args)


def cmd_rules(args: argparse.Namespace) -> int:
    from rich.table import Table

    rules = select_rules(_codes(args.select))
    if not rules:
        return fail(f"No rule matches {args.select!r}.", f"Use a code or prefix such as D, O4 or L301 (families: {', '.join(FAMILIES)}).")
    table = Table(title=f"nndoctor rules ({len(rules)})", show_lines=False)
    for column in ("code", "name", "where", "summary", "fix"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        where = " ".join(sorted("C" if w == "checkup" else "W" for w in rule.where))
        table.add_row(rule.code, rule.name, where, rule.summary, rule.fix)
    Console(width=max(Console().width, 160)).print(table)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        rule = get_rule(args.code)
    except KeyError:
        return fail(f"There is no rule {args.code!r}.", "Run `nndoctor rules` to list every code.")
    console = Console()
    where = " and ".join(sorted(rule.where))
    console.print(f"[bold]{rule.code} {rule.name}[/]  ({rule.family_name}; seen by {where})\n")
    for label, text in (("What", rule.summary), ("Measured", rule.measured), ("Why it matters", rule.why), ("Fix", rule.fix)):
        console.print(f"[bold]{label}:[/] {text}\n", highlight=False)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import demo_setup
    from .runner import checkup

    setup = demo_setup(healthy=args.healthy)
    _err_console().print(
        "[dim]Demo: a digits classifier (scikit-learn's 8x8 scans) "
        + ("set up the way the playbook says." if args.healthy else "with the mistakes people really make.")
        + " Source: nndoctor/demo.py[/]"
    )
    with _progress() as progress:
        report = checkup(setup, budget=args.budget, progress=progress)
    return emit(report, args)


def cmd_run(args: argparse.Namespace) -> int:
    """Run a training script as ``python SCRIPT ARGS`` would, watched; keep its exit status."""
    from .watch.run import run_script

    outcome = run_script(args.script, args.args)
    report = outcome.report
    report.print(Console(stderr=True))
    if args.json:
        report.save_json(args.json)
    if args.html:
        from .render.html import save_html

        save_html(report, args.html)
    if getattr(args, "tensorboard", None):
        from .render.tensorboard import write_tensorboard

        write_tensorboard(report, args.tensorboard)
    if args.fail_on and report.at_least(args.fail_on):
        return EXIT_FINDINGS
    return outcome.exit_status


def _with_progress(run: Callable[[Callable[..., None]], Any]) -> Any:
    """``run(update)`` under the trials' progress bar on stderr (fix and improve)."""
    from .fix.render import progress_bar

    bar, update = progress_bar(_err_console())
    with bar:
        return run(update)


def cmd_fix(args: argparse.Namespace) -> int:
    """Checkup, then equal-budget seeded trials of the remedies for each root cause; never writes the user's files."""
    from .fix import fix
    from .fix.render import print_fix, save_fix_html

    if args.seeds < 1:
        return fail(f"--seeds {args.seeds} must be at least 1.", "Use 3 or more seeds for a verdict that means something.")
    script_status = None
    if _is_script(args.file):  # a training script: run it as `nndoctor run` does, trial on what it built
        from .fix.script import fix_script

        fixed = _with_progress(lambda update: fix_script(args.file, budget=args.budget, seeds=args.seeds,
                                                         progress=update))
        report, script_status = fixed.report, fixed.exit_status
    else:
        setup = load_setup(args.file)
        report = _with_progress(lambda update: fix(setup, budget=args.budget, seeds=args.seeds, progress=update))

    def show(console: Console) -> None:
        report.print(console)
        print_fix(report, console)

    status = emit(report, args, show=show, save_html=lambda path: save_fix_html(report, path))
    return script_status if script_status else status


def _is_script(path: str) -> bool:
    """Whether ``path`` is an existing Python file that binds no ``setup`` (a training script, not a spec)."""
    file = Path(path)
    return file.is_file() and not binds_setup(file.read_text(errors="replace"))


def cmd_improve(args: argparse.Namespace) -> int:
    """Equal-budget seeded trials of ensembling, distillation, pruning and quantisation; never writes the user's files."""
    from .improve import improve
    from .improve.report import print_improve, save_improve_html

    if args.steps < 1:
        return fail(f"--steps {args.steps} must be at least 1.", "Use the steps one training run should take (default 300).")
    setup = load_setup(args.file)
    report = _with_progress(lambda update: improve(setup, only=args.only, seeds=args.seeds, steps=args.steps,
                                                   budget=args.budget, progress=update))
    write_outputs(args, lambda console: print_improve(report, Console(width=max(console.width, 120))), report.save_json,
                  lambda path: save_improve_html(report, path))
    return EXIT_OK


def cmd_tune(args: argparse.Namespace) -> int:
    """Hyperparameter search on Optuna with the doctor watching every trial; exit 1 when a finding stopped the study."""
    from .tune import tune
    from .tune.space import check_space

    if args.demo == bool(args.file):
        return fail("nndoctor tune needs either a spec file or --demo.",
                    "Pass a file defining setup(**params) and space(trial) or SPACE, e.g. `nndoctor tune spec.py --trials 20`, or use --demo.")
    if args.demo:
        from .demo import TUNE_SPACE, TUNE_STEPS, tune_setup

        spec, space, steps = tune_setup, check_space(TUNE_SPACE), args.steps or TUNE_STEPS
    else:
        spec, space, steps = args.file, None, args.steps
    result = tune(spec, space, trials=args.trials, steps=steps, budget=args.budget, sampler=args.sampler,
                  storage=args.storage, study=args.study, seed=args.seed, pruner=args.pruner, coarse_to_fine=args.coarse_to_fine)
    write_outputs(args, result.print, result.save_json, result.save_html)
    return EXIT_FINDINGS if result.stopped is not None else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nndoctor", description="A training doctor for PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_outputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", metavar="PATH", help="write the report as JSON")
        p.add_argument("--html", metavar="PATH", help="write a self-contained HTML report")
        p.add_argument("--tensorboard", metavar="DIR", help="write the telemetry as TensorBoard events (needs nndoctor[tensorboard])")

    p = sub.add_parser("checkup", help="pre-flight exam of a setup file (defines setup() -> nndoctor.Setup)")
    p.add_argument("file")
    add_outputs(p)
    p.add_argument("--select", help="only these codes or prefixes, comma-separated (e.g. D,L301)")
    p.add_argument("--ignore", help="skip these codes or prefixes, comma-separated")
    p.add_argument("--budget", type=float, default=None, help="wall-clock safety net in seconds (default 120): checks it stops are reported inconclusive, never run shorter")
    p.set_defaults(func=cmd_checkup)

    p = sub.add_parser("rules", help="list the rule catalog")
    p.add_argument("select", nargs="?", help="code or prefix filter, e.g. D or O40")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("explain", help="explain one rule")
    p.add_argument("code")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("demo", help="checkup of a bundled broken setup (digits)")
    p.add_argument("--healthy", action="store_true", help="the same task set up correctly")
    p.add_argument("--budget", type=float, default=None)
    add_outputs(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="run a training script (as `python SCRIPT ARGS` would) and watch its training loop")
    add_outputs(p)
    p.add_argument("--fail-on", choices=("warning", "error"), help="exit 1 when a finding reaches this severity")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("fix", help="diagnose a setup file or a training script, then verify remedies by equal-budget seeded A/B trials")
    p.add_argument("file", help="a spec defining setup(), or a training script (run as `nndoctor run` runs it)")
    add_outputs(p)
    p.add_argument("--budget", type=float, default=None, help="wall-clock safety net in seconds (default 300): checks it stops are reported inconclusive, never run shorter")
    p.add_argument("--seeds", type=int, default=3, help="seeded runs per arm (default 3)")
    p.set_defaults(func=cmd_fix)

    p = sub.add_parser("improve", help="trial ensembling, distillation, pruning and int8 quantisation on a setup file (equal-budget seeded A/B)")
    p.add_argument("file")
    p.add_argument("--only", help="comma-separated subset of ensemble,distill,prune,quantize")
    p.add_argument("--json", metavar="PATH", help="write the report as JSON")
    p.add_argument("--html", metavar="PATH", help="write a self-contained HTML report")
    p.add_argument("--budget", type=float, default=None, help="wall-clock safety net in seconds (default 300): arms it stops are reported inconclusive")
    p.add_argument("--seeds", type=int, default=3, help="seeded runs per arm, also the ensemble's size (default 3; 3 to 5)")
    p.add_argument("--steps", type=int, default=300, help="training steps per run (default 300; cut only for costly setups)")
    p.set_defaults(func=cmd_improve)

    p = sub.add_parser("tune", help="hyperparameter search (Optuna) with the doctor watching and pruning every trial")
    p.add_argument("file", nargs="?", help="spec file: setup(**params), space(trial) or SPACE = {...}, optional STEPS")
    p.add_argument("--demo", action="store_true", help="tune the bundled healthy digits demo (study in memory unless --storage)")
    p.add_argument("--trials", type=int, default=20, help="trials this run adds to the study (default 20)")
    p.add_argument("--steps", type=int, default=None, help="training steps per trial (default: the spec's STEPS, else 300)")
    p.add_argument("--budget", type=float, default=None, help="seconds after which no new trial starts (a started trial always trains its full steps)")
    p.add_argument("--sampler", choices=("tpe", "random", "grid"), default="tpe", help="tpe: random for the first 10 trials, then TPE (default)")
    p.add_argument("--pruner", choices=("median", "hyperband"), default="median", help="Optuna's pruner under the doctor's (default median)")
    p.add_argument("--coarse-to-fine", action="store_true",
                   help="then narrow each range around the best quartile and run --trials more in study <study>-fine (dict spaces)")
    p.add_argument("--storage", help="Optuna storage URL (default: sqlite file <spec>.nndoctor-tune.db beside the spec; resumable)")
    p.add_argument("--study", help="study name (default: the spec file's name)")
    p.add_argument("--seed", type=int, default=0, help="trial n trains with seed SEED+n")
    p.add_argument("--json", metavar="PATH", help="write the study record as JSON")
    p.add_argument("--html", metavar="PATH", help="write the study record as HTML")
    p.set_defaults(func=cmd_tune)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "tensorboard", None):
            from .render.tensorboard import require_tensorboard

            require_tensorboard()  # fail before the exam, not after it
        return args.func(args)
    except NNDoctorError as exc:
        return fail(exc.problem, exc.fix)
    except KeyboardInterrupt:
        _err_console().print("nndoctor: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
