"""The consolidated workbook of a merged month: 汇总, 台账 and 问题清单 sheets.

* 汇总: title, 填报日期, the summary sentence, a table by department (items, stars, sources,
  colours, on time / late / missing, errors), a total row, the notes (the sources note first) and a
  native stacked bar chart of the colours with data labels (on a page of its own if it would be cut).
* 台账: every item of every readable workbook in 附件2's columns, a sub-heading row per department
  (roster order, then the others); open items numbered 1…N across the centre (N is the sentence's
  total), closed (销号) items after them all, greyed and unnumbered; 进度评价 filled with the one
  standard colour and led by 【蓝】/【黄】/【红】; the departments' extra columns in 备注; the cells a
  finding is about hatched, with the message in a comment.
* 问题清单: every finding (Chinese first: department, 工作事项, level, message; then cell and file,
  the sheet only when some finding is on another sheet, the code last); the files passed over.

Printable as it is (A4 or A3 landscape, header repeated, fit to width: 台账 at 100%) and deterministic: the same
merge gives the same bytes. A department's text is always written as text, never as a formula.

Speed: a month of sixty workbooks has ten thousand item rows. openpyxl's cell objects and
writer would take longer than reading the inboxes, so the item rows of 台账 and 问题清单 are
rendered straight to sheet XML (inline strings, the same ``<c t="inlineStr">`` openpyxl writes)
with styles registered in openpyxl's own style table, and spliced into the package openpyxl
saved for everything else (titles, headers, print setup, merges, the chart).
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import math
import operator
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from pathlib import Path
from typing import IO, BinaryIO, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.comments.shape_writer import _shape_factory
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element, SubElement, tostring

from .. import rules, tables
from ..config import Config
from ..fileio import atomic_write
from ..merge import CREATOR, FINDINGS_SHEET, LEDGER_SHEET, SUMMARY_SHEET  # defined once, with the reader
from ..models import Colour, DepartmentEntry, FileReport, Finding, Item, MergeResult, Severity
from ..rules import STANDARD_FILLS, XML_ILLEGAL, format_date_cn, iso_date_cn, month_cn, xml_escape
from ..tables import Column, FindingRow, LedgerRow, SummaryRow, Table
from .xlsx_common import (
    BODY_FONT,
    BODY_FONT_NAME,
    BOLD_BODY_FONT,
    FORMULA_TRIGGERS,
    HEADER_FILL,
    HEADER_FONT,
    MARGINS,
    MAX_CELL_CHARS,
    PAPER_POINTS,
    TITLE_FONT,
    column_width,
    fill_for,
    freeze_below,
    merge_cells,
    merged_text,
    print_scale,
    row_height_for,
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

_Look = tuple[str, str | None, str]  # a cell's align, fill and font
_FindingKey = tuple[str, str | None, str | None, str]  # a finding's code, sheet, cell and message


def _finding_key(f: Finding) -> _FindingKey:
    return f.code, f.sheet, f.cell, f.message

# A cell of 台账 that a finding is about: hatched in dark grey over its own fill (visible in a
# greyscale print too), with the finding's message in a comment. Grey, not red: LibreOffice prints a
# red hatch on white as a pale pink that reads like a red 进度评价 mark, which no legend colour is.
MARK_PATTERN = "lightUp"
MARK_COLOUR = "595959"
HEADING_FILL = "EDEDED"  # a department's sub-heading row in 台账
# A3 landscape is about 1.46 times as wide as A4 landscape: 台账's columns widen by this much.
A3_WIDEN = 1.4


def write_consolidated(result: MergeResult, path: Path, *, config: Config, refuse: Sequence[Path]) -> Path:
    """Write the month's consolidated workbook to ``path`` (atomically; never over an input)."""
    return ConsolidatedWriter(config).write(result, path, refuse=refuse)


def consolidated_bytes(result: MergeResult, *, config: Config) -> bytes:
    """The consolidated workbook as the bytes of an .xlsx file."""
    return ConsolidatedWriter(config).to_bytes(result)


