"""``taizhang merge``: one centre-wide ledger from every department's workbook, stored by month."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from .. import tables
from ..config import Config, load_config
from ..errors import TaizhangError
from ..models import MergeResult, Severity
from ..rules import format_date_cn, parse_date_text, require_month
from ..tables import Column, SummaryRow
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
    working_on,
)

# Shown only when reading takes longer than this (seconds): a quick merge stays quiet.
PROGRESS_DELAY = 0.5
ERRORS_SHOWN = 3  # per file, in the terminal; the workbook's 问题清单 has them all

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


@app.command("merge", cls=ChineseCommand, short_help="汇总全中心台账：汇总句、标色汇总表、未报送和逾期部室，并记入历史库。")
def merge_command(
    inbox: Annotated[Path, typer.Argument(readable=False, help="收件文件夹：各部室报送的台账（.xlsx/.xls）都放在这里。",
                                          metavar="INBOX", show_default=False)],
    *,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", readable=False, metavar="OUT.xlsx", show_default=False,
        help="汇总表文件；默认为收件文件夹旁的“重点工作台账汇总-YYYY-MM.xlsx”。")] = None,
    month: Annotated[str | None, typer.Option(
        "--month", metavar="YYYY-MM", show_default=False,
        help="汇总的月份；默认取多数台账填报日期所在的月份。")] = None,
    date: Annotated[str | None, typer.Option(
        "--date", metavar="YYYY-MM-DD", show_default=False,
        help="汇总句“截至……”的日期；默认今天。")] = None,
    tasks: Annotated[Path | None, typer.Option(
        "--tasks", readable=False, metavar="任务清单.xlsx", show_default=False,
        help="中心的任务清单（.xlsx/.xls，列：事项、责任部室、来源，可有时限）：逐项核对是否纳入责任部室的台账，"
             "未纳入的列为“应纳未纳”。")] = None,
    config_path: ConfigOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """汇总各部室重点工作台账：逐个校验、合并为全中心台账，生成汇总句和标色汇总表，并按月记入历史库。

    读取收件文件夹中所有 .xlsx/.xls（跳过 Excel/WPS 临时锁定文件、隐藏文件、非工作簿文件和不是普通文件的项，
    如命名管道、设备文件、循环的符号链接，并列出原因），每个文件按
    taizhang validate 的规则校验；无法读取的文件列出并不汇总。汇总表含“汇总”“台账”“问题清单”三个工作表。
    名单（taizhang.toml 的 departments）中没有台账的部室为“未报送”，填报日期晚于当月截止日的为“逾期”。

    加 --tasks 任务清单.xlsx 时，逐项核对中心任务清单中的任务是否纳入了责任部室的台账（通知第五条“应纳未纳”）：
    事项文字经去除空格标点、常用套话后比较，相同、互相包含或相似度足够高的算已纳入；相似度居中的列出最接近的台账事项供人工核对。

    退出码：0 所有台账都没有错误；1 有台账存在错误或有应纳未纳的任务；2 收件文件夹或任务清单不可用，或调用有误；3 程序内部错误。

    示例：taizhang merge 收件箱/2022-04 --date 2022-04-06 --tasks 任务清单.xlsx
    """
    # Imported here, not with the module: every command (taizhang validate too) loads this module
    # to register merge, and only merge needs the store, the workers and the writer.
    from ..saving import NothingToMerge, merge_and_save
    from ..store import default_db_path

    try:
        config = load_config(config_path)
        month_text = require_month(month) if month is not None else None
        as_of = _parse_date(date) if date is not None else dt.date.today()
    except TaizhangError as exc:
        fail(escape(str(exc)))
    db_path = default_db_path(db, config)
    bar = _ProgressBar(enabled=err_console.is_terminal)

    def now_on(path: Path) -> None:
        working_on(path)
        if path != inbox:  # every file is read: the workbook is being written
            bar.stop()

    try:
        result = merge_and_save(inbox, config=config, month=month_text, date=as_of, output=output, db=db_path,
                                progress=bar, working_on=now_on, tasks=tasks,
                                lean_openpyxl=True)  # this process never hands openpyxl numpy numbers
    except NothingToMerge as exc:
        if as_json:
            print_json(exc.result.model_dump(mode="json"))
        else:
            _render_skipped(exc.result)
        fail(escape(str(exc)))
    except TaizhangError as exc:
        fail(escape(str(exc)))
    finally:
        bar.stop()

    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        render_merge(result, config, db_path)
        if date is None and not _near(as_of, result.month):
            err_console.print(f"[yellow]提示：[/]汇总句的截至日期是今天（{as_of.year}年{as_of.month}月{as_of.day}日），"
                              f"与汇总的月份 {result.month} 相隔较远；如需按当时的日期，请用 --date 指定。")
    raise typer.Exit(result.exit_code)


def _near(day: dt.date, month: str) -> bool:
    """Whether ``day`` falls in ``month`` or the month after it (when a 综合部 would merge it)."""
    year, mon = (int(part) for part in month.split("-"))
    index = day.year * 12 + day.month - (year * 12 + mon)
    return 0 <= index <= 1


def _parse_date(text: str) -> dt.date:
    parsed = parse_date_text(text)
    if parsed is not None:
        try:
            return dt.date(*parsed)
        except ValueError:
            pass
    raise TaizhangError(f"日期“{text}”无法识别，应为 YYYY-MM-DD，例如 2022-04-05。")


class _ProgressBar:
    """A rich progress bar on stderr, started only once reading has taken a moment."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < PROGRESS_DELAY:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("读取台账"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("{task.description}"), console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total)
        if self.task is not None:
            self.bar.update(self.task, completed=done, description=escape(name))

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---------------------------------------------------------------------------------------------
# What a person reads
# ---------------------------------------------------------------------------------------------


