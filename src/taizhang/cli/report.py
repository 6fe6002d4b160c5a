"""``taizhang report``: the monthly 督查通报 of a stored month, with what changed since last month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import tables
from ..config import Config, load_config
from ..errors import TaizhangError
from ..models import BulletinSection, Colour, MonthReport, SectionKind, SectionRow, jsonable
from ..progress import BASIS_NAMES, format_share
from ..rules import COLOUR_NAMES, month_cn, parse_date_text, require_month
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

SUFFIXES = (".docx", ".xlsx")
COLOUR_STYLE = {Colour.RED: "bold red", Colour.YELLOW: "yellow", Colour.BLUE: "blue", Colour.NONE: "dim",
                Colour.UNKNOWN: "magenta"}
STATUS_STYLE = {"on_time": "green", "late": "bold yellow", "missing": "bold red"}


@app.command("report", cls=ChineseCommand, short_help="生成月度督查通报（与上月比较；可写出 .docx 或 .xlsx）。")
def report_command(
    *,
    month: Annotated[str, typer.Option(
        "--month", metavar="YYYY-MM", show_default=False,
        help="通报的月份（须已用 taizhang merge 记入历史库），如 2022-04。")],
    config_path: ConfigOption = None,
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", readable=False, metavar="OUT.docx|OUT.xlsx", show_default=False,
        help="写出通报：.docx 为可编辑的 Word 督查通报（公文格式），.xlsx 为分工作表的 Excel 版。")] = None,
    as_json: JsonOption = False,
    force: Annotated[bool, typer.Option(
        "--force", "-f", metavar="",
        help="通报文件已存在时覆盖它（已存在的通报可能已经人工修改过，所以默认不覆盖）。")] = False,
    issued: Annotated[str | None, typer.Option(
        "--date", metavar="YYYY-MM-DD", show_default=False,
        help="通报的成文日期，写在发文机关署名之下（默认今天），如 2022-05-12 或 2022年5月12日。")] = None,
    by_leader: Annotated[bool, typer.Option(
        "--by-leader", metavar="",
        help="为每位中心分管领导写一份分管部室摘要（.docx，一至两页）：红黄事项、较上月变化、连续标红、账实不符、应纳未纳；"
             "-o 为存放的文件夹（默认“分管领导摘要-YYYY-MM”）。分管关系取 taizhang.toml 的 \\[leaders]，"
             "其中没有的部室按台账底部“中心分管领导：”。")] = False,
) -> None:
    """生成月度督查通报：与历史库中上一个月份比较，列出补录、销号、调整表述、颜色变化、连续标红的事项，
    未报送和逾期报送的部室，各部室红黄事项及其分管负责人、责任人，并按序时进度对标对表核对颜色标注。

    历史库中最早的月份没有可比较的上月，照常报告本月情况。

    加 --by-leader 时为每位中心分管领导写一份分管部室摘要（通知第四条），-o 为存放摘要的文件夹。

    退出码：0 成功；2 月份未记入历史库、找不到历史库、通报文件已存在（未加 --force）或调用有误；3 程序内部错误。

    发文机关署名取 taizhang.toml 的 issuer（默认为通知的“济宁市港航事业发展中心重点工作督查考核领导小组”）。

    示例：taizhang report --month 2022-04 --date 2022-04-12 -o 督查通报-2022-04.docx
    分管领导摘要：taizhang report --month 2022-04 --by-leader -o 摘要
    """
    from ..report import build_report  # here: every command loads this module, only report needs these
    from ..store import Store

    try:
        month_text = require_month(month)
        config = load_config(config_path)
        issued_on = issue_date(issued)
    except TaizhangError as exc:
        fail(escape(str(exc)))
    if by_leader:
        from .digest import run_by_leader

        run_by_leader(month_text, config, db=db, output=output, force=force, as_json=as_json)
    if output is not None and output.suffix.lower() not in SUFFIXES:
        fail(f"通报文件须以 .docx（Word）或 .xlsx（Excel）结尾：{escape(str(output))}")
    if output is not None and output.exists() and not force:
        # The .docx is a draft people edit by hand: running the command again must not wipe that out.
        fail(f"{escape(str(output))} 已存在（可能已人工修改过），未覆盖。要重新生成请加 --force，或换一个文件名。")

    db_path = stored_history(db, config)
    try:
        with Store(db_path) as store:
            report = build_report(store, month_text, config=config)
            hashes = set(store.file_hashes(month_text).values())
    except TaizhangError as exc:
        fail(escape(str(exc)))

    written: Path | None = None
    if output is not None:
        working_on(output)
        written = _write(report, output, refuse=[db_path, *([config.path] if config.path else [])],
                         ledger_hashes=hashes, issued=issued_on, issuer=config.issuer)

    if as_json:
        print_json(jsonable(report))
    else:
        # With a bulletin written, the terminal is a look at it: long tables show their first rows
        # (a year of 60 departments lists thousands of changes, which the file holds in full).
        render_report(report, config, limit=TERMINAL_ROWS if written is not None else None)
    if written is not None:
        err_console.print(f"已写出督查通报：{escape(str(written))}")
    raise typer.Exit(0)


def issue_date(text: str | None) -> dt.date:
    """``--date``: 2022-05-12, 2022.5.12 or 2022年5月12日; today when not given."""
    if text is None:
        return dt.date.today()
    parts = parse_date_text(text)
    if parts is not None:
        try:
            return dt.date(*parts)
        except ValueError:
            pass
    raise TaizhangError(f"成文日期“{text}”无法识别，应为 YYYY-MM-DD，例如 2022-05-12。")


def _write(report: MonthReport, output: Path, *, refuse: list[Path], ledger_hashes: set[str],
           issued: dt.date, issuer: str) -> Path:
    """Write the .docx or .xlsx; never over the history store, the config or a department's ledger."""
    if output.is_file() and output.suffix.lower() == ".xlsx" and file_sha256(output) in ledger_hashes:
        fail(f"拒绝写入 {escape(str(output))}：它是本月汇总过的部室台账，不能被覆盖。请换一个输出文件名。")
    try:
        if output.suffix.lower() == ".docx":
            from ..writing.bulletin_docx import write_bulletin_docx

            return write_bulletin_docx(report, output, refuse=refuse, issued=issued, issuer=issuer)
        from ..writing.bulletin_xlsx import write_bulletin_xlsx

        return write_bulletin_xlsx(report, output, refuse=refuse, issued=issued, issuer=issuer)
    except TaizhangError as exc:
        fail(escape(str(exc)))


