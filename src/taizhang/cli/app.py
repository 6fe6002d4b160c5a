"""The typer application and what every command shares: console, version, error exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from .. import __version__

# Options several commands share, defined once.
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", metavar="PATH", show_default=False,
    help="配置文件；默认用当前文件夹的 taizhang.toml，没有则按默认设置（不检查未报送）。")]
DbOption = Annotated[Path | None, typer.Option(
    "--db", metavar="PATH", show_default=False,
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


class ChineseCommand(_ChineseHelp, TyperCommand):
    pass


class ChineseGroup(_ChineseHelp, TyperGroup):
    pass


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
console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)


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


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Chinese error on stderr and exit (2: the call or its input is unusable)."""
    err_console.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def print_json(data: object) -> None:
    """JSON only on stdout, UTF-8, Chinese kept readable."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