def render_merge(result: MergeResult, config: Config, db_path: Path) -> None:
    month_cn = "{}年{}月".format(*(int(x) for x in result.month.split("-")))
    as_of = dt.date.fromisoformat(result.date)
    console.rule(f"[bold]{escape(config.center)}重点工作台账汇总（{month_cn}）[/]")
    read = len(result.departments)
    console.print(f"汇总 {read} 份台账，截至 {format_date_cn(as_of.year, as_of.month, as_of.day)}。")
    if config.path is None:
        console.print("[yellow]未找到 taizhang.toml，按默认设置汇总，未检查未报送部室。[/]"
                      "可用 [bold]taizhang init[/] 生成配置文件并填写部室名单。")
    elif not result.roster_checked:
        console.print(f"[yellow]{escape(str(config.path))} 中没有部室名单（departments），未检查未报送部室。[/]")

    if result.missing:
        console.print(Panel("、".join(escape(m) for m in result.missing),
                            title=f"[bold]未报送（{len(result.missing)}个部室）[/]", title_align="left",
                            border_style="bold red", expand=False))
    if result.late:
        from ..merge import deadline_of

        deadline = deadline_of(result.month, config)
        dates = {d.department: d.date for d in result.departments if d.late}
        lines = []
        for name in result.late:
            d = dates.get(name)
            when = format_date_cn(*(int(x) for x in d.split("-"))) if d else ""
            lines.append(f"{escape(name)}：填报日期 {when}")
        console.print(Panel("\n".join(lines),
                            title=f"[bold]逾期报送（截止 {format_date_cn(deadline.year, deadline.month, deadline.day)}）[/]",
                            title_align="left", border_style="bold yellow", expand=False))

    _render_table(result)
    console.print()
    console.print(f"[bold]{escape(result.sentence)}[/]", soft_wrap=True)  # one line: people copy it
    c = result.counts
    if c.closed:
        console.print(f"另有已销号 {c.closed} 项，列入汇总表但不计入。")
    u = c.unrecognised
    if u.stars or u.sources or u.colours:
        console.print(f"[yellow]未识别：[/]重要程度 {u.stars} 项、任务来源 {u.sources} 项、颜色 {u.colours} 项"
                      "（未计入汇总句对应栏，见汇总表“问题清单”）。")
    outside = [d.department for d in result.departments if result.roster_checked and d.department not in config.departments]
    if outside:
        console.print(f"[yellow]不在部室名单中：[/]{escape('、'.join(dict.fromkeys(outside)))}（已汇总）。")
    _render_errors(result)
    _render_tasks(result)
    _render_skipped(result)
    console.print()
    console.print(f"已写出汇总表：{escape(result.output or '')}")
    console.print(f"已记入历史库：{escape(str(db_path))}（{result.month}）")


# Below this terminal width the table drops its column rules (two cells a column) so that the
# figures keep their width and a long department name wraps instead of squeezing them; below the
# next ones it leaves out the 任务来源 and then the 重要程度 breakdowns (the workbook has them).
NARROW = 100
NO_SOURCES = 72
NO_STARS = 60
_DROPPED_BELOW = {"任务来源": NO_SOURCES, "重要程度": NO_STARS}


def _terminal_groups() -> list[tuple[str, list[Column[SummaryRow]]]]:
    """The 汇总's columns shown in the terminal: (label, columns), a group's columns in one cell."""
    groups: list[tuple[str, list[Column[SummaryRow]]]] = []
    for c in tables.SUMMARY.columns:
        if c.terminal is None:
            continue
        if c.group is not None and groups and groups[-1][1][-1].group == c.group:
            groups[-1] = (f"{groups[-1][0]}/{c.terminal}", [*groups[-1][1], c])
        else:
            groups.append((c.terminal, [c]))
    return groups


