"""What every workbook taizhang writes shares: safe text, house styles, print setup, atomic saves.

The template, the consolidated (merge) workbook and the report workbook all go through these
helpers, so a department's text never turns into a formula, every sheet prints on A4 with its
header repeated, and no output is ever half-written or written over an input.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import ERROR_CODES, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TaizhangError  # noqa: F401  re-exported for writers
from ..fileio import atomic_write, atomic_write_bytes, check_not_refused  # noqa: F401  re-exported
from ..models import Colour
from ..rules import STANDARD_FILLS, xml_text

# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

# Text starting with one of these is a formula (or becomes one the moment a clerk edits the cell).
FORMULA_TRIGGERS = ("=", "+", "-", "@")
MAX_CELL_CHARS = 32767  # Excel's limit; openpyxl would truncate silently anyway


def safe_value(value: object) -> object:
    """A value openpyxl can store without refusing it or reinterpreting it.

    Strings lose the control characters Excel forbids (openpyxl raises on them), get ``\\n`` line
    ends and Excel's length limit; an empty string becomes ``None`` (an empty cell). Numbers,
    booleans, dates and ``None`` pass through (time-zone-aware datetimes lose their zone, which
    Excel cannot store); anything else becomes its ``str``.
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.time):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, dt.date):
        return value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = xml_text(text)[:MAX_CELL_CHARS]
    return text or None


def set_text(cell: Cell, value: object) -> Cell:
    """Write ``value`` into ``cell``; text always stays text, never a formula or an error code.

    openpyxl turns any string starting with ``=`` into a formula and ``#N/A`` into an error, so
    the type is forced back to a string. Text starting with ``=``, ``+``, ``-`` or ``@`` also gets
    Excel's quote prefix (the hidden leading apostrophe), so it stays text when a clerk later
    edits the cell in Excel, WPS or LibreOffice.
    """
    v = safe_value(value)
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"
        if v.startswith(FORMULA_TRIGGERS) or v in ERROR_CODES:
            cell.quotePrefix = True
    return cell


# --------------------------------------------------------------------------------------------
# House styles
# --------------------------------------------------------------------------------------------

# Fonts a Chinese government office expects (公文 conventions): the title in 方正小标宋简体, headers in
# 黑体. Body text is 宋体 rather than 仿宋_GB2312: 宋体 ships with every Chinese Windows and WPS and
# stays legible at 10–11pt in dense tables, whereas 仿宋_GB2312 is missing on many machines
# (Windows has only "仿宋"), which would make the fallback — and the row heights — unpredictable.
# Excel, WPS and LibreOffice all fall back to an installed CJK font when one is missing.
TITLE_FONT_NAME = "方正小标宋简体"
HEADER_FONT_NAME = "黑体"
BODY_FONT_NAME = "宋体"

TITLE_FONT = Font(name=TITLE_FONT_NAME, size=20)
HEADER_FONT = Font(name=HEADER_FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=BODY_FONT_NAME, size=11)
BOLD_BODY_FONT = Font(name=BODY_FONT_NAME, size=11, bold=True)
NOTE_FONT = Font(name=BODY_FONT_NAME, size=10)

THIN = Side(style="thin", color="000000")
THIN_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_BORDER = Border()
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9D9D9")  # light grey, prints well in black and white

# Wrapped text, vertically centred: the ledger's cells hold paragraphs, not single words.
ALIGN_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
ALIGN_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
ALIGN_RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)
ALIGN_TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_ALIGNMENTS = {"left": ALIGN_LEFT, "center": ALIGN_CENTER, "right": ALIGN_RIGHT, "top": ALIGN_TOP_LEFT}


def style_cell(
    cell: Cell,
    *,
    font: Font = BODY_FONT,
    align: str = "left",
    border: bool = True,
    fill: PatternFill | None = None,
) -> Cell:
    """Give a cell the house look: font, wrapped alignment (left/center/right/top), thin border, fill."""
    _assign(cell, "font", font)
    _assign(cell, "alignment", _ALIGNMENTS[align])
    _assign(cell, "border", THIN_BORDER if border else NO_BORDER)
    if fill is not None:
        _assign(cell, "fill", fill)
    return cell


