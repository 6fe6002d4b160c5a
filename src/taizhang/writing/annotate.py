"""``validate --annotate``: a copy of a department's workbook with each finding on its cell.

The copy goes back to the department: a printable 问题清单 as its first sheet (each finding in Chinese,
its cell, the 工作事项 it is about, what to do), then the department's own sheets, every finding a
comment on its cell (the box sized to its text) and the cell outlined in red (errors) or orange
(hints), so the clerk sees in Excel/WPS exactly where to fix what. A file with nothing found gets
no copy: there is nothing to send back. The input is never touched; an .xls comes back as an
.xlsx that keeps its formatting and page setup (``xls_copy``).
"""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .. import rules
from ..errors import TaizhangError
from ..findings import CODES
from ..models import FileReport, Finding, Severity
from ..reading.gate import read_workbook
from ..reading.grid import RawWorkbook, split_ref
from .selfcheck import add_self_checks
from .xlsx_common import (
    BOLD_BODY_FONT,
    NOTE_FONT,
    TITLE_FONT_NAME,
    atomic_save,
    freeze_below,
    merged_text,
    row_height_for,
    set_text,
    set_widths,
    setup_print,
    style_cell,
    text_units,
    write_header,
)

_RED = Side(style="medium", color="FF0000")
_ORANGE = Side(style="medium", color="FFA500")
# openpyxl creates an object for every cell of a merged range: a range drawn to row 300,000,000
# would take minutes and gigabytes. A ledger's merged cells cover a few thousand at most.
MAX_MERGED_AREA = 200_000
_BAD_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")


def annotated_name(src: Path) -> str:
    return f"{src.stem}（问题标注）.xlsx"


# Findings that ask nothing of the department: which month sheet of a workbook was read. Shown in
# a copy made for other findings, but never the reason to send a file back.
NOT_SENT_BACK = frozenset({"sheet.month_chosen"})


def needs_copy(report: FileReport) -> bool:
    """Whether ``report`` is worth a copy: a readable file with at least one finding (error or
    hint) the department should act on. A clean file is not sent back."""
    return report.usable and any(f.code not in NOT_SENT_BACK for f in report.findings)


def write_annotated(report: FileReport, src: Path, outdir: Path, *, refuse: Sequence[Path] = (),
                    taken: set[Path] | None = None) -> Path:
    """Write ``outdir/<name>（问题标注）.xlsx`` with the report's findings as comments.

    ``refuse``: every input of the call, none of which may be written over; ``taken``: names
    already written in this call (two inputs of the same name from different folders get
    ``…（问题标注）2.xlsx``), updated here.
    """
    book = read_workbook(src)  # quick, bounded: refuse what openpyxl would choke on before it tries
    for raw in book.sheets:
        if raw.merged_area > MAX_MERGED_AREA:
            raise TaizhangError(
                f"无法为 {src.name} 生成标注副本：工作表“{raw.name}”的合并单元格覆盖了 {raw.merged_area:,} 个单元格"
                f"（超过 {MAX_MERGED_AREA:,} 个，例如整列合并到了表格之外很远的地方）。请在 Excel/WPS 中取消这些多余的合并后再试。")
    outdir.mkdir(parents=True, exist_ok=True)
    wb = _load_copy(src, book)
    _drop_unwritable_dates(wb)
    sheet_name: str = report.sheet if report.sheet is not None and report.sheet in wb.sheetnames \
        else wb.sheetnames[0]
    if book.format == "xls":
        _restore_self_checks(wb[sheet_name], report)
    by_cell: dict[tuple[str, str], list[str]] = defaultdict(list)
    worst: dict[tuple[str, str], Severity] = {}
    for f in report.findings:
        sheet = f.sheet if f.sheet is not None and f.sheet in wb.sheetnames else sheet_name
        key = (sheet, f.cell or "A1")
        level = "错误" if f.severity is Severity.ERROR else "提示"
        by_cell[key].append(f"【{level}】{f.message}")
        if worst.get(key) is not Severity.ERROR:
            worst[key] = f.severity
    # Comments live on a merged range's anchor: findings of one merged cell share one comment.
    targets: dict[tuple[str, str], tuple[Cell, list[str]]] = {}
    severity: dict[tuple[str, str], Severity] = {}
    for (sheet, ref), messages in by_cell.items():
        cell = _writable_cell(wb[sheet], ref)
        key = (sheet, cell.coordinate)
        targets.setdefault(key, (cell, []))[1].extend(messages)
        if severity.get(key) is not Severity.ERROR:
            severity[key] = worst[(sheet, ref)]
    for key, (cell, messages) in targets.items():
        text = "\n".join(messages)
        comment = Comment(text, "taizhang")
        comment.width, comment.height = comment_size(text)
        cell.comment = comment
        side = _RED if severity[key] is Severity.ERROR else _ORANGE
        cell.border = Border(left=side, right=side, top=side, bottom=side)
    _problem_sheet(wb, report, src, sheet_name)
    taken = set() if taken is None else taken
    target = outdir / annotated_name(src)
    n = 2
    while target.resolve() in taken or any(_same(target, p) for p in refuse):
        target = outdir / f"{src.stem}（问题标注）{n}.xlsx"
        n += 1
    taken.add(target.resolve())
    return atomic_save(wb, target, refuse=[src, *refuse])


