"""Read an Excel 97 .xls (as WPS and older Excel save it) into the neutral grid, with colours."""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from pathlib import Path

import xlrd

from ..errors import UnreadableFile
from ..findings import finding
from . import colours
from .grid import CondRule, RawCell, RawSheet, RawWorkbook, a1


def read_xls(path: Path) -> RawWorkbook:
    """xlrd with ``formatting_info=True``: the XF records carry the cell fills and fonts."""
    data = path.read_bytes()  # the gate bounds an .xls to MAX_XLS_BYTES
    _check_cell_count(data)
    try:
        book = xlrd.open_workbook(str(path), file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=_Silent(), ragged_rows=True)
    except xlrd.XLRDError as exc:
        text = str(exc)
        if "encrypt" in text.lower():
            raise UnreadableFile(finding("file.encrypted")) from None
        if "Can't find workbook" in text or "Unsupported format" in text:
            raise UnreadableFile(finding("file.not_workbook", detail="（OLE 文件中没有工作簿）")) from None
        raise UnreadableFile(finding("file.corrupt", detail=text[:200])) from None
    except Exception as exc:  # noqa: BLE001  xlrd raises assorted errors on damaged files
        raise UnreadableFile(finding("file.corrupt", detail=f"{type(exc).__name__}: {exc}"[:200])) from None

    raw = RawWorkbook(path=str(path), format="xls")
    try:
        for index in range(book.nsheets):
            raw.sheets.append(_sheet(book, book.sheet_by_index(index)))
            try:
                raw.sheets[-1].cond_rules = _conditional_formats(book, index)
            except (struct.error, ValueError, IndexError, TypeError):
                pass  # only a hint that colours may be hidden: a damaged record is no reason to stop
            book.unload_sheet(index)
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFile(finding("file.corrupt", detail=f"{type(exc).__name__}: {exc}"[:200])) from None
    finally:
        book.release_resources()
    return raw


def _sheet(book: xlrd.book.Book, sh: xlrd.sheet.Sheet) -> RawSheet:
    sheet = RawSheet(name=sh.name, visible=sh.visibility == 0)
    fill_cache: dict[int, str | None] = {}
    font_cache: dict[int, str | None] = {}
    strike_cache: dict[int, bool] = {}
    max_row = max_col = 0
    for r in range(sh.nrows):
        for c in range(sh.row_len(r)):
            cell = sh.cell(r, c)
            xf_index = cell.xf_index
            if xf_index not in fill_cache:
                xf = book.xf_list[xf_index]
                fill_cache[xf_index] = colours.xls_fill_rgb(book, xf)
                font_cache[xf_index] = colours.xls_font_rgb(book, xf)
                font = book.font_list[xf.font_index] if xf.font_index < len(book.font_list) else None
                strike_cache[xf_index] = bool(font is not None and font.struck_out)
            value = _value(book, cell)
            fill = fill_cache[xf_index]
            if value is None and fill is None:
                continue
            sheet.cells[(r + 1, c + 1)] = RawCell(value=value, fill=fill, font=font_cache[xf_index],
                                                  strike=strike_cache[xf_index] and value is not None)
            max_row = max(max_row, r + 1)
            max_col = max(max_col, c + 1)
    sheet.max_row, sheet.max_col = max_row, max_col
    # Text struck while editing the cell: rich-text runs, each with its font (the cell's own font
    # before the first run).
    fonts = book.font_list
    for (r, c), runs in getattr(sh, "rich_text_runlist_map", {}).items():
        cell = sheet.cells.get((r + 1, c + 1))
        if cell is None or cell.strike or not runs:
            continue
        struck = [fi < len(fonts) and bool(fonts[fi].struck_out) for _, fi in runs]
        cell.strike = all(struck) and (runs[0][0] == 0 or strike_cache.get(sh.cell_xf_index(r, c), False))
    sheet.has_strike = any(cell.strike for cell in sheet.cells.values())
    for rlo, rhi, clo, chi in sh.merged_cells:
        sheet.merged.append((rlo + 1, clo + 1, rhi, chi))
    sheet.clip_merged()
    for r, info in sh.rowinfo_map.items():
        if getattr(info, "hidden", 0) or (getattr(info, "has_custom_height", 0) and getattr(info, "height", 1) == 0):
            sheet.hidden_rows.add(r + 1)  # hidden, or squeezed to no height
        if getattr(info, "has_default_xf_index", 0):
            rgb = colours.xls_fill_rgb(book, book.xf_list[info.xf_index])
            if rgb is not None:
                sheet.row_fills[r + 1] = rgb
    return sheet


_BOF, _EOF, _CONDFMT, _CONDFMT12 = 0x0809, 0x000A, 0x01B0, 0x0879