# A style assigned to a cell is looked up in its workbook's list of fonts (fills, ...) by the style's
# hash, a walk of its every field: tens of microseconds, for each of the thousands of cells a sheet
# styles. A fresh workbook's lists only grow (an object once added keeps its index), so the index of
# each house style (the module's constants, never changed) is kept, by workbook: the same index
# openpyxl's look-up gives, and the lists grow in the same order (the first assignment is openpyxl's).
_HOUSE_STYLES = frozenset(map(id, (TITLE_FONT, HEADER_FONT, BODY_FONT, BOLD_BODY_FONT, NOTE_FONT, THIN_BORDER,
                                   NO_BORDER, HEADER_FILL, *_ALIGNMENTS.values())))
_STYLE_LISTS = {"font": ("_fonts", "fontId"), "fill": ("_fills", "fillId"), "border": ("_borders", "borderId"),
                "alignment": ("_alignments", "alignmentId"), "protection": ("_protections", "protectionId")}
_KNOWN: WeakKeyDictionary[Workbook, dict[tuple[object, ...], int]] = WeakKeyDictionary()


def _known(cell: Cell | MergedCell, attr: str) -> dict[tuple[object, ...], int] | None:
    """The workbook's kept style indexes, when its list for ``attr`` is one that only grows (a fresh
    workbook's; a loaded one's may re-index itself)."""
    wb = cell.parent.parent
    if not getattr(wb, _STYLE_LISTS[attr][0]).clean:
        return None
    known = _KNOWN.get(wb)
    if known is None:
        known = _KNOWN[wb] = {}
    return known


def _set_index(cell: Cell | MergedCell, attr: str, index: int) -> None:
    """What openpyxl's assignment of a style of that ``index`` does to the cell."""
    if not cell._style:
        cell._style = StyleArray()
    setattr(cell._style, _STYLE_LISTS[attr][1], index)


def _assign(cell: Cell, attr: str, value: object) -> None:
    """``setattr(cell, attr, value)`` for a style (font, fill, border, alignment), a house style's
    index in the workbook kept."""
    known = _known(cell, attr) if id(value) in _HOUSE_STYLES else None
    if known is None:
        setattr(cell, attr, value)
        return
    index = known.get((attr, id(value)))
    if index is None:
        setattr(cell, attr, value)
        known[attr, id(value)] = getattr(cell._style, _STYLE_LISTS[attr][1])
    else:
        _set_index(cell, attr, index)


def fill_for(colour: Colour) -> PatternFill | None:
    """The standard solid fill for a 蓝/黄/红 marking; ``None`` for unmarked or unknown colours."""
    rgb = STANDARD_FILLS.get(colour)
    return PatternFill(fill_type="solid", fgColor=rgb) if rgb else None


def write_header(ws: Worksheet, row: int, labels: Sequence[str], *, first_col: int = 1,
                 height: float | None = None) -> None:
    """A bordered grey header row in 黑体; labels keep their line breaks (``分管\\n负责人``)."""
    for offset, label in enumerate(labels):
        cell = ws.cell(row, first_col + offset)
        set_text(cell, label)
        style_cell(cell, font=HEADER_FONT, align="center", fill=HEADER_FILL)
    if height is None:
        lines = max((str(label).count("\n") + 1 for label in labels), default=1)
        height = 6 + 15 * lines
    ws.row_dimensions[row].height = height


def merged_text(
    ws: Worksheet,
    row: int,
    first_col: int,
    last_col: int,
    value: object,
    *,
    font: Font = BODY_FONT,
    align: str = "left",
    border: bool = False,
    fill: PatternFill | None = None,
    height: float | None = None,
) -> Cell:
    """Write text into ``first_col..last_col`` of ``row``, merged, wrapped and styled.

    Excel never auto-fits the height of merged cells, so the row height is estimated from the
    text and the merged width unless ``height`` is given.
    """
    cell = ws.cell(row, first_col)
    set_text(cell, value)
    if last_col > first_col:
        merge_cells(ws, row, first_col, row, last_col)
    style_cell(cell, font=font, align=align, border=border, fill=fill)
    if border:  # a merged range shows the borders of every cell it covers
        for col in range(first_col + 1, last_col + 1):
            ws.cell(row, col).border = THIN_BORDER
    if height is None:
        width = sum(column_width(ws, col) for col in range(first_col, last_col + 1))
        height = row_height_for(str(cell.value or ""), width, size=float(font.sz or 11))
    ws.row_dimensions[row].height = height
    return cell


