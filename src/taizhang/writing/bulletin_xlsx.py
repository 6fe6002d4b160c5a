"""The 督查通报 as a workbook: the same sections as the .docx, in the same order, one sheet each
(``report.bulletin_sections`` walked once).

* 总体情况: the summary sentence, the comparison with last month, the total's change explained
  part by part, and a table of this month's figures against last month's;
* 报送情况: every department on time, late or missing, with its 填报日期;
* 进展较快事项, 进展缓慢事项, 中间位次及预计较好事项: the blue, red and yellow items by department
  with 分管负责人 and 责任科室/责任人, the colour cell filled;
* 账实不符、应纳未纳和应标未标: each part's entries (summary sentences that disagree with the table, the
  对标对表 flags, other errors);
* 事项变动 (附件1 of the .docx): 补录, 销号, 调整表述, 颜色变化 and 连续标红 items;
* 下步工作要求: the draft, filled yellow with its note, then the 署名 and the 成文日期;
* 分部室: the appendix table by department, with a total row.

Printable like the consolidated workbook (xlsx_common: A4, header rows repeated, fit to width,
page numbers); every department's text goes through ``set_text``, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .. import tables
from ..models import (
    ISSUER,
    STATUS_NAMES,
    BulletinSection,
    Colour,
    Counts,
    MonthReport,
    ResponsibleItem,
    SectionKind,
)
from ..progress import BASIS_NAMES, format_share
from ..report import LEADER_LABEL, OWNER_LABEL, bulletin_sections, checks_name
from ..rules import COLOUR_NAMES, format_date_cn, iso_date_cn, month_cn
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
            *_total_change_rows(report),
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


def _total_change_rows(report: MonthReport) -> list[list[object]]:
    """The departments whose items enter or leave the total besides 补录 and 销号 (事项数变化)."""
    change = report.total_change
    if change is None:
        return []
    rows: list[list[object]] = []
    for d in change.first_time:
        rows.append([f"首次报送：{d.department}", d.items, "", "", "计入本月事项数"])
    for d in change.returned:
        rows.append([f"恢复报送：{d.department}", d.items, "", "", f"按其{month_cn(d.month)}台账计入"])
    for d in change.missing:
        rows.append([f"本月未报送：{d.department}", -d.items, "", "", "减去其上月事项数"])
    return rows


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


def _coloured(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    """进展较快 (blue), 进展缓慢 (red), 中间位次及预计较好 (yellow): a row per item, by department."""
    set_widths(ws, (6, 8, 14, 30, 8, 19, 11, 16, 48))
    last = 9
    header = _title(ws, report, section.title, last)  # the title says it: the table right below
    rows: list[list[object]] = []
    fills: dict[tuple[int, int], PatternFill | None] = {}
    for entry in section.rows:
        people = entry.responsible or ResponsibleItem(item=entry.item, colour=Colour.UNKNOWN)
        fills[(len(rows), 2)] = fill_for(entry.colour or Colour.UNKNOWN)
        said = people.progress if entry.colour is not Colour.BLUE or not people.stated else people.stated
        rows.append([len(rows) + 1, entry.kind, entry.department, entry.item, entry.months, entry.detail,
                     people.leader, people.owner, said])
    labels = ["序号", "颜色", "部室", "工作事项", "连续月数", "颜色变化", LEADER_LABEL, OWNER_LABEL,
              "推进情况写明" if section.kind is SectionKind.FAST else "推进情况"]
    end = _table(ws, header, labels, rows, centred=(1, 2, 3, 5, 7), fills=fills)
    if not rows:
        _empty(ws, end, last, section.empty)
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


def _checks(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    """账实不符、应纳未纳和应标未标: a row per entry, its part first (账实不符, 应标未标, 填报错误)."""
    set_widths(ws, (6, 10, 14, 28, 9, 22, 60))
    last = 7
    row = _title(ws, report, section.title, last)
    for text in section.paragraphs:
        merged_text(ws, row, 1, last, text)
        row += 1
    merged_text(ws, row, 1, last, f"序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）。"
                                  + "；".join(f"{part.name}{len(section.of_kind(part.name))}项" for part in section.parts)
                                  + "。")
    header = row + 1
    rows: list[list[object]] = []
    for part in section.parts:
        for entry in section.of_kind(part.name):
            rows.append([len(rows) + 1, part.name, entry.department, entry.item, entry.previous, entry.brief,
                         entry.detail])
    end = _table(ws, header, ["序号", "类别", "部室", "工作事项", "单元格", "问题", "说明"], rows,
                 centred=(1, 2, 3, 5))
    if not rows:
        _empty(ws, end, last, "；".join(part.empty for part in section.parts))
    freeze_below(ws, header)
    setup_print(ws, f"{header}:{header}")


DRAFT_FILL = PatternFill(fill_type="solid", fgColor="FFFF00")


def _requirements(ws: Worksheet, report: MonthReport, section: BulletinSection, *, issued: dt.date,
                  issuer: str) -> None:
    """下步工作要求: the draft filled yellow under its note; then the 署名 and 成文日期 at the right."""
    set_widths(ws, (16, 16, 16, 16, 16, 16))
    last = 6
    row = _title(ws, report, section.title, last)
    if section.draft and section.note:
        merged_text(ws, row, 1, last, section.note, font=BOLD_BODY_FONT, fill=DRAFT_FILL)
        row += 1
    for text in section.paragraphs:
        merged_text(ws, row, 1, last, text, fill=DRAFT_FILL if section.draft else None)
        row += 1
    row += 1
    for text in (issuer, format_date_cn(issued.year, issued.month, issued.day)):
        merged_text(ws, row, 3, last, text, align="right")
        row += 1
    setup_print(ws, None, landscape=False)


def _changes(ws: Worksheet, report: MonthReport, section: BulletinSection) -> None:
    """事项变动 (附件1 of the .docx): the section's paragraph, then a row per change."""
    set_widths(ws, (6, 14, 14, 40, 40))
    last = 5
    row = _title(ws, report, section.title, last)
    if report.first_month:
        _paragraphs(ws, row, last, section)
        setup_print(ws, None, landscape=False)
        return
    # The .docx puts the table in its 附件; here it is right below.
    text = " ".join(section.paragraphs)
    merged_text(ws, row, 1, last, text.replace(f"见{section.attachment}", "见下表") if section.attachment else text)
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


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