# --------------------------------------------------------------------------------------------
# The terminal view: the bulletin's sections, compactly
# --------------------------------------------------------------------------------------------


def _colour(colour: Colour) -> str:
    return f"[{COLOUR_STYLE[colour]}]{COLOUR_NAMES[colour]}[/]"


# Rows a terminal table shows when the bulletin is also written to a file.
TERMINAL_ROWS = 40


def _shown(rows: list[SectionRow], limit: int | None) -> list[SectionRow]:
    return rows if limit is None else rows[:limit]


def _more(rows: list[SectionRow], limit: int | None) -> None:
    if limit is not None and len(rows) > limit:
        console.print(f"[dim]……另有 {len(rows) - limit} 项未在此列出，见写出的通报文件。[/]")


def render_report(report: MonthReport, config: Config, *, limit: int | None = None) -> None:
    """The report as the bulletin's sections; ``limit``: at most that many rows per table."""
    console.rule(f"[bold]重点工作台账督查通报（{month_cn(report.month)}）[/]")
    from ..report import bulletin_sections

    for section in bulletin_sections(report):
        render = _RENDERERS.get(section.kind)
        if render is not None:
            render(section, report, config, limit)


def _overview(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    console.print(f"[bold]{section.title}[/]")
    sentence, *rest = section.paragraphs
    console.print(escape(sentence), soft_wrap=True)  # one line: people copy it
    for text in rest:
        console.print(escape(text))
    if config.path is None and not report.roster_checked:
        console.print("[dim]未找到 taizhang.toml，未检查未报送部室；可用 taizhang init 生成配置文件。[/]")


def _submission(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    console.print()
    console.print(f"[bold]{section.title}[/]")
    for text in section.paragraphs:
        console.print(escape(text))


def _coloured(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    """进展较快 (blue), 进展缓慢 (red), 中间位次及预计较好 (yellow): a table each."""
    from ..report import LEADER_LABEL, OWNER_LABEL  # here: only report needs the report module

    console.print()
    console.print(f"[bold]{section.title}[/]")
    slow = Table(show_header=True, header_style="bold", expand=False)
    for label, kw in (("颜色", {"no_wrap": True}), ("部室", {"no_wrap": True}), ("工作事项", {"overflow": "fold"}),
                      ("连续", {"justify": "right", "no_wrap": True}), (LEADER_LABEL, {"no_wrap": True}),
                      (OWNER_LABEL, {"overflow": "fold"})):
        slow.add_column(label, **kw)
    for row in _shown(section.rows, limit):
        entry = row.responsible
        slow.add_row(_colour(row.colour or Colour.UNKNOWN), escape(row.department), escape(row.item), row.brief,
                     escape(entry.leader if entry else ""), escape(entry.owner if entry else ""))
    if slow.row_count:
        console.print(slow)
        _more(section.rows, limit)
    else:
        console.print(section.empty)


def _checks(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    """账实不符、应纳未纳和应标未标情况: each part's entries (the 对标对表 flags among them)."""
    console.print()
    console.print(f"[bold]{section.title}[/]")
    if report.progress_flags:
        console.print(f"对标对表（序时进度 {format_share(report.schedule)}，{BASIS_NAMES[report.progress_basis]}）"
                      f"：{len(report.progress_flags)} 项颜色标注需核实")
    for part in section.parts:
        rows = section.of_kind(part.name)
        if not rows:
            console.print(f"{part.name}：{part.empty}")
            continue
        table = Table(show_header=True, header_style="bold", expand=False, title=part.name, title_justify="left")
        table.add_column("部室", no_wrap=True)
        table.add_column("工作事项", overflow="fold")
        table.add_column("问题", overflow="fold")
        table.add_column("说明", overflow="fold")
        for row in _shown(rows, limit):
            table.add_row(escape(row.department), escape(row.item), escape(row.brief), escape(row.detail))
        console.print(table)
        _more(rows, limit)


def _requirements(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    """下步工作要求: a draft; the terminal names it and where it is written."""
    console.print()
    console.print(f"[bold]{section.title}[/]")
    console.print("[dim]（草稿，写在 .docx / .xlsx 通报中，须人工改写后印发）[/]")


def _changes(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    console.print()
    console.print(f"[bold]{section.title}[/]")
    if report.first_month:
        console.print(f"{month_cn(report.month)}是历史库中最早的月份，没有上月可比较。")
        return
    changes = Table(show_header=True, header_style="bold", expand=False)
    changes.add_column("类别", no_wrap=True)
    changes.add_column("部室", no_wrap=True)
    changes.add_column("工作事项", overflow="fold")
    changes.add_column("情况", overflow="fold")
    for row in _shown(section.rows, limit):
        changes.add_row(row.kind, escape(row.department), escape(row.item), escape(row.brief))
    if changes.row_count:
        console.print(f"与{month_cn(report.previous or '')}相比：")
        console.print(changes)
        _more(section.rows, limit)
    else:
        console.print(f"与{month_cn(report.previous or '')}相比，没有事项变动。")


def _departments(section: BulletinSection, report: MonthReport, config: Config, limit: int | None) -> None:
    console.print()
    console.print("[bold]分部室情况[/]")
    # The bulletin's appendix (tables.APPENDIX), its columns that have a terminal label.
    columns = [c for c in tables.APPENDIX.columns if c.terminal is not None]
    table = Table(show_header=True, header_style="bold", expand=False)
    for column in columns:
        if column.kind == "count":
            table.add_column(column.terminal or "", justify="right", no_wrap=True)
        else:
            table.add_column(column.terminal or "", no_wrap=True)
    for dept in report.departments:
        missing = dept.status == "missing"
        cells = []
        for column in columns:
            if column.kind == "status":
                cells.append(f"[{STATUS_STYLE[dept.status]}]{escape(str(column.value(dept)))}[/]")
            elif missing and column.reported:
                cells.append("")
            else:
                cells.append(escape(str(column.value(dept))))
        table.add_row(*cells)
    console.print(table)


_RENDERERS: dict[SectionKind, Callable[[BulletinSection, MonthReport, Config, int | None], None]] = {
    SectionKind.OVERVIEW: _overview, SectionKind.SUBMISSION: _submission, SectionKind.FAST: _coloured,
    SectionKind.SLOW: _coloured, SectionKind.MIDDLE: _coloured, SectionKind.CHECKS: _checks,
    SectionKind.CHANGES: _changes, SectionKind.REQUIREMENTS: _requirements, SectionKind.DEPARTMENTS: _departments,
}