class _MergedRange(MergedCellRange):
    """openpyxl's MergedCellRange, whose first cell gets the last cell's right and bottom borders
    (MergedCellRange._get_borders) through the workbook's kept border indexes (see merge_cells)."""

    def _get_borders(self) -> None:
        cells = self.ws._cells
        start = cells.get((self.min_row, self.min_col))
        if start is None:
            start = self.ws.cell(row=self.min_row, column=self.min_col)
        self.start_cell = start
        end = cells.get((self.max_row, self.max_col))
        if end is None:
            return
        for cell in (start, end):
            if not cell._style:
                cell._style = StyleArray()  # as openpyxl's style getters do
        made = _known(start, "border")
        key = ("last", start._style.borderId, end._style.borderId)
        new = made.get(key) if made is not None else None
        if new is None:
            start.border += Border(right=end.border.right, bottom=end.border.bottom)
            if made is not None:
                made[key] = start._style.borderId
        else:
            start._style.borderId = new


def merge_cells(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """``ws.merge_cells`` of a range: the same merged range, cells and style tables, at a fraction of its cost.

    openpyxl gives each cell of a merged range its border edges and its protection one cell at a
    time, each a look-up of a style object (hashed, field by field) in the workbook's style list:
    some sixty look-ups for a title row over nineteen columns. Here each distinct change is made
    once, openpyxl's way (so its style lists grow in the same order), and every other cell that
    gets the same change is given the style id that change gave. (MergedCellRange.format and
    Worksheet._clean_merge_range of openpyxl 3.1, step by step.)"""
    coord = CellRange(min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row).coord
    mcr = _MergedRange(ws, coord)  # creates the first cell; it takes the last cell's right and bottom
    ws.merged_cells.add(mcr)
    cells = ws._cells
    start = mcr.start_cell
    for at, (row, col) in enumerate(mcr.cells):
        if at:
            cells[row, col] = MergedCell(ws, row, col)
    # A cell's new border depends on its old one and on the side of the first cell's border given
    # to it: each (side, old -> new) is made once (by the workbook, when its border list only grows).
    made = _known(start, "border")
    if made is None:
        made = {}
    for name in ("top", "left", "right", "bottom"):
        side = getattr(start.border, name)
        if side and side.style is None:
            continue
        source = start._style.borderId
        border: Border | None = None  # (made when first needed)
        for coord_ in getattr(mcr, name):
            cell = cells[coord_]
            if cell._style is None:
                cell._style = StyleArray()  # as openpyxl's style getter does
            key = ("merge", name, source, cell._style.borderId)
            new = made.get(key)
            if new is None:
                if border is None:
                    border = Border(**{name: side})
                cell.border += border
                made[key] = cell._style.borderId
            else:
                cell._style.borderId = new
    if start.protection is not None:
        kept = _known(start, "protection")
        given: tuple[str, int] = ("protection", start._style.protectionId)
        pid = kept.get(given) if kept is not None else None
        protection = copy(start.protection) if pid is None else None  # each cell gets the first cell's
        for coord_ in mcr.cells:
            if pid is None:
                cells[coord_].protection = protection
                pid = cells[coord_]._style.protectionId
                if kept is not None:
                    kept[given] = pid
            else:
                _set_index(cells[coord_], "protection", pid)


# --------------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------------

DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default, in characters of the default font


def column_width(ws: Worksheet, col: int) -> float:
    """The width of a column in Excel's character units (default width when none was set)."""
    width = ws.column_dimensions[get_column_letter(col)].width
    return float(width) if width else DEFAULT_COLUMN_WIDTH


def set_widths(ws: Worksheet, widths: Sequence[float] | Mapping[int | str, float]) -> None:
    """Set column widths: a sequence starts at column A; a mapping takes numbers or letters as keys."""
    items = widths.items() if isinstance(widths, Mapping) else enumerate(widths, start=1)
    for key, width in items:
        letter = get_column_letter(key) if isinstance(key, int) else key
        ws.column_dimensions[letter].width = width


def text_units(text: str, *, size: float = 11) -> float:
    """How many column-width units ``text`` takes on one line.

    A column unit is one digit of an 11pt Latin font; a Chinese character at 11pt is about two.
    """
    units = sum(2.0 if unicodedata.east_asian_width(ch) in "WFA" else 1.1 for ch in text)
    return units * size / 11


def row_height_for(text: str, width: float, *, size: float = 11, min_lines: int = 1) -> float:
    """A row height in points that shows all of ``text`` wrapped in ``width`` column units."""
    usable = max(width - 1.5, 1.0)  # cell padding
    lines = sum(max(1, math.ceil(text_units(part, size=size) / usable)) for part in text.split("\n"))
    lines = max(lines, min_lines)
    return round(lines * size * 1.35 + 6, 1)


# --------------------------------------------------------------------------------------------
# Sheet view and printing
# --------------------------------------------------------------------------------------------

PAGE_FOOTER = "第 &P 页，共 &N 页"

# Paper sizes in points (portrait width, height), and openpyxl's paperSize code.
PAPER_POINTS = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}
PAPER_CODES = {"A4": Worksheet.PAPERSIZE_A4, "A3": Worksheet.PAPERSIZE_A3}
# Inches, as Excel stores them: about 1.5 cm at the sides, room for the page number below.
MARGINS = PageMargins(left=0.6, right=0.6, top=0.7, bottom=0.8, header=0.3, footer=0.35)
# Excel's column unit is the width of a digit of the workbook's default font (openpyxl's: Calibri
# 11, 7 pixels at 96 dpi): Excel and WPS lay a column of width w out as w × 7 pixels. LibreOffice
# measures the same digit in the font it has: without Calibri or its metric twin Carlito it takes
# DejaVu Sans, whose digit is 9.4–9.6 pixels as it rounds, so every column is a third wider and
# the sheet is shrunk to fit. A layout meant to print legibly must allow for both.
DIGIT_PIXELS = 7
FALLBACK_DIGIT_PIXELS = 9.6
POINTS_PER_PIXEL = 0.75


