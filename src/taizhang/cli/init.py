"""``taizhang init``: write a commented starting ``taizhang.toml`` in the current folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..config import CONFIG_NAME, init_text
from ..errors import TaizhangError
from ..fileio import atomic_write_bytes
from .app import ChineseCommand, app, console, fail, working_on


@app.command("init", cls=ChineseCommand, short_help="生成配置文件 taizhang.toml（中心名称、截止日、部室名单）。")
def init_command(
    *,
    force: Annotated[bool, typer.Option("--force", "-f", metavar="", help="taizhang.toml 已存在时覆盖它。")] = False,
) -> None:
    """在当前文件夹生成带说明的配置文件 taizhang.toml：中心名称、每月报送截止日、部室名单（通知附件1的12个部室）。

    生成后请按实际修改部室名单；taizhang merge 据此列出未报送、逾期的部室。已存在的文件不会被覆盖，除非加 --force。

    示例：taizhang init
    """
    path = Path.cwd() / CONFIG_NAME
    if path.exists() and not force:
        fail(f"{escape(str(path))} 已存在。要覆盖请加 --force。")
    working_on(path)
    try:
        atomic_write_bytes(init_text().encode("utf-8"), path)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    console.print(f"已生成配置文件：{escape(str(path))}")
    console.print("请按实际修改其中的部室名单（departments），然后运行 [bold]taizhang merge 收件文件夹[/]。")
