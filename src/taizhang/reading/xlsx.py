"""Read an .xlsx (Excel, WPS or LibreOffice) into the neutral grid, with resolved colours.

The cells are parsed with expat directly rather than through openpyxl's cell objects: a merge of
sixty ledgers must check everything faster than pandas merely reads them, and openpyxl's
per-cell object model (and its import) is where the time went. ``styles`` reads the style sheet.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO
from xml.parsers import expat

from defusedxml.ElementTree import fromstring

from ..errors import UnreadableFile
from ..findings import finding
from . import colours
from .grid import MAX_COL, MAX_ROW, CondRule, RawCell, RawSheet, RawWorkbook, column_index, range_bounds
from .styles import CellStyles

# A ledger has a few thousand cells; a file with millions is not one, and parsing it would take
# minutes and gigabytes (a small zip can hold them): refuse past this many <c> elements.
MAX_CELLS = 500_000
# Other elements of a sheet (rows, values, merged ranges…) are bounded too: a sheet of a few
# empty elements repeated millions of times costs seconds to parse while holding no cell.
MAX_ELEMENTS = 4 * MAX_CELLS
MAX_MERGED = 50_000  # a ledger merges a few cells per item
# Day 0 of Excel's two date systems (1900: the day before 1900-01-01 counting Excel's phantom
# 1900-02-29, which only matters before March 1900).
EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Number formats that are dates in a Chinese-locale Excel/WPS besides openpyxl's builtin list.
_CJK_DATE_FORMATS = set(range(27, 37)) | set(range(50, 59))


class _Unsafe(Exception):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def read_xlsx(path: Path) -> RawWorkbook:
    """Read every sheet's cells, merges, row fills and visibility; raise UnreadableFile if impossible."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _read(zf, path)
    except UnreadableFile:
        raise
    except _Unsafe as exc:
        raise UnreadableFile(finding("file.unsafe", detail=str(exc))) from None
    except Exception as exc:  # noqa: BLE001  a damaged file fails in many ways; each is "corrupt"
        name = type(exc).__name__
        if "Entities" in name or "DTD" in name or "Forbidden" in name:
            raise UnreadableFile(finding("file.unsafe", detail=name)) from None
        what = "XML 内容不完整或格式错误" if name == "ExpatError" else "内部结构异常"
        raise UnreadableFile(finding("file.corrupt", detail=f"{what}；技术信息：{name}: {exc}"[:200])) from None


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, absolute part name) for ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = fromstring(zf.read(rels_name))
    except KeyError:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for rel in root:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], full)
    return out


def _read(zf: zipfile.ZipFile, path: Path) -> RawWorkbook:
    wb_root = fromstring(zf.read("xl/workbook.xml"))
    rels = _rels(zf, "xl/workbook.xml")
    epoch = EPOCH_1900
    sheets: list[tuple[str, bool, str]] = []
    for el in wb_root.iter():
        tag = _local(el.tag)
        if tag == "workbookPr" and el.get("date1904") in ("1", "true"):
            epoch = EPOCH_1904
        elif tag == "sheet":
            rel = rels.get(el.get(_NS_REL) or el.get("id") or "")
            if rel is not None:
                sheets.append((el.get("name", ""), el.get("state", "visible") == "visible", rel[1]))

    theme_xml = styles_xml = None
    shared: list[str] = []
    struck: set[int] = set()  # shared strings whose every run is struck through
    for kind, part in rels.values():
        if kind == "theme":
            theme_xml = zf.read(part)
        elif kind == "sharedStrings":
            shared = _shared_strings(zf.read(part), struck)
        elif kind == "styles":
            styles_xml = zf.read(part)
    xfs = _cell_styles(styles_xml, theme_xml)

    book = RawWorkbook(path=str(path), format="xlsx")
    budget = MAX_CELLS
    for name, visible, part in sheets:
        try:
            member = zf.open(part)
        except KeyError:
            continue  # a chartsheet or a dangling relationship
        with member:  # streamed: a huge sheet is refused part-way, never held whole
            parser = _SheetParser(name, visible, shared, xfs, epoch, budget, struck)
            book.sheets.append(parser.parse(member))
        budget = parser.budget
    return book


