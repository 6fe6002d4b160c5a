"""``taizhang prepare``: next month's ledgers, one per department, pre-filled from the history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..config import load_config
from ..errors import TaizhangError
from ..models import PrepareResult, jsonable
from ..rules import month_cn, require_month
from .app import (
    ChineseCommand,
    ConfigOption,
    DbOption,
    JsonOption,
    app,
    console,
    fail,
    print_json,
    stored_history,
    working_on,
)


@app.command("prepare", cls=ChineseCommand, short_help="按历史库预填下月各部室台账（文件夹或 .zip）。")
def prepare_command(
    *,
    month: Annotated[str, typer.Option(
        "--month", metavar="YYYY-MM", show_default=False,
        help="要预填的月份（下月），如 2022-05；事项取自历史库中此前最近一个月。")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", readable=False, metavar="DIR|OUT.zip", show_default=False,
        help="输出文件夹，或以 .zip 结尾的压缩包；默认为当前文件夹的“重点工作台账预填-YYYY-MM”。")] = None,
    zip_file: Annotated[bool, typer.Option(
        "--zip", metavar="", help="打成一个 .zip 压缩包（便于邮件发送），而不是文件夹。")] = False,
    config_path: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """按历史库为每个部室（名单中的部室；没有名单时为历史中出现过的部室）生成下月的重点工作台账：
    预填上月未销号的事项（工作事项、任务目标、推进情况、分管负责人、责任科室责任人、重要程度、任务来源、备注），
    “进度评价”清空待部室重新评价（taizhang.toml 中 prepare_keep_colours = true 则保留），填报日期留“×”待填；汇总句是公式，按表中事项和“评价颜色”自动计算。
    上月未报送的部室按其最近一次的台账预填；历史中没有的部室生成空白台账。文件名沿用部室上月的命名，月份改为下月。

    每个预填事项在隐藏、受保护的“事项编号”列带有编号：部室改写表述、调整顺序、另存为 .xls 后，汇总时仍能确定是同一事项；
    部室新增的事项没有编号，按新增（补录）处理。工作表设有保护（无密码），部室可编辑事项、插入和删除行、排序、填充颜色。

    退出码：0 成功；2 找不到历史库、历史库中没有此前的月份、输出已存在或调用有误；3 程序内部错误。

    示例：taizhang prepare --month 2022-05 -o 5月台账 --zip
    """
    from ..store import Store  # here: the other commands need not load it
    try:
        month_text = require_month(month)
        config = load_config(config_path)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    db_path = stored_history(db, config, merged="汇总上月台账")
    from ..prepare import prepare_month  # openpyxl: loaded only when there is something to write

    working_on(db_path)
    try:
        with Store(db_path) as store:
            result = prepare_month(store, month_text, config=config, output=output, zip_file=zip_file)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if as_json:
        print_json(jsonable(result))
    else:
        render_prepare(result)
    raise typer.Exit(0)


def render_prepare(result: PrepareResult) -> None:
    table = Table(title=f"{month_cn(result.month)}预填台账", title_justify="left")
    for label in ("部室", "文件", "预填事项", "已销号未带入", "来源月份", "说明"):
        table.add_column(label, overflow="fold")
    for book in result.workbooks:
        table.add_row(escape(book.department), escape(book.file), str(book.items), str(book.closed_left_out),
                      month_cn(book.from_month) if book.from_month else "—", escape(book.note or ""))
    console.print(table)
    colours = "保留上月的进度评价" if result.keep_colours else "进度评价已清空，待部室重新评价"
    what = "压缩包" if result.zipped else "文件夹"
    console.print(f"已写出 {len(result.workbooks)} 份台账（{colours}）到{what}：{escape(result.output)}")
