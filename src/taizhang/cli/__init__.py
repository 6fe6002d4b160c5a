"""The command line: thin typer commands over the core library."""

from __future__ import annotations

import atexit
import gc
import os
import re
import sys
from typing import NoReturn

from rich.markup import escape

# Each module registers its commands on ``app``; the order here is the order in --help.
from . import validate as _validate  # noqa: F401  isort: skip
from . import template as _template  # noqa: F401  isort: skip
from . import merge as _merge  # noqa: F401  isort: skip
from . import report as _report  # noqa: F401  isort: skip
from . import prepare as _prepare  # noqa: F401  isort: skip
from . import remind as _remind  # noqa: F401  isort: skip
from . import stats as _stats  # noqa: F401  isort: skip
from . import init as _init  # noqa: F401  isort: skip
from .app import app, err_console, internal_error

__all__ = ["app", "main", "run"]


def run() -> NoReturn:
    """The ``taizhang`` script and ``python -m taizhang``: ``main``, then the process ends without
    Python's teardown. Every file a command writes is closed when it returns, and its output is
    flushed here; what the teardown would still do is free, object by object, every module and
    whatever the command held (some 15 ms after a merge), which the system does at once. (``main``
    itself ends with ``SystemExit``, for the tests and for callers in Python.)"""
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # as Python prints a SystemExit that carries a message
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away (BrokenPipeError), or the stream is closed
            pass
    os._exit(code)


def main() -> None:
    """Entry point of the ``taizhang`` script: usage errors are explained in Chinese."""
    if sys.platform == "win32":  # Chinese in a Windows console
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")
    # The process ends after the command: Python's last full collection over every object it
    # holds (some 40-70 ms after a merge, which frees nothing) is skipped by freezing them first.
    atexit.register(gc.freeze)
    # Only the command being run is registered while it runs: typer turns every registered command
    # into a click command (its signature, its options) on each run, to use one (~5 ms of a start-up).
    every = app.registered_commands
    if len(sys.argv) > 1:
        app.registered_commands = [c for c in every if c.name == sys.argv[1]] or every
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        err_console.print("已中止。")
        code = 130
    except BrokenPipeError:
        # The output was piped into a program that stopped reading (taizhang --help | head):
        # nothing is wrong. Point stdout at nothing so that Python's own flush at exit stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    except Exception as exc:
        # Matched by name: typer's click exceptions live in click or in typer's own copy of it,
        # depending on the typer version.
        kinds = {cls.__name__ for cls in type(exc).__mro__}
        if "NoArgsIsHelpError" in kinds:
            print(exc.format_message())  # type: ignore[attr-defined]
            code = 2
        elif "UsageError" in kinds:
            err_console.print(f"[bold red]用法错误：[/]{escape(usage_message(exc))}")
            ctx = getattr(exc, "ctx", None)
            err_console.print(f"运行 {escape(ctx.command_path if ctx is not None else 'taizhang')} --help 查看用法。")
            code = 2
        elif "Abort" in kinds:
            err_console.print("已中止。")
            code = 130
        else:  # outside a command (the commands' own are handled in ChineseGroup.invoke)
            code = internal_error(exc, as_json="--json" in sys.argv[1:])
    finally:
        app.registered_commands = every
    sys.exit(code if isinstance(code, int) else 0)


_NO_COMMAND = re.compile(r"No such command '([^']*)'")
_NEEDS_VALUE = re.compile(r"Option '([^']*)' requires (?:an argument|\d+ arguments)")


def usage_message(exc: Exception) -> str:
    """A Chinese explanation of a command-line usage error (typer's own messages are English)."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "MissingParameter":
        opts = list(getattr(param, "opts", None) or [])
        if opts and opts[0].startswith("-"):
            return f"缺少选项 {opts[0]}。"
        name = getattr(param, "metavar", None) or str(getattr(param, "name", "") or "").upper()
        return f"缺少参数 {name}（{getattr(param, 'help', None) or '见帮助'}）。"
    if kind == "NoSuchOption":
        message = f"没有 {getattr(exc, 'option_name', '')} 这个选项。"
        possibilities = getattr(exc, "possibilities", None)
        if possibilities:
            message += f"是不是要用 {'、'.join(sorted(possibilities))}？"
        return message
    text = str(getattr(exc, "message", "") or exc)
    m = _NO_COMMAND.search(text)
    if m:
        return f"没有 {m.group(1)} 这个命令。可用的命令：validate、template、merge、report、prepare、remind、stats、init。"
    m = _NEEDS_VALUE.search(text)
    if m:
        return f"选项 {m.group(1)} 后面要跟一个值。"
    if kind == "BadParameter" and param is not None:
        name = getattr(param, "human_readable_name", "") or getattr(param, "metavar", "") or getattr(param, "name", "")
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if low is not None or high is not None:  # a number option (stats --year, --red-streak): typer says it in English
            bounds = f" {low}—{high} 之间的" if low is not None and high is not None else \
                f"不小于 {low} 的" if low is not None else f"不大于 {high} 的"
            return f"{name} 的值不对：应为{bounds}整数。"
        return f"{name} 的值不对（{text}）。"
    return text