# Departments fill in copies of one template: most workbooks of an inbox carry the same style
# sheet and theme, parsed once per process rather than once per file. Small parts only, and a few.
_STYLES_CACHE: dict[tuple[bytes | None, bytes | None], CellStyles] = {}
_STYLES_CACHE_SIZE = 8
_STYLES_CACHE_BYTES = 256 * 1024


def _cell_styles(styles_xml: bytes | None, theme_xml: bytes | None) -> CellStyles:
    """The styles of a style sheet and theme, from the cache when another file had the same."""
    key = (styles_xml, theme_xml)
    xfs = _STYLES_CACHE.get(key)
    if xfs is None:
        xfs = CellStyles(styles_xml, colours.parse_theme(theme_xml))  # read only once built
        if len(styles_xml or b"") + len(theme_xml or b"") <= _STYLES_CACHE_BYTES:
            if len(_STYLES_CACHE) >= _STYLES_CACHE_SIZE:
                del _STYLES_CACHE[next(iter(_STYLES_CACHE))]
            _STYLES_CACHE[key] = xfs
    return xfs


def _no_dtd(*_args: object) -> None:
    raise _Unsafe("XML 中含 DTD/实体声明")


def _parser() -> expat.XMLParserType:
    p = expat.ParserCreate()
    p.buffer_text = True
    # Refuse what defusedxml refuses; the gate already rejects DTDs, this is the second lock.
    p.StartDoctypeDeclHandler = _no_dtd
    p.EntityDeclHandler = _no_dtd
    p.UnparsedEntityDeclHandler = _no_dtd
    p.ExternalEntityRefHandler = _no_dtd  # type: ignore[assignment]
    return p


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot carry as ``_xHHHH_`` (``_x000D_`` for a carriage return)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _shared_strings(data: bytes, struck: set[int] | None = None) -> list[str]:
    """The shared string table; rich-text runs are joined, phonetic (rPh) runs left out.

    ``struck`` gets the index of each string whose every written run is struck through (a clerk
    who struck the text while editing the cell, rather than the cell's font)."""
    out: list[str] = []
    parts: list[str] = []
    # The parse state, as closure variables (read for every element of a table of thousands).
    in_t = in_r = run_struck = plain = False
    skip = runs = 0
    mark: int | None = None  # where the open run's text begins in ``parts``
    local: dict[str, str] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal in_t, in_r, run_struck, plain, skip, runs, mark
        t = local.get(tag)
        if t is None:
            t = local[tag] = _local(tag)
        if t == "si":
            parts.clear()
            plain, runs, in_r = False, 0, False
        elif t == "t" and not skip:
            in_t = True
            if in_r:
                mark = len(parts)
            else:
                plain = True  # text outside a run: not struck
        elif t == "r":
            in_r, run_struck = True, False
        elif t == "strike" and in_r:
            run_struck = attrs.get("val", "1") not in ("0", "false")
        elif t == "rPh":
            skip += 1

    def end(tag: str) -> None:
        nonlocal in_t, in_r, plain, skip, runs
        t = local.get(tag)
        if t is None:
            t = local[tag] = _local(tag)
        if t == "si":
            if struck is not None and runs and not plain:
                struck.add(len(out))
            out.append(_unescape("".join(parts)))
            if len(out) > MAX_CELLS:
                raise UnreadableFile(finding("file.too_large", detail=f"工作簿有超过 {MAX_CELLS:,} 个不同的文字"))
        elif t == "t":
            if in_t and in_r:
                if mark is None:
                    raise KeyError("mark")  # as a malformed table always failed here
                if "".join(parts[mark:]).strip():
                    if run_struck:
                        runs += 1
                    else:
                        plain = True  # written text that is not struck
            in_t = False
        elif t == "r":
            in_r = False
        elif t == "rPh":
            skip -= 1

    def text(data: str) -> None:
        if in_t:
            parts.append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, text
    p.Parse(data, True)
    return out


