"""An .xls rebuilt as an .xlsx that looks and prints as the .xls did (for ``validate --annotate``).

openpyxl cannot open an Excel 97 file, so the annotated copy of an .xls is rebuilt from the cells
the reader found. Without their formatting it came back as bare text on Excel's default grid —
narrow columns, no borders, portrait — and printed on three pages where the department's printed
on one. xlrd (``formatting_info=True``) gives each cell's XF record (font, alignment, borders,
fill, number format), the column widths, row heights and merged cells; the page setup (paper,
orientation, fit to page, margins, centring, header/footer) is read from the sheet's own BIFF
records, which xlrd skips, and the print titles from the built-in defined names.
"""

from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from copy import copy
from pathlib import Path
from typing import Any

import xlrd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..reading import colours
from ..reading.grid import RawWorkbook
from ..reading.xls import sheet_records
from ..rules import xml_text
from .xlsx_common import set_text

_BAD_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")

# BIFF8 codes → openpyxl names (the OOXML names of the same things).
_BORDER = {1: "thin", 2: "medium", 3: "dashed", 4: "dotted", 5: "thick", 6: "double", 7: "hair",
           8: "mediumDashed", 9: "dashDot", 10: "mediumDashDot", 11: "dashDotDot", 12: "mediumDashDotDot",
           13: "slantDashDot"}
_HORIZONTAL = {1: "left", 2: "center", 3: "right", 4: "fill", 5: "justify", 6: "centerContinuous",
               7: "distributed"}
_VERTICAL = {0: "top", 1: "center", 2: "bottom", 3: "justify", 4: "distributed"}
_PATTERN = {1: "solid", 2: "mediumGray", 3: "darkGray", 4: "lightGray", 5: "darkHorizontal", 6: "darkVertical",
            7: "darkDown", 8: "darkUp", 9: "darkGrid", 10: "darkTrellis", 11: "lightHorizontal",
            12: "lightVertical", 13: "lightDown", 14: "lightUp", 15: "lightGrid", 16: "lightTrellis",
            17: "gray125", 18: "gray0625"}
_UNDERLINE = {1: "single", 2: "double", 0x21: "singleAccounting", 0x22: "doubleAccounting"}

# Sheet-substream records of the page setup (MS-XLS 2.4).
_HEADER, _FOOTER, _LEFT, _RIGHT, _TOP, _BOTTOM = 0x0014, 0x0015, 0x0026, 0x0027, 0x0028, 0x0029
_WSBOOL, _HCENTER, _VCENTER, _SETUP, _PRINTGRID = 0x0081, 0x0083, 0x0084, 0x00A1, 0x002B
_PAGE_RECORDS = {_HEADER, _FOOTER, _LEFT, _RIGHT, _TOP, _BOTTOM, _WSBOOL, _HCENTER, _VCENTER, _SETUP, _PRINTGRID}
# A column layout past what any ledger uses is not copied (LibreOffice describes all 256 columns).
_MAX_COPIED_COLUMNS = 256


class _Silent:
    def write(self, _text: str) -> None:
        pass


def xls_copy(src: Path, book: RawWorkbook) -> Workbook:
    """The .xlsx twin of the .xls ``src``: ``book``'s values (read and bounded already) with the
    .xls's formatting and page setup. Formatting that cannot be read never stops the copy."""
    wb = Workbook()
    wb.remove(wb.active)
    xbook: Any = None
    try:
        xbook = _open(src)
    except Exception:  # noqa: BLE001  the reader has read it; a second look that fails only loses the looks
        xbook = None
    if xbook is not None:
        try:
            _default_font(wb, _font(xbook, xbook.font_list[0]))
        except Exception:  # noqa: BLE001  a damaged font record: openpyxl's default font
            pass
    try:
        for index, raw in enumerate(book.sheets):
            # A name Excel would not allow (a hand-made .xls) must not stop the copy.
            ws = wb.create_sheet(_BAD_SHEET_CHARS.sub("_", raw.name)[:31] or "Sheet")
            if not raw.visible:
                ws.sheet_state = "hidden"
            if xbook is not None and index < xbook.nsheets:
                try:
                    _format_sheet(xbook, index, ws)
                except Exception:  # noqa: BLE001  a damaged record costs the formatting, not the copy
                    pass
            for (r, c), cell in raw.cells.items():
                target = ws.cell(r, c)
                set_text(target, cell.value)
                if cell.fill and target.fill.fill_type is None:  # e.g. a row's fill
                    target.fill = PatternFill(fill_type="solid", fgColor=cell.fill)
            for r1, c1, r2, c2 in raw.merged:
                if (r1, c1) != (r2, c2):
                    ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        if xbook is not None:
            try:
                _print_names(xbook, wb)
            except Exception:  # noqa: BLE001  a damaged name: no print titles, still a copy
                pass
    finally:
        if xbook is not None:
            xbook.release_resources()
    return wb