def ledger_widths(config: Config) -> list[float]:
    """台账's column widths for the configured paper (A4 as declared, A3 wider but for 序号)."""
    widths = tables.LEDGER.widths
    if config.paper == "A3":
        return [w if c.place else round(w * A3_WIDEN) for c, w in zip(tables.LEDGER.columns, widths, strict=True)]
    return list(widths)


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
        # on the row's place (序号), and a value function and a look for each of the others.
        self.ledger: Table[LedgerRow] = tables.LEDGER
        columns = self.ledger.columns
        self._head = next((i for i, c in enumerate(columns) if not c.place), len(columns))
        if self._head != 1 or any(c.place for c in columns[self._head:]):
            raise ValueError("台账: the one column that depends on a row's place (序号) must come first")
        self._keys = {c.key: i for i, c in enumerate(columns)}
        # The row's values read at once: the fields shown as they are by one getter of the item's
        # fields (with a stand-in where the value is worked out), then the worked-out ones.
        core = columns[self._head:]
        fields = [c.field or core[0].field or "name" for c in core]
        self._fields: Callable[[dict[str, object]], tuple[object, ...]] = (
            operator.itemgetter(*fields) if len(fields) > 1 else lambda d: (d[fields[0]],))
        self._worked_out = tuple((i, c.value) for i, c in enumerate(core) if c.field is None)
        self._looks = _ledger_looks(columns)
        self._core_looks = {key: looks[self._head:] for key, looks in self._looks.items()}
        # Every look an item cell can have, registered up front in a fixed order: reports are
        # prepared in whatever order they are read, and the style table must not depend on it.
        for looks in self._looks.values():
            for look in looks:
                for marked in (False, True):
                    look_ = _marked(look) if marked else look
                    self.styles.get(*look_, False)
                    self.styles.get(*look_, True)
        self.styles.get("left", HEADING_FILL, "heading")
        self.widths = ledger_widths(config)
        self._prepared: dict[str, list[_Prepared]] = {}
        self._named: dict[str, dict[_FindingKey, str]] = {}
        self._core = _Rows(None, 0, self.widths)
        self._raw_budget = [_Block.RAW_BUDGET]  # bytes of rows its blocks may still keep uncompressed

    def prepare(self, report: FileReport) -> None:
        """Render the item rows of one department's report (cells 工作事项…备注, row number open).

        What the 台账 and 问题清单 sheets need of the items is kept with the rows: the caller may
        let the report's items go once it is prepared."""
        if report.usable:
            self._prepared[report.file], self._named[report.file] = self._core_rows(report)

    def _core_rows(self, report: FileReport) -> tuple[list[_Prepared], dict[_FindingKey, str]]:
        """The rendered rows of a report's items, and the 工作事项 of each finding about an item.

        (By the finding itself, not its place: the merge adds findings of its own after this.)"""
        out = []
        first, looks, render, styles = self._head, self._core_looks, self._core.cells, self.styles
        fields, worked_out = self._fields, self._worked_out
        core_sids = {kind: self._core.sids(styles, look) for kind, look in looks.items()}
        targets = finding_targets(report)
        marks: dict[int, dict[int, list[str]]] = {}
        block, rendered = _Block(), []
        for f, target in zip(report.findings, targets, strict=True):
            if target is not None:
                index, key = target
                marks.setdefault(index, {}).setdefault(self._keys[key], []).append(f.message)
        rows: list[tuple[list[object], tuple[_Look, ...], list[int] | None]] = []  # each item's values, looks, sids
        for index, it in enumerate(report.items):
            row = LedgerRow(it, 0, "")
            values = list(fields(it.__dict__))
            for at, value in worked_out:
                values[at] = value(row)
            kind = (STANDARD_FILLS.get(it.colour), "grey" if it.closed else "body")
            look = looks[kind]
            sids: list[int] | None = core_sids[kind]
            marked = marks.get(index)
            if marked:  # the cells a finding is about, hatched
                look = tuple(_marked(x) if first + i in marked else x for i, x in enumerate(look))
                sids = None
            rows.append((values, look, sids))
        # The unmarked rows rendered together when they can be (every look is registered already).
        together = self._core.text_rows([r[2] for r in rows if r[2] is not None],
                                        [cast(list[str], r[0]) for r in rows if r[2] is not None], first, _ROW_TOKEN)
        done = iter(together) if together is not None else None
        for index, (it, (values, look, sids)) in enumerate(zip(report.items, rows, strict=True)):
            if sids is not None and done is not None:
                cells, lines = next(done)
            else:
                cells, lines = render(styles, values, look, first=first, row=_ROW_TOKEN, sids=sids)
            marked = marks.get(index)
            notes = tuple((col, "\n".join(messages)) for col, messages in sorted(marked.items())) if marked else ()
            rendered.append(cells)
            out.append(_Prepared(block, index, lines, it, notes))
        block.hold(rendered, self._raw_budget)
        names = {_finding_key(f): report.items[t[0]].name
                 for f, t in zip(report.findings, targets, strict=True) if t is not None}
        return out, names

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
        ledger = _LedgerSheet(wb, LEDGER_SHEET)
        wb._add_sheet(ledger)
        findings = wb.create_sheet(FINDINGS_SHEET)
        summary_rows = _summary_sheet(summary, result, config)
        for report in result.reports:  # rows not rendered while the files were read
            if report.usable and report.file not in self._prepared:
                self._prepared[report.file], self._named[report.file] = self._core_rows(report)
        bulk = [self._ledger_sheet(ledger, result), _findings_sheet(findings, result, self.styles, self._named, config)]
        wb.active = 0
        props = wb.properties
        props.creator = CREATOR
        props.lastModifiedBy = CREATOR
        props.title = f"{config.center}重点工作台账汇总（{month_cn(result.month)}）"
        props.created = stamp
        if summary_rows is not None:
            summary_rows.register()  # (as the last thing before wb.save)
        buffer = io.BytesIO()
        _save_stored(wb, buffer)
        props.modified = stamp  # the package gets the merge date
        package = buffer.getvalue()
        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            streamed = ledger.streamed_parts(zf.read)
        inserted = {summary.path.lstrip("/"): (summary_rows.before, summary_rows.xml)} if summary_rows else {}
        _splice(package, bulk, core=tostring(props.to_tree()), stamp=stamp, out=out, streamed=streamed,
                inserted=inserted)

    def _ledger_sheet(self, ws: _LedgerSheet, result: MergeResult) -> _Rows:
        """台账: a sub-heading row per department, its open items numbered 1…N across the centre
        (N is the summary sentence's total), then the closed (已销号) items apart, unnumbered."""
        usable = [r for r in result.reports if r.usable]
        widths = self.widths
        set_widths(ws, widths)
        last = len(widths)
        _title_block(ws, last, f"{self.config.center}重点工作台账（{month_cn(result.month)}）", result)
        write_header(ws, _LEDGER_HEADER_ROW, self.ledger.labels)

        # Where every row goes is decided before the package is written: the sub-headings are
        # merged ranges and the marked cells carry comments, both of which openpyxl writes.
        # A sub-heading (its text), or a department's open or closed items (rows of one _Block).
        plan: list[str | list[_Prepared]] = []
        closed: list[tuple[str, list[_Prepared]]] = []
        for report in usable:
            name = report.department or Path(report.file).name
            prepared = self._prepared.pop(report.file)
            open_rows = [p for p in prepared if not p.closed]
            shut = [p for p in prepared if p.closed]
            plan.append(f"{name}（{len(open_rows)}项）" if open_rows else f"{name}（本月无在账事项）")
            if open_rows:
                plan.append(open_rows)
            if shut:
                closed.append((name, shut))
        if closed:
            total = sum(len(rows) for _, rows in closed)
            plan.append(f"已销号事项（{total}项，不编序号，不计入统计）")
            for name, shut in closed:
                plan.append(f"{name}（已销号{len(shut)}项）")
                plan.append(shut)

        letters = [get_column_letter(c) for c in range(1, last + 1)]
        row = _LEDGER_HEADER_ROW
        for what in plan:
            if isinstance(what, str):
                row += 1
                _merge_streamed(ws, f"A{row}:{letters[-1]}{row}")
                continue
            for p in what:
                row += 1
                for col, message in p.notes:
                    ws.add_streamed_comment(f"{letters[col]}{row}", message)

        rows = _Rows(ws, _LEDGER_HEADER_ROW + 1, widths, self.styles)
        rows.stream(self._ledger_rows(plan, letters), row - _LEDGER_HEADER_ROW)
        freeze_below(ws, _LEDGER_HEADER_ROW)
        setup_print(ws, f"{_LEDGER_HEADER_ROW}:{_LEDGER_HEADER_ROW}", paper=self.config.paper)
        ws.auto_filter.ref = f"A{_LEDGER_HEADER_ROW}:{letters[-1]}{max(rows.last_row, _LEDGER_HEADER_ROW)}"
        return rows

    def _ledger_rows(self, plan: list[str | list[_Prepared]], letters: list[str]) -> Iterator[bytes]:
        """The rows' XML, rendered while the package is written (every style is registered already).

        In UTF-8, as the departments' rows are kept (``_Block``) and as they are written."""
        styles = self.styles
        heading = styles.get("left", HEADING_FILL, "heading")
        body, grey = (str(styles.get(self.ledger.columns[0].align, None, font)).encode() for font in ("body", "grey"))
        number = 0
        row = _LEDGER_HEADER_ROW
        for index, what in enumerate(plan):
            plan[index] = ""  # rows written are let go
            if isinstance(what, str):
                row += 1
                r = str(row)
                title = xml_escape(str(safe_value(what) or ""))
                cells = f'<c r="A{r}" s="{heading}" t="inlineStr"><is><t>{title}</t></is></c>' + "".join(
                    f'<c r="{letter}{r}" s="{heading}"/>' for letter in letters[1:])
                yield _row_xml(r, cells, 1).encode("utf-8")
                continue
            # A department's open or closed items: rows of one block, unpacked while they are written.
            block = what[0].block
            data, ends = block.unpack(), block.ends
            for p in what:
                row += 1
                at = p.index
                rb = b"%d" % row
                cells_b = data[ends[at - 1] if at else 0:ends[at]].replace(_ROW_TOKEN_B, rb)
                # _row_xml, with the 序号 cell, in one go
                height = _HEIGHTS_B.get(p.lines) or _row_height(p.lines).encode()
                if p.closed:
                    yield b'<row r="%b" ht="%b" customHeight="1"><c r="A%b" s="%b"/>%b</row>' % (
                        rb, height, rb, grey, cells_b)
                else:
                    number += 1
                    yield b'<row r="%b" ht="%b" customHeight="1"><c r="A%b" s="%b" t="n"><v>%d</v></c>%b</row>' % (
                        rb, height, rb, body, number, cells_b)
            block.release()


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


