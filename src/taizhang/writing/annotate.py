"""``validate --annotate``: a copy of a department's workbook with each finding on its cell.

The copy goes back to the department: every finding becomes a cell comment and the cell gets a
red outline, so the clerk sees in Excel/WPS exactly where to fix what. The input is never touched.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Border, PatternFill, Side
from openpyxl.workbook import Workbook

from ..models import FileReport, Severity
from ..reading.gate import read_workbook
from .xlsx_common import atomic_save, set_text

_RED = Side(style="medium", color="FF0000")
_ORANGE = Side(style="medium", color="FFA500")


def annotated_name(src: Path) -> str:
    return f"{src.stem}（问题标注）.xlsx"


def write_annotated(report: FileReport, src: Path, outdir: Path, *, refuse: Sequence[Path] = (),
                    taken: set[Path] | None = None) -> Path:
    """Write ``outdir/<name>（问题标注）.xlsx`` with the report's findings as comments.

    ``refuse``: every input of the call, none of which may be written over; ``taken``: names
    already written in this call (two inputs of the same name from different folders get
    ``…（问题标注）2.xlsx``), updated here.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    wb = _load_copy(src)
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
    for (sheet, ref), messages in by_cell.items():
        cell = wb[sheet][ref]
        if type(cell).__name__ == "MergedCell":  # comments live on a merged range's anchor
            ws = wb[sheet]
            for rng in ws.merged_cells.ranges:
                if ref in rng:
                    cell = ws.cell(rng.min_row, rng.min_col)
                    break
        text = "\n".join(messages)
        comment = Comment(text, "taizhang")
        comment.width, comment.height = 360, min(600, 60 + 40 * len(messages))
        cell.comment = comment
        side = _RED if worst[(sheet, ref)] is Severity.ERROR else _ORANGE
        cell.border = Border(left=side, right=side, top=side, bottom=side)
    taken = set() if taken is None else taken
    target = outdir / annotated_name(src)
    n = 2
    while target.resolve() in taken or any(_same(target, p) for p in refuse):
        target = outdir / f"{src.stem}（问题标注）{n}.xlsx"
        n += 1
    taken.add(target.resolve())
    return atomic_save(wb, target, refuse=[src, *refuse])


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _load_copy(src: Path) -> Workbook:
    """The workbook as it is (formulas kept) for .xlsx; an .xlsx rebuilt from the cells for .xls."""
    if src.suffix.lower() != ".xls":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return openpyxl.load_workbook(src, keep_links=False)
            except Exception:  # noqa: BLE001  e.g. an .xls with an .xlsx name: rebuild below
                pass
    book = read_workbook(src)
    wb = Workbook()
    wb.remove(wb.active)
    for raw in book.sheets:
        ws = wb.create_sheet(raw.name[:31])
        if not raw.visible:
            ws.sheet_state = "hidden"
        for (r, c), cell in raw.cells.items():
            target = ws.cell(r, c)
            set_text(target, cell.value)
            if cell.fill:
                target.fill = PatternFill(fill_type="solid", fgColor=cell.fill)
        for r1, c1, r2, c2 in raw.merged:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    return wb