def _render_table(result: MergeResult) -> None:
    width = console.width
    wide = width >= 120
    narrow = width < NARROW
    table = Table(show_header=True, header_style="bold", expand=False,
                  box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, collapse_padding=narrow, pad_edge=not narrow)
    # The 汇总 table's columns that have a terminal label (tables.SUMMARY), a group's in one cell
    # (蓝/黄/红/无); after 部室 the file and the date, and the 状态 at the end.
    # The figures never wrap (a count folded over two lines reads as two numbers); the 部室 name
    # and the 状态 wrap, each keeping room for a few characters.
    dropped = {group for group, below in _DROPPED_BELOW.items() if width < below}
    cells_of: list[list[Callable[[SummaryRow], object]]] = []
    for label, columns in _terminal_groups():
        if columns[0].group in dropped:
            continue
        if columns[0].group is not None:
            table.add_column(label, justify="center", no_wrap=True)
        elif columns[0].kind == "count":
            table.add_column(label, justify="right", no_wrap=True, min_width=4)
        else:
            table.add_column(label, overflow="fold", min_width=8)
        cells_of.append([c.value for c in columns])
        if columns[0].key == "department":
            if wide:
                table.add_column("文件", overflow="fold")
            table.add_column("填报日期", no_wrap=True, min_width=8)
            cells_of.append([])  # the file and the date: not the 汇总's
    table.add_column("状态", overflow="fold", min_width=6)
    for d in result.departments:
        status = f"[bold red]{d.errors}错误[/]" if d.errors else "[green]通过[/]"
        if d.warnings:
            status += f" {d.warnings}提示"
        if d.late:
            status += " [bold yellow]逾期[/]"
        row = tables.summary_row(0, d.department, d)
        cells = []
        for values in cells_of:
            if values:
                cells.append(escape("/".join(str(value(row)) for value in values)))
            else:
                cells += ([escape(d.file)] if wide else []) + [_short_date(d.date)]
        table.add_row(*cells, status)
    for name in result.missing:
        table.add_row(escape(name), *([""] * (len(table.columns) - 2)), "[bold red]未报送[/]")
    console.print(table)


def _short_date(iso: str | None) -> str:
    if not iso:
        return "—"
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{month}月{day}日"


def _render_errors(result: MergeResult) -> None:
    bad = [r for r in result.reports if r.usable and not r.ok]
    if not bad:
        return
    console.print()
    console.print("[bold red]有错误的台账[/]（全部问题见汇总表“问题清单”，或用 taizhang validate 文件名 查看）：")
    for r in bad:
        errors = [f for f in r.findings if f.severity is Severity.ERROR]
        console.print(f"  [bold]{escape(Path(r.file).name)}[/]（{escape(r.department or '')}）：{len(errors)} 个错误")
        for f in errors[:ERRORS_SHOWN]:
            where = f"{f.cell} " if f.cell else ""
            console.print(f"    {escape(where)}{escape(f.message)}")
        if len(errors) > ERRORS_SHOWN:
            console.print(f"    ……另有 {len(errors) - ERRORS_SHOWN} 个")


def _render_skipped(result: MergeResult) -> None:
    if not result.skipped:
        return
    console.print()
    console.print("[bold]未汇总的文件：[/]")
    for s in result.skipped:
        style = "red" if s.code else "dim"
        console.print(f"  [{style}]{escape(s.file)}[/]：{escape(s.reason)}")


def _render_tasks(result: MergeResult) -> None:
    """应纳未纳: the task list's tasks no ledger of their department carries, and those to review."""
    check = result.tasks
    if check is None:
        return
    console.print()
    carried = sum(1 for m in check.matches if m.status == "listed")
    console.print(f"[bold]任务清单核对[/]（{escape(check.file)}，{len(check.tasks)} 项任务）：已纳入台账 {carried} 项，"
                  f"[bold red]应纳未纳 {len(check.not_listed)} 项[/]，待人工核对 {len(check.uncertain)} 项。")
    shown = [f for f in check.findings if f.code != "task.no_department"] + \
        [f for f in check.findings if f.code == "task.no_department"]
    if not shown:
        return
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("单元格", no_wrap=True)
    table.add_column("部室", no_wrap=True)
    table.add_column("级别", no_wrap=True)
    table.add_column("问题与改法", overflow="fold")
    for f in shown:
        level = {"task.not_listed": "[bold red]应纳未纳[/]", "task.uncertain_match": "[yellow]待核对[/]"}.get(
            f.code, "提示")
        table.add_row(escape(f.cell or ""), escape(f.department or ""), level, escape(f.message))
    console.print(table)
