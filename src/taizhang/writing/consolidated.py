"""The consolidated workbook of a merged month: 汇总, 台账 and 问题清单 sheets.

* 汇总: title, 填报日期, the summary sentence, a table by department (items, stars, sources,
  colours, on time / late / missing, errors), a total row and a native bar chart of the colours.
* 台账: every item of every readable workbook in 附件2's columns plus 部室, grouped by department
  (roster order, then the others), numbered afresh; 进度评价 filled with the one standard colour;
  the departments' extra columns at the end; closed (销号) items greyed and not counted.
* 问题清单: every finding with its file, department, sheet and cell; the files passed over.

Printable as it is (A4 landscape, header repeated, fit to width) and deterministic: the same
merge gives the same bytes. A department's text is always written as text, never as a formula.

Speed: a month of sixty workbooks has ten thousand item rows. openpyxl's cell objects and
writer would take longer than reading the inboxes, so the item rows of 台账 and 问题清单 are
rendered straight to sheet XML (inline strings, the same ``<c t="inlineStr">`` openpyxl writes)
with styles registered in openpyxl's own style table, and spliced into the package openpyxl
saved for everything else (titles, headers, print setup, merges, the chart).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from pathlib import Path
from typing import IO, BinaryIO
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from .. import tables
from ..config import Config
from ..fileio import atomic_write
from ..merge import CREATOR, FINDINGS_SHEET, LEDGER_SHEET, SUMMARY_SHEET  # defined once, with the reader
from ..models import Colour, DepartmentEntry, FileReport, Item, MergeResult, Severity
from ..rules import STANDARD_FILLS, XML_ILLEGAL, format_date_cn, iso_date_cn, month_cn
from ..tables import Column, FindingRow, LedgerRow, SummaryRow, Table
from .xlsx_common import (
    BODY_FONT,
    BODY_FONT_NAME,
    BOLD_BODY_FONT,
    FORMULA_TRIGGERS,
    HEADER_FILL,
    HEADER_FONT,
    MAX_CELL_CHARS,
    TITLE_FONT,
    fill_for,
    freeze_below,
    merged_text,
    safe_value,
    set_text,
    set_widths,
    setup_print,
    style_cell,
    write_header,
)

GREY = "7F7F7F"
NONE_FILL = "D9D9D9"  # the chart's 未标注 bars
LATE_COLOUR = "C65911"
MISSING_COLOUR = "C00000"
MAX_ROW_HEIGHT = 409  # Excel's limit, in points

# The tables' columns are declared in taizhang.tables (汇总, 台账, 问题清单); this module walks them.
EXTRA_WIDTH = tables.LEDGER_EXTRA_WIDTH

_Look = tuple[str, str | None, str]  # a cell's align, fill and font


def write_consolidated(result: MergeResult, path: Path, *, config: Config, refuse: Sequence[Path]) -> Path:
    """Write the month's consolidated workbook to ``path`` (atomically; never over an input)."""
    return ConsolidatedWriter(config).write(result, path, refuse=refuse)


def consolidated_bytes(result: MergeResult, *, config: Config) -> bytes:
    """The consolidated workbook as the bytes of an .xlsx file."""
    return ConsolidatedWriter(config).to_bytes(result)