def _writable_cell(ws: Worksheet, ref: str) -> Cell:
    """The cell that can carry the comment of ``ref``: itself, or the anchor of the merged range it
    lies in. Overlapping merged ranges (which Excel repairs) can leave no such cell: then the first
    free cell right of the table, so that the finding is still shown."""
    cell = ws[ref]
    seen: set[str] = set()
    while isinstance(cell, MergedCell) and cell.coordinate not in seen:
        seen.add(cell.coordinate)
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng and (rng.min_row, rng.min_col) != (cell.row, cell.column):
                cell = ws.cell(rng.min_row, rng.min_col)
                break
        else:
            break
    if isinstance(cell, MergedCell):
        cell = ws.cell(cell.row, ws.max_column + 1)
    return cell


def _drop_unwritable_dates(wb: Workbook) -> None:
    """A date cell (``t="d"``) holding no date (an empty ``<v/>``, text) loads but cannot be saved by
    openpyxl: keep what it says as text, or nothing, so that the copy can be written."""
    import datetime as dt

    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            if cell.data_type == "d" and not isinstance(cell.value, dt.datetime | dt.date | dt.time | dt.timedelta):
                cell.value = None if cell.value in (None, "") else str(cell.value)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop among the inputs
        return False


def _restore_self_checks(ws: Worksheet, report: FileReport) -> None:
    """An .xls of the self-checking template (a prepared ledger saved as .xls) comes back from its
    cells only: the 评价颜色 list, the colours it paints in 进度评价 and the summary formula are
    lost, so the copy the department corrects would show its chosen colours unpainted. Put them
    back; the sentence becomes the formula again only where it agreed with the table (a sentence
    we flag stays as written, so the comment on it still makes sense)."""
    header = next((c for row in ws.iter_rows(max_row=min(ws.max_row, 30)) for c in row
                   if isinstance(c.value, str) and rules.normalise_label(c.value) == rules.CHOICE_LABEL), None)
    rows = [it.row for it in report.items]
    if header is None or not rows or min(rows) <= header.row:
        return
    flagged = {f.cell for f in report.findings if f.code.startswith("summary.") and f.cell}
    kept = {c.coordinate: c.value for row in ws.iter_rows(max_row=header.row - 1) for c in row
            if c.coordinate in flagged}
    add_self_checks(ws, header.row + 1, max(rows))
    for ref, value in kept.items():
        ws[ref].value = value


