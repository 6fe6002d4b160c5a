"""``validate --annotate``: a copy of a department's workbook with each finding on its cell.

The copy goes back to the department: every finding becomes a cell comment and the cell gets a
red outline, so the clerk sees in Excel/WPS exactly where to fix what. The input is never touched.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Border, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TaizhangError
from ..models import FileReport, Severity
from ..reading.gate import read_workbook
from ..reading.grid import RawWorkbook
from .xlsx_common import atomic_save, set_text

_RED = Side(style="medium", color="FF0000")
_ORANGE = Side(style="medium", color="FFA500")
# openpyxl creates an object for every cell of a merged range: a range drawn to row 300,000,000
# would take minutes and gigabytes. A ledger's merged cells cover a few thousand at most.
MAX_MERGED_AREA = 200_000
_BAD_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")


def annotated_name(src: Path) -> str:
    return f"{src.stem}（问题标注）.xlsx"


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
        comment = Comment("\n".join(messages), "taizhang")
        comment.width, comment.height = 360, min(600, 60 + 40 * len(messages))
        cell.comment = comment
        side = _RED if severity[key] is Severity.ERROR else _ORANGE
        cell.border = Border(left=side, right=side, top=side, bottom=side)
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


def _load_copy(src: Path, book: RawWorkbook) -> Workbook:
    """The workbook as it is (formulas kept) for .xlsx; an .xlsx rebuilt from the cells (``book``)
    for .xls."""
    if src.suffix.lower() != ".xls":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return openpyxl.load_workbook(src, keep_links=False)
            except Exception:  # noqa: BLE001  e.g. an .xls with an .xlsx name: rebuild below
                pass
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