def _open(src: Path) -> Any:
    """The .xls with its formatting records (the gate has bounded its size and cells)."""
    return xlrd.open_workbook(str(src), file_contents=src.read_bytes(), formatting_info=True, on_demand=True,
                              logfile=_Silent(), ragged_rows=True)


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


_Style = tuple[Font, Alignment, Border, PatternFill | None, str | None]


def _format_sheet(xbook: Any, index: int, ws: Worksheet) -> None:
    sh = xbook.sheet_by_index(index)
    styles: dict[int, tuple[bool, _Style]] = {}  # XF index -> (shows on an empty cell, its parts)
    # Setting font, alignment and border through openpyxl looks each up in the workbook's style
    # lists (about 0.1 ms a cell): the first cell of an XF gets them so, the others a copy of its
    # style array, which is the same style.
    arrays: dict[int, StyleArray] = {}
    used_col = 0
    for r in range(sh.nrows):
        for c in range(sh.row_len(r)):
            xf_index = sh.cell_xf_index(r, c)
            entry = styles.get(xf_index)
            if entry is None:
                parts = _style(xbook, xbook.xf_list[xf_index])
                entry = styles[xf_index] = (_visible_format(parts[2], parts[3]), parts)
            visible, parts = entry
            if not visible and sh.cell_type(r, c) == xlrd.XL_CELL_EMPTY:
                continue  # a default-looking empty cell: nothing to carry
            cell = ws.cell(r + 1, c + 1)
            array = arrays.get(xf_index)
            if array is None:
                font, align, border, fill, number_format = parts
                cell.font, cell.alignment, cell.border = font, align, border
                if fill is not None:
                    cell.fill = fill
                if number_format:
                    cell.number_format = number_format
                arrays[xf_index] = copy(cell._style)
            else:
                cell._style = copy(array)
            used_col = max(used_col, c + 1)
    for _rlo, _rhi, _clo, chi in sh.merged_cells:  # a merged range's width counts as used
        used_col = max(used_col, chi)
    _dimensions(xbook, sh, ws, used_col)
    _page_setup(xbook, index, sh, ws)
    xbook.unload_sheet(index)


def _visible_format(border: Border, fill: PatternFill | None) -> bool:
    return fill is not None or any(getattr(border, side).style for side in ("left", "right", "top", "bottom"))


def _rgb(xbook: Any, index: int) -> str | None:
    rgb = xbook.colour_map.get(index)
    return None if rgb is None else "FF{:02X}{:02X}{:02X}".format(*rgb)


def _default_font(wb: Workbook, font: Font) -> None:
    """Make ``font`` the workbook's default (the Normal style's, font 0): column widths are counted
    in its digits, as the .xls's are in its first font's. With openpyxl's Calibri 11 a program
    that lacks Calibri measures wider digits, and the sheet printed smaller and on more pages."""
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def _font(xbook: Any, f: Any) -> Font:
    # Text from the file (names, formats, headers) loses what XML cannot hold, or the save fails.
    return Font(name=xml_text(f.name or "")[:31] or None, sz=f.height / 20 if f.height else None, b=f.weight >= 700 or bool(f.bold),
                i=bool(f.italic), strike=bool(f.struck_out), u=_UNDERLINE.get(f.underline_type),
                vertAlign={1: "superscript", 2: "subscript"}.get(f.escapement), color=_rgb(xbook, f.colour_index))


