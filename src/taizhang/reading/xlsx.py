"""Read an .xlsx (Excel, WPS or LibreOffice) into the neutral grid, with resolved colours."""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
from defusedxml.ElementTree import fromstring

from ..errors import UnreadableFile
from ..findings import finding
from . import colours
from .grid import RawCell, RawSheet, RawWorkbook

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula cell with no cached value: <c r="A5"><f>ROW()-4</f></c> or with an empty <v/>.
_UNCACHED = re.compile(
    rb'<c\b[^>]*\br="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


def read_xlsx(path: Path) -> RawWorkbook:
    """Load with openpyxl (cached values, not formulas) and keep what the ledger needs."""
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise RuntimeError("defusedxml 未安装：拒绝解析不可信的 XML")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation extensions, unknown styles, etc.: not our business.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True, keep_links=False, rich_text=False)
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001  openpyxl raises many kinds on damaged files
        name = type(exc).__name__
        if "Entities" in name or "DTD" in name:
            raise UnreadableFile(finding("file.unsafe", detail=name)) from None
        raise UnreadableFile(finding("file.corrupt", detail=f"{name}: {exc}"[:200])) from None

    theme = colours.workbook_theme(wb)
    palette = colours.workbook_palette(wb)
    uncached = _uncached_formulas(path)
    book = RawWorkbook(path=str(path), format="xlsx")
    for ws in wb.worksheets:
        book.sheets.append(_sheet(ws, theme, palette, uncached.get(ws.title, {})))
    wb.close()
    return book


def _sheet(ws, theme: list[str], palette: list[str], uncached: dict[tuple[int, int], str]) -> RawSheet:  # type: ignore[no-untyped-def]
    sheet = RawSheet(name=ws.title, visible=ws.sheet_state == "visible")
    fill_cache: dict[int, str | None] = {}
    font_cache: dict[int, str | None] = {}
    max_row = max_col = 0
    for (r, c), cell in ws._cells.items():  # the sparse dict: no empty cells are made up
        value = cell.value
        style = cell._style
        fill_id = style.fillId
        if fill_id not in fill_cache:
            fill_cache[fill_id] = colours.fill_rgb(cell.fill, theme, palette)
        fill = fill_cache[fill_id]
        formula = uncached.get((r, c))
        if value is None and fill is None and formula is None:
            continue  # formatted but empty
        if isinstance(value, str) and not value.strip() and fill is None:
            continue
        font_id = style.fontId
        if font_id not in font_cache:
            font_cache[font_id] = colours.font_rgb(cell.font, theme, palette)
        sheet.cells[(r, c)] = RawCell(value=value, fill=fill, font=font_cache[font_id], formula=formula)
        max_row = max(max_row, r)
        max_col = max(max_col, c)
    sheet.max_row, sheet.max_col = max_row, max_col
    for rng in ws.merged_cells.ranges:
        sheet.merged.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
    for r, dim in ws.row_dimensions.items():
        if dim.s and getattr(dim, "customFormat", False):
            rgb = colours.fill_rgb(dim.fill, theme, palette)
            if rgb is not None:
                sheet.row_fills[r] = rgb
    return sheet


def _uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells whose file keeps no cached value, by sheet name (openpyxl shows them as empty)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            root = fromstring(zf.read("xl/workbook.xml"))
            rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG_REL}Relationship")}
            for sheet in root.iter(f"{_NS_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_NS_REL}id"), "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                try:
                    data = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in data:
                    continue
                found: dict[tuple[int, int], str] = {}
                for m in _UNCACHED.finditer(data):
                    col, row = coordinate_from_string(m.group(1).decode())
                    found[(row, column_index_from_string(col))] = "=" + (m.group(2) or b"").decode("utf-8", "replace")
                if found:
                    out[sheet.get("name", "")] = found
    except Exception:  # noqa: BLE001  best effort: openpyxl already read the file
        return {}
    return out
