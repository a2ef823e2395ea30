"""Give the user back the traceback their code would have raised without nndoctor.

Watching a loop puts two kinds of frames into the tracebacks of errors the user's own code
raises: nndoctor's wrappers (the patched ``torch.autograd.backward``, loss functions,
``Optimizer.__init__`` …, all in this package) and PyTorch's hook dispatch (a module with
forward hooks runs ``Module._call_impl`` through its nested ``inner()`` instead of calling
``forward`` directly). Neither is the user's: the design promises their traceback unchanged.

``clean_traceback(exc)`` rebuilds the traceback of ``exc`` and of every exception chained to
it (``__cause__``, ``__context__``, the members of an exception group) without nndoctor's
frames, and — once nndoctor's hooks are gone — folds the hook dispatch back into the
direct ``forward`` call PyTorch makes for a module with no hooks. Call it after the watch
stopped (its hooks removed), before the exception is printed or propagates further:

* ``nndoctor run`` prints the cleaned exception with ``sys.excepthook`` (``print_script_error``);
* ``watch``'s ``__exit__`` can call ``clean_traceback(exc)`` after ``stop()`` and return
  False: the exception then propagates with the cleaned traceback.

Traceback objects are immutable in what they point at (frame, line), so the cleaned chain is
built from new ``types.TracebackType`` objects over the same frames; the original objects
are left as they were.
"""
from __future__ import annotations

import builtins
import dis
import functools
import linecache
import os
import sys
import types
from typing import Iterator

_GROUPS: tuple[type, ...] = tuple(t for t in (getattr(builtins, "BaseExceptionGroup", None),) if t is not None)
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
FAST_PATH_SOURCE = "return forward_call(*args, **kwargs)"


@functools.lru_cache(maxsize=512)
def _is_nndoctor_file(filename: str) -> bool:
    """True for a source file inside the installed nndoctor package."""
    if not filename or filename.startswith("<"):
        return False
    return os.path.realpath(filename).startswith(PACKAGE_DIR + os.sep)


def _entries(tb: types.TracebackType | None) -> Iterator[types.TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


@functools.lru_cache(maxsize=4)
def _fast_path(code: types.CodeType) -> tuple[int, int] | None:
    """(instruction offset, line) of ``return forward_call(*args, **kwargs)`` in ``Module._call_impl``.

    That is the line a plain Python traceback shows for a module called without hooks; None
    when this PyTorch's ``_call_impl`` has no such line (the traceback is then left alone).
    """
    for instruction in dis.get_instructions(code):
        positions = getattr(instruction, "positions", None)
        line = positions.lineno if positions is not None and positions.lineno else instruction.starts_line
        if not instruction.opname.startswith("CALL") or not line:
            continue
        if linecache.getline(code.co_filename, line).strip() == FAST_PATH_SOURCE:
            return instruction.offset, line
    return None


def _module_without_hooks(frame: types.FrameType) -> bool:
    """True when the module this ``_call_impl`` frame ran for would take PyTorch's no-hook path now."""
    try:
        from torch.nn.modules import module as torch_module

        module = frame.f_locals.get("self")
        if not isinstance(module, torch_module.Module):
            return False
        own = ("_backward_hooks", "_backward_pre_hooks", "_forward_hooks", "_forward_pre_hooks")
        shared = ("_global_backward_pre_hooks", "_global_backward_hooks", "_global_forward_hooks", "_global_forward_pre_hooks")
        return not any(getattr(module, name, None) for name in own) and not any(getattr(torch_module, name, None) for name in shared)
    except Exception:
        return False


def _hook_dispatch(tb: types.TracebackType) -> bool:
    """``tb`` is ``Module._call_impl`` calling its nested ``inner()`` (the path taken only when hooks exist)."""
    following = tb.tb_next
    code = tb.tb_frame.f_code
    return (
        following is not None
        and code.co_name == "_call_impl"
        and following.tb_frame.f_code.co_name == "inner"
        and following.tb_frame.f_code.co_filename == code.co_filename
        and os.path.basename(os.path.dirname(code.co_filename)) == "modules"
    )


def clean_tb(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback ``tb`` without nndoctor's frames and without the hook dispatch its hooks caused."""
    kept: list[tuple[types.FrameType, int, int]] = []
    entries = list(_entries(tb))
    index = 0
    while index < len(entries):
        entry = entries[index]
        frame = entry.tb_frame
        if _is_nndoctor_file(frame.f_code.co_filename):
            index += 1
            continue
        if _hook_dispatch(entry) and _module_without_hooks(frame):
            direct = _fast_path(frame.f_code)
            if direct is not None:
                kept.append((frame, direct[0], direct[1]))
                index += 2  # ``inner`` is the dispatch itself; the forward it called comes next
                continue
        kept.append((frame, entry.tb_lasti, entry.tb_lineno))
        index += 1
    rebuilt: types.TracebackType | None = None
    for frame, lasti, line in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, frame, lasti, line)
    return rebuilt


def _touched(tb: types.TracebackType | None) -> bool:
    return any(_is_nndoctor_file(e.tb_frame.f_code.co_filename) or _hook_dispatch(e) for e in _entries(tb))


def clean_traceback(exc: BaseException) -> BaseException:
    """Remove nndoctor's frames from ``exc`` and every exception chained to it; returns ``exc``.

    Call after the watch stopped: whether a module's hook dispatch is folded back depends on
    the hooks it has *now* (the user's own hooks stay, and so does their dispatch).
    """
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _touched(current.__traceback__):
            current.__traceback__ = clean_tb(current.__traceback__)
        pending.extend([current.__cause__, current.__context__])  # type: ignore[list-item]
        if isinstance(current, _GROUPS):
            pending.extend(current.exceptions)
    return exc


def from_script(tb: types.TracebackType | None, script: str) -> types.TracebackType | None:
    """``tb`` from the first frame of ``script`` on (None when the script never ran: a syntax error).

    What comes before is ``nndoctor run``'s own launch (cli, runpy), which ``python script.py``
    does not show either.
    """
    target = os.path.realpath(script)
    for entry in _entries(tb):
        if os.path.realpath(entry.tb_frame.f_code.co_filename) == target:
            return entry
    return None


def print_script_error(exc: BaseException, script: str) -> None:
    """Print ``exc`` as ``python script`` would have: the script's frames on, nndoctor's gone.

    Uses ``sys.excepthook``, which Python calls for an uncaught exception, so a hook the
    script installed itself (rich, IPython-style pretty tracebacks) is honoured too.
    """
    clean_traceback(exc)
    exc.__traceback__ = from_script(exc.__traceback__, script)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    except Exception:
        sys.__excepthook__(type(exc), exc, exc.__traceback__)
    sys.stderr.flush()