class ConsolidatedWriter:
    """Builds the consolidated workbook of one merge (one writer, one workbook).

    ``prepare(report)`` renders a department's item rows as soon as its report is read (the
    merge calls it while the other files are still being read); ``write`` assembles the sheets.
    Rows never prepared are rendered by ``write``: the result is the same either way.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.wb = Workbook()
        self.styles = _Styles(self.wb)
        # The 台账 declaration, resolved once to what a row needs: the leading columns that depend
        # on the row's place (序号, 部室), and a value function and a look for each of the others.
        self.ledger: Table[LedgerRow] = tables.LEDGER
        columns = self.ledger.columns
        self._head = next((i for i, c in enumerate(columns) if not c.place), len(columns))
        if any(c.place for c in columns[self._head:]):
            raise ValueError("台账: the columns that depend on a row's place (序号, 部室) must come first")
        self._core_values = tuple(c.value for c in columns[self._head:])
        self._looks = _ledger_looks(columns)
        self._core_looks = {key: looks[self._head:] for key, looks in self._looks.items()}
        # Every look an item cell can have, registered up front in a fixed order: reports are
        # prepared in whatever order they are read, and the style table must not depend on it.
        for looks in self._looks.values():
            for look in looks:
                self.styles.get(*look, False)
                self.styles.get(*look, True)
        self._prepared: dict[str, list[_Prepared]] = {}
        self._core = _Rows(None, 0, self.ledger.widths)

    def prepare(self, report: FileReport) -> None:
        """Render the item rows of one department's report (cells 工作事项…备注, row number open).

        What the 台账 sheet needs of the items is kept with the rows: the caller may let the
        report's items go once it is prepared."""
        if report.usable:
            self._prepared[report.file] = self._core_rows(report)

    def _core_rows(self, report: FileReport) -> list[_Prepared]:
        out = []
        first, values, looks, render, styles = self._head, self._core_values, self._core_looks, self._core.cells, self.styles
        for it in report.items:
            row = LedgerRow(it, 0, "")
            cells, lines = render(styles, [value(row) for value in values],
                                  looks[(STANDARD_FILLS.get(it.colour), "grey" if it.closed else "body")],
                                  first=first, row=_ROW_TOKEN)
            out.append(_Prepared(cells, lines, it))
        return out

    def write(self, result: MergeResult, path: Path, *, refuse: Sequence[Path]) -> Path:
        """Write the workbook to ``path`` through a temporary file; never over a path in ``refuse``.

        The package is streamed into the file: ten thousand rows are never held a second time
        as one block of XML, nor as a compressed copy in memory."""
        def write(tmp: Path) -> None:
            with tmp.open("wb") as fh:
                self._write_to(result, fh)

        return atomic_write(Path(path), refuse, write)

    def to_bytes(self, result: MergeResult) -> bytes:
        """The workbook as the bytes of an .xlsx file (once per writer: it fills its workbook)."""
        out = io.BytesIO()
        self._write_to(result, out)
        return out.getvalue()

    def _write_to(self, result: MergeResult, out: BinaryIO) -> None:
        if len(self.wb.worksheets) > 1:
            raise RuntimeError("ConsolidatedWriter.to_bytes: a writer builds one workbook")
        config = self.config
        stamp = dt.datetime.combine(dt.date.fromisoformat(result.date), dt.time())
        wb = self.wb
        summary = wb.active
        summary.title = SUMMARY_SHEET
        ledger = wb.create_sheet(LEDGER_SHEET)
        findings = wb.create_sheet(FINDINGS_SHEET)
        _summary_sheet(summary, result, config)
        bulk = [self._ledger_sheet(ledger, result), _findings_sheet(findings, result, self.styles)]
        wb.active = 0
        props = wb.properties
        props.creator = CREATOR
        props.lastModifiedBy = CREATOR
        props.title = f"{config.center}重点工作台账汇总（{month_cn(result.month)}）"
        props.created = stamp
        buffer = io.BytesIO()
        wb.save(buffer)
        props.modified = stamp  # openpyxl stamps "now" while saving; the package gets the merge date
        _splice(buffer.getvalue(), bulk, core=tostring(props.to_tree()), stamp=stamp, out=out)

    def _ledger_sheet(self, ws: Worksheet, result: MergeResult) -> _Rows:
        usable = [r for r in result.reports if r.usable]
        extras = list(dict.fromkeys(label for r in usable for label in r.extra_columns))
        widths = self.ledger.widths + [EXTRA_WIDTH] * len(extras)
        set_widths(ws, widths)
        last = len(widths)
        _title_block(ws, last, f"{self.config.center}重点工作台账（{month_cn(result.month)}）", result)
        write_header(ws, _LEDGER_HEADER_ROW, self.ledger.labels + extras)

        rows = _Rows(ws, _LEDGER_HEADER_ROW + 1, widths, self.styles)
        # The rows are rendered while the package is written, a department at a time, so that
        # the rendered items are never held twice (every style they use is registered already).
        count = sum(len(self._prepared[r.file]) if r.file in self._prepared else len(r.items) for r in usable)
        rows.stream(self._ledger_rows(rows, usable, extras), count)
        freeze_below(ws, _LEDGER_HEADER_ROW)
        setup_print(ws, f"{_LEDGER_HEADER_ROW}:{_LEDGER_HEADER_ROW}")
        ws.auto_filter.ref = f"A{_LEDGER_HEADER_ROW}:{get_column_letter(last)}{max(rows.last_row, _LEDGER_HEADER_ROW)}"
        return rows

    def _ledger_rows(self, rows: _Rows, usable: list[FileReport], extras: list[str]) -> Iterator[str]:
        number = 0
        row = _LEDGER_HEADER_ROW
        n_keys = len(self.ledger.columns)
        place = self.ledger.columns[:self._head]
        for report in usable:
            core_rows = self._prepared.pop(report.file, None) or self._core_rows(report)
            # 序号 and 部室, the same for every item of the department but its number and font.
            where = LedgerRow(_NO_ITEM, 1, report.department or "")
            heads = {}
            for font in ("body", "grey"):
                looks = self._looks[(None, font)][:self._head]
                heads[font] = rows.cells(self.styles, [c.value(where) for c in place], looks, first=0, row=_ROW_TOKEN)
            for prepared in core_rows:
                number += 1
                row += 1
                r = str(row)
                head, head_lines = heads["grey" if prepared.closed else "body"]
                head = head.replace("<v>1</v>", f"<v>{number}</v>", 1)
                cells = (head + prepared.cells).replace(_ROW_TOKEN, r)
                lines = max(head_lines, prepared.lines)
                if extras:
                    tail, tail_lines = rows.cells(self.styles, [prepared.extra.get(label, "") for label in extras],
                                                  (("left", None, "grey" if prepared.closed else "body"),) * len(extras),
                                                  first=n_keys, row=r)
                    cells += tail
                    lines = max(lines, tail_lines)
                yield _row_xml(r, cells, lines)