def _style(xbook: Any, xf: Any) -> _Style:
    f = xbook.font_list[xf.font_index] if xf.font_index < len(xbook.font_list) else None
    font = Font() if f is None else _font(xbook, f)
    a = xf.alignment
    rotation = a.rotation if 0 <= a.rotation <= 180 else 255 if a.rotation == 255 else 0
    align = Alignment(horizontal=_HORIZONTAL.get(a.hor_align), vertical=_VERTICAL.get(a.vert_align, "bottom"),
                      wrap_text=bool(a.text_wrapped) or None, shrink_to_fit=bool(a.shrink_to_fit) or None,
                      indent=a.indent_level or 0, text_rotation=rotation)
    b = xf.border

    def side(style: int, colour: int) -> Side:
        name = _BORDER.get(style)
        return Side(style=name, color=_rgb(xbook, colour) or "FF000000") if name else Side()

    border = Border(left=side(b.left_line_style, b.left_colour_index),
                    right=side(b.right_line_style, b.right_colour_index),
                    top=side(b.top_line_style, b.top_colour_index),
                    bottom=side(b.bottom_line_style, b.bottom_colour_index))
    fill: PatternFill | None = None
    pattern = _PATTERN.get(xf.background.fill_pattern)
    if pattern == "solid":
        rgb = colours.xls_fill_rgb(xbook, xf) or _rgb(xbook, xf.background.pattern_colour_index)
        fill = PatternFill(fill_type="solid", fgColor=rgb) if rgb else None
    elif pattern is not None:
        fill = PatternFill(fill_type=pattern, fgColor=_rgb(xbook, xf.background.pattern_colour_index) or "FF000000",
                           bgColor=_rgb(xbook, xf.background.background_colour_index) or "FFFFFFFF")
    fmt = xbook.format_map.get(xf.format_key)
    text = xml_text(fmt.format_str or "") if fmt is not None else ""
    number_format = text if text not in ("", "General") else None
    return font, align, border, fill, number_format


def _dimensions(xbook: Any, sh: Any, ws: Worksheet, used_col: int) -> None:
    """Column widths (1/256 of a character in both formats), hidden columns, row heights (twips),
    hidden rows, frozen panes and gridlines."""
    last_col = min(max(used_col, sh.ncols), _MAX_COPIED_COLUMNS)
    for c in range(last_col):
        dim = ws.column_dimensions[get_column_letter(c + 1)]
        dim.width = round(sh.computed_column_width(c) / 256, 2)
        info = sh.colinfo_map.get(c)
        if info is not None and info.hidden:
            dim.hidden = True
    default = sh.default_row_height
    for r, info in sh.rowinfo_map.items():
        if r > max(sh.nrows, 1) + 1:
            continue
        height = getattr(info, "height", None)
        # A height the saving program computed for wrapped text is kept: Excel does not re-fit
        # rows when it opens a file, and a row of Excel's default height shows one line of text.
        if height and (info.height_mismatch or height != default):
            ws.row_dimensions[r + 1].height = height / 20
        if info.hidden:
            ws.row_dimensions[r + 1].hidden = True
    if default:
        ws.sheet_format.defaultRowHeight = default / 20
    if getattr(sh, "panes_are_frozen", 0) and (sh.horz_split_pos or sh.vert_split_pos):
        ws.freeze_panes = ws.cell(sh.horz_split_pos + 1, sh.vert_split_pos + 1)
    if not getattr(sh, "show_grid_lines", 1):
        ws.sheet_view.showGridLines = False
    for row, _first, _last in getattr(sh, "horizontal_page_breaks", ()):
        if 0 < row <= sh.nrows:
            ws.row_breaks.append(Break(id=row))


# --------------------------------------------------------------------------------------------
# Page setup
# --------------------------------------------------------------------------------------------


def _records(xbook: Any, index: int, kinds: set[int]) -> Iterator[tuple[int, bytes]]:
    """The bodies of sheet ``index``'s records of ``kinds`` (its own substream only)."""
    for kind, start, end in sheet_records(xbook, index):
        if kind in kinds:
            yield kind, bytes(xbook.mem[start:end])


def _header_text(body: bytes) -> str | None:
    """A HEADER/FOOTER record's XLUnicodeString (empty record: none)."""
    if len(body) < 3:
        return None
    count, flags = struct.unpack_from("<HB", body)
    if flags & 1:
        return body[3:3 + 2 * count].decode("utf-16-le", "replace")
    return body[3:3 + count].decode("latin-1")


