"""Read an .xlsx (Excel, WPS or LibreOffice) into the neutral grid, with resolved colours.

The cells are parsed with expat directly rather than through openpyxl's cell objects: a merge of
sixty ledgers must check everything faster than pandas merely reads them, and openpyxl's
per-cell object model (and its import) is where the time went. ``styles`` reads the style sheet.
"""

from __future__ import annotations

import datetime as dt
import operator
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.parsers import expat

from defusedxml.ElementTree import fromstring

from ..collector import collector_paused
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


def read_xlsx(path: Path, *, fast: bool = True) -> RawWorkbook:
    """Read every sheet's cells, merges, row fills and visibility; raise UnreadableFile if impossible.

    ``fast=False`` reads every part with expat alone (the reference the fast scanners must equal)."""
    try:
        # Tens of thousands of cells and no cycles: the collections they would set off free nothing.
        with zipfile.ZipFile(path) as zf, collector_paused():
            return _read(zf, path, fast)
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


def _read(zf: zipfile.ZipFile, path: Path, fast: bool = True) -> RawWorkbook:
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
            data = zf.read(part)
            found = _fast_shared_strings(data) if fast else None
            if found is None:
                shared = _shared_strings(data, struck)
            else:
                shared = found[0]
                struck |= found[1]
        elif kind == "styles":
            styles_xml = zf.read(part)
    xfs = _cell_styles(styles_xml, theme_xml)

    book = RawWorkbook(path=str(path), format="xlsx")
    budget = MAX_CELLS
    for name, visible, part in sheets:
        try:
            info = zf.getinfo(part)
        except KeyError:
            continue  # a chartsheet or a dangling relationship
        sheet = None
        if fast and info.file_size <= _FAST_SHEET_BYTES:
            parser = _SheetParser(name, visible, shared, xfs, epoch, budget, struck)
            sheet = parser.parse_fast(zf, info)
        if sheet is None:  # the fast scan declined: expat reads the part from its start
            with zf.open(info) as member:  # streamed: a huge sheet is refused part-way, never held whole
                parser = _SheetParser(name, visible, shared, xfs, epoch, budget, struck)
                sheet = parser.parse(member)
        book.sheets.append(sheet)
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
        return self._done()

    def parse_fast(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> RawSheet | None:
        """The sheet read by the fast scanner, or None when it declines (the caller then runs ``parse``
        on a fresh parser: nothing this one did is kept)."""
        try:
            if self._scan(zf.read(info)):
                return self._done()
        except Exception:  # noqa: BLE001  whatever the scanner cannot take, expat reads, and judges
            pass
        return None

    def _scan(self, data: bytes) -> bool:
        """Read ``data`` as expat would, if its <sheetData> has the common shape; False if not.

        The rows and cells are scanned with one regular expression; everything around them (the
        head, merged ranges, conditional formats…) goes through the expat handlers as a copy of the
        part whose <sheetData> is left empty, so the two together read every element exactly once."""
        start = data.find(b"<sheetData>")
        end = data.find(b"</sheetData>", start)
        if start < 0 or end < 0:
            return False
        head, tail = data[:start], data[end + 12:]
        prolog = _PROLOG.match(head)
        if prolog is not None and not _utf8(prolog.group()):
            return False
        if _HEAD_UNSAFE.search(head, prolog.end() if prolog else 0) or _TAIL_UNSAFE.search(tail):
            return False
        text = data[start + 11:end].decode("utf-8")
        if "]]>" in text:
            return False
        # Once every character of the text is in a token (checked below), each "<" opens a tag.
        self.elements += text.count("<") - text.count("</")
        self.budget -= text.count("<c ")
        if self.elements > MAX_ELEMENTS or self.budget < 0:
            return False  # expat says which limit, where
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.text
        p.Parse(head + b"<sheetData/>" + tail, True)

        cells, styles, epoch = self.sheet.cells, self.styles, self.epoch
        hidden_rows, row_fills = self.sheet.hidden_rows, self.sheet.row_fills
        any_strike, struck_shared = self.any_strike, self.struck_shared
        columns = _COLUMNS
        # The shared strings as cells take them: a blank one is no value.
        shared = [value if value.strip() else None for value in self.shared]
        looks: dict[str, tuple[str | None, str | None, bool]] = {}  # s as written -> the style's look
        row_looks: dict[str, tuple[bool, str | None] | None] = {}  # a row's attributes but r -> its look
        row_text, row_of_text, cur_row = self.row_text, self.row_of_text, self.row
        depth = 0
        for letters, digits, s, kind, f_tag, f_text, raw, inline, r, row_attrs, row_end, odd \
                in _sheet_tokens(text):
            if letters:
                # As start() places a cell: the column alone when the ref ends with the row's r.
                if digits == row_text and (col := columns.get(letters)) is not None:
                    cur_row = row_of_text
                else:
                    cur_row, col = _cell_ref(letters + digits)
                look = looks.get(s)
                if look is None:
                    look = looks[s] = styles.get(int(s) if s else 0)
                fill, font, is_date = look
                # As _finish_cell(); an empty <v> (or <t>) gives no value in any cell type.
                value: object = None
                if kind == "s" and raw and not f_tag:  # most cells of a file Excel or WPS saved
                    if "&" in raw:
                        raw = _entities(raw)
                    try:
                        value = shared[int(raw)]
                    except (ValueError, IndexError):
                        value = None
                    if value is not None:
                        cell = RawCell(value, fill, font)
                        if any_strike:
                            cell.strike = styles.struck(int(s) if s else 0) or _int_or(raw) in struck_shared
                            self.sheet.has_strike = self.sheet.has_strike or cell.strike
                        cells[(cur_row, col)] = cell
                    elif fill is not None:
                        cells[(cur_row, col)] = RawCell(None, fill, font)
                    continue
                if not (raw or inline or f_tag):
                    if fill is not None:  # else formatted but empty: not a cell anyone wrote in
                        cells[(cur_row, col)] = RawCell(None, fill, font)
                    continue
                raw = raw or inline  # a <t> in <is> is read as a <v> is
                if raw:
                    if "&" in raw:
                        raw = _entities(raw)
                    if kind == "s":
                        try:
                            value = shared[int(raw)]
                        except (ValueError, IndexError):
                            value = None
                    else:
                        value = _typed_value(kind or "n", raw, is_date, epoch)
                        if isinstance(value, str) and not value.strip():
                            value = None
                formula = None
                if f_tag:
                    if f_tag.count('="') > 1 and not _distinct_attributes(f_tag):
                        return False  # an attribute written twice: expat refuses the part
                    if "&" in f_text:  # decoded even when unused: a forbidden character declines
                        f_text = _entities(f_text)
                    if value is None:
                        formula = "=" + f_text
                if value is None and fill is None and formula is None:
                    continue
                cell = RawCell(value, fill, font, formula)
                if value is not None and any_strike:
                    cell.strike = styles.struck(int(s) if s else 0) \
                        or (kind == "s" and _int_or(raw) in struck_shared)
                    self.sheet.has_strike = self.sheet.has_strike or cell.strike
                cells[(cur_row, col)] = cell
            elif row_end:
                if r:  # as _row() reads a row with r, its other attributes' meaning looked up once
                    if row_attrs in row_looks:
                        row_look = row_looks[row_attrs]
                    else:
                        attrs = dict(_ATTRIBUTE.findall(row_attrs))
                        row_look = row_looks[row_attrs] = None if len(attrs) != row_attrs.count('="') \
                            or "r" in attrs else self._row_look(attrs)
                    if row_look is None:
                        return False  # an attribute written twice: expat refuses the part
                    cur_row = int(r)
                    if not 1 <= cur_row <= MAX_ROW:
                        return False
                    # "012" is row 12, but its cells are not matched against the text "012".
                    row_text, row_of_text = (r, cur_row) if r[0] != "0" else ("", 0)
                    if row_look[0]:
                        hidden_rows.add(cur_row)
                    if row_look[1] is not None:
                        row_fills[cur_row] = row_look[1]
                else:
                    attrs = dict(_ATTRIBUTE.findall(row_attrs))
                    if len(attrs) != row_attrs.count('="'):
                        return False
                    self.row = cur_row
                    self._row(attrs)
                    row_text, row_of_text, cur_row = self.row_text, self.row_of_text, self.row
                depth += row_end == ">"
            elif odd:
                return False  # not a token of the common shape
            else:
                depth -= 1
                if depth < 0:
                    return False
        return depth == 0

    def _done(self) -> RawSheet:
        cells = self.sheet.cells
        if cells:
            self.sheet.max_row = max(cells)[0]
            self.sheet.max_col = max(map(_second, cells))
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
            self._row(attrs)
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

    def _row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        self.row = _row_number(r) if r else _row_number(str(self.row + 1))
        self.col = 0
        if r and r == str(self.row):
            self.row_text, self.row_of_text = r, self.row
        else:
            self.row_text, self.row_of_text = "", 0
        hidden, fill = self._row_look(attrs)
        if hidden:
            self.sheet.hidden_rows.add(self.row)
        if fill is not None:
            self.sheet.row_fills[self.row] = fill

    def _row_look(self, attrs: dict[str, str]) -> tuple[bool, str | None]:
        """Whether a row is hidden, and its whole-row fill."""
        # Hidden, or squeezed to no height (what some clerks do instead of hiding).
        hidden = attrs.get("hidden") in ("1", "true") or (attrs.get("customHeight") in ("1", "true")
                                                         and attrs.get("ht") in ("0", "0.0"))
        fill = None
        if attrs.get("customFormat") in ("1", "true") and "s" in attrs:
            fill = self.styles.get(int(attrs["s"]))[0]
        return hidden, fill

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
        elif self.has_v and (raw or kind in ("str", "inlineStr")):
            value = _typed_value(kind, raw, is_date, self.epoch)
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


def _typed_value(kind: str, raw: str, is_date: bool, epoch: dt.datetime) -> object:
    """The value of a cell of type ``kind`` (not a shared string) whose ``<v>`` holds ``raw``."""
    if kind == "inlineStr":
        return _unescape(raw)
    if kind == "str":
        return raw
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "e":
        return None  # #N/A, #REF!…: no value a clerk meant
    if kind == "d":
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
        # Excel keeps no time zones; a copy with one could not be saved again.
        return value.replace(tzinfo=None)
    return _number(raw, is_date, epoch)


# --- Fast scanners for the common shape of a part ---------------------------------------------
#
# expat calls back into Python for every element: for a ledger's sheet (rows of cells such as
# <c r="B5" s="4" t="s"><v>13</v></c>) and for LibreOffice's shared strings (every run with its
# <rPr>) those calls are most of the cost of reading a workbook. The scanners below read exactly
# that common shape with regular expressions and decline (None/False) anything else, which the
# caller then reads with expat from the part's start. They accept only text expat accepts (every
# character inside a token, the five predefined entities, no character XML forbids) and give the
# same result; tests/test_fast_reader.py reads many kinds of workbooks both ways and compares.

_FAST_SHEET_BYTES = 16 * 1024 * 1024  # a ledger's sheet is well under 1 MB; bigger ones are streamed
# Characters XML forbids (expat refuses them) and carriage returns (expat turns them into line
# feeds): no class below matches them, so a part holding any is left to expat.
_FORBIDDEN = r"\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff"
# Character data: no markup; the five predefined entities and character references (LibreOffice
# writes a line break as &#10;), which _entities decodes as expat does. ("]]>", which expat refuses
# in text, is looked for in the whole part.)
_TEXT = rf"[^<&{_FORBIDDEN}]*(?:&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);[^<&{_FORBIDDEN}]*)*"
_VALUE = rf'[^"<&\t\n{_FORBIDDEN}]*'  # an attribute value as written: no reference, no whitespace to normalise
_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?"
_T_OPEN = r'<t(?: xml:space="preserve")?>'
# One token of <sheetData>: a cell (r, s, t in Excel's order; an optional formula, then a value or
# a plain inline string), a row's start tag, its end tag, or any other one character: findall then
# gives a token for every character of the text, and the scanner declines at the first odd one.
# Groups: column, row, s, t, <f…>, formula, value, inline string; the row's r, its other attributes,
# ">" or "/>"; the odd character.
_SHEET_TOKEN = re.compile(
    rf'<c r="([A-Z]{{1,3}})([0-9]{{1,7}})"(?: s="([0-9]{{1,9}})")?(?: t="([A-Za-z]{{1,9}})")?'
    rf'(?:/>|>(<f(?: {_NAME}="{_VALUE}")*(?:/>|>({_TEXT})</f>))?'
    rf'(?:<v>({_TEXT})</v>|<v/>|<is>{_T_OPEN}({_TEXT})</t></is>)?</c>)'
    rf'|<row(?: r="([0-9]{{1,7}})")?((?: {_NAME}="{_VALUE}")*)(/?>)|</row>|([\s\S])')
_ATTRIBUTE = re.compile(rf' ({_NAME})="({_VALUE})"')
_CHUNK = 1 << 16  # characters of <sheetData> tokenised at a time (a chunk's tuples: a few MB at most)


def _sheet_tokens(text: str) -> Iterator[tuple[str, ...]]:
    """The tokens of a sheet's <sheetData> (cut after a </row>, which no token holds)."""
    return _tokens(_SHEET_TOKEN, text, "</row>")


def _tokens(pattern: re.Pattern[str], text: str, boundary: str) -> Iterator[tuple[str, ...]]:
    """``pattern.findall(text)``, some tens of thousands of characters at a time, cut after a
    ``boundary`` (which only ends a token), so that a part of megabytes never has all its tokens
    at once. Where no boundary comes near (one huge row, or a flood of anything, such as a million
    <v>1</v> after the last row), token by token: the scan declines at the first odd one instead of
    after a tuple has been made for each of millions of them (gigabytes)."""
    start = 0
    while start < len(text):
        end = text.find(boundary, start + _CHUNK)
        end = len(text) if end < 0 else end + len(boundary)
        if end - start <= 2 * _CHUNK:
            yield from pattern.findall(text, start, end)  # all at once: the quickest way
        else:
            for m in pattern.finditer(text, start, end):
                yield m.groups("")
        start = end


_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml [^<>]*?\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
# Outside <sheetData>: no comment, CDATA, DOCTYPE or processing instruction (each could hide or
# change what the scanner reads), and none of the elements whose handlers keep the state of cells.
_HEAD_UNSAFE = re.compile(rb"<[!?]|<(?:[^\s<>/!?=\"']*:)?(?:c|row|v|f|t|is|r|rPh|strike|formula|sqref|sheetData)[\s/>]")
_TAIL_UNSAFE = re.compile(rb"<(?:[^\s<>/!?=\"']*:)?(?:c|row|t|sheetData)[\s/>]")


# The shared string table: its start tag, then <si> after <si>, each one <t> or rich-text runs
# (<r>, an optional <rPr>, one <t>), then perhaps the phonetic properties Excel adds in Chinese.
_SST_HEAD = re.compile(rb'(?:\xef\xbb\xbf)?(?:<\?xml [^<>]*?\?>)?[ \t\n]*<sst(?:[ \t\n]+[A-Za-z_][A-Za-z0-9_.:-]*="[^"<&]*")*[ \t\n]*>')
_SST_TAIL = re.compile(rb"</sst>[ \t\n]*")
# A run's properties, by name (an <r/>, <si/> or <t/> among them would change what expat's
# handlers collect): each empty, with one attribute at most, or a colour with a tint.
_RPR_NAME = "rFont|charset|family|b|i|strike|outline|shadow|condense|extend|color|sz|u|vertAlign|scheme"
_RPR_BODY = (rf'(?:<(?:{_RPR_NAME})(?: [A-Za-z]+="{_VALUE}")?/>'
             rf'|<color (?:rgb|theme|indexed|auto)="{_VALUE}" tint="{_VALUE}"/>)*')
_RUN = re.compile(rf"<r>(?:<rPr>({_RPR_BODY})</rPr>)?{_T_OPEN}({_TEXT})</t></r>")  # groups: rPr, text
_RUN_TEXT = re.compile(rf"{_T_OPEN}({_TEXT})</t>")
# A string after any blanks (groups: the text of a plain one, the runs of a rich one), or any
# other one character (the third group: findall then gives a token for every character).
_SI = re.compile(rf"[ \t\n]*<si>(?:{_T_OPEN}({_TEXT})</t>|((?:<r>(?:<rPr>{_RPR_BODY}</rPr>)?{_T_OPEN}{_TEXT}</t></r>)+))"
                 rf'(?:<phoneticPr fontId="[0-9]{{1,9}}"(?: type="[A-Za-z]+")?(?: alignment="[A-Za-z]+")?/>)?</si>'
                 rf"|([\s\S])")
_STRIKE = re.compile(rf'<strike(?: ([A-Za-z]+)="({_VALUE})")?/>')


def _fast_shared_strings(data: bytes) -> tuple[list[str], set[int]] | None:
    """``_shared_strings`` (the strings and the struck ones) for a table of the common shape, else None."""
    try:
        return _scan_shared_strings(data)
    except Exception:  # noqa: BLE001  whatever the scanner cannot take, expat reads, and judges
        return None


def _scan_shared_strings(data: bytes) -> tuple[list[str], set[int]] | None:
    head = _SST_HEAD.match(data)
    end = data.rfind(b"</sst>")
    if head is None or end < head.end() or not _SST_TAIL.fullmatch(data, end):
        return None
    if b"<?xml" in head.group() and not _utf8(head.group()):
        return None
    text = data[head.end():end].decode("utf-8").rstrip(" \t\n")  # blanks before </sst>: nothing
    if "]]>" in text:
        return None
    _parser().Parse(data[:head.end()] + data[end:], True)  # the declaration and root as expat sees them
    out: list[str] = []
    struck: set[int] = set()
    for plain, runs, odd in _tokens(_SI, text, "</si>"):
        if odd:
            return None  # not the common shape
        if runs:
            if "strike" in runs:
                pairs = _RUN.findall(runs)
                plain = "".join([t for _, t in pairs])
                if _all_struck(pairs):
                    struck.add(len(out))
            else:  # in runs _SI matched, a <t> opens nothing but a run's text
                plain = "".join(_RUN_TEXT.findall(runs))
        out.append(_unescape(_entities(plain) if "&" in plain else plain))
    if len(out) > MAX_CELLS:
        return None
    return out, struck


def _all_struck(runs: list[tuple[str, str]]) -> bool:
    """As ``_shared_strings`` judges a string struck: some run with text is struck, none is not."""
    some = False
    for rpr, text in runs:
        if not text.strip():
            continue
        strikes = _STRIKE.findall(rpr) if "strike" in rpr else []
        if strikes and (strikes[-1][1] if strikes[-1][0] == "val" else "1") not in ("0", "false"):
            some = True
        else:
            return False
    return some


def _utf8(prolog: bytes) -> bool:
    """Whether an XML declaration leaves the part in UTF-8 (what the scanners decode)."""
    m = _ENCODING.search(prolog)
    return m is None or m.group(1).lower() == b"utf-8"


_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([a-z]+));")
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entities(text: str) -> str:
    """Decode the references of a text _TEXT matched; a character XML forbids raises ValueError
    (expat refuses the part: the scanner declines it)."""
    return _REFERENCE.sub(_reference, text)


def _reference(m: re.Match[str]) -> str:
    if m.group(3):
        return _PREDEFINED[m.group(3)]
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
        raise ValueError("a reference to a character XML forbids")
    return chr(code)


def _distinct_attributes(tag: str) -> bool:
    names = [name for name, _ in _ATTRIBUTE.findall(tag)]
    return len(names) == len(set(names))


_second = operator.itemgetter(1)
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