# ---------------------------------------------------------------------------------------------
# 汇总
# ---------------------------------------------------------------------------------------------

_GROUP_ROW, _SUB_ROW, _FIRST_ROW = 5, 6, 7


def _groups(columns: Sequence[Column[SummaryRow]]) -> list[tuple[str, list[Column[SummaryRow]]]]:
    """The 汇总 header's first row: (label, its columns) — a group over its columns, or a column alone."""
    groups: list[tuple[str, list[Column[SummaryRow]]]] = []
    for c in columns:
        if c.group is not None and groups and groups[-1][1][-1].group == c.group:
            groups[-1][1].append(c)
        else:
            groups.append((c.group or c.label, [c]))
    return groups


def _summary_sheet(ws: Worksheet, result: MergeResult, config: Config) -> None:
    table = tables.SUMMARY
    columns = table.columns
    widths = table.widths
    set_widths(ws, widths)
    last = len(widths)
    _title_block(ws, last, f"{config.center}重点工作台账汇总（{month_cn(result.month)}）", result)

    # A two-row header: groups (重要程度, 任务来源, 进度评价) over their columns.
    col = 1
    colour_cols: list[int] = []
    colours: list[Colour] = []
    for label, group in _groups(columns):
        span = len(group)
        style_cell(set_text(ws.cell(_GROUP_ROW, col), label), font=HEADER_FONT, align="center", fill=HEADER_FILL)
        for c in range(col, col + span):
            for r in (_GROUP_ROW, _SUB_ROW):
                style_cell(ws.cell(r, c), font=HEADER_FONT, align="center", fill=HEADER_FILL)
        if group[0].group is not None:
            ws.merge_cells(start_row=_GROUP_ROW, start_column=col, end_row=_GROUP_ROW, end_column=col + span - 1)
            for offset, sub in enumerate(group):
                cell = set_text(ws.cell(_SUB_ROW, col + offset), sub.label)
                if sub.colour is not None:
                    colour_cols.append(col + offset)
                    colours.append(sub.colour)
                    fill = fill_for(sub.colour)
                    if fill is not None:
                        cell.fill = fill
        else:
            ws.merge_cells(start_row=_GROUP_ROW, start_column=col, end_row=_SUB_ROW, end_column=col)
        col += span
    ws.row_dimensions[_GROUP_ROW].height = 21
    ws.row_dimensions[_SUB_ROW].height = 21

    # Styled once, copied to every row: openpyxl's style lookups are slow for sixty departments.
    looks = {}
    for name, align, font in (("left", "left", BODY_FONT), ("center", "center", BODY_FONT),
                              ("逾期", "center", Font(name=BODY_FONT_NAME, size=11, bold=True, color=LATE_COLOUR)),
                              ("未报送", "center", Font(name=BODY_FONT_NAME, size=11, bold=True,
                                                      color=MISSING_COLOUR))):
        looks[name] = style_cell(Cell(ws), font=font, align=align)._style
    for column in columns:
        if column.align not in looks:
            looks[column.align] = style_cell(Cell(ws), font=BODY_FONT, align=column.align)._style
    values_of = [c.value for c in columns]
    status = [c.kind == "status" for c in columns]
    aligns: list[str] = [c.align for c in columns]
    row = _FIRST_ROW
    for number, (department, entry) in enumerate(_summary_rows(result, config), start=1):
        data = tables.summary_row(number, department, entry)
        for c_index, value_of in enumerate(values_of, start=1):
            value = value_of(data)
            cell = set_text(ws.cell(row, c_index), value)
            look = aligns[c_index - 1]
            if status[c_index - 1] and value in looks:
                look = str(value)
            cell._style = copy(looks[look])
        ws.row_dimensions[row].height = 20
        row += 1
    last_data = row - 1

    # The total row: figures, not formulas (readers without a calculation engine see them too).
    total = result.counts
    if result.roster_checked:  # roster departments that handed in, of the roster
        handed = f"{len(config.departments) - len(result.missing)}/{len(config.departments)}"
    else:
        handed = f"{len({d.department for d in result.departments})}个部室"
    totals = SummaryRow("合计", "", "", handed, total, sum(d.errors for d in result.departments),
                        sum(d.warnings for d in result.departments))
    for c_index, value_of in enumerate(values_of, start=1):
        cell = set_text(ws.cell(row, c_index), value_of(totals))
        style_cell(cell, font=BOLD_BODY_FONT, align="center", fill=HEADER_FILL)
    # 合计 over the columns before 报送情况 (序号, 部室, 填报日期).
    span = next((i for i, is_status in enumerate(status) if is_status), 1)
    if span > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    ws.row_dimensions[row].height = 20
    row += 2

    for line in _summary_notes(result, config):
        merged_text(ws, row, 1, last, line)
        row += 1

    if last_data >= _FIRST_ROW and colour_cols:
        _colour_chart(ws, colour_cols, colours, last_data, anchor_row=row + 1, width_units=sum(widths))

    freeze_below(ws, _SUB_ROW)
    setup_print(ws, f"{_GROUP_ROW}:{_SUB_ROW}")