def _summary_sheet(ws: Worksheet, result: MergeResult, config: Config) -> _SummaryRows | None:
    """汇总; its rows by department when they are spliced into the sheet openpyxl writes."""
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
            merge_cells(ws, _GROUP_ROW, col, _GROUP_ROW, col + span - 1)
            for offset, sub in enumerate(group):
                cell = set_text(ws.cell(_SUB_ROW, col + offset), sub.label)
                if sub.colour is not None:
                    colour_cols.append(col + offset)
                    colours.append(sub.colour)
                    fill = fill_for(sub.colour)
                    if fill is not None:
                        cell.fill = fill
        else:
            merge_cells(ws, _GROUP_ROW, col, _SUB_ROW, col)
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
    by_department: list[list[tuple[object, str]]] = []  # a row by department: each cell's value and look
    for number, (department, entry) in enumerate(_summary_rows(result, config), start=1):
        data = tables.summary_row(number, department, entry)
        cells = []
        for c_index, value_of in enumerate(values_of):
            value = value_of(data)
            look = aligns[c_index]
            if status[c_index] and value in looks:
                look = str(value)
            cells.append((value, look))
        by_department.append(cells)
    streamed = _SummaryRows.of(ws, _FIRST_ROW, by_department, looks)
    if streamed is None:  # openpyxl writes them
        for row, cells in enumerate(by_department, start=_FIRST_ROW):
            for c_index, (value, look) in enumerate(cells, start=1):
                set_text(ws.cell(row, c_index), value)._style = copy(looks[look])
            ws.row_dimensions[row].height = _SummaryRows.HEIGHT
    row = _FIRST_ROW + len(by_department)
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
        merge_cells(ws, row, 1, row, span)
    ws.row_dimensions[row].height = 20
    row += 2

    for line in _summary_notes(result, config):
        merged_text(ws, row, 1, last, line)
        row += 1

    if last_data >= _FIRST_ROW and colour_cols:
        # The chart is never cut by a page break: under the table when there is room for it on
        # that page (as tall as the room, up to its full height), else at the top of a page of its own.
        room = _room_left(ws, row, page=_page_height(config.paper) / print_scale(widths, config.paper),
                          streamed=streamed.heights() if streamed is not None else None)
        height = min(CHART_HEIGHT_CM, room / 72 * 2.54 - 0.3)
        if height < CHART_MIN_HEIGHT_CM:
            ws.row_breaks.append(Break(id=row - 1))
            height = CHART_HEIGHT_CM
        _colour_chart(ws, colour_cols, colours, last_data, anchor_row=row, width_units=sum(widths[1:]) - 0.5,
                      height=height)

    freeze_below(ws, _SUB_ROW)
    setup_print(ws, f"{_GROUP_ROW}:{_SUB_ROW}", paper=config.paper)
    return streamed


class _SummaryRows:
    """汇总's rows by department, rendered as the XML openpyxl would write and spliced into its sheet:
    openpyxl's cell objects for sixty rows of nineteen cells, and its writing them, cost more than
    the rest of the sheet.

    Only a table whose every value openpyxl writes as it is goes this way (``of``): a whole number,
    nothing, or text with nothing to escape, no whitespace at its ends and none but spaces within;
    any other table is written by openpyxl, cell by cell. The XML is lxml's of openpyxl's cells: a
    number ``t="n"`` in ``<v>``, text ``t="inlineStr"`` with each character beyond ASCII a decimal
    character reference, an empty cell ``<c …></c>``; the cells' style ids are registered in the
    order wb.save registers them (``register``)."""

    HEIGHT = 20  # points, each row

    def __init__(self, ws: Worksheet, first_row: int, table: list[list[tuple[object, str]]],
                 looks: dict[str, StyleArray]) -> None:
        self.ws, self.first_row, self.table, self.looks = ws, first_row, table, looks
        self.xml = b""

    @classmethod
    def of(cls, ws: Worksheet, first_row: int, table: list[list[tuple[object, str]]],
           looks: dict[str, StyleArray]) -> _SummaryRows | None:
        """The rows to splice, or None when some value is not one openpyxl writes as it is."""
        for cells in table:
            for value, _ in cells:
                if not (value is None or value == "" or type(value) is int
                        or (type(value) is str and _summary_plain(value))):
                    return None
        return cls(ws, first_row, table, looks) if table else None

    def heights(self) -> dict[int, float]:
        """Each row's height (openpyxl has no row dimension for them)."""
        return {self.first_row + i: self.HEIGHT for i in range(len(self.table))}

    @property
    def before(self) -> bytes:
        """Where the rows go in openpyxl's sheet XML: before the row after them (the total row)."""
        return b'<row r="%d"' % (self.first_row + len(self.table))

    def register(self) -> None:
        """Register the cells' styles and render the rows. Called just before wb.save: the cells
        openpyxl writes above the rows register theirs first, as wb.save would, and the cells below
        (and of the other sheets) after them."""
        ws = self.ws
        for (row, _), cell in sorted(ws._cells.items()):
            if row >= self.first_row:
                break
            if cell.has_style:
                cell.style_id  # noqa: B018  # registered now, as wb.save would while writing it
        styles = ws.parent._cell_styles
        sids: dict[str, str] = {}
        letters = [get_column_letter(c) for c in range(1, max(map(len, self.table)) + 1)]
        out = []
        for row, cells in enumerate(self.table, start=self.first_row):
            out.append(f'<row r="{row}" ht="{self.HEIGHT}" customHeight="1">')
            for letter, (value, look) in zip(letters, cells, strict=False):
                sid = sids.get(look)
                if sid is None:
                    sid = sids[look] = str(styles.add(copy(self.looks[look])))
                if value is None or value == "":
                    out.append(f'<c r="{letter}{row}" s="{sid}" t="n"></c>')
                elif type(value) is int:
                    out.append(f'<c r="{letter}{row}" s="{sid}" t="n"><v>{value}</v></c>')
                else:
                    out.append(f'<c r="{letter}{row}" s="{sid}" t="inlineStr"><is><t>{value}</t></is></c>')
            out.append("</row>")
        self.xml = "".join(out).encode("ascii", "xmlcharrefreplace")


# Text of 汇总's table that openpyxl (lxml, ASCII) writes as it is, each character beyond ASCII as a
# character reference: none to escape, no control characters, no whitespace but spaces within.
_SUMMARY_UNPLAIN = re.compile("[&<>\"'\x00-\x1f\x7f-\x9f\ud800-\udfff\U00010000-\U0010ffff]|(?! )\\s")


def _summary_plain(text: str) -> bool:
    return (bool(text) and len(text) <= MAX_CELL_CHARS and text == text.strip()
            and _SUMMARY_UNPLAIN.search(text) is None)


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


SOURCES_NOTE = ("注：一个事项有几个任务来源字母（如“ABC”）的，在每个字母下各计一次，"
                "所以A、B、C、D四栏之和可以大于事项数。")


def _summary_notes(result: MergeResult, config: Config) -> list[str]:
    notes: list[str] = [SOURCES_NOTE]
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
    notes.append(f"校验发现错误{errors}条、提示{warnings}条，逐条列在“问题清单”工作表中，"
                 "所涉单元格在“台账”中以灰色斜纹标出、附批注；"
                 "已销号事项列在“台账”末尾的“已销号事项”部分（灰色），不编序号，不计入统计。")
    return notes


CHART_HEIGHT_CM = 8.0
CHART_MIN_HEIGHT_CM = 5.5  # below this the stacked bars' labels crowd each other


def _room_left(ws: Worksheet, row: int, *, page: float, streamed: dict[int, float] | None = None) -> float:
    """Points left on the printed page below the rows above ``row`` (rows as tall as set, else
    15 pt; a row that does not fit starts a new page under the repeated header rows). ``streamed``:
    the heights of rows openpyxl does not write (their row dimensions are not made)."""
    streamed = streamed or {}
    titles = sum(ws.row_dimensions[r].height or 15 for r in range(_GROUP_ROW, _SUB_ROW + 1))
    used = 0.0
    for r in range(1, row):
        h = streamed.get(r) or ws.row_dimensions[r].height or 15
        used = titles + h if used + h > page else used + h
    return page - used


