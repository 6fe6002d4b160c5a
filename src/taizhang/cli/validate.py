"""``taizhang validate``: check departments' workbooks and show every finding with its cell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .. import tables
from ..config import load_config
from ..errors import TaizhangError
from ..models import Colour, FileReport, Severity, jsonable
from ..rules import COLOUR_NAMES, require_month
from ..tables import FindingRow
from ..validate import validate_files
from .app import (
    INTERNAL_ERROR,
    ChineseCommand,
    ConfigOption,
    JsonOption,
    app,
    console,
    err_console,
    fail,
    internal_error,
    is_click_flow,
    print_json,
    working_on,
)

SEVERITY_LABEL = {Severity.ERROR: "[bold red]错误[/]", Severity.WARNING: "[yellow]提示[/]"}
COLUMN_STYLE = {"code": "dim"}  # the finding's code: for whoever looks it up in the README


@app.command("validate", cls=ChineseCommand, short_help="校验部室台账，列出每个问题所在的单元格和改法。")
def validate_command(
    files: Annotated[list[Path], typer.Argument(readable=False, help="部室台账文件（.xlsx 或 .xls），可以一次给多个。", metavar="FILE...",
                                                show_default=False)],
    *,
    as_json: JsonOption = False,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", readable=False, metavar="DIR",
        help="把有问题的文件各另存一份到 DIR：第一页是可打印的问题清单， 问题写成单元格批注并用红框标出，"
             "便于退回部室修改；没有需要部室修改的问题的文件不另存。")] = None,
    department: Annotated[str | None, typer.Option(
        "--department", metavar="NAME", help="标题、填报单位和文件名中都看不出部室时 使用的名称。")] = None,
    month: Annotated[str | None, typer.Option(
        "--month", metavar="YYYY-MM", show_default=False,
        help="工作簿按月分几张台账工作表时校验哪个月； 默认最新月份。")] = None,
    config_path: ConfigOption = None,
) -> None:
    """校验部室重点工作台账：按附件2及说明逐项检查，列出每个问题所在的单元格和改法。

    退出码：0 没有错误（可有提示）；1 有文件存在错误；2 有文件无法读取、标注副本未能写出或调用有误；3 程序内部错误。

    示例：taizhang validate 规划发展部重点工作台账.xlsx --annotate 退回修改
    """
    if month is not None:
        try:
            month = require_month(month)
        except TaizhangError as exc:
            fail(escape(str(exc)))
    try:
        config = load_config(config_path)  # its [rules] switch checks off or change their level
    except TaizhangError as exc:
        fail(escape(str(exc)))
    working_on(files[0] if len(files) == 1 else None)
    result = validate_files(files, department=department, month=month, rule_config=config.rule_config)
    annotated: list[Path] = []
    not_annotated: list[str] = []
    internal: list[tuple[Path, Exception]] = []
    clean: list[Path] = []
    if annotate is not None:
        from ..writing.annotate import needs_copy, write_annotated

        taken: set[Path] = set()
        for path, report in zip(files, result.files, strict=True):
            if not report.usable:
                continue
            if not needs_copy(report):  # nothing to send back
                report.annotation = "clean"
                clean.append(path)
                continue
            working_on(path)
            report.annotation = "failed"  # until the copy is written
            try:
                copy = write_annotated(report, path, annotate, refuse=files, taken=taken)
                annotated.append(copy)
                report.annotation, report.annotated = "written", str(copy)
            except TaizhangError as exc:
                # One file's copy that cannot be made must not cost the others theirs.
                not_annotated.append(str(exc))
            except OSError as exc:
                fail(f"无法写入 {escape(str(annotate))}：{escape(exc.strerror or str(exc))}")
            except Exception as exc:  # noqa: BLE001  reported like any internal error, after the others
                if is_click_flow(exc):
                    raise
                internal.append((path, exc))
    if as_json:
        print_json(jsonable(result))
    else:
        for report in result.files:
            render_file_report(report)
        for path in annotated:
            err_console.print(f"已写出标注副本：{escape(str(path))}")
        for path in clean:
            err_console.print(f"{escape(path.name)} 没有需要部室修改的问题，不必退回，未写出标注副本。")
        _render_totals(result.files)
    for message in not_annotated:
        err_console.print(f"[bold red]未写出标注副本：[/]{escape(message)}")
    for path, error in internal:  # on stderr: with --json, stdout holds the one JSON document
        working_on(path)
        internal_error(error)
    if internal:
        raise typer.Exit(INTERNAL_ERROR)
    raise typer.Exit(max(result.exit_code, 2) if not_annotated else result.exit_code)


def render_file_report(report: FileReport) -> None:
    """One file: a title line, the findings table (cell first), then the counts."""
    if not report.usable:
        status = "[bold red]无法读取[/]"
    elif report.ok:
        status = "[bold green]通过[/]" + (f"（{len(report.warnings)} 条提示）" if report.warnings else "")
    else:
        status = f"[bold red]有 {len(report.errors)} 个错误[/]，{len(report.warnings)} 条提示"
    # Everything below that comes from a workbook (or its name) is escaped: a cell reading
    # "[/b]" or "[red]" is text, not rich markup.
    who = escape(report.department or "部室未知")
    date = escape(report.date or "未知")
    console.rule(f"[bold]{escape(Path(report.file).name)}[/]")
    if report.usable:
        console.print(f"{who}　填报日期 {date}　工作表“{escape(report.sheet or '')}”　{status}")
    else:
        console.print(status)
    if report.findings:
        # The 问题清单's columns (tables.FINDINGS) in the terminal's order: the cell first, the code last.
        columns = [tables.FINDINGS.column(key) for key in tables.VALIDATE_TERMINAL]
        table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
        for column in columns:
            if column.wrap:
                table.add_column(column.terminal or column.label, overflow="fold", style=COLUMN_STYLE.get(column.key))
            else:
                table.add_column(column.terminal or column.label, no_wrap=True, style=COLUMN_STYLE.get(column.key))
        for f in report.findings:
            row = FindingRow(0, "", "", f.sheet or "", f.cell or "", f.severity, f.code, f.message)
            table.add_row(*(SEVERITY_LABEL[f.severity] if c.kind == "severity" else escape(str(c.value(row)))
                            for c in columns))
        console.print(table)
    if report.usable:
        c = report.counts
        stars = "、".join(f"{'★' * int(k)} {v}" for k, v in c.stars.items())
        sources = "、".join(f"{k} {v}" for k, v in c.sources.items())
        colours = "、".join(f"{COLOUR_NAMES[Colour(k)]} {v}" for k, v in c.colours.items())
        line = f"共 {c.total} 项（{stars}；来源 {sources}；{colours}）"
        if c.closed:
            line += f"，另有已销号 {c.closed} 项不计入"
        u = c.unrecognised
        if u.stars or u.sources or u.colours:
            line += f"；未识别：星级 {u.stars}、来源 {u.sources}、颜色 {u.colours}"
        console.print(line)


def _render_totals(files: list[FileReport]) -> None:
    if len(files) < 2:
        return
    bad = sum(1 for f in files if not f.usable)
    errors = sum(1 for f in files if f.usable and not f.ok)
    console.rule()
    console.print(f"共 {len(files)} 个文件：{len(files) - bad - errors} 个通过，{errors} 个有错误，{bad} 个无法读取。")