def _summary_rows(result: MergeResult, config: Config) -> list[tuple[str, DepartmentEntry | None]]:
    """(department, entry or None when missing): roster order, then the other departments."""
    rows: list[tuple[str, DepartmentEntry | None]] = []
    by_name: dict[str, list[DepartmentEntry]] = {}
    for entry in result.departments:
        by_name.setdefault(entry.department, []).append(entry)
    seen: set[str] = set()
    for name in config.departments if result.roster_checked else ():
        seen.add(name)
        entries = by_name.get(name)
        if entries:
            rows.extend((name, e) for e in entries)
        elif name in result.missing:
            rows.append((name, None))
    for entry in result.departments:
        if entry.department not in seen:
            rows.append((entry.department, entry))
    return rows


def _summary_notes(result: MergeResult, config: Config) -> list[str]:
    notes: list[str] = []
    if not result.roster_checked:
        notes.append("未配置部室名单（taizhang.toml 的 departments），未检查未报送部室。")
    if result.missing:
        notes.append(f"未报送（{len(result.missing)}个）：{'、'.join(result.missing)}。")
    if result.late:
        year, mon = (int(x) for x in result.month.split("-"))
        deadline = format_date_cn(year, mon, config.deadline_day)
        dates = {d.department: iso_date_cn(d.date) for d in result.departments if d.late}
        late = "、".join(f"{name}（{dates.get(name, '')}）" for name in result.late)
        notes.append(f"逾期报送（截止{deadline}）：{late}。")
    u = result.counts.unrecognised
    if u.stars or u.sources or u.colours:
        notes.append(f"未识别（未计入上表对应栏）：重要程度{u.stars}项、任务来源{u.sources}项、进度评价颜色{u.colours}项，"
                     "见“问题清单”。")
    unreadable = [r for r in result.reports if not r.usable]
    if unreadable:
        notes.append(f"无法读取、未汇总的文件（{len(unreadable)}个）：{'、'.join(Path(r.file).name for r in unreadable)}，"
                     "见“问题清单”。")
    task_findings = result.tasks.findings if result.tasks is not None else []  # 应纳未纳 (merge --tasks)
    errors = sum(len(r.errors) for r in result.reports) + sum(f.severity is Severity.ERROR for f in task_findings)
    warnings = sum(len(r.warnings) for r in result.reports) + sum(f.severity is Severity.WARNING
                                                                  for f in task_findings)
    notes.append(f"校验发现错误{errors}条、提示{warnings}条，逐条列在“问题清单”工作表中；"
                 "已销号事项列在“台账”中（灰色），不计入统计。")
    return notes


