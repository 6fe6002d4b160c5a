"""``taizhang remind``: the departments that have not handed in the month's ledger, and a 催报 text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..config import load_config
from ..errors import TaizhangError
from ..models import RemindResult, jsonable
from ..rules import iso_date_cn, month_cn, require_month
from .app import ChineseCommand, ConfigOption, JsonOption, app, console, fail, print_json, working_on


@app.command("remind", cls=ChineseCommand, short_help="列出本月尚未报送台账的部室，生成催报通知文字。")
def remind_command(
    inbox: Annotated[Path, typer.Argument(
        metavar="INBOX", show_default=False,
        help="收件文件夹（各部室本月报送的台账）；默认为当前文件夹。")] = Path("."),
    *,
    month: Annotated[str, typer.Option(
        "--month", metavar="YYYY-MM", show_default=False, help="台账的月份，如 2022-05（截止日为当月 5 日）。")],
    today: Annotated[str | None, typer.Option(
        "--today", metavar="YYYY-MM-DD", show_default=False, help="按这一天判断是否逾期；默认为今天。")] = None,
    config_path: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """通知要求“自4月起，重点工作台账要每月5日前上报中心综合部”。过了截止日，列出名单中收件文件夹里还没有台账的部室，
    并给出可直接发送的催报通知文字；截止日之前只说明尚未逾期和目前尚未报送的部室。部室名单取自 taizhang.toml。

    退出码：0 成功（无论是否有未报送的部室）；2 收件文件夹不存在、没有部室名单或调用有误；3 程序内部错误。

    示例：taizhang remind --month 2022-05 收件箱/2022-05
    """
    from ..remind import remind_month  # here: the other commands need not load it
    try:
        month_text = require_month(month)
        config = load_config(config_path)
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        fail(f"--today 的日期“{escape(str(today))}”格式不对，应为 YYYY-MM-DD，例如 2022-05-06。")
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if not config.roster_checked:
        fail("没有部室名单，无法判断哪些部室未报送。请在 taizhang.toml 中填写 departments（可用 taizhang init 生成）。")
    working_on(inbox)
    try:
        result = remind_month(inbox, month_text, config=config, today=day)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if as_json:
        print_json(jsonable(result))
    else:
        render_remind(result)
    raise typer.Exit(0)


def render_remind(result: RemindResult) -> None:
    month, due = month_cn(result.month), iso_date_cn(result.deadline)
    missing = "、".join(result.missing)
    if not result.missing:
        console.print(f"{month}台账：名单中的 {len(result.received)} 个部室均已报送（截止 {due}）。")
    elif not result.late:
        console.print(f"尚未逾期：{month}台账的截止日是 {due}（今天 {iso_date_cn(result.today)}）。"
                      f"目前尚未报送的部室：{escape(missing)}。")
    else:
        console.print(f"[bold red]{month}台账已过截止日 {due}，以下 {len(result.missing)} 个部室尚未报送：[/]"
                      f"{escape(missing)}")
    if result.unreadable:
        console.print(f"[yellow]收件文件夹中有无法读取的文件（已按文件名视为报送，请让部室重发）：[/]"
                      f"{escape('、'.join(result.unreadable))}")
    if result.stale:
        console.print(f"[yellow]收件文件夹中有填报日期在上月截止日之前的台账，视为上月台账、未计入本月报送：[/]"
                      f"{escape('、'.join(result.stale))}")
    if result.text:
        console.print("\n催报通知（可直接复制发送）：\n")
        console.print(escape(result.text), soft_wrap=True)