def _page_height(paper: str) -> float:
    """The printable height of a landscape page, in points, between the top and bottom margins."""
    return PAPER_POINTS[paper][0] - (MARGINS.top + MARGINS.bottom) * 72


def _colour_chart(ws: Worksheet, colour_cols: list[int], colours: list[Colour], last_row: int, *, anchor_row: int,
                  width_units: float, height: float = CHART_HEIGHT_CM) -> None:
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
        # Each segment says its count (a zero says nothing: the format's zero section is empty),
        # so the chart reads in a greyscale print as well.
        series.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False, dLblPos="ctr", numFmt="0;;;")
    # As wide as the table from column B (7 px a column unit at 96 dpi): wider, it would make the
    # page shrink to fit it.
    chart.width = max(12.0, width_units * 7 * 0.75 / 72 * 2.54)
    chart.height = round(height, 1)
    ws.add_chart(chart, f"B{anchor_row}")


# ---------------------------------------------------------------------------------------------
# Rows written as XML (台账 and 问题清单)
# ---------------------------------------------------------------------------------------------


def _fill(fill: str | None) -> PatternFill | None:
    """A solid fill of an RGB colour, or (``!`` + RGB) that colour hatched in dark grey (a marked cell)."""
    if not fill:
        return None
    if fill.startswith("!"):
        return PatternFill(fill_type=MARK_PATTERN, fgColor=MARK_COLOUR, bgColor=fill[1:])
    return PatternFill(fill_type="solid", fgColor=fill)