def _colour_chart(ws: Worksheet, colour_cols: list[int], colours: list[Colour], last_row: int, *, anchor_row: int,
                  width_units: float) -> None:
    """A stacked bar per department: how many items are blue, yellow, red and unmarked."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = "各部室进度评价颜色分布"
    chart.y_axis.title = "事项数"
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    data = Reference(ws, min_col=colour_cols[0], max_col=colour_cols[-1], min_row=_SUB_ROW, max_row=last_row)
    cats = Reference(ws, min_col=2, min_row=_FIRST_ROW, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    fills = [STANDARD_FILLS.get(colour, NONE_FILL) for colour in colours]
    for series, rgb in zip(chart.series, fills, strict=True):
        series.graphicalProperties = GraphicalProperties(solidFill=rgb)
        series.graphicalProperties.line.solidFill = "7F7F7F"
    # Column units are about 7 px; a chart the width of the table, 9 cm tall.
    chart.width = max(16.0, min(width_units * 0.19, 30.0))
    chart.height = 9.0
    ws.add_chart(chart, f"B{anchor_row}")


# ---------------------------------------------------------------------------------------------
# Rows written as XML (台账 and 问题清单)
# ---------------------------------------------------------------------------------------------


class _Styles:
    """Cell styles registered in the workbook's own style table, by (align, fill, font, quote)."""

    FONTS = {"body": BODY_FONT, "grey": Font(name=BODY_FONT_NAME, size=11, color=GREY),
             "error": Font(name=BODY_FONT_NAME, size=11, bold=True, color=MISSING_COLOUR)}

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._ids: dict[tuple[str, str | None, str, bool], int] = {}

    def get(self, align: str, fill: str | None = None, font: str = "body", quote: bool = False) -> int:
        """The ``s`` index of a cell style, registered on first use."""
        key = (align, fill, font, quote)
        sid = self._ids.get(key)
        if sid is None:
            proto = Cell(self.wb.active)
            style_cell(proto, font=self.FONTS[font], align=align,
                       fill=PatternFill(fill_type="solid", fgColor=fill) if fill else None)
            if quote:
                proto.quotePrefix = True  # Excel's hidden apostrophe: the text stays text when edited
            sid = self._ids[key] = self.wb._cell_styles.add(proto._style)
        return sid