class _SheetParser:
    """One worksheet part: cells (value, style), merged ranges, row formats."""

    def __init__(self, name: str, visible: bool, shared: list[str], styles: CellStyles, epoch: dt.datetime,
                 budget: int = MAX_CELLS, struck: set[int] | None = None) -> None:
        self.sheet = RawSheet(name=name, visible=visible)
        self.struck_shared = struck or set()
        self.any_strike = bool(self.struck_shared) or any(styles.strike)
        self.budget = budget
        self.elements = self.merges = 0
        self.shared = shared
        self.styles = styles
        self.epoch = epoch
        self.row = 0
        self.col = 0
        # The open <row>'s r as written ("12"), and its number: a cell "B12" of that row is
        # read as its column alone.
        self.row_text = ""
        self.row_of_text = 0
        self.ref: str | None = None
        self.type = "n"
        self.style = 0
        self.value: list[str] = []
        self.formula: list[str] | None = None
        self.has_v = False
        self.capture: list[str] | None = None
        self.in_is = False
        # Rich-text runs of an inline string: struck and plain texts seen (a cell struck as text).
        self.in_run = self.run_struck = False
        self.struck_texts = self.plain_texts = 0
        # Conditional formats (after sheetData): the rules of the open <conditionalFormatting>.
        self.in_ext = 0
        self.cf_sqref = ""
        self.cf_block: list[CondRule] | None = None
        self.cf_rule: CondRule | None = None
        self.cf_text: list[str] | None = None

    def parse(self, stream: IO[bytes]) -> RawSheet:
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.text
        p.ParseFile(stream)
        cells = self.sheet.cells
        if cells:
            self.sheet.max_row = max(r for r, _ in cells)
            self.sheet.max_col = max(c for _, c in cells)
        self.sheet.clip_merged()
        return self.sheet

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        # Called for every element of the sheet: the commonest tags are tested first.
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise UnreadableFile(finding("file.too_large", detail=f"工作表有超过 {MAX_ELEMENTS:,} 个元素"))
        if ":" in tag:
            tag = tag.rsplit(":", 1)[-1]
        if tag == "c":
            self.budget -= 1
            if self.budget < 0:
                raise UnreadableFile(finding("file.too_large", detail=f"工作簿有超过 {MAX_CELLS:,} 个单元格"))
            ref = attrs.get("r")
            if ref:
                row_text = self.row_text
                col = _COLUMNS.get(ref[:-len(row_text)]) if row_text and ref.endswith(row_text) else None
                if col is not None:
                    self.row, self.col = self.row_of_text, col
                else:
                    self.row, self.col = _cell_ref(ref)
            else:  # r is optional: the next cell in the row
                self.col += 1
                if self.col > MAX_COL:
                    raise _bad_ref(f"第{self.row}行第{self.col}列")
            self.type = attrs.get("t", "n")
            self.style = int(attrs.get("s", 0))
            self.value = []
            self.formula = None
            self.has_v = False
            self.in_is = False
            self.struck_texts = self.plain_texts = 0
        elif tag == "v" or (tag == "t" and self.in_is):
            self.has_v = True
            self.capture = self.value
            if tag == "t":
                if self.in_run and self.run_struck:
                    self.struck_texts += 1
                else:
                    self.plain_texts += 1
        elif tag == "is":
            self.in_is = True
        elif tag == "f":
            self.formula = []
            self.capture = self.formula
        elif tag == "rPh":
            self.in_is = False  # phonetic guide: not part of the text
        elif tag == "r" and self.in_is:
            self.in_run, self.run_struck = True, False
        elif tag == "strike" and self.in_run:
            self.run_struck = attrs.get("val", "1") not in ("0", "false")
        elif tag == "row":
            r = attrs.get("r")
            self.row = _row_number(r) if r else _row_number(str(self.row + 1))
            self.col = 0
            if r and r == str(self.row):
                self.row_text, self.row_of_text = r, self.row
            else:
                self.row_text, self.row_of_text = "", 0
            # Hidden, or squeezed to no height (what some clerks do instead of hiding).
            if attrs.get("hidden") in ("1", "true") or (attrs.get("customHeight") in ("1", "true")
                                                        and attrs.get("ht") in ("0", "0.0")):
                self.sheet.hidden_rows.add(self.row)
            if attrs.get("customFormat") in ("1", "true") and "s" in attrs:
                fill = self.styles.get(int(attrs["s"]))[0]
                if fill is not None:
                    self.sheet.row_fills[self.row] = fill
        elif tag == "mergeCell":
            self.budget -= 1  # millions of merged ranges are no ledger either, and each costs memory
            self.merges += 1
            if self.merges > MAX_MERGED:
                raise UnreadableFile(finding("file.too_large", detail=f"工作表有超过 {MAX_MERGED:,} 个合并区域"))
            if self.budget < 0:
                raise UnreadableFile(finding("file.too_large", detail=f"工作簿有超过 {MAX_CELLS:,} 个单元格或合并区域"))
            ref = attrs.get("ref")
            if ref and ":" in ref:
                try:
                    self.sheet.merged.append(range_bounds(ref))
                except ValueError:
                    pass  # "A1:B", "1:3": no range of cells; Excel drops it when it repairs the file
        elif tag == "conditionalFormatting":
            self.cf_sqref = attrs.get("sqref", "")
            self.cf_block = []
        elif tag == "cfRule" and self.cf_block is not None:
            self.cf_rule = self._cf_rule(attrs)
        elif (tag == "formula" and self.cf_rule is not None) or (tag == "sqref" and self.cf_block is not None):
            self.cf_text = []
            self.capture = self.cf_text
        elif tag == "ext":
            self.in_ext += 1

    def _cf_rule(self, attrs: dict[str, str]) -> CondRule | None:
        kind = attrs.get("type", "")
        if kind in ("dataBar", "iconSet"):
            return None  # bars and icons, not a cell colour
        dxf = attrs.get("dxfId")
        fill, font = self.styles.dxf(int(dxf) if dxf and dxf.isdigit() else None)
        rule = CondRule(sqref="", ranges=[], kind="x14" if self.in_ext else kind, priority=_int(attrs.get("priority")),
                        operator=attrs.get("operator"), text=attrs.get("text"), fill=fill, font=font,
                        stop=attrs.get("stopIfTrue") in ("1", "true"),
                        # An x14 rule (Excel 2010+, in extLst) keeps its style inline: only its range is read.
                        evaluable=not self.in_ext and kind != "colorScale")
        if rule.evaluable and fill is None and font is None:
            return None  # paints nothing (borders, number formats)
        assert self.cf_block is not None
        self.cf_block.append(rule)
        return rule

    def _cf_end(self, tag: str) -> None:
        if tag == "formula" and self.cf_rule is not None and self.cf_text is not None:
            self.cf_rule.formulas.append(_unescape("".join(self.cf_text)))
        elif tag == "sqref" and self.cf_text is not None:
            self.cf_sqref = "".join(self.cf_text)
        elif tag == "conditionalFormatting" and self.cf_block is not None:
            ranges = _sqref(self.cf_sqref)
            for rule in self.cf_block:
                rule.sqref, rule.ranges = self.cf_sqref.strip(), ranges
                if ranges:
                    self.sheet.cond_rules.append(rule)
            self.cf_block = self.cf_rule = None
        elif tag == "ext":
            self.in_ext -= 1
        self.cf_text = None

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag.rsplit(":", 1)[-1]
        if tag == "c":
            self._finish_cell()
        elif tag == "v" or (self.capture is not None and tag in _CAPTURED):
            self.capture = None
        elif tag == "r":
            self.in_run = False
        elif tag in _CF_TAGS:
            self.capture = None
            self._cf_end(tag)

    def text(self, data: str) -> None:
        if self.capture is not None:
            self.capture.append(data)

    def _finish_cell(self) -> None:
        fill, font, is_date = self.styles.get(self.style)
        raw = "".join(self.value)
        value: object = None
        kind = self.type
        if kind == "s" and self.has_v:  # most cells of a file Excel or WPS saved
            try:
                value = self.shared[int(raw)]
            except (ValueError, IndexError):
                value = None
        elif self.has_v and (raw or kind in ("s", "str", "inlineStr")):
            if kind == "s":
                try:
                    value = self.shared[int(raw)]
                except (ValueError, IndexError):
                    value = None
            elif kind == "inlineStr":
                value = _unescape(raw)
            elif kind == "str":
                value = raw
            elif kind == "b":
                value = raw.strip() in ("1", "true")
            elif kind == "e":
                value = None  # #N/A, #REF!…: no value a clerk meant
            elif kind == "d":
                try:
                    value = dt.datetime.fromisoformat(raw.strip())
                except ValueError:
                    value = raw
                else:
                    # Excel keeps no time zones; a copy with one could not be saved again.
                    value = value.replace(tzinfo=None)
            else:
                value = _number(raw, is_date, self.epoch)
        if isinstance(value, str) and not value.strip():
            value = None
        formula = None
        if self.formula is not None and value is None:
            formula = "=" + "".join(self.formula)
        if value is None and fill is None and formula is None:
            return  # formatted but empty: not a cell anyone wrote in
        cell = RawCell(value, fill, font, formula)
        if value is not None and (self.any_strike or self.struck_texts):
            cell.strike = self.styles.struck(self.style) or (kind == "s" and _int_or(raw) in self.struck_shared) \
                or (kind == "inlineStr" and self.struck_texts > 0 and not self.plain_texts)
            self.sheet.has_strike = self.sheet.has_strike or cell.strike
        self.sheet.cells[(self.row, self.col)] = cell


