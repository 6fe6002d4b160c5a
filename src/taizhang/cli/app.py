"""The typer application and what every command shares: console, version, error exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from .. import __version__

if TYPE_CHECKING:
    from ..models import Config

# Options several commands share, defined once.
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", readable=False, metavar="PATH", show_default=False,
    help="配置文件；默认用当前文件夹的 taizhang.toml，没有则按默认设置（不检查未报送）。")]
DbOption = Annotated[Path | None, typer.Option(
    "--db", readable=False, metavar="PATH", show_default=False,
    help="历史库（SQLite）；默认为环境变量 TAIZHANG_DB，否则为配置文件旁的 taizhang.db。")]
JsonOption = Annotated[bool, typer.Option("--json", metavar="", help="只输出 JSON（供其他程序使用）。")]

class _ChineseHelp:
    """Gives the -h/--help option a Chinese description (typer's is fixed in English)."""

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示本帮助后退出。"
            option.metavar = ""
        return option

    def format_help(self, ctx, formatter):  # type: ignore[no-untyped-def]
        _fold_long_help_lines()  # here, not at import: typer's help renderer costs every command ~25 ms
        return super().format_help(ctx, formatter)  # type: ignore[misc]


class ChineseCommand(_ChineseHelp, TyperCommand):
    pass


class ChineseGroup(_ChineseHelp, TyperGroup):
    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        """Every command runs inside this: an unexpected exception ends with a short Chinese
        message naming the file concerned and exit code 3, never a traceback."""
        as_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        working_on(None)
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # the reader of our output went away (taizhang … | head): main ends quietly
        except KeyboardInterrupt:
            # Ctrl+C: said here, as main would, since typer turns it into a silent exit 130.
            err_console.print("已中止。")
            raise typer.Exit(130) from None
        except Exception as exc:
            if is_click_flow(exc):
                raise
            raise typer.Exit(internal_error(exc, as_json=as_json)) from None


def _fold_long_help_lines() -> None:
    """Let help texts break anywhere: rich breaks lines at spaces and cuts a longer word with "…",
    and a Chinese sentence has no spaces, so at 80 columns most option help ended cut off.
    (typer has no setting for this; where its helper is absent the help is only less tidy.)"""
    try:
        from rich.text import Text
        from typer import rich_utils
    except ImportError:
        return
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is None or getattr(make, "_folds", False):
        return

    def folded(**kwargs: object) -> object:
        text = make(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    folded._folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folded  # type: ignore[assignment]


app = typer.Typer(
    name="taizhang",
    cls=ChineseGroup,
    help="重点工作台账工具：校验部室台账、汇总全中心台账、生成督查通报（依据济航〔2022〕13号附件2）。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Results go to stdout; progress and errors to stderr so that --json stays clean.
# emoji=False: a cell reading ":warning:" is text, as "[red]" is (workbook text is also escaped).
console = Console(highlight=False, soft_wrap=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def _version(value: bool) -> None:
    if value:
        print(f"taizhang {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", metavar="", callback=_version, is_eager=True,
                                          help="显示版本号后退出。")] = False,
) -> None:
    """重点工作台账工具。"""


INTERNAL_ERROR = 3  # an unexpected internal error (a bug, or a file shaped as nobody foresaw)
_working_on: list[str] = []


def working_on(path: Path | str | None) -> None:
    """Name the file the command is now reading or writing, for the message of an unexpected error."""
    _working_on[:] = [] if path is None else [str(path)]


def is_click_flow(exc: BaseException) -> bool:
    """Whether ``exc`` is click's own control flow (exit, abort, usage errors), matched by name:
    typer's click exceptions live in click or in typer's own copy of it, depending on the version."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    return bool(kinds & {"Exit", "Abort", "ClickException"})


def internal_error(exc: BaseException, *, as_json: bool = False) -> int:
    """Report an unexpected exception in two lines of Chinese (valid JSON with ``--json``); the exit code."""
    concerned = _working_on[0] if _working_on else getattr(exc, "filename", None)
    where = f"处理 {concerned} 时" if concerned else ""
    detail = f"{type(exc).__name__}: {exc}"[:160]
    message = f"程序内部错误：{where}出现意外问题，未能完成（技术信息：{detail}）。请把该文件和这条信息发给技术人员。"
    if as_json:
        print_json({"ok": False, "error": {"code": "internal", "exit_code": INTERNAL_ERROR,
                                           "file": None if concerned is None else str(concerned),
                                           "message": message}})
    else:
        err_console.print(f"[bold red]错误：[/]{escape(message)}")
    return INTERNAL_ERROR


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Chinese error on stderr and exit (2: the call or its input is unusable)."""
    err_console.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def stored_history(db: Path | None, config: Config, *, merged: str = "汇总") -> Path:
    """The history store the command reads (``--db``, or the configured/default one), named as
    being worked on; a Chinese error (exit 2) when there is none yet. ``merged``: what the user
    must merge first, as the message says it."""
    from ..store import default_db_path  # here: the commands that read no history need not load it

    db_path = default_db_path(db, config)
    if not db_path.is_file():
        fail(f"找不到历史库 {escape(str(db_path))}。请先用 taizhang merge {merged}并记入历史库，或用 --db 指定历史库。")
    working_on(db_path)
    return db_path


def print_json(data: object) -> None:
    """JSON only on stdout, UTF-8, Chinese kept readable."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