class _Rows:
    """Rows of one sheet rendered as ``<row>`` XML, spliced after the rows openpyxl writes.

    The cells refer to styles of the workbook's own style table (the ``s`` index), so they look
    exactly like cells openpyxl would have written. Every value is written as a number or as
    an inline string: never a formula, whatever the text says.
    """

    def __init__(self, ws: Worksheet | None, first_row: int, widths: Sequence[float],
                 styles: _Styles | None = None) -> None:
        self.ws = ws
        self.row = self.first_row = first_row
        self.pending: Iterator[str] | None = None
        self.widths = list(widths)
        # Text of at most this many characters fits on one line, whatever its characters.
        self.one_line = [max(int((w - 1.5) // 2), 0) for w in widths]
        self.letters = [get_column_letter(c) for c in range(1, len(widths) + 1)]
        self.parts: list[str] = []
        self.styles = styles
        self._sids: dict[tuple[_Look, ...], list[int]] = {}

    def cells(self, styles: _Styles, values: Sequence[object], looks: tuple[_Look, ...], *, first: int,
              row: str) -> tuple[str, int]:
        """The XML of consecutive cells from column index ``first`` of row ``row``, and the lines
        of wrapped text the tallest of them needs."""
        sids = self._sids.get(looks)
        if sids is None:
            sids = self._sids[looks] = [styles.get(*look) for look in looks]
        lines = 1
        out = []
        for offset, value in enumerate(values):
            i = first + offset
            head = f'<c r="{self.letters[i]}{row}" s="'
            if value is None or value == "":
                out.append(f'{head}{sids[offset]}"/>')
            elif type(value) is int or type(value) is float:
                out.append(f'{head}{sids[offset]}" t="n"><v>{value}</v></c>')
            else:
                text = value if type(value) is str else str(value)
                if (text[0] not in _CAREFUL_START and not text[-1].isspace() and len(text) <= MAX_CELL_CHARS
                        and _SPECIAL.search(text) is None):  # the usual text: nothing to escape, quote or keep
                    out.append(f'{head}{sids[offset]}" t="inlineStr"><is><t>{text}</t></is></c>')
                else:
                    text = str(safe_value(text) or "")
                    sid = sids[offset]
                    if text.startswith(FORMULA_TRIGGERS) or text in ERROR_CODES:
                        sid = styles.get(*looks[offset], True)  # stays text when a clerk edits the cell
                    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                    out.append(f'{head}{sid}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
                if len(text) > self.one_line[i] or "\n" in text:
                    lines = max(lines, _lines(text, self.widths[i]))
        return "".join(out), lines

    def append(self, cells: str, lines: int) -> None:
        """A row of already rendered cells, tall enough for ``lines`` lines of wrapped text."""
        self.parts.append(_row_xml(str(self.row), cells, lines))
        self.row += 1

    def stream(self, produce: Iterable[str], count: int) -> None:
        """``count`` rows (after those appended) whose XML ``produce`` yields while they are written."""
        self.pending = iter(produce)
        self.row += count

    @property
    def empty(self) -> bool:
        return self.row == self.first_row

    def add(self, values: Sequence[object], looks: tuple[_Look, ...]) -> None:
        """One row from column A: the cells' values and their (align, fill, font) looks."""
        assert self.styles is not None
        self.append(*self.cells(self.styles, values, looks, first=0, row=str(self.row)))

    @property
    def last_row(self) -> int:
        return self.row - 1

    def drain(self, out: IO[bytes], batch: int = 512) -> None:
        """Write the rows' XML to ``out`` a batch at a time, letting go of each batch written."""
        parts = self.parts
        for start in range(0, len(parts), batch):
            out.write("".join(parts[start:start + batch]).encode("utf-8"))
            parts[start:start + batch] = [""] * len(parts[start:start + batch])
        self.parts = []
        if self.pending is not None:
            while chunk := list(itertools.islice(self.pending, batch)):
                out.write("".join(chunk).encode("utf-8"))
            self.pending = None


def _row_xml(row: str, cells: str, lines: int) -> str:
    """A ``<row>`` of rendered cells, tall enough for ``lines`` lines of wrapped text."""
    height = min(round(lines * LINE_HEIGHT + 6, 1), MAX_ROW_HEIGHT)
    return f'<row r="{row}" ht="{height}" customHeight="1">{cells}</row>'


# Text that needs more than copying: XML specials, characters Excel forbids, a leading character
# that makes a formula or an error code, whitespace at either end (xml:space), over-long text.
# Text needing more than the plain path: XML escapes, or characters XML cannot hold at all.
_SPECIAL = re.compile("[&<>\r]|" + XML_ILLEGAL.pattern)
_CAREFUL_START = frozenset(" \t\n=+-@#")
LINE_HEIGHT = 11 * 1.5  # points per wrapped line of 11pt text, with room for the CJK fonts LibreOffice substitutes


def _units(text: str) -> float:
    """Column units of one line: a CJK character takes two, a Latin one about 1.1 (fast: no loop)."""
    n = len(text)
    wide = (len(text.encode("utf-8")) - n) // 2  # CJK characters are 3 bytes in UTF-8
    return (n - wide) * 1.1 + wide * 2.0


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 1.0)
    if "\n" not in text:
        return max(1, math.ceil(_units(text) / usable))
    return sum(max(1, math.ceil(_units(part) / usable)) for part in text.split("\n"))


def _title_block(ws: Worksheet, last: int, title: str, result: MergeResult) -> None:
    """Rows 1–3 of the 汇总 and 台账 sheets, as in 附件2: title, 填报日期, the summary sentence."""
    merged_text(ws, 1, 1, last, title, font=TITLE_FONT, align="center", height=40)
    merged_text(ws, 2, 1, last, f"填报日期：{iso_date_cn(result.date)}", align="right", height=22)
    merged_text(ws, 3, 1, last, result.sentence)


# ---------------------------------------------------------------------------------------------
# 台账
# ---------------------------------------------------------------------------------------------

_LEDGER_HEADER_ROW = 4
_ROW_TOKEN = "\x00"  # the row number, in prepared cells; never in text (safe_value removes it)
_NO_ITEM = Item(row=0)  # the item of a row's place cells (序号, 部室), which never read it


_NO_EXTRA: dict[str, str] = {}


class _Prepared:
    """One item's row of the 台账 sheet, rendered from 工作事项 on (the row number left open),
    with what the rest of the row needs: the item's font and its extra columns."""

    __slots__ = ("cells", "closed", "extra", "lines")

    def __init__(self, cells: str, lines: int, it: Item) -> None:
        self.cells, self.lines, self.closed = cells, lines, it.closed
        self.extra = it.extra or _NO_EXTRA  # most items have none: one shared empty dict


def _ledger_looks(columns: Sequence[Column[LedgerRow]]) -> dict[tuple[str | None, str], tuple[_Look, ...]]:
    """(align, fill, font) of each 台账 column, by (进度评价 fill, font)."""
    return {
        (fill, font): tuple((c.align, fill if c.coloured else None, font) for c in columns)
        for fill in (None, *STANDARD_FILLS.values()) for font in ("body", "grey")
    }


# ---------------------------------------------------------------------------------------------
# 问题清单
# ---------------------------------------------------------------------------------------------


def _findings_sheet(ws: Worksheet, result: MergeResult, styles: _Styles) -> _Rows:
    table = tables.FINDINGS
    widths = table.widths
    plain = tuple((c.align, None, "body") for c in table.columns)
    alert = tuple((c.align, None, "error" if c.kind == "severity" else "body") for c in table.columns)
    set_widths(ws, widths)
    last = len(widths)
    task_findings = result.tasks.findings if result.tasks is not None else []  # 应纳未纳 (merge --tasks)
    errors = sum(len(r.errors) for r in result.reports) + sum(f.severity is Severity.ERROR for f in task_findings)
    warnings = sum(len(r.warnings) for r in result.reports) + sum(f.severity is Severity.WARNING
                                                                  for f in task_findings)
    merged_text(ws, 1, 1, last, f"问题清单（{month_cn(result.month)}：错误{errors}条、提示{warnings}条）",
                font=TITLE_FONT, align="center", height=40)
    write_header(ws, 2, table.labels)
    rows = _Rows(ws, 3, widths, styles)
    number = 0
    for report in result.reports:
        name = Path(report.file).name
        department = report.department if report.usable else ""
        for f in report.findings:
            number += 1
            listed = FindingRow(number, department or "", name, f.sheet or "", f.cell or "", f.severity, f.code,
                                f.message)
            rows.add(table.values(listed), alert if f.severity is Severity.ERROR else plain)
    for f in task_findings:
        number += 1
        listed = FindingRow(number, f.department or "", f.file, f.sheet or "", f.cell or "", f.severity, f.code,
                            f.message)
        rows.add(table.values(listed), alert if f.severity is Severity.ERROR else plain)
    for s in result.skipped:
        if s.code is not None:  # unreadable files: their finding is listed above
            continue
        number += 1
        rows.add(table.values(FindingRow(number, "", s.file, "", "", None, "", s.reason)), plain)
    freeze_below(ws, 2)
    setup_print(ws, "2:2")
    ws.auto_filter.ref = f"A2:{get_column_letter(last)}{max(rows.last_row, 2)}"
    return rows


# ---------------------------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------------------------

# zlib's fastest level: sheet XML still shrinks about fivefold, at a third of the default's time.
COMPRESS_LEVEL = 1
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _splice(package: bytes, bulk: Sequence[_Rows], *, core: bytes, stamp: dt.datetime, out: BinaryIO) -> None:
    """openpyxl's package with the bulk rows inserted and fixed timestamps (same input, same bytes),
    written to ``out``; the rows are encoded and compressed a slice at a time, and let go."""
    parts = {rows.ws.path.lstrip("/"): rows for rows in bulk if rows.ws is not None}
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            rows = parts.get(info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.external_attr = 0o600 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            member._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]  # as writestr sets it
            if rows is not None and not rows.empty:
                end = data.index(b"</sheetData>")
                ref = f"A1:{rows.letters[-1]}{rows.last_row}".encode()
                head = _DIMENSION.sub(b'<dimension ref="' + ref + b'"/>', data[:end], count=1)
                with dst.open(member, "w") as sheet:
                    sheet.write(head)
                    rows.drain(sheet)
                    sheet.write(data[end:])
                continue
            if info.filename == "docProps/core.xml":
                data = core
            dst.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
