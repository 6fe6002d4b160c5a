"""The 督查通报 as a workbook: the same content as the .docx, one sheet per section.

* 总体情况: the summary sentence, the comparison with last month and a table of this month's
  figures against last month's;
* 报送情况: every department on time, late or missing, with its 填报日期;
* 进展缓慢事项: the red, then the yellow items by department with 分管负责人 and 责任人, the
  colour cell filled;
* 事项变动: 补录, 销号, 调整表述, 颜色变化 and 连续标红 items;
* 分部室: the appendix table by department, with a total row;
* 对标对表: the items whose marking disagrees with the progress or rank they state.

Printable like the consolidated workbook (xlsx_common: A4, header rows repeated, fit to width,
page numbers); every department's text goes through ``set_text``, never a formula.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .. import tables
from ..models import STATUS_NAMES, BulletinSection, Colour, Counts, MonthReport, ResponsibleItem, SectionKind
from ..progress import BASIS_NAMES, FLAG_TITLES, format_share
from ..report import bulletin_sections
from ..rules import COLOUR_NAMES, iso_date_cn, month_cn
from .xlsx_common import (
    BODY_FONT,
    BODY_FONT_NAME,
    BOLD_BODY_FONT,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    atomic_write_bytes,
    column_width,
    fill_for,
    freeze_below,
    merged_text,
    row_height_for,
    set_text,
    set_widths,
    setup_print,
    style_cell,
    write_header,
)

CREATOR = "taizhang"
LATE_FONT = Font(name=BODY_FONT_NAME, size=11, bold=True, color="C65911")
MISSING_FONT = Font(name=BODY_FONT_NAME, size=11, bold=True, color="C00000")
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
NONE_FILL = PatternFill(fill_type="solid", fgColor="F2F2F2")


def _title(ws: Worksheet, report: MonthReport, section: str, last: int) -> int:
    """Title and section rows; returns the next free row."""
    merged_text(ws, 1, 1, last, f"重点工作台账督查通报（{month_cn(report.month)}）", font=TITLE_FONT,
                align="center", height=36)
    merged_text(ws, 2, 1, last, section, font=HEADER_FONT, height=24)
    return 3


def _table(ws: Worksheet, first_row: int, labels: Sequence[str], rows: Iterable[Sequence[object]],
           *, centred: Iterable[int] = (), fills: dict[tuple[int, int], PatternFill | None] | None = None,
           fonts: dict[int, Font] | None = None) -> int:
    """A bordered table with its header at ``first_row``; returns the row after the last.

    ``fills`` maps (row offset, column index) to a fill; ``fonts`` maps a row offset to a font.
    """
    write_header(ws, first_row, labels)
    centred = set(centred)
    fills = fills or {}
    fonts = fonts or {}
    row = first_row + 1
    for offset, values in enumerate(rows):
        height = 20.0
        for col, value in enumerate(values, start=1):
            cell = set_text(ws.cell(row, col), value)
            style_cell(cell, font=fonts.get(offset, BODY_FONT), align="center" if col in centred else "left",
                       fill=fills.get((offset, col)))
            if isinstance(value, str):
                height = max(height, row_height_for(value, column_width(ws, col)))
        ws.row_dimensions[row].height = min(height, MAX_ROW_HEIGHT)
        row += 1
    return row


def _empty(ws: Worksheet, row: int, last: int, text: str) -> int:
    merged_text(ws, row, 1, last, text, border=True, height=22)
    return row + 1


# --------------------------------------------------------------------------------------------
# The sheets
# --------------------------------------------------------------------------------------------


def _paragraphs(ws: Worksheet, row: int, last: int, section: BulletinSection) -> int:
    """The section's paragraphs one merged row each, then a blank row; returns the next free row."""
    for offset, text in enumerate(section.paragraphs):
        merged_text(ws, row + offset, 1, last, text)
    return row + len(section.paragraphs) + 1