_CAPTURED = frozenset(("v", "f", "t"))
_CF_TAGS = frozenset(("formula", "sqref", "conditionalFormatting", "ext"))


def _int(text: str | None) -> int:
    try:
        return int(text) if text else 0
    except ValueError:
        return 0


def _sqref(text: str) -> list[tuple[int, int, int, int]]:
    """``"E5:E20 G5"`` -> bounds; whole columns (``E:E``) and rows (``5:5``) are open-ended."""
    out: list[tuple[int, int, int, int]] = []
    for part in text.replace("$", "").split():
        first, _, last = part.partition(":")
        corners = []
        for ref in (first, last or first):
            m = _A1_PART.match(ref)
            if m is None:
                break
            letters, digits = m.groups()
            if not letters and not digits:
                break
            corners.append((int(digits) if digits else 0, column_index(letters) if letters else 0))
        if len(corners) != 2:
            continue
        (r1, c1), (r2, c2) = corners
        out.append((min(r1, r2) or 1, min(c1, c2) or 1, max(r1, r2) or MAX_ROW, max(c1, c2) or MAX_COL))
    return out


_A1_PART = re.compile(r"^([A-Za-z]{0,3})(\d{0,7})$")
_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789"


def _cell_ref(ref: str) -> tuple[int, int]:
    """``"AB12"`` -> (12, 28); column letters are cached, this runs once per cell. A reference
    outside Excel's grid (no column, past XFD, past row 1,048,576) makes the file corrupt."""
    # The common case in C: letters already seen, then ASCII digits.
    letters = ref.rstrip(_DIGITS)
    col = _COLUMNS.get(letters)
    if col is not None and len(letters) < len(ref):
        row = int(ref[len(letters):])
        if 1 <= row <= MAX_ROW:
            return row, col
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    letters = ref[:i]
    col = _COLUMNS.get(letters)
    if col is None:
        if not 1 <= i <= 3 or not letters.isascii() or column_index(letters) > MAX_COL:
            raise _bad_ref(ref)
        col = _COLUMNS[letters] = column_index(letters)
    return _row_number(ref[i:], ref), col


def _row_number(text: str, ref: str | None = None) -> int:
    try:
        row = int(text)
    except ValueError:
        row = 0
    if not 1 <= row <= MAX_ROW:
        raise _bad_ref(ref if ref is not None else f"第{text[:20]}行")
    return row


def _bad_ref(what: str) -> UnreadableFile:
    return UnreadableFile(finding("file.corrupt", detail=f"“{what[:24]}”不是 Excel 工作表中的有效位置"
                                                          f"（最多 XFD 列、{MAX_ROW} 行）"))


def _int_or(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return -1


def _number(raw: str, is_date: bool, epoch: dt.datetime) -> object:
    try:
        number = float(raw)
    except ValueError:
        return raw
    if is_date:
        try:
            return epoch + dt.timedelta(days=number)
        except (ValueError, OverflowError):
            return number
    return int(number) if number.is_integer() and abs(number) < 1e15 else number