def sheet_records(book: xlrd.book.Book, index: int) -> Iterator[tuple[int, int, int]]:
    """The records of sheet ``index``'s own substream (its BOF to its EOF; nested substreams such
    as charts passed over) as ``(kind, start, end)``: where the body lies in ``book.mem``, the
    file image xlrd keeps. Records xlrd does not read (conditional formats, the page setup) are
    found this way; none when xlrd kept no image."""
    mem = getattr(book, "mem", None)
    starts = getattr(book, "_sh_abs_posn", None)
    if not isinstance(mem, bytes | bytearray | mmap.mmap) or not starts or index >= len(starts):
        return
    pos, depth = starts[index], 0
    while pos + 4 <= len(mem):
        kind, size = struct.unpack_from("<HH", mem, pos)
        body = pos + 4
        pos = body + size
        if kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                return
        elif depth == 1:
            yield kind, body, min(pos, len(mem))


def _conditional_formats(book: xlrd.book.Book, index: int) -> list[CondRule]:
    """The ranges of a sheet's conditional formats. xlrd does not read them (nor do we evaluate
    their BIFF formulas): they are kept as rules known only by range, so that the ledger can say
    which cells may be painted in ways it cannot see."""
    mem = book.mem
    out: list[CondRule] = []
    for kind, body, end in sheet_records(book, index):
        if kind not in (_CONDFMT, _CONDFMT12):
            continue
        # CONDFMT: ccf, flags, refBound, then cref and the Ref8U ranges (CONDFMT12: after a 12-byte header).
        at = body + (12 if kind == _CONDFMT12 else 0) + 12
        if at + 2 > end:
            continue
        (count,) = struct.unpack_from("<H", mem, at)
        ranges = []
        for k in range(min(count, 512)):
            ref = at + 2 + 8 * k
            if ref + 8 > end:
                break
            r1, r2, c1, c2 = struct.unpack_from("<4H", mem, ref)
            ranges.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        if ranges:
            sqref = " ".join(a1(r1, c1) if (r1, c1) == (r2, c2) else f"{a1(r1, c1)}:{a1(r2, c2)}"
                             for r1, c1, r2, c2 in ranges)
            out.append(CondRule(sqref=sqref, ranges=ranges, kind="xls", evaluable=False))
    return out
# BIFF records that become one cell each in xlrd: FORMULA (BIFF8 and BIFF4), BLANK, NUMBER, LABEL,
# BOOLERR, RK, LABELSST, RSTRING; MULRK and MULBLANK hold a run of cells.
_ONE_CELL = frozenset((0x0006, 0x0406, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6))
_MULRK, _MULBLANK, _SST = 0x00BD, 0x00BE, 0x00FC


def _check_cell_count(data: bytes) -> None:
    """Refuse an .xls with more cells than an .xlsx may have, before xlrd builds them all.

    xlrd holds every cell of a sheet in lists (and, with formatting, every formatted blank): an
    8 MB file of a million cells took minutes and gigabytes. Counting the cell records of the
    workbook stream is one quick pass over at most MAX_XLS_BYTES.
    """
    from xlrd import compdoc

    from .xlsx import MAX_CELLS

    try:
        doc = compdoc.CompDoc(data, logfile=_Silent())
        for name in ("Workbook", "Book"):
            mem, base, length = doc.locate_named_stream(name)
            if mem:
                break
        else:
            return  # no workbook stream: xlrd says so
    except Exception:  # noqa: BLE001  a damaged container: xlrd reports it as corrupt
        return
    unpack = struct.Struct("<HH").unpack_from
    pos, end, cells = base, min(base + length, len(mem)), 0
    too_many = UnreadableFile(finding("file.too_large", detail=f"工作簿有超过 {MAX_CELLS:,} 个单元格"))
    while pos + 4 <= end:
        kind, size = unpack(mem, pos)
        pos += 4
        if kind in _ONE_CELL:
            cells += 1
        elif kind == _MULRK:
            cells += max(0, (size - 6) // 6)
        elif kind == _MULBLANK:
            cells += max(0, (size - 6) // 2)
        elif kind == _SST and size >= 8 and pos + 8 <= end and struct.unpack_from("<I", mem, pos + 4)[0] > MAX_CELLS:
            raise UnreadableFile(finding("file.too_large", detail=f"工作簿有超过 {MAX_CELLS:,} 个不同的文字"))
        if cells > MAX_CELLS:
            raise too_many
        pos += size


def _value(book: xlrd.book.Book, cell: xlrd.sheet.Cell) -> object:
    ctype = cell.ctype
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if ctype == xlrd.XL_CELL_TEXT:
        return cell.value if cell.value.strip() else None
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell.value
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    value = cell.value
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Silent:
    """xlrd writes warnings to a log file; we have no use for them."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass
