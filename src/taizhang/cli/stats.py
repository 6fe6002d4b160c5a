"""``taizhang stats``: the year's statistics of the stored months, in the terminal, as JSON or a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from ..config import load_config
from ..errors import TaizhangError
from ..models import ASSESSMENT_FIGURES, YearStats, jsonable
from ..rules import month_cn
from ..validate import file_sha256
from .app import (
    ChineseCommand,
    ConfigOption,
    DbOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    print_json,
    stored_history,
    working_on,
)


@app.command("stats", cls=ChineseCommand, short_help="全年统计：各部室各月的事项、颜色、报送、补录销号、长期标红和考核表。")
def stats_command(
    *,
    year: Annotated[int, typer.Option(
        "--year", metavar="YYYY", show_default=False, min=2000, max=2100,
        help="统计的年份：历史库中该年已汇总的各个月份，如 2022。")],
    config_path: ConfigOption = None,
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", readable=False, metavar="OUT.xlsx", show_default=False,
        help="写出统计工作簿（.xlsx）：按主题分工作表，含各月红黄蓝事项数的折线图和考核汇总表。")] = None,
    red_streak: Annotated[int | None, typer.Option(
        "--red-streak", metavar="N", min=1, show_default=False,
        help="连续标红 N 个月及以上的事项列为长期标红；默认取 taizhang.toml 的 \\[stats] red_streak（未设为 3）。")] = None,
    as_json: JsonOption = False,
) -> None:
    """全年统计：按部室、按月统计事项数、星级、来源、红黄蓝颜色，按时、逾期、未报送，补录和销号（与各月督查通报一致），
    每个事项连续标红的月数，以及各月校验出的错误；并按 taizhang.toml 的 \\[stats] 生成各部室的考核汇总表。

    只统计历史库中已用 taizhang merge 汇总的月份。

    退出码：0 成功；2 该年没有已汇总的月份、找不到历史库、配置有误或调用有误；3 程序内部错误。

    示例：taizhang stats --year 2022 -o 2022年台账统计.xlsx
    """
    from ..store import Store  # here: the other commands need not load it
    try:
        config = load_config(config_path)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if output is not None and output.suffix.lower() != ".xlsx":
        fail(f"统计文件须以 .xlsx 结尾：{escape(str(output))}")
    db_path = stored_history(db, config)
    from ..stats import build_stats  # pandas: loaded only by this command

    try:
        with Store(db_path) as store:
            stats = build_stats(store, year, config=config, red_streak=red_streak)
            hashes = {h for month in stats.months for h in store.file_hashes(month).values()}
    except TaizhangError as exc:
        fail(escape(str(exc)))

    written: Path | None = None
    if output is not None:
        working_on(output)
        if output.is_file() and file_sha256(output) in hashes:
            fail(f"拒绝写入 {escape(str(output))}：它是汇总过的部室台账，不能被覆盖。请换一个输出文件名。")
        from ..writing.stats_xlsx import write_stats_xlsx

        try:
            written = write_stats_xlsx(stats, output, refuse=[db_path, *([config.path] if config.path else [])])
        except TaizhangError as exc:
            fail(escape(str(exc)))

    if as_json:
        print_json(jsonable(stats))
    else:
        render_stats(stats)
    if written is not None:
        err_console.print(f"已写出统计工作簿：{escape(str(written))}")
    raise typer.Exit(0)


def render_stats(stats: YearStats) -> None:
    """The centre by month, the 考核 table and the long-red items."""
    months = "、".join(month_cn(m) for m in stats.months)
    console.rule(f"[bold]{stats.year}年重点工作台账统计[/]")
    console.print(f"统计月份（共{len(stats.months)}个月）：{months}")
    # 13 narrow columns: a light box so that they fit 80 columns.
    centre = Table(title="全中心各月", show_header=True, header_style="bold", expand=False, box=box.SIMPLE_HEAD, padding=(0, 1),
                   collapse_padding=True, pad_edge=False)
    for label in ("月份", "报送", "按时", "逾期", "未报", "事项", "蓝", "黄", "红", "未标", "补录", "销号", "错误"):
        centre.add_column(label, justify="left" if label == "月份" else "right", no_wrap=True)
    for m in stats.centre:
        centre.add_row(f"{int(m.month[5:])}月", *(str(v) for v in (
            m.reported, m.on_time, m.late, m.missing, m.items, m.colours["blue"], f"[yellow]{m.colours['yellow']}[/]",
            f"[bold red]{m.colours['red']}[/]", m.colours["none"], m.new, m.closed, m.errors)))
    console.print(centre)

    table = Table(title="考核汇总", show_header=True, header_style="bold", expand=False)
    # A department named at length folds rather than squeezing the figures out of the terminal.
    table.add_column("部室（单位）", overflow="fold", max_width=20)
    for name in stats.assessment:
        table.add_column(ASSESSMENT_FIGURES[name], justify="right", overflow="fold")
    for d in stats.departments:
        table.add_row(escape(d.department), *(str(d.figure(name)) for name in stats.assessment))
    console.print(table)

    if not stats.long_red:
        console.print(f"没有连续{stats.red_streak}个月及以上标红的事项。")
        return
    red = Table(title=f"连续{stats.red_streak}个月及以上标红的事项", show_header=True, header_style="bold",
                expand=False)
    for label, kw in (("部室", {"overflow": "fold", "max_width": 20}), ("工作事项", {"overflow": "fold"}),
                      ("最长连续", {"justify": "right", "no_wrap": True}),
                      ("全年标红", {"justify": "right", "no_wrap": True}), ("目前", {"no_wrap": True})):
        red.add_column(label, **kw)  # type: ignore[arg-type]
    for r in stats.long_red:
        red.add_row(escape(r.department), escape(r.item), f"{r.longest}个月", f"{r.months}个月",
                    "[bold red]仍为红色[/]" if r.red_now else "已不是红色")
    console.print(red)