def _page_setup(xbook: Any, index: int, sh: Any, ws: Worksheet) -> None:
    margins = PageMargins()
    setup: tuple[int, ...] | None = None
    header_margin = footer_margin = None
    fit = False
    for kind, body in _records(xbook, index, _PAGE_RECORDS):
        if kind in (_LEFT, _RIGHT, _TOP, _BOTTOM) and len(body) >= 8:
            value = struct.unpack_from("<d", body)[0]
            if math.isfinite(value) and 0 <= value < 10:
                setattr(margins, {_LEFT: "left", _RIGHT: "right", _TOP: "top", _BOTTOM: "bottom"}[kind], value)
        elif kind == _SETUP and len(body) >= 34:
            setup = struct.unpack_from("<HHHHHH", body)
            header_margin, footer_margin = struct.unpack_from("<dd", body, 16)
        elif kind == _WSBOOL and len(body) >= 2:
            fit = bool(struct.unpack_from("<H", body)[0] & 0x0100)
        elif kind == _HCENTER and len(body) >= 2:
            ws.print_options.horizontalCentered = bool(struct.unpack_from("<H", body)[0])
        elif kind == _VCENTER and len(body) >= 2:
            ws.print_options.verticalCentered = bool(struct.unpack_from("<H", body)[0])
        elif kind == _PRINTGRID and len(body) >= 2:
            ws.print_options.gridLines = bool(struct.unpack_from("<H", body)[0])
        elif kind in (_HEADER, _FOOTER):
            text = xml_text(_header_text(body) or "")[:255]
            if text:
                item = _header_footer(text)
                if item is not None:
                    if kind == _HEADER:
                        ws.oddHeader = item  # type: ignore[misc]
                    else:
                        ws.oddFooter = item  # type: ignore[misc]
    for value, name in ((header_margin, "header"), (footer_margin, "footer")):
        if value is not None and math.isfinite(value) and 0 <= value < 10:
            setattr(margins, name, value)
    ws.page_margins = margins
    if setup is not None:
        paper, scale, _start, fit_width, fit_height, flags = setup
        if not flags & 0x04:  # fNoPls: paper, scale and orientation were never set
            if paper:
                ws.page_setup.paperSize = paper
            if 10 <= scale <= 400:
                ws.page_setup.scale = scale
            if not flags & 0x40:  # fNoOrient
                ws.page_setup.orientation = "portrait" if flags & 0x02 else "landscape"
        if fit:
            if ws.sheet_properties.pageSetUpPr is None:
                ws.sheet_properties.pageSetUpPr = PageSetupProperties()
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = fit_width
            ws.page_setup.fitToHeight = fit_height


def _header_footer(text: str) -> HeaderFooterItem | None:
    """``&L…&C…&R…`` as openpyxl's header/footer (text without a section code is centred)."""
    if not text.startswith(("&L", "&C", "&R")):
        text = "&C" + text
    try:
        node = ET.Element("oddHeader")
        node.text = text
        return HeaderFooterItem.from_tree(node)
    except Exception:  # noqa: BLE001  an odd code in a header is not worth the copy
        return None


def _print_names(xbook: Any, wb: Workbook) -> None:
    """The built-in names Print_Titles (rows/columns repeated on every page) and Print_Area."""
    for name in getattr(xbook, "name_obj_list", ()):
        if not getattr(name, "builtin", 0) or name.name not in ("Print_Titles", "Print_Area"):
            continue
        refs = getattr(getattr(name, "result", None), "value", None)
        if not isinstance(refs, list) or not refs:
            continue
        for ref in refs:
            coords = getattr(ref, "coords", None)
            if coords is None:
                continue
            sheet_lo, _sheet_hi, row_lo, row_hi, col_lo, col_hi = coords
            if not 0 <= sheet_lo < len(wb.worksheets):
                continue
            ws = wb.worksheets[sheet_lo]
            whole_rows = col_lo == 0 and col_hi >= 256
            whole_cols = row_lo == 0 and row_hi >= 65536
            if name.name == "Print_Titles":
                if whole_rows and row_hi > row_lo:
                    ws.print_title_rows = f"{row_lo + 1}:{row_hi}"
                elif whole_cols and col_hi > col_lo:
                    ws.print_title_cols = f"{get_column_letter(col_lo + 1)}:{get_column_letter(col_hi)}"
            elif row_hi > row_lo and col_hi > col_lo and not (whole_rows and whole_cols):
                ws.print_area = (f"{get_column_letter(col_lo + 1)}{row_lo + 1}:"
                                 f"{get_column_letter(min(col_hi, 16384))}{min(row_hi, 1048576)}")