class _Styles:
    """Cell styles registered in the workbook's own style table, by (align, fill, font, quote)."""

    FONTS = {"body": BODY_FONT, "grey": Font(name=BODY_FONT_NAME, size=11, color=GREY),
             "error": Font(name=BODY_FONT_NAME, size=11, bold=True, color=MISSING_COLOUR),
             "heading": BOLD_BODY_FONT, "code": Font(name=BODY_FONT_NAME, size=9, color=GREY)}

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._ids: dict[tuple[str, str | None, str, bool], int] = {}

    def get(self, align: str, fill: str | None = None, font: str = "body", quote: bool = False) -> int:
        """The ``s`` index of a cell style, registered on first use."""
        key = (align, fill, font, quote)
        sid = self._ids.get(key)
        if sid is None:
            proto = Cell(self.wb.active)
            style_cell(proto, font=self.FONTS[font], align=align, fill=_fill(fill))
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
        self.pending: Iterator[bytes] | None = None
        self.widths = list(widths)
        # Text of at most this many characters fits on one line, whatever its characters.
        self.one_line = [max(int((w - 1.5) // 2), 0) for w in widths]
        self.usable = [max(w - 1.5, 1.0) for w in widths]  # as in _lines
        self._line_specs = list(zip(self.one_line, self.usable, self.widths, strict=True))
        self._line_order: dict[int, list[tuple[int, int, float, float]]] = {}
        self._templates: dict[tuple[object, ...], str] = {}  # _plain_cells' row templates, by shape
        self._text_templates: dict[tuple[int, int, str, tuple[bool, ...]], str] = {}  # text_rows', by which are empty
        self.letters = [get_column_letter(c) for c in range(1, len(widths) + 1)]
        self.parts: list[str] = []
        self.styles = styles
        self._sids: dict[tuple[_Look, ...], list[int]] = {}
        self._tails: dict[tuple[_Look, ...], tuple[list[int], int]] = {}  # add_numbered's, by looks
        # The lines each text wraps to, by column width, for rows whose texts repeat (None: not kept).
        self.wraps: dict[float, dict[str, int]] | None = None

    def cells(self, styles: _Styles, values: Sequence[object], looks: tuple[_Look, ...], *, first: int,
              row: str, sids: list[int] | None = None) -> tuple[str, int]:
        """The XML of consecutive cells from column index ``first`` of row ``row``, and the lines
        of wrapped text the tallest of them needs. ``sids``: the looks' style ids if known, as
        ``sids`` gave them (that list itself: templates are kept by it)."""
        if sids is None:
            sids = self.sids(styles, looks)
        plain = self._plain_cells(sids, values, first, row)
        return plain if plain is not None else self._cells_one_by_one(styles, sids, values, looks, first, row)

    def sids(self, styles: _Styles, looks: tuple[_Look, ...]) -> list[int]:
        """The style ids of ``looks`` (kept: the same list each time)."""
        sids = self._sids.get(looks)
        if sids is None:
            sids = self._sids[looks] = [styles.get(*look) for look in looks]
        return sids

    def _cells_one_by_one(self, styles: _Styles, sids: list[int], values: Sequence[object], looks: tuple[_Look, ...],
                          first: int, row: str) -> tuple[str, int]:
        """``cells``, a cell at a time: for every value, whatever it holds."""
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
                    out.append(f'{head}{sid}" t="inlineStr"><is><t{space}>{xml_escape(text)}</t></is></c>')
                if len(text) > self.one_line[i] or "\n" in text:
                    lines = max(lines, _lines(text, self.widths[i]))
        return "".join(out), lines

    def _plain_cells(self, sids: list[int], values: Sequence[object], first: int, row: str) -> tuple[str, int] | None:
        """``cells`` for the usual row, rendered in one go; None for a row that needs ``cells``' own
        cell-by-cell way. The usual row's values are texts, numbers or empty, and none of its texts
        needs escaping, a quote prefix, xml:space or trimming: one search of the texts joined says so
        (a text that only looks unusual there, such as one holding ``_PLAIN_JOIN``, goes the long way,
        which gives the same XML). Its cells are one template of the row's shape (which cells are
        text, number or empty), filled in by ``%``: the same XML the long way writes, cell by cell."""
        strings = cast(Sequence[str], values)
        # A row of texts only (some empty), as 台账's are: its shape and lines without a loop of its
        # own. (join takes str subclasses too, such as the StrEnums, whose text is their str().)
        try:
            joined = _PLAIN_JOIN.join(["", *strings, ""])
        except TypeError:
            pass
        else:
            if (len(joined) > MAX_CELL_CHARS or _UNPLAIN_CHAR.search(joined) is not None
                    or _UNPLAIN_EDGE.search(joined) is not None):
                return None
            shape = tuple(str if text else None for text in strings)
            return (self._template(sids, first, row, shape) % tuple(filter(None, strings)),
                    self._lines_of(strings, first, "\n" in joined))
        kinds: list[type | None] = []
        texts: list[object] = []
        lines = 1
        one_line, usable = self.one_line, self.usable
        for i, value in enumerate(values, first):
            kind = type(value)
            if kind is str and value:
                text = cast(str, value)
                texts.append(text)
                kinds.append(str)
                if len(text) > one_line[i] or "\n" in text:  # the lines it wraps to (as _lines counts)
                    if "\n" in text:
                        lines = max(lines, _lines(text, self.widths[i]))
                    else:  # _lines of one line, inline: most cells of a ledger wrap
                        n = len(text)
                        wide = (len(text.encode("utf-8")) - n) // 2
                        lines = max(lines, 1, math.ceil(((n - wide) * 1.1 + wide * 2.0) / usable[i]))
            elif value is None or kind is str:
                kinds.append(None)
            elif kind is int or kind is float:
                texts.append(value)
                kinds.append(kind)
            else:
                return None
        joined = _PLAIN_JOIN.join(["", *map(str, texts), ""])
        if (len(joined) > MAX_CELL_CHARS or _UNPLAIN_CHAR.search(joined) is not None
                or _UNPLAIN_EDGE.search(joined) is not None):
            return None
        return self._template(sids, first, row, tuple(kinds)) % tuple(texts), lines

    def text_rows(self, sids: Sequence[list[int]], rows: Sequence[Sequence[str]], first: int, row: str,
                  checked: tuple[list[str], str] | None = None) -> list[tuple[str, int]] | None:
        """``cells`` of many rows of texts (each with its style ids, as ``sids`` gives them), rendered
        together: one join and one search of all their texts (a text's neighbours there are the
        separators around it, as in each row's own), one ``%`` of all their templates. None when
        some value is not a text, or some row is not plain as ``_plain_cells`` judges (or a text
        holds the separator): then each row goes ``cells``' way. (A row whose texts add up to more
        than Excel's limit but none is over it is as ``cells`` writes it: the same XML, a cell at a time.)
        ``checked``: ``plain_texts(rows)``, when the caller has it."""
        if not rows:
            return []
        if checked is None:
            checked = self.plain_texts(rows)
            if checked is None:
                return None
        texts, joined = checked
        templates = []
        # Keyed by id(ids): every list of ids comes from ``sids``, which keeps each for the writer's life
        # (a list made and let go here could share its id with another, of other styles).
        known = self._text_templates
        for ids, strings in zip(sids, rows, strict=True):
            filled = tuple(map(bool, strings))
            template = known.get((id(ids), first, row, filled))
            if template is None:  # (``_template``'s, by which texts are empty: no shape made for each row)
                template = known[id(ids), first, row, filled] = self._template(
                    ids, first, row, tuple(str if full else None for full in filled))
            templates.append(template)
        cells = (_PLAIN_JOIN.join(templates) % tuple(filter(None, texts))).split(_PLAIN_JOIN)
        breaks = "\n" in joined
        lines_of = self._lines_of
        return list(zip(cells, [lines_of(strings, first, breaks) for strings in rows], strict=True))

    @staticmethod
    def plain_texts(rows: Sequence[Sequence[object]]) -> tuple[list[str], str] | None:
        """``rows``' values one after the other and joined by ``_PLAIN_JOIN``, when every one is a text
        that ``_plain_cells`` would write as it is (see ``text_rows``); else None."""
        texts = list(itertools.chain.from_iterable(rows))
        try:
            joined = _PLAIN_JOIN.join(["", *texts, ""])  # type: ignore[list-item]  # a TypeError says no
        except TypeError:
            return None
        if (joined.count(_PLAIN_JOIN) != len(texts) + 1 or _UNPLAIN_CHAR.search(joined) is not None
                or _UNPLAIN_EDGE.search(joined) is not None
                or (len(joined) > MAX_CELL_CHARS and max(map(len, cast(list[str], texts))) > MAX_CELL_CHARS)):
            return None
        return cast(list[str], texts), joined

    def _template(self, sids: list[int], first: int, row: str, shape: tuple[type | None, ...]) -> str:
        """The ``%`` template of ``_plain_cells``' cells of a shape: each a text (str), a number
        (int, float) or empty (None)."""
        key = (id(sids), first, row, shape)  # sids: held by self._sids as long as this
        template = self._templates.get(key)
        if template is None:
            parts = []
            for offset, cell in enumerate(shape):
                head = f'<c r="{self.letters[first + offset]}{row}" s="{sids[offset]}'
                if cell is None:
                    parts.append(f'{head}"/>')
                elif cell is str:
                    parts.append(f'{head}" t="inlineStr"><is><t>%s</t></is></c>')
                else:
                    parts.append(f'{head}" t="n"><v>%s</v></c>')
            template = self._templates[key] = "".join(parts)
        return template

    def _lines_of(self, texts: Sequence[str], first: int, breaks: bool) -> int:
        """The lines of wrapped text the tallest of ``texts`` (cells from column ``first``) needs, as
        ``_lines`` counts them; ``breaks``: whether any has a line break."""
        lines = 1
        order = self._line_order.get(first) or self._order_lines(first)
        count = len(texts)
        remembered = self.wraps
        for at, short, usable, width in order:
            if at >= count:
                continue
            text = texts[at]
            n = len(text)
            if breaks and "\n" in text:
                lines = max(lines, _lines(text, width))
            elif n > short and n * _MOST_UNITS > lines * usable:  # (else it cannot need more lines)
                if remembered is None:
                    wraps = math.ceil(_units(text) / usable)  # _lines of one line (most cells of a ledger wrap)
                else:  # texts that repeat: counted once a column width
                    known = remembered.get(usable) or remembered.setdefault(usable, {})
                    wraps = known.get(text) or known.setdefault(text, math.ceil(_units(text) / usable))
                if wraps > lines:
                    lines = wraps
        return lines

    def _order_lines(self, first: int) -> list[tuple[int, int, float, float]]:
        """``_lines_of``' columns from ``first``: (offset, one-line length, usable width, width), the
        widest first (its text is likely the tallest, and the narrower ones then need no counting)."""
        specs = [(at, short, usable, width) for at, (short, usable, width) in enumerate(self._line_specs[first:])]
        order = self._line_order[first] = sorted(specs, key=lambda spec: -spec[3])
        return order

    def append(self, cells: str, lines: int) -> None:
        """A row of already rendered cells, tall enough for ``lines`` lines of wrapped text."""
        self.parts.append(_row_xml(str(self.row), cells, lines))
        self.row += 1

    def stream(self, produce: Iterable[bytes], count: int) -> None:
        """``count`` rows (after those appended) whose XML (UTF-8) ``produce`` yields while they are written."""
        self.pending = iter(produce)
        self.row += count

    @property
    def empty(self) -> bool:
        return self.row == self.first_row

    def add(self, values: Sequence[object], looks: tuple[_Look, ...]) -> None:
        """One row from column A: the cells' values and their (align, fill, font) looks."""
        assert self.styles is not None
        # Rendered for the row token, as 台账's rows are: one template serves every row of a shape.
        cells, lines = self.cells(self.styles, values, looks, first=0, row=_ROW_TOKEN)
        self.append(cells.replace(_ROW_TOKEN, str(self.row)), lines)

    def add_numbered(self, number: int, texts: Sequence[object], looks: tuple[_Look, ...]) -> None:
        """``add`` of the row ``[number, *texts]``, as 问题清单's are: a 序号 then (usually) texts only.

        Fast path: the number's cell is written as ``cells`` writes a number, and the texts go
        ``_plain_cells``' one-go way for a row of texts (a row holding a number is otherwise taken
        cell by cell). The same XML as ``add``, which it falls back to for any other row."""
        tail = self._tail(looks)
        plain = self._plain_cells(tail[0], texts, 1, _ROW_TOKEN) if type(number) is int else None
        if plain is None:
            self.add([number, *texts], looks)
            return
        row = str(self.row)
        self.append(f'<c r="A{row}" s="{tail[1]}" t="n"><v>{number}</v></c>' + plain[0].replace(_ROW_TOKEN, row),
                    plain[1])

    def _tail(self, looks: tuple[_Look, ...]) -> tuple[list[int], int]:
        """The style ids of ``looks`` after the first, and the first's (registered on first use)."""
        assert self.styles is not None
        tail = self._tails.get(looks)
        if tail is None:
            first = self.sids(self.styles, looks)[0]  # registered in the columns' order, as ``add`` does
            tail = self._tails[looks] = (self.sids(self.styles, looks[1:]), first)
        return tail

    def add_numbered_rows(self, entries: Sequence[tuple[int, list[object], tuple[_Look, ...]]]) -> None:
        """``add_numbered`` of each (number, texts, looks), all rendered together (``text_rows``) when
        every number is a whole number and every text plain, else each alone. The same XML, and the
        styles registered in the same order: each row's looks, row by row (plain texts register none)."""
        checked = (self.plain_texts([texts for _, texts, _ in entries])
                   if entries and all(type(number) is int for number, _, _ in entries) else None)
        if checked is None:
            for entry in entries:
                self.add_numbered(*entry)
            return
        tails = [self._tail(looks) for _, _, looks in entries]
        done = self.text_rows([tail[0] for tail in tails], [cast(list[str], texts) for _, texts, _ in entries], 1,
                              _ROW_TOKEN, checked)
        assert done is not None
        for (number, _, _), (_, sid), (cells, lines) in zip(entries, tails, done, strict=True):
            row = str(self.row)
            self.append(f'<c r="A{row}" s="{sid}" t="n"><v>{number}</v></c>' + cells.replace(_ROW_TOKEN, row), lines)

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
                out.write(b"".join(chunk))
            self.pending = None


def _row_xml(row: str, cells: str, lines: int) -> str:
    """A ``<row>`` of rendered cells, tall enough for ``lines`` lines of wrapped text."""
    height = _HEIGHTS.get(lines) or _row_height(lines)
    return f'<row r="{row}" ht="{height}" customHeight="1">{cells}</row>'


_HEIGHTS: dict[int, str] = {}  # _row_height's, by lines
_HEIGHTS_B: dict[int, bytes] = {}  # the same in UTF-8


def _row_height(lines: int) -> str:
    """The ``ht`` of a row of ``lines`` lines of wrapped text (kept in ``_HEIGHTS``)."""
    height = _HEIGHTS[lines] = str(min(round(lines * LINE_HEIGHT + 6, 1), MAX_ROW_HEIGHT))
    _HEIGHTS_B[lines] = height.encode()
    return height


# Text that needs more than copying: XML specials, characters Excel forbids, a leading character
# that makes a formula or an error code, whitespace at either end (xml:space), over-long text.
# Text needing more than the plain path: XML escapes, or characters XML cannot hold at all.
_SPECIAL = re.compile("[&<>\r]|" + XML_ILLEGAL.pattern)
_CAREFUL_START = frozenset(" \t\n=+-@#")
# _plain_cells: a row's texts joined by (and between) a character of no meaning here (private use,
# legal in XML), and what makes a row unusual in that string: a _SPECIAL character (one class: a
# single class is searched far faster than _SPECIAL's two), a text starting with a character of
# _CAREFUL_START or ending with whitespace (re's \s is str.isspace's), both found at a separator.
_PLAIN_JOIN = "\ue000"
_UNPLAIN_CHAR = re.compile("[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UNPLAIN_EDGE = re.compile("\ue000(?:[ \t\n=+@#-]|(?<=\\s\ue000))")
LINE_HEIGHT = 11 * 1.5  # points per wrapped line of 11pt text, with room for the CJK fonts LibreOffice substitutes


# The most column units a character can take in _units: 2.45 (a 4-byte UTF-8 character counts 1.5
# wide ones), and a margin for the floating point sum.
_MOST_UNITS = 2.5


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
    # The sentence wraps over the table's width; half a line to spare, as a renderer's fallback
    # font may set it a little wider than estimated.
    width = sum(column_width(ws, c) for c in range(1, last + 1))
    merged_text(ws, 3, 1, last, result.sentence, height=row_height_for(result.sentence, width) + 8)


# ---------------------------------------------------------------------------------------------
# 台账
# ---------------------------------------------------------------------------------------------

_LEDGER_HEADER_ROW = 4
_ROW_TOKEN = "\x00"  # the row number, in prepared cells; never in text (safe_value removes it)
_ROW_TOKEN_B = _ROW_TOKEN.encode()


class _Block:
    """The rendered rows of one department's items, kept (compressed beyond a budget) until they
    are written.

    A row's XML weighs about a kilobyte and the merge holds every row until the workbook is
    written: 300 MB at 300,000 items. Compressed a department at a time (zlib's fastest level)
    they weigh about a tenth of that; ``_ledger_rows`` unpacks one block at a time while it
    writes its rows. The first ``RAW_BUDGET`` bytes of a merge's rows are kept as they are: a
    month of sixty departments is written without compressing and unpacking its rows twice
    (a tenth of the workbook's time), and memory stays bounded however many there are."""

    RAW_BUDGET = 8 << 20  # bytes of a writer's rows kept uncompressed

    __slots__ = ("data", "ends", "raw", "text")

    def __init__(self) -> None:
        self.data = b""
        self.ends = array("L")
        self.raw = False
        self.text: bytes | None = None

    def hold(self, rows: list[str], budget: list[int]) -> None:
        """Keep ``rows`` (each row's cells), in UTF-8 (as they are written): as they are while
        ``budget`` (``[bytes left]``, shared by a writer's blocks) lasts, else compressed."""
        encoded = [r.encode("utf-8") for r in rows]
        data = b"".join(encoded)
        self.ends = array("L", itertools.accumulate(map(len, encoded)))
        if len(data) <= budget[0]:
            budget[0] -= len(data)
            self.data, self.raw = data, True
        else:
            self.data = zlib.compress(data, 1)

    def unpack(self) -> bytes:
        """Every row's cells, one after the other (``ends``: where each row's end), until ``release``."""
        if self.raw:
            return self.data
        text = self.text
        if text is None:
            text = self.text = zlib.decompress(self.data)
        return text

    def release(self) -> None:
        self.text = None


class _Prepared:
    """One item's row of the 台账 sheet, rendered from 工作事项 on (the row number left open, the
    cells kept in its department's ``_Block``), with what the rest of the row needs: whether it
    is closed, and the comments of its marked cells."""

    __slots__ = ("block", "closed", "index", "lines", "notes")

    def __init__(self, block: _Block, index: int, lines: int, it: Item, notes: tuple[tuple[int, str], ...]) -> None:
        self.block, self.index, self.lines, self.closed, self.notes = block, index, lines, it.closed, notes


def _ledger_looks(columns: Sequence[Column[LedgerRow]]) -> dict[tuple[str | None, str], tuple[_Look, ...]]:
    """(align, fill, font) of each 台账 column, by (进度评价 fill, font)."""
    return {
        (fill, font): tuple((c.align, fill if c.coloured else None, font) for c in columns)
        for fill in (None, *STANDARD_FILLS.values()) for font in ("body", "grey")
    }


def _marked(look: _Look) -> _Look:
    """The look of a cell a finding is about: its fill hatched (``!`` + the fill under the hatch)."""
    align, fill, font = look
    return align, "!" + (fill or "FFFFFF"), font


def _merge_streamed(ws: Worksheet, ref: str) -> None:
    """Merge ``ref`` over rows openpyxl does not write (they are streamed): the range only, without
    the cells openpyxl would otherwise create in it (and write as empty rows of its own)."""
    mcr = MergedCellRange(ws, ref)
    # MultiCellRange.add would first look for the range among those merged already, one by one
    # (quadratic in 台账's sub-headings); each sub-heading is a row of its own, merged once.
    ws.merged_cells.ranges.add(mcr)
    ws._cells.pop((mcr.min_row, mcr.min_col), None)


class _LedgerSheet(Worksheet):
    """台账, whose item rows openpyxl never sees: comments on those rows' cells are added here.

    openpyxl writes the comment part and its VML drawing as whole XML trees, some 6 KB of memory
    a comment while it saves (60 MB for ten thousand findings): it is given the first comment
    only, and ``streamed_parts`` writes the two parts with every comment into the package, a
    few at a time, with the same bytes openpyxl would have written (each comment and shape is
    serialised alone by openpyxl's own code, as it does within the whole tree)."""

    def __init__(self, wb: Workbook, title: str) -> None:
        self._streamed_comments: list[tuple[str, str, str]] = []  # (ref, text, height)
        self._heights: dict[str, str] = {}  # a comment's height, by its text
        self._first: CommentRecord | None = None
        super().__init__(parent=wb, title=title)

    @property  # type: ignore[override]
    def _comments(self) -> list[CommentRecord]:
        return self.__dict__["_all_comments"]

    @_comments.setter
    def _comments(self, value: list[CommentRecord]) -> None:
        # openpyxl resets the list before it writes the sheet; the first streamed comment stands
        # for all of them (the cells openpyxl writes here, title and header, have none).
        first = [self._first] if self._first is not None else []
        self.__dict__["_all_comments"] = [*value, *first]

    def add_streamed_comment(self, ref: str, text: str) -> None:
        """A comment on a streamed cell, sized to its text."""
        height = self._heights.get(text)  # (many comments say the same)
        if height is None:
            lines = _lines(text, 44 + 1.5)  # a box 44 units wide inside (_lines takes a column's 1.5 off)
            height = self._heights[text] = f"{min(16 + 14 * lines, 400)}pt"
        self._streamed_comments.append((ref, text, height))
        if self._first is None:
            self._first = self._record(self._streamed_comments[0])
            self.__dict__["_all_comments"].append(self._first)

    @staticmethod
    def _record(comment: tuple[str, str, str], author_id: int = 0) -> CommentRecord:
        ref, text, height = comment
        record = CommentRecord(ref=ref, author=CREATOR)
        record.text.t = text
        record.width, record.height = "240pt", height
        record.authorId = author_id
        return record

    def streamed_parts(self, read: Callable[[str], bytes]) -> dict[str, Iterator[bytes]]:
        """The comment part and VML drawing of this sheet (package path -> their bytes, produced
        while they are written), from the parts openpyxl wrote with the first comment only;
        ``read(path)`` reads a part of openpyxl's package. Empty when the sheet has no comments."""
        first, drawing = self._first, self.legacy_drawing
        if first is None or drawing is None:
            return {}
        number = re.fullmatch(r"xl/drawings/commentsDrawing(\d+)\.vml", drawing)
        if number is None:
            raise RuntimeError(f"台账: unexpected comment drawing {drawing}")
        part = f"xl/comments/comment{number.group(1)}.xml"
        comments, shapes = read(part), read(drawing)
        alone = tostring(first.to_tree())
        if comments.count(b"<comment ") != 1 or comments.count(alone) != 1:
            raise RuntimeError("台账: openpyxl wrote comments other than the streamed ones")
        author_id, streamed = first.authorId, self._streamed_comments

        # Each comment and shape is openpyxl's own XML of it: made by openpyxl for a comment whose
        # text needs escaping or xml:space (and for the first, to check the templates against), and
        # otherwise filled into a template of that same XML (openpyxl's serialisation of each of
        # ten thousand comments would cost more than the rest of the workbook).
        record = _template(tostring(self._record((_MARK[0], _MARK[1], "0pt"), author_id).to_tree()), 2)
        # (A shape's blanks, in the order they are written: its height, its id, its row and column.)
        shaped = _template(shape_alone(_MARK[2], _MARK[3], _MARK[0], _MARK[1]), 4)

        def comment(c: tuple[str, str, str]) -> str:
            if _plain_text(c[1]):
                return record % (c[0], c[1])
            return bytes(tostring(self._record(c, author_id).to_tree())).decode("utf-8")

        def shape(index: int, c: tuple[str, str, str]) -> str:
            row, col = coordinate_to_tuple(c[0])
            return shaped % (c[2], f"_x0000_s{index:04d}", row - 1, col - 1)

        def comment_xml() -> Iterator[bytes]:
            at = comments.index(alone)
            if comment(streamed[0]).encode("utf-8") != alone:
                raise RuntimeError("台账: openpyxl's comment is not as expected")
            yield comments[:at]
            for start in range(0, len(streamed), 256):
                yield "".join(map(comment, streamed[start:start + 256])).encode("utf-8")
            yield comments[at + len(alone):]

        def drawing_xml() -> Iterator[bytes]:
            row, col = coordinate_to_tuple(streamed[0][0])
            alone = shape_alone(row, col, streamed[0][2], _FIRST_SHAPE, minus=1)
            if shapes.count(alone) != 1 or shape(_FIRST_SHAPE, streamed[0]).encode("utf-8") != alone:
                raise RuntimeError("台账: openpyxl's comment drawing is not as expected")
            at = shapes.index(alone)
            yield shapes[:at]
            for start in range(0, len(streamed), 256):
                yield "".join(shape(_FIRST_SHAPE + i, c)
                              for i, c in enumerate(streamed[start:start + 256], start=start)).encode("utf-8")
            yield shapes[at + len(alone):]

        return {part: comment_xml(), drawing: drawing_xml()}


_FIRST_SHAPE = 1026  # openpyxl's ShapeWriter numbers a sheet's comment shapes from 1026
_MARK = ("\ue001", "\ue002", "\ue003", "\ue004")  # a template's blanks, while openpyxl writes it


def shape_alone(row: int | str, col: int | str, height: str, index: int | str, *, minus: int = 0) -> bytes:
    """ShapeWriter.add_comment_shape's shape of a comment on (``row``, ``col``) (1-based with ``minus``
    1), serialised alone (it declares its own namespaces)."""
    if minus:
        row, col = int(row) - minus, int(col) - minus
    element = _shape_factory(row, col, height, "240pt")
    element.set("id", index if isinstance(index, str) else f"_x0000_s{index:04d}")
    return bytes(tostring(element))


def _template(xml: bytes, blanks: int) -> str:
    """openpyxl's ``xml`` of an element made with ``_MARK``'s first ``blanks`` for its variable
    parts, as a ``%`` template of those parts in that order."""
    text = xml.decode("utf-8").replace("%", "%%")
    at = [text.find(mark) for mark in _MARK[:blanks]]
    if any(text.count(mark) != 1 for mark in _MARK[:blanks]) or at != sorted(at):
        raise RuntimeError("台账: openpyxl's comment XML is not as expected")
    for mark in _MARK[:blanks]:
        text = text.replace(mark, "%s")
    return text


def _plain_text(text: str) -> bool:
    """Whether openpyxl writes ``text`` as it is: nothing to escape, no xml:space (its ``whitespace``)."""
    return bool(text) and not text[0].isspace() and not text[-1].isspace() and _UNPLAIN_CHAR.search(text) is None


# Which 台账 column a finding is about, by its code (or the code's area); codes not listed here
# and not about an item cell (the title, the date, the sentence, numbering) mark nothing.
_FINDING_COLUMN = {
    "stars": "stars", "source": "source", "colour": "judgement",
    "rule.should_be_red": "judgement", "rule.should_be_blue": "judgement",
    "rule.top_stars_own_source": "stars", "rule.state_source_one_star": "stars",
    "item.duplicate": "name", "item.struck": "name", "item.hidden": "name", "item.formula_uncached": "name",
    "item.required": "name",
}
_NOT_ITEM_AREAS = frozenset({"file", "sheet", "header", "summary", "date", "numbering", "task"})
_CELL_ROW = re.compile(r"^\$?[A-Za-z]{1,3}\$?(\d+)")


def finding_targets(report: FileReport) -> list[tuple[int, str] | None]:
    """For each finding of ``report``, the item it is about (its index in ``report.items``) and the
    台账 column to mark; None for a finding about no item cell.

    An item spans the rows from its first to the next item's; a finding on a row-wide matter
    (struck, hidden) or of a code not known here must be on the item's first row."""
    items = report.items
    order = sorted(range(len(items)), key=lambda i: items[i].row)
    firsts = [items[i].row for i in order]
    out: list[tuple[int, str] | None] = []
    for f in report.findings:
        area = f.code.split(".", 1)[0]
        m = _CELL_ROW.match(f.cell or "")
        if (m is None or area in _NOT_ITEM_AREAS or not firsts
                or (f.sheet and report.sheet and f.sheet != report.sheet)):
            out.append(None)
            continue
        row = int(m.group(1))
        at = bisect.bisect_right(firsts, row) - 1
        key = _FINDING_COLUMN.get(f.code) or _FINDING_COLUMN.get(area)
        first_row_only = key is None or f.code in ("item.struck", "item.hidden")
        if at < 0 or (first_row_only and firsts[at] != row):
            out.append(None)
            continue
        if f.code == "item.required":  # the empty field the message names
            key = next((k for k in rules.REQUIRED_FIELDS
                        if rules.COLUMN_BY_KEY[k].label.replace("\n", "") in f.message), "name")
        out.append((order[at], key or "name"))
    return out


# ---------------------------------------------------------------------------------------------
# 问题清单
# ---------------------------------------------------------------------------------------------


_FINDINGS_BATCH = 512  # 问题清单 rows rendered together (``_Rows.add_numbered_rows``)


def _findings_sheet(ws: Worksheet, result: MergeResult, styles: _Styles, named: dict[str, dict[_FindingKey, str]],
                    config: Config) -> _Rows:
    """问题清单: Chinese first (部室, 工作事项, 级别, 问题与改法), the cell and file, the code last; the
    工作表 column only when some finding is on a sheet other than the one its ledger was read from."""
    table = tables.FINDINGS

    def elsewhere(report: FileReport, f: Finding) -> bool:
        return bool(f.sheet and report.sheet and f.sheet != report.sheet)

    show_sheet = any(elsewhere(r, f) for r in result.reports for f in r.findings)
    columns = [c for c in table.columns if c.key != "sheet" or show_sheet]
    widths = [c.width for c in columns]
    plain = tuple((c.align, None, "code" if c.key == "code" else "body") for c in columns)
    alert = tuple((c.align, None, "error" if c.kind == "severity" else look[2]) for c, look in zip(columns, plain,
                                                                                                strict=True))
    set_widths(ws, widths)
    last = len(widths)
    task_findings = result.tasks.findings if result.tasks is not None else []  # 应纳未纳 (merge --tasks)
    errors = sum(len(r.errors) for r in result.reports) + sum(f.severity is Severity.ERROR for f in task_findings)
    warnings = sum(len(r.warnings) for r in result.reports) + sum(f.severity is Severity.WARNING
                                                                  for f in task_findings)
    merged_text(ws, 1, 1, last, f"问题清单（{month_cn(result.month)}：错误{errors}条、提示{warnings}条）",
                font=TITLE_FONT, align="center", height=40)
    write_header(ws, 2, [c.label for c in columns])
    rows = _Rows(ws, 3, widths, styles)
    rows.wraps = {}  # findings of one code say the same, and name the same few files and items
    # 序号 first, as declared: its rows go _Rows' way for a number and texts.
    values_of = [c.value for c in columns[1:]] if columns[0].key == "number" else None
    # Rendered together a batch at a time: a month of 300,000 items has tens of thousands of
    # findings, whose rows all at once would hold 50 MB more at the merge's peak.
    numbered: list[tuple[int, list[object], tuple[_Look, ...]]] = []

    def add(listed: FindingRow, looks: tuple[_Look, ...]) -> None:
        if values_of is not None:
            numbered.append((listed.number, [value(listed) for value in values_of], looks))
            if len(numbered) >= _FINDINGS_BATCH:
                rows.add_numbered_rows(numbered)
                numbered.clear()
        else:
            rows.add([c.value(listed) for c in columns], looks)

    number = 0
    for report in result.reports:
        name = Path(report.file).name
        department = report.department if report.usable else ""
        items = named.get(report.file, {})
        for f in report.findings:
            item_name = items.get(_finding_key(f), "")
            number += 1
            listed = FindingRow(number, department or "", name, (f.sheet or "") if elsewhere(report, f) else "", f.cell or "",
                                f.severity, f.code, f.message, item_name)
            add(listed, alert if f.severity is Severity.ERROR else plain)
    for f in task_findings:  # 应纳未纳: the task itself is what the row is about
        number += 1
        listed = FindingRow(number, f.department or "", f.file, f.sheet or "", f.cell or "", f.severity, f.code,
                            f.message, f.value or "")
        add(listed, alert if f.severity is Severity.ERROR else plain)
    for s in result.skipped:
        if s.code is not None:  # unreadable files: their finding is listed above
            continue
        number += 1
        add(FindingRow(number, "", s.file, "", "", None, "", s.reason), plain)
    rows.add_numbered_rows(numbered)
    freeze_below(ws, 2)
    setup_print(ws, "2:2", paper=config.paper)
    ws.auto_filter.ref = f"A2:{get_column_letter(last)}{max(rows.last_row, 2)}"
    return rows


# ---------------------------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------------------------

class _SheetWriter(WorksheetWriter):
    """openpyxl's writer of a worksheet, its merged ranges' element made at once (openpyxl parses each
    range again into a MergeCell and serialises it field by field: 台账 has a range per sub-heading)."""

    def write_merged_cells(self) -> None:
        ranges = list(self.ws.merged_cells)  # in the order openpyxl writes them
        if not ranges or any(r.title for r in ranges):  # (a range with a sheet name: openpyxl's way)
            super().write_merged_cells()
            return
        element = Element("mergeCells", {"count": str(len(ranges))})
        for r in ranges:
            SubElement(element, "mergeCell", {"ref": r.coord})
        self.xf.send(element)


class _StoredWriter(ExcelWriter):
    """openpyxl's writer of a package, each worksheet's XML made in memory (openpyxl writes it to a
    temporary file, reads it back and deletes it)."""

    def write_worksheet(self, ws: Worksheet) -> None:
        # ExcelWriter.write_worksheet of openpyxl 3.1 (not write-only), with an in-memory stream.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        out = io.BytesIO()
        writer = _SheetWriter(ws, out)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], out.getvalue())
        self.manifest.append(ws)


def _save_stored(wb: Workbook, out: BinaryIO) -> None:
    """``wb.save(out)`` (the same parts), its parts stored uncompressed: ``_splice`` compresses every
    part anyway, and would otherwise inflate what openpyxl deflated. (``docProps/core.xml`` is
    replaced there too: the stamp of "now" openpyxl gives it is not set.)"""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        _StoredWriter(wb, archive).write_data()


# zlib's fastest level: sheet XML still shrinks about fivefold, at a third of the default's time.
COMPRESS_LEVEL = 1
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _splice(package: bytes, bulk: Sequence[_Rows], *, core: bytes, stamp: dt.datetime, out: BinaryIO,
            streamed: dict[str, Iterator[bytes]] | None = None,
            inserted: dict[str, tuple[bytes, bytes]] | None = None) -> None:
    """openpyxl's package with the bulk rows inserted and fixed timestamps (same input, same bytes),
    written to ``out``; the rows are encoded and compressed a slice at a time, and let go.
    ``inserted``: a part's XML to put before the first occurrence of a marker (part -> marker, XML)."""
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
            if streamed and info.filename in streamed:  # 台账's comments, written a few at a time
                with dst.open(member, "w") as part:
                    for chunk in streamed.pop(info.filename):
                        part.write(chunk)
                continue
            if inserted and info.filename in inserted:
                before, xml = inserted[info.filename]
                at = data.index(before)
                data = data[:at] + xml + data[at:]
            if info.filename == "docProps/core.xml":
                data = core
            elif info.filename.startswith("xl/charts/"):  # openpyxl omits it; LibreOffice needs it
                data = data.replace(b'<numFmt formatCode="0;;;"/>', b'<numFmt formatCode="0;;;" sourceLinked="0"/>')
            dst.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