def _load_copy(src: Path, book: RawWorkbook) -> Workbook:
    """The workbook as it is (formulas kept) for .xlsx; for .xls an .xlsx rebuilt from the cells
    (``book``) with the .xls's formatting and page setup."""
    if src.suffix.lower() != ".xls":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return openpyxl.load_workbook(src, keep_links=False)
            except Exception:  # noqa: BLE001  e.g. an .xls with an .xlsx name: rebuild below
                pass
    if book.format == "xls":
        from .xls_copy import xls_copy

        return xls_copy(src, book)
    wb = Workbook()
    wb.remove(wb.active)
    for raw in book.sheets:
        # A name Excel would not allow (a hand-made .xls) must not stop the copy.
        ws = wb.create_sheet(_BAD_SHEET_CHARS.sub("_", raw.name)[:31] or "Sheet")
        if not raw.visible:
            ws.sheet_state = "hidden"
        for (r, c), cell in raw.cells.items():
            target = ws.cell(r, c)
            set_text(target, cell.value)
            if cell.fill:
                target.fill = PatternFill(fill_type="solid", fgColor=cell.fill)
        for r1, c1, r2, c2 in raw.merged:
            if (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    return wb


# --------------------------------------------------------------------------------------------
# Comment boxes
# --------------------------------------------------------------------------------------------

# Excel and WPS draw comments in a 9pt font (宋体/Tahoma): a Chinese character is about 12 px
# wide, a Latin one about 7. The box (openpyxl writes its size in CSS px into the VML drawing) is
# as wide as the longest paragraph up to a readable measure, and as tall as the wrapped text: the
# fixed box cut long messages off and left short ones mostly empty.
_COMMENT_UNIT_PX = 6.4  # per text_units unit (a Chinese character is 2 units)
_COMMENT_LINE_PX = 18
_COMMENT_PADDING_PX = 18
_COMMENT_MIN_WIDTH, _COMMENT_MAX_WIDTH = 200, 440
_COMMENT_MIN_HEIGHT, _COMMENT_MAX_HEIGHT = 54, 960


def comment_size(text: str) -> tuple[int, int]:
    """(width, height) in px of a comment box that shows ``text`` whole, wrapped (plus the
    author's line that Excel puts first)."""
    paragraphs = text.split("\n")
    widest = max(text_units(p) for p in paragraphs) * _COMMENT_UNIT_PX + _COMMENT_PADDING_PX
    width = round(min(max(widest, _COMMENT_MIN_WIDTH), _COMMENT_MAX_WIDTH))
    inner = width - _COMMENT_PADDING_PX
    lines = 1 + sum(max(1, math.ceil(text_units(p) * _COMMENT_UNIT_PX / inner)) for p in paragraphs)
    height = round(min(max(lines * _COMMENT_LINE_PX + _COMMENT_PADDING_PX, _COMMENT_MIN_HEIGHT),
                       _COMMENT_MAX_HEIGHT))
    return width, height


# --------------------------------------------------------------------------------------------
# The 问题清单 sheet
# --------------------------------------------------------------------------------------------

PROBLEM_SHEET = "问题清单"
# 序号, 级别, 单元格, 工作事项, 问题, 问题与改法: on A4 portrait at 10pt, fitted to the page width.
_PROBLEM_LABELS = ("序号", "级别", "单元格", "工作事项", "问题", "问题与改法")
_PROBLEM_WIDTHS = (5, 6, 8, 20, 13, 48)
_HEADER_ROW = 3
_ERROR_FONT = Font(name=BOLD_BODY_FONT.name, size=10, bold=True)
_LINK_FONT = Font(name=NOTE_FONT.name, size=10, underline="single", color="0563C1")


def _problem_sheet(wb: Workbook, report: FileReport, src: Path, sheet_name: str) -> Worksheet:
    """A printable list of the findings, the workbook's first sheet."""
    title = PROBLEM_SHEET
    n = 2
    while title in wb.sheetnames:
        title = f"{PROBLEM_SHEET}{n}"
        n += 1
    ws = wb.create_sheet(title, 0)
    # First, so that it prints first; the workbook still opens on the ledger, where the comments
    # are. One selected tab only: several would print as a group.
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ledger = wb[sheet_name]
    ledger.sheet_view.tabSelected = True
    wb.active = wb.worksheets.index(ledger)
    set_widths(ws, _PROBLEM_WIDTHS)
    last = len(_PROBLEM_LABELS)
    merged_text(ws, 1, 1, last, f"{report.department or src.stem}台账问题清单",
                font=Font(name=TITLE_FONT_NAME, size=16), align="center", height=30)
    errors, hints = len(report.errors), len(report.warnings)
    merged_text(ws, 2, 1, last,
                f"文件：{src.name}　共 {errors} 个错误、{hints} 条提示。错误须改正后重新报送；"
                "提示请核对。每个问题也以批注和红框（错误）、橙框（提示）标在原表的单元格上。",
                font=NOTE_FONT)
    write_header(ws, _HEADER_ROW, _PROBLEM_LABELS)
    items = _item_spans(wb, report, sheet_name)
    row = _HEADER_ROW
    for number, f in enumerate(sorted(report.findings, key=_position), start=1):
        row += 1
        where = f.cell or ""
        sheet = f.sheet if f.sheet is not None and f.sheet in wb.sheetnames else sheet_name
        if where and sheet != sheet_name:
            where = f"{sheet}!{where}"
        item = _item_of(items, f) if sheet == sheet_name else ""
        values = (number, "错误" if f.severity is Severity.ERROR else "提示", where, item,
                  CODES[f.code].title if f.code in CODES else f.code, f.message)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col)
            set_text(cell, value)
            font = _ERROR_FONT if col == 2 and f.severity is Severity.ERROR else NOTE_FONT
            style_cell(cell, font=font, align="left" if col >= 4 else "center")
        if f.cell and sheet in wb.sheetnames:
            link = ws.cell(row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{f.cell}")
            link.font = _LINK_FONT
        ws.row_dimensions[row].height = max(
            row_height_for(str(values[5]), _PROBLEM_WIDTHS[5], size=10),
            row_height_for(str(values[3]), _PROBLEM_WIDTHS[3], size=10))
    freeze_below(ws, _HEADER_ROW)
    setup_print(ws, f"{_HEADER_ROW}:{_HEADER_ROW}", landscape=False)
    return ws


def _position(f: Finding) -> tuple[int, int, int]:
    """File-level findings first, then top to bottom, left to right, as the clerk reads the sheet."""
    if not f.cell:
        return (0, 0, 0)
    try:
        row, col = split_ref(f.cell.split(":")[0])
    except ValueError:
        return (0, 0, 0)
    return (1, row, col)


def _item_spans(wb: Workbook, report: FileReport, sheet_name: str) -> list[tuple[int, int, str]]:
    """(first row, last row, 工作事项) of each item: an item runs to the row before the next one;
    the last one over the rows its merged cells cover."""
    items = sorted((i for i in report.items if i.row > 0), key=lambda i: i.row)
    spans: list[tuple[int, int, str]] = []
    ws = wb[sheet_name] if sheet_name in wb.sheetnames else None
    for k, it in enumerate(items):
        if k + 1 < len(items):
            last = items[k + 1].row - 1
        else:
            last = it.row
            if ws is not None:
                for rng in ws.merged_cells.ranges:
                    if rng.min_row == it.row and rng.max_row - rng.min_row < 50:
                        last = max(last, rng.max_row)
        spans.append((it.row, last, it.name or (f"第{it.no}项" if it.no is not None else "")))
    return spans


def _item_of(spans: list[tuple[int, int, str]], f: Finding) -> str:
    if not f.cell:
        return ""
    try:
        row = split_ref(f.cell.split(":")[0])[0]
    except ValueError:
        return ""
    for first, last, name in spans:
        if first <= row <= last:
            return name
    return ""