def _overview(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    set_widths(ws, (22, 14, 14, 14, 30))
    last = 5
    row = _title(ws, report, section.title, last)
    row = _paragraphs(ws, row, last, section)
    before = report.previous_counts
    labels = ["项目", "本月", "上月" if before is not None else "上月（无）", "增减", "说明"]

    def line(label: str, now: int, was: int | None, note: str = "") -> list[object]:
        delta: object = "" if was is None else (f"+{now - was}" if now > was else str(now - was))
        return [label, now, "" if was is None else was, delta, note]

    def colour(c: Counts | None, key: str) -> int | None:
        return None if c is None else c.colours.get(key, 0)

    now = report.counts
    rows = [line("重点工作（项）", now.total, before.total if before else None, "不含已销号事项")]
    fills: dict[tuple[int, int], PatternFill | None] = {}
    for key in ("blue", "yellow", "red", "none"):
        c = Colour(key)
        fills[(len(rows), 1)] = fill_for(c)
        rows.append(line(f"{COLOUR_NAMES[c]}（项）", now.colours.get(key, 0), colour(before, key)))
    if not report.first_month:
        rows += [
            ["补录事项", len(report.new), "", "", ""],
            ["销号事项", len(report.closed), "", "", ""],
            ["调整表述事项", len(report.renamed), "", "", "按同一事项跟踪，不计为补录或销号"],
            ["颜色转差事项", len(report.worsened), "", "", ""],
            ["颜色好转事项", len(report.improved), "", "", ""],
            ["连续两个月及以上标红", len(report.persistent_red), "", "", ""],
        ]
    rows += [
        ["颜色标注需核实事项", len(report.progress_flags), "", "",
         f"序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）"],
    ]
    _table(ws, row, labels, rows, centred=(2, 3, 4), fills=fills)
    freeze_below(ws, 2)
    setup_print(ws, None, landscape=False)


def _submission(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    set_widths(ws, (6, 22, 12, 18, 40))
    last = 5
    row = _title(ws, report, section.title, last)
    row = _paragraphs(ws, row, last, section)
    header = row
    rows, fonts = [], {}
    for number, dept in enumerate(report.departments, start=1):
        if dept.status == "late":
            fonts[number - 1] = LATE_FONT
        elif dept.status == "missing":
            fonts[number - 1] = MISSING_FONT
        rows.append([number, dept.department, STATUS_NAMES[dept.status], iso_date_cn(dept.date), dept.file or ""])
    _table(ws, header, ["序号", "部室（单位）", "报送情况", "填报日期", "文件"], rows, centred=(1, 3, 4),
           fonts=fonts)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}", landscape=False)


def _slow(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    set_widths(ws, (6, 8, 14, 30, 8, 19, 11, 16, 48))
    last = 9
    row = _title(ws, report, f"{section.title}（红色在前，黄色在后，按部室）", last)
    header = row
    rows: list[list[object]] = []
    fills: dict[tuple[int, int], PatternFill | None] = {}
    for entry in section.rows:
        people = entry.responsible or ResponsibleItem(item=entry.item, colour=Colour.UNKNOWN)
        fills[(len(rows), 2)] = fill_for(entry.colour or Colour.UNKNOWN)
        rows.append([len(rows) + 1, entry.kind, entry.department, entry.item, entry.months, entry.detail,
                     people.leader, people.owner, people.progress])
    labels = ["序号", "颜色", "部室", "工作事项", "连续\n月数", "颜色变化", "分管\n负责人", "责任科室\n责任人",
              "推进情况"]
    end = _table(ws, header, labels, rows, centred=(1, 2, 3, 5, 7), fills=fills)
    if not rows:
        _empty(ws, end, last, section.empty)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


def _changes(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    set_widths(ws, (6, 14, 14, 40, 40))
    last = 5
    row = _title(ws, report, section.title, last)
    if report.first_month:
        _paragraphs(ws, row, last, section)
        setup_print(ws, None, landscape=False)
        return
    merged_text(ws, row, 1, last, f"与{month_cn(report.previous or '')}台账相比。")
    header = row + 1
    rows: list[list[object]] = []
    fills: dict[tuple[int, int], PatternFill | None] = {}
    for entry in section.rows:
        if entry.colour is not None:  # 颜色变化: the colour now; 连续标红: red
            fills[(len(rows), 5)] = fill_for(entry.colour)
        rows.append([entry.kind, entry.department, entry.item, entry.detail])
    numbered = [[i, *r] for i, r in enumerate(rows, start=1)]
    end = _table(ws, header, ["序号", "类别", "部室", "工作事项", "变动情况"], numbered, centred=(1, 2, 3),
                 fills=fills)
    if not rows:
        _empty(ws, end, last, section.empty)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}", landscape=False)


def _by_department(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    columns = tables.APPENDIX.columns
    labels = tables.APPENDIX.labels
    set_widths(ws, tables.APPENDIX.widths)
    last = len(labels)
    row = _title(ws, report, section.title, last)
    header = row
    rows: list[list[object]] = []
    fonts: dict[int, Font] = {}
    for dept in report.departments:
        missing = dept.status == "missing"
        if missing:
            fonts[len(rows)] = MISSING_FONT
        elif dept.status == "late":
            fonts[len(rows)] = LATE_FONT
        values: list[object] = []
        for column in columns:
            value: object
            if missing and column.reported:  # figures left empty; text empty (a row of text's height)
                value = None if column.kind == "count" else ""
            else:
                value = column.value(dept)
            values.append(value)
        rows.append(values)
    fonts[len(rows)] = BOLD_BODY_FONT
    rows.append(tables.appendix_total_row(report, columns))
    end = _table(ws, header, labels, rows, centred=[i for i, c in enumerate(columns, start=1) if c.align == "center"],
                 fonts=fonts)
    for col, column in enumerate(columns, start=1):
        fill = fill_for(column.colour) if column.colour is not None else None
        if fill is not None:
            ws.cell(header, col).fill = fill
    merged_text(ws, end, 1, last, "注：事项数不含已销号事项；补录、销号、调整表述、颜色变化与上月台账比较"
                + ("（本月为首个入库月份，不作比较）。" if report.first_month else "。"), font=NOTE_FONT)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


def _flags(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    set_widths(ws, (6, 14, 28, 11, 24, 10, 10, 22, 60))
    last = 9
    row = _title(ws, report, f"对标对表：{section.name}", last)
    merged_text(ws, row, 1, last, f"序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）。"
                                  "对照说明第3条，核对推进情况中写明的完成比例和全市名次与颜色标注是否一致。")
    header = row + 1
    rows: list[list[object]] = []
    fills: dict[tuple[int, int], PatternFill | None] = {}
    for number, flag in enumerate(report.progress_flags, start=1):
        fills[(number - 1, 4)] = fill_for(flag.colour)
        rows.append([number, flag.department, flag.item, COLOUR_NAMES[flag.colour], flag.stated,
                     format_share(flag.share) if flag.share is not None else "",
                     format_share(flag.expected) if flag.expected is not None else "",
                     FLAG_TITLES.get(flag.code, flag.code), flag.message])
    labels = ["序号", "部室", "工作事项", "颜色", "推进情况写明", "完成比例", "序时进度", "问题", "说明"]
    end = _table(ws, header, labels, rows, centred=(1, 2, 4, 6, 7), fills=fills)
    if not rows:
        _empty(ws, end, last, section.empty)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


def _not_listed(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    """应纳未纳 (通知 五): the centre's tasks missing from their department's ledger, then those to review."""
    set_widths(ws, (6, 10, 14, 30, 80))
    last = 5
    header = _title(ws, report, section.name, last)
    rows = [[number, row.kind, row.department, row.item, row.detail]
            for number, row in enumerate(section.rows, start=1)]
    end = _table(ws, header, ["序号", "类别", "部室", "任务", "情况"], rows, centred=(1, 2, 3))
    if not rows:
        _empty(ws, end, last, section.empty)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


# The sheet of each section (五、, a draft for the Word bulletin, has none), in the workbook's order:
# the bulletin's sections first, the 对标对表 check for the 综合部 last.
SHEET_OF: dict[SectionKind, tuple[str, Callable[[Worksheet, MonthReport, BulletinSection], None]]] = {
    SectionKind.OVERVIEW: ("总体情况", _overview),
    SectionKind.SUBMISSION: ("报送情况", _submission),
    SectionKind.SLOW: ("进展缓慢事项", _slow),
    SectionKind.CHANGES: ("事项变动", _changes),
    SectionKind.DEPARTMENTS: ("分部室", _by_department),
    SectionKind.FLAGS: ("对标对表", _flags),
    SectionKind.NOT_LISTED: ("应纳未纳", _not_listed),
}
SHEETS = tuple(name for name, _ in SHEET_OF.values())


def build_bulletin_workbook(report: MonthReport) -> Workbook:
    wb = Workbook()
    first = wb.active
    order = list(SHEET_OF)
    sections = sorted((s for s in bulletin_sections(report) if s.kind in SHEET_OF), key=lambda s: order.index(s.kind))
    for section in sections:
        name, fill = SHEET_OF[section.kind]
        fill(wb.create_sheet(name), report, section)
    wb.remove(first)
    wb.active = 0
    props = wb.properties
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.title = f"重点工作台账督查通报（{month_cn(report.month)}）"
    return wb


def bulletin_workbook_bytes(report: MonthReport) -> bytes:
    buffer = io.BytesIO()
    build_bulletin_workbook(report).save(buffer)
    return buffer.getvalue()


def write_bulletin_xlsx(report: MonthReport, path: Path, *, refuse: Iterable[Path | str] = ()) -> Path:
    """Write the bulletin workbook to ``path`` atomically; refuses to write over any path in ``refuse``."""
    return atomic_write_bytes(bulletin_workbook_bytes(report), Path(path), refuse=refuse)