def columns_points(widths: Iterable[float], *, digit_pixels: float = DIGIT_PIXELS) -> float:
    """The printed width, in points at 100%, of columns of these widths (Excel column units)."""
    return sum(round(w * digit_pixels) for w in widths) * POINTS_PER_PIXEL


def printable_width(paper: str = "A4", *, landscape: bool = True, margins: PageMargins = MARGINS) -> float:
    """The width in points between the side margins of a page."""
    short, long = PAPER_POINTS[paper]
    return (long if landscape else short) - (margins.left + margins.right) * 72


def print_scale(widths: Iterable[float], paper: str = "A4", *, landscape: bool = True,
                digit_pixels: float = DIGIT_PIXELS) -> float:
    """The scale fit-to-width prints columns of these widths at: 1 when they fit the page, else
    the page's printable width over theirs (Excel and LibreOffice round it down to a whole percent)."""
    scale = printable_width(paper, landscape=landscape) / columns_points(widths, digit_pixels=digit_pixels)
    return min(1.0, math.floor(scale * 100) / 100)


def freeze_below(ws: Worksheet, row: int) -> None:
    """Keep rows ``1..row`` in view while scrolling (the header stays visible)."""
    ws.freeze_panes = f"A{row + 1}"


def setup_print(ws: Worksheet, header_rows: str | None, *, landscape: bool = True,
                fit_width: bool = True, paper: str = "A4") -> None:
    """A4 (or ``paper``), landscape by default, ``header_rows`` (e.g. ``"4:4"``) repeated on every page.

    ``fit_width`` scales the sheet to one page wide and as many pages tall as it needs, so a
    wide ledger never splits its columns across pages. The footer numbers the pages in Chinese.
    """
    ws.page_setup.paperSize = PAPER_CODES[paper]
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    if header_rows:
        ws.print_title_rows = header_rows
    if fit_width:
        if ws.sheet_properties.pageSetUpPr is None:
            ws.sheet_properties.pageSetUpPr = PageSetupProperties()
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # 0: as many pages tall as needed
    ws.page_margins = copy(MARGINS)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 10


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def atomic_save(wb: Workbook, path: Path, *, refuse: Iterable[Path | str] = ()) -> Path:
    """Save an openpyxl workbook to ``path`` through a temporary file in the same folder.

    Refuses (``TaizhangError``) to write over any path in ``refuse``; the temporary file is
    removed on failure. Returns ``path``.
    """
    return atomic_write(path, refuse, lambda tmp: wb.save(tmp))