# The sheet of each section, named after it (the 账实不符 section's name without its 情况, the
# 附件 table by department 分部室); the sheets come in the sections' order.
SHEET_OF: dict[SectionKind, Callable[[Worksheet, MonthReport, BulletinSection], None]] = {
    SectionKind.OVERVIEW: _overview,
    SectionKind.SUBMISSION: _submission,
    SectionKind.FAST: _coloured,
    SectionKind.SLOW: _coloured,
    SectionKind.MIDDLE: _coloured,
    SectionKind.CHECKS: _checks,
    SectionKind.CHANGES: _changes,
    SectionKind.DEPARTMENTS: _by_department,
}
DEPARTMENTS_SHEET = "分部室"


def sheet_name(section: BulletinSection) -> str:
    """The sheet a section is written on: its name (at most 31 characters, Excel's limit)."""
    if section.kind is SectionKind.DEPARTMENTS:
        return DEPARTMENTS_SHEET
    if section.kind is SectionKind.CHECKS:
        return section.name.removesuffix("情况")[:31]
    return section.name[:31]


SHEETS = ("总体情况", "报送情况", "进展较快事项", "进展缓慢事项", "中间位次及预计较好事项",
          checks_name().removesuffix("情况"), "事项变动", "下步工作要求", DEPARTMENTS_SHEET)


def build_bulletin_workbook(report: MonthReport, *, issued: dt.date | None = None,
                            issuer: str = ISSUER) -> Workbook:
    """The bulletin as a workbook: one sheet per section of ``bulletin_sections``, in its order."""
    wb = Workbook()
    first = wb.active
    for section in bulletin_sections(report):
        ws = wb.create_sheet(sheet_name(section))
        if section.kind is SectionKind.REQUIREMENTS:
            _requirements(ws, report, section, issued=issued or dt.date.today(), issuer=issuer)
        else:
            SHEET_OF[section.kind](ws, report, section)
    wb.remove(first)
    wb.active = 0
    props = wb.properties
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.title = f"重点工作台账督查通报（{month_cn(report.month)}）"
    return wb


def bulletin_workbook_bytes(report: MonthReport, *, issued: dt.date | None = None, issuer: str = ISSUER) -> bytes:
    buffer = io.BytesIO()
    build_bulletin_workbook(report, issued=issued, issuer=issuer).save(buffer)
    return buffer.getvalue()


def write_bulletin_xlsx(report: MonthReport, path: Path, *, refuse: Iterable[Path | str] = (),
                        issued: dt.date | None = None, issuer: str = ISSUER) -> Path:
    """Write the bulletin workbook to ``path`` atomically; refuses to write over any path in ``refuse``."""
    return atomic_write_bytes(bulletin_workbook_bytes(report, issued=issued, issuer=issuer), Path(path),
                              refuse=refuse)
