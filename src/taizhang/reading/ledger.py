"""Find the 附件2 ledger in a workbook and cut it into title, date, summary and item rows.

This module knows the layout, not the rules: it reports what is written and where.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .. import rules
from ..errors import UnreadableFile
from ..findings import finding
from ..models import Colour, Finding
from . import condformat
from .colours import classify, is_pale
from .grid import CondRule, RawCell, RawSheet, RawWorkbook, a1, column_letter

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 6  # of the ten 附件2 labels
# Columns whose cells are drawn merged over an item's sub-rows: only the first row holds them.
TEXT_JOIN_KEYS = ("name", "target", "progress")


@dataclass(slots=True)
class Mark:
    """A colour a clerk put on one cell of an item's row: a fill, or the colour of the cell's text."""

    cell: str  # A1 of the cell (a merged range's anchor)
    rgb: str
    key: str  # the column's key (name, judgement…) or the label of an extra column
    judgement: bool = False  # on the 进度评价 cell
    font: bool = False  # the text colour, not a fill
    conditional: bool = False  # painted by a conditional format


@dataclass(slots=True)  # one per item: slots make it cheaper to build and to read
class RawItem:
    """One item as written: texts by column key, where each came from, and the 进度评价 colours."""

    first_row: int
    last_row: int
    texts: dict[str, str] = field(default_factory=dict)
    no_value: object = None
    cells: dict[str, str] = field(default_factory=dict)  # key -> A1 of the cell that holds it
    fill: str | None = None  # 进度评价 cell's fill
    font: str | None = None  # 进度评价 cell's font colour
    extra: dict[str, str] = field(default_factory=dict)
    item_id: str | None = None  # the hidden 事项编号 written by prepare
    struck: bool = False  # every written cell of the item's rows is struck through
    hidden: bool = False  # every row of the item is hidden
    # Every colour mark on the item's cells (fills and text colours that distinguish items; a
    # table-wide fill, zebra striping or a column's uniform fill is decoration and left out).
    marks: list[Mark] = field(default_factory=list)
    # Conditional formats over the item's cells that could not be evaluated: (range, its first cell, rule type).
    unevaluated: list[tuple[str, str, str]] = field(default_factory=list)
    # A blue/yellow/red fill or text colour of the item left out as the table's or a column's
    # decoration (A1, rgb): a guess, since a clerk may have marked every item alike.
    background: tuple[str, str] | None = None
    # The self-checking template's 评价颜色 column (issue 11): what is chosen there, and its cell
    # (the cell is set whenever the ledger has the column, even when nothing is chosen).
    choice: str = ""
    choice_cell: str | None = None


@dataclass
class ParsedLedger:
    sheet: str
    header_row: int
    columns: dict[str, int]  # key -> column index
    extra_columns: dict[str, int]  # label -> column index
    id_column: int | None = None  # the hidden 事项编号 column of a prepared ledger
    department: str | None = None
    title_cell: str | None = None
    title_text: str | None = None
    # Where the department name was read: the title, or a 填报单位 cell when the title has none.
    department_cell: str | None = None
    date: dt.date | None = None
    date_text: str | None = None
    date_cell: str | None = None
    summary_text: str | None = None
    summary_cell: str | None = None
    # The summary sentence as a formula the file keeps no computed value for (written by a program
    # and never opened in Excel): its formula text; summary_text stays None.
    summary_formula: str | None = None
    items: list[RawItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # key -> further columns under a header label merged across several columns.
    parts: dict[str, list[int]] = field(default_factory=dict)
    # Cells under a merged range that spans several item rows -> the range's anchor cell.
    # Rows of section headings (一、港口建设 / （一） / ①…): item numbering may restart after each.
    section_rows: list[int] = field(default_factory=list)
    covered: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # The sheet's rows that hold cells, ascending: loops over an item's rows visit only these.
    row_numbers: list[int] = field(default_factory=list)
    row_set: set[int] = field(default_factory=set)
    # The footer's 中心分管领导：… (the name(s) as written), None when absent or left as ×××.
    center_leader: str | None = None


class MergedBelow(Mapping[tuple[int, int], tuple[int, int]]):
    """(row, col) of a cell under a vertical merged range -> the range's anchor, looked up
    without listing every covered cell (a range may be drawn down a million rows)."""

    def __init__(self, ranges: list[tuple[int, int, int]]) -> None:
        by_col: dict[int, list[tuple[int, int]]] = {}
        for r1, r2, c in ranges:
            by_col.setdefault(c, []).append((r1, r2))
        self._ranges = {c: sorted(spans) for c, spans in by_col.items()}
        self._starts = {c: [r1 for r1, _ in spans] for c, spans in self._ranges.items()}

    def get(self, key: tuple[int, int], default: tuple[int, int] | None = None) -> tuple[int, int] | None:  # type: ignore[override]
        """The anchor of the range covering ``key``: the one search every other lookup is made of
        (asked for nearly every cell of a ledger, most of which no merged range covers)."""
        r, c = key
        spans = self._ranges.get(c)
        if spans:
            i = bisect_left(self._starts[c], r)  # ranges whose anchor is above r
            for r1, r2 in reversed(spans[max(0, i - 64):i]):  # overlapping ranges: the nearest wins
                if r <= r2:
                    return (r1, c)
        return default

    def __getitem__(self, key: tuple[int, int]) -> tuple[int, int]:
        anchor = self.get(key)
        if anchor is None:
            raise KeyError(key)
        return anchor

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.get(key) is not None

    def __bool__(self) -> bool:
        return bool(self._ranges)  # not __len__, which adds up every range's rows

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for c, spans in self._ranges.items():
            for r1, r2 in spans:
                for r in range(r1 + 1, r2 + 1):
                    yield (r, c)

    def __len__(self) -> int:
        return sum(r2 - r1 for spans in self._ranges.values() for r1, r2 in spans)


def parse_ledger(book: RawWorkbook, month: str | None = None) -> ParsedLedger:
    """Locate the ledger sheet and header and read every item row; raise when there is none.

    A workbook with one ledger sheet per month (3月, 4月, 5月份…) is read at the sheet of ``month``
    (``YYYY-MM``: its 填报日期 or its name), or at the newest month without one; a ``month`` that
    no sheet matches raises ``sheet.month_not_found``.
    """
    hidden_with_ledger: list[str] = []
    candidates: list[tuple[RawSheet, tuple[int, dict[str, int], dict[str, int], list[Finding]]]] = []
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is None:
            continue
        if not sheet.visible:
            hidden_with_ledger.append(sheet.name)
            continue
        candidates.append((sheet, header))
    if candidates:
        # A 填报说明 or 示例 sheet may carry the header too (to show how to fill it in): pass it over
        # unless it is the only one.
        ledgers = [c for c in candidates if not _INSTRUCTIONS.search(c[0].name)] or candidates
        index, chosen = _choose_month(ledgers, month)
        sheet, header = ledgers[index]
        ledger = _parse_sheet(sheet, *header)
        others = [s.name for s, _ in ledgers if s is not sheet]
        if chosen is not None:
            ledger.findings.append(chosen)
        elif others:
            ledger.findings.append(finding("sheet.another_ledger", sheet=sheet.name, cell="A1",
                                           others="、".join(others), sheet_name=sheet.name))
        return ledger
    detail = f"（隐藏的工作表“{'、'.join(hidden_with_ledger)}”中有台账，请取消隐藏）" if hidden_with_ledger else ""
    raise UnreadableFile(finding("sheet.not_found", detail=detail))


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12, "正": 1, "元": 1}
# 2022年4月 / 22年4月份 / 4月 / 4月台账 / 四月 / 2022.4 / 2022-04
_SHEET_MONTH = re.compile(r"(?:(?P<y>\d{4}|\d{2})\s*年\s*)?(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九正元])\s*月")
_SHEET_YM = re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-./_]\s*(?P<m>\d{1,2})(?!\d)")


def sheet_name_month(name: str) -> tuple[int | None, int] | None:
    """The month a sheet's name gives (``4月台账`` → (None, 4), ``2022年4月`` → (2022, 4)), or None."""
    text = rules.nfkc(name)
    m = _SHEET_MONTH.search(text) or _SHEET_YM.search(text)
    if m is None:
        return None
    raw = m["m"]
    month = int(raw) if raw.isdigit() else _CN_DIGITS.get(raw, 0)
    if not 1 <= month <= 12:
        return None
    year = int(m["y"]) if m["y"] else None
    if year is not None and year < 100:
        year += 2000
    return year, month


@dataclass
class _MonthSheet:
    index: int
    name: str
    date: dt.date | None
    named: tuple[int | None, int] | None  # (year, month) from the sheet's name, or its 填报日期 without a year
    written: str | None = None  # that 填报日期 as written

    def month(self, default_year: int) -> tuple[int, int] | None:
        """(year, month) the sheet is for: its name's month (year from the name, its 填报日期 or else
        ``default_year``), else its 填报日期's month."""
        if self.named is not None:
            year = self.named[0] or (self.date.year if self.date else default_year)
            return year, self.named[1]
        if self.date is not None:
            return self.date.year, self.date.month
        return None

    def describe(self) -> str:
        when = f"填报日期{rules.format_date_cn(self.date.year, self.date.month, self.date.day)}" if self.date \
            else f"填报日期{self.written}" if self.written else "无填报日期"
        return f"“{self.name}”（{when}）"


def _nearest_year(month: int, known: list[tuple[int, int]]) -> int:
    """The year of a sheet named only by its month (``1月``), undated: the one that puts it nearest
    the workbook's dated months (``1月`` beside ``2022年12月`` is January 2023), the later on a tie."""
    if not known:
        return 0
    years = {y + d for y, _ in known for d in (-1, 0, 1)}
    return min(years, key=lambda y: (min(abs(y * 12 + month - (ky * 12 + km)) for ky, km in known), -y))


_Candidate = tuple[RawSheet, tuple[int, dict[str, int], dict[str, int], list[Finding]]]


def _choose_month(ledgers: list[_Candidate], month: str | None) -> tuple[int, Finding | None]:
    """Which ledger sheet to read: the first, unless the workbook holds several months' ledgers;
    then the one of ``month`` (by 填报日期 first, then by name) or else the newest, with a warning
    saying which. Raises ``sheet.month_not_found`` when no sheet is of ``month``."""
    if len(ledgers) < 2:
        return 0, None
    sheets: list[_MonthSheet] = []
    for i, (sheet, (header_row, columns, others, _f)) in enumerate(ledgers):
        top = ParsedLedger(sheet=sheet.name, header_row=header_row, columns=columns, extra_columns=others)
        _read_top(sheet, top, sheet.rows())
        # A sheet not named by its month (a copy, "Sheet1 (2)") dated without a year (4月6日) is of that month.
        undated = rules.parse_month_day(top.date_text) if top.date is None and top.date_text else None
        month_of_sheet = sheet_name_month(sheet.name) or ((None, undated[0]) if undated else None)
        sheets.append(_MonthSheet(i, sheet.name, top.date, month_of_sheet, top.date_text if undated else None))
    known = [(s.date.year, s.date.month) for s in sheets if s.date] + \
        [(s.named[0], s.named[1]) for s in sheets if s.named and s.named[0]]

    def month_of(s: _MonthSheet) -> tuple[int, int] | None:
        return s.month(_nearest_year(s.named[1], known) if s.named else 0)

    named = {month_of(s) for s in sheets if s.named is not None}
    dated = {(s.date.year, s.date.month) for s in sheets if s.date is not None}
    if len(named) < 2 and len(dated) < 2:
        return 0, None  # copies of one month's ledger: the first, with sheet.another_ledger
    listed = "、".join(s.describe() for s in sheets)
    if month is None:
        newest = max(sheets, key=lambda s: (month_of(s) or (0, 0), s.date or dt.date.min, -s.index))
        return newest.index, finding("sheet.month_chosen", sheet=newest.name, cell="A1", sheets=listed,
                                     sheet_name=newest.name, how="最新月份")
    year, mon = (int(x) for x in month.split("-")[:2])

    def score(s: _MonthSheet) -> int:
        by_date = s.date is not None and (s.date.year, s.date.month) == (year, mon)
        by_name = s.named is not None and s.month(year) == (year, mon)
        return 2 * by_date + by_name

    best = max(sheets, key=lambda s: (score(s), s.date or dt.date.min, -s.index))
    if score(best) == 0:
        raise UnreadableFile(finding("sheet.month_not_found", sheets=listed, month=rules.month_cn(month)))
    return best.index, finding("sheet.month_chosen", sheet=best.name, cell="A1", sheets=listed,
                               sheet_name=best.name, how=f"月份{rules.month_cn(month)}")


def _find_header(sheet: RawSheet) -> tuple[int, dict[str, int], dict[str, int], list[Finding]] | None:
    by_row = sheet.rows()
    for r in sorted(k for k in by_row if k <= HEADER_SEARCH_ROWS):
        matched: dict[str, int] = {}
        others: dict[str, int] = {}
        findings: list[Finding] = []
        for c, cell in by_row[r]:
            if not isinstance(cell.value, str):
                continue
            col = rules.match_column(cell.value)
            if col is None:
                label = rules.clean_text(cell.value).replace("\n", "")
                if label:
                    others.setdefault(label, c)
                continue
            if col.key == "owner" and "owner" in matched and "owner_person" not in matched \
                    and _split_owner(by_row, r, matched["owner"], c):
                matched["owner_person"] = c  # 责任科室 | 责任人 as two columns: one field, joined
                continue
            if col.key in matched:
                findings.append(finding("header.duplicate_column", sheet=sheet.name, cell=a1(r, c),
                                        label=col.label.replace("\n", ""),
                                        cells=f"{a1(r, matched[col.key])}、{a1(r, c)}"))
                continue
            matched[col.key] = c
        if len(matched) >= MIN_HEADER_MATCHES and "name" in matched:
            code_cell = _missing_column_cell(sheet, by_row, r, [*matched.values(), *others.values()])
            for col in rules.COLUMNS:
                if col.key not in matched:
                    if col.required:
                        findings.append(finding("header.missing_column", sheet=sheet.name, cell=code_cell,
                                                label=col.label.replace("\n", "")))
            return r, matched, others, findings
    return None


def _missing_column_cell(sheet: RawSheet, by_row: dict[int, list[tuple[int, RawCell]]], r: int,
                         cols: list[int]) -> str:
    """Where to point a missing column: the first empty cell of the header inside the table (not one
    covered by a merged label), else the header's first cell; never a cell outside the table."""
    lo, hi = min(cols), max(cols)
    filled = {c for c, cell in by_row[r] if cell.value is not None and str(cell.value).strip()}
    covered = {c for r1, c1, r2, c2 in sheet.merged if r1 <= r <= r2 and c2 >= lo and c1 <= hi
               for c in range(c1, c2 + 1)}
    for c in range(lo, hi + 1):
        if c not in filled and c not in covered:
            return a1(r, c)
    return a1(r, lo)


_OWNER_UNIT = rules.OWNER_UNITS
_OWNER_PERSON = rules.OWNER_PERSONS


# Sheets that explain or illustrate the ledger rather than hold it.
_INSTRUCTIONS = re.compile(r"说明|示例|样例|范例|模板|下拉|选项|字典|参数|填报要求")


def _split_owner(by_row: dict[int, list[tuple[int, RawCell]]], r: int, first_col: int, col: int) -> bool:
    """Whether two owner-like header cells are 责任科室 and 责任人 side by side (not a repeat)."""
    labels = {c: rules.normalise_label(cell.value) for c, cell in by_row[r] if c in (first_col, col)}
    a, b = labels.get(first_col, ""), labels.get(col, "")
    return (a in _OWNER_UNIT and b in _OWNER_PERSON) or (a in _OWNER_PERSON and b in _OWNER_UNIT)


def _merge_map(sheet: RawSheet) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Every anchor cell of a merged range -> its bounds."""
    return {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merged}


def _parse_sheet(sheet: RawSheet, header_row: int, columns: dict[str, int], others: dict[str, int],
                 header_findings: list[Finding]) -> ParsedLedger:
    others = dict(others)
    id_column = others.pop(rules.ITEM_ID_LABEL, None)  # an ID, not a column of the department's own
    ledger = ParsedLedger(sheet=sheet.name, header_row=header_row, columns=columns, extra_columns=others,
                          id_column=id_column, findings=list(header_findings))
    by_row = sheet.rows()
    ledger.row_numbers = list(by_row)  # ascending: rows() is built from the sorted cells
    ledger.row_set = set(by_row)
    merges = _merge_map(sheet)
    _read_top(sheet, ledger, by_row)
    # Only columns holding some cell can add text: a header merged out to column XFD must not
    # make every item read sixteen thousand empty columns. (Listed only for such a header.)
    used_cols: set[int] | None = None

    # A header drawn over two rows (vertically merged labels) ends at its merge's last row; a label
    # drawn over several columns has sub-labels (科室 | 责任人) on the next row, and all its columns.
    first_item_row = header_row + 1
    for key, c in columns.items():
        bounds = merges.get((header_row, c))
        if bounds:
            first_item_row = max(first_item_row, bounds[2] + 1)
            if bounds[3] > c:
                if used_cols is None:
                    used_cols = {c for _, c in sheet.cells}
                ledger.parts[key] = sorted(pc for pc in used_cols if c < pc <= bounds[3])
    if ledger.parts and first_item_row == header_row + 1:
        spans = {pc for key, pcs in ledger.parts.items() for pc in (columns[key], *pcs)}
        below = [c for c, cell in by_row.get(header_row + 1, []) if cell.value is not None]
        if below and all(c in spans or c in columns.values() for c in below) and not any(
                isinstance(cell.value, int | float) for _, cell in by_row.get(header_row + 1, [])):
            first_item_row = header_row + 2  # the sub-label row

    item_cols = set(columns.values()) | set(others.values()) | {c for pcs in ledger.parts.values() for c in pcs}
    # A 分管负责人, 重要程度 or 进度评价 cell merged down over several items belongs to each of them.
    ledger.covered = MergedBelow([(r1, r2, c1) for r1, c1, r2, c2 in sheet.merged
                                  if r2 > r1 and r1 >= first_item_row and c1 == c2 and c1 in item_cols])
    # Rows where an item can start: rows with cells, and the anchors of merged 序号/工作事项 cells
    # (empty anchors merged over rows below). Visiting only these keeps a cell written at row
    # 1,048,576 from costing a million empty iterations.
    key_cols = {columns[k] for k in ("no", "name") if k in columns}
    starts = sorted({r for r in by_row if r >= first_item_row}
                    | {r for r, c in merges if r >= first_item_row and c in key_cols})
    next_row = first_item_row
    layout = _Layout.of(ledger)
    # 序号/工作事项 columns with a merged range starting among the items (an item of several rows):
    # the others need no look-up per row.
    merged_cols = {c for r, c in merges if r >= first_item_row}
    merged_keys = [key_col for key in ("no", "name") if (key_col := columns.get(key)) and key_col in merged_cols]
    for r in starts:
        if r < next_row:
            continue  # inside the item before
        row_cells = by_row.get(r, [])
        if _is_footer_row(row_cells, columns):
            ledger.center_leader = _center_leader(by_row, r)
            break
        end = r
        for key_col in merged_keys:
            bounds = merges.get((r, key_col))
            if bounds and bounds[2] > r:
                end = max(end, bounds[2])
        if end == r and not any(c in item_cols or not item_cols for c, _ in row_cells):
            continue
        raw = _read_item(sheet, ledger, by_row, r, end, merges, layout)
        if raw is not None:
            ledger.items.append(raw)
        next_row = end + 1
    if id_column is not None:
        _own_numbering(ledger, id_column)
    _colour_marks(sheet, ledger, item_cols)
    return ledger


def _own_numbering(ledger: ParsedLedger, id_column: int) -> None:
    """A 事项编号 column holding none of prepare's IDs is the department's own numbering (1, 2,
    GH-01…): an extra column like any other. Within a prepared ledger, a value that is no ID (typed
    over one) counts as no ID."""
    if any(rules.is_item_id(raw.item_id) for raw in ledger.items):
        for raw in ledger.items:
            if not rules.is_item_id(raw.item_id):
                raw.item_id = None
        return
    ledger.id_column = None
    ledger.extra_columns[rules.ITEM_ID_LABEL] = id_column
    for raw in ledger.items:
        raw.extra[rules.ITEM_ID_LABEL] = raw.item_id or ""
        raw.item_id = None


# A fill on every item row (or every other row, or every item of a column) decorates the table
# rather than marking items: it counts as decoration from this many items on.
DECORATION_MIN_ITEMS = 3
# A whole-table fill on this many items is decoration even when the header is not filled alike.
TABLE_FILL_MIN_ITEMS = 6
ROW_WIDE_SHARE = 0.8  # a fill on this share of a row's ledger cells is the row's fill


Fills = dict[tuple[int, int], tuple[str, bool, tuple[int, int]]]


def _colour_marks(sheet: RawSheet, ledger: ParsedLedger, item_cols: set[int]) -> None:
    """Collect each item's colour marks over all its cells: fills (own, whole-row, conditional)
    and text colours, leaving out the fills that decorate the table rather than mark items."""
    items = ledger.items
    if not items:
        return
    # The item rows that hold cells (a merged 序号 may reach far down an otherwise empty sheet).
    row_item: dict[int, RawItem] = {}
    for it in items:
        row_item[it.first_row] = it
        if it.last_row > it.first_row:  # most items are one row
            for r in _rows_between(ledger, it.first_row + 1, it.last_row):
                row_item[r] = it
    rows = sorted(row_item)
    cols = sorted(item_cols)
    painting = condformat.paint(sheet, rows, cols)
    # Effective fill of the item rows' cells (conditional format, own fill, merged anchor's, row
    # format), kept only where one shows; and the text cells, for their colours. Walks the cells
    # that exist, not rows × columns: this runs on every ledger of a merge.
    fills: Fills = {}
    inks: dict[tuple[int, int], str] = {}  # text cells in a blue/yellow/red text colour
    by_row = sheet.rows()
    col_set = set(cols)
    covered, row_fills = ledger.covered, sheet.row_fills
    any_covered = bool(covered)
    marking = (Colour.BLUE, Colour.YELLOW, Colour.RED)
    # The text colours of the sheet that mark (a sheet has a few, on thousands of cells; most often
    # none of them blue, yellow or red, and then no cell's text colour needs looking at).
    inky = {font for font in {cell.font for cell in sheet.cells.values()}
            if font is not None and classify(font)[0] in marking}
    for r in rows:
        row_fill = row_fills.get(r)
        row_cells = by_row.get(r, ())
        for c, cell in row_cells:
            if cell.fill is not None and c in col_set:
                fills[(r, c)] = (cell.fill, False, (r, c))
        if inky:
            for c, cell in row_cells:
                font = cell.font
                if font in inky and cell.value is not None and c in col_set:
                    inks[(r, c)] = font  # type: ignore[index]  # in inky: not None
        if row_fill is not None or any_covered:
            for c in cols:
                if (r, c) in sheet.cells:
                    if row_fill is not None and (r, c) not in fills:
                        fills[(r, c)] = (row_fill, False, (r, c))
                    continue
                anchor = covered.get((r, c))
                merged = sheet.cells.get(anchor) if anchor is not None else None
                if merged is not None and anchor is not None and merged.fill is not None:
                    fills[(r, c)] = (painting.fill.get(anchor) or merged.fill, anchor in painting.fill, anchor)
                elif row_fill is not None:
                    fills[(r, c)] = (row_fill, False, (r, c))
    for (r, c), painted in painting.fill.items():
        fills[(r, c)] = (painted, True, (r, c))
    for (r, c), painted in painting.font.items():
        written = sheet.cells.get((r, c))
        if written is not None and written.value is not None:
            if classify(painted)[0] in marking:
                inks[(r, c)] = painted
            else:
                inks.pop((r, c), None)  # the rule's text colour covers the cell's own
    decoration: set[str] = set()
    column_decoration: dict[int, str] = {}
    font_decoration: set[str] = set()
    column_font: dict[int, str] = {}
    if fills:
        decoration, column_decoration = _decoration(sheet, ledger, rows, cols, fills)
    if inks:
        font_decoration, column_font = _font_decoration(ledger, sheet, rows, col_set, painting, row_item)

    keys = {c: k for k, c in ledger.columns.items()} | {c: k for k, pcs in ledger.parts.items() for c in pcs} \
        | {c: label for label, c in ledger.extra_columns.items()}
    jc = ledger.columns.get("judgement")
    seen: set[tuple[int, tuple[int, int]]] = set()
    for (r, c), (rgb, conditional, anchor) in sorted(fills.items()):
        colour = classify(rgb)[0]
        if colour is Colour.NONE:
            continue  # white
        it = row_item[r]
        if rgb in decoration or column_decoration.get(c) == rgb:
            if it.background is None and colour in marking:
                it.background = (a1(*anchor), rgb)
            continue  # decoration
        if (id(it), anchor) in seen:
            continue  # one merged cell seen from several rows
        seen.add((id(it), anchor))
        # Positional: a mark on most items of a ledger, and keywords cost a dataclass more.
        it.marks.append(Mark(a1(*anchor), rgb, keys.get(c, ""), c == jc, False, conditional))
    for (r, c), ink in sorted(inks.items()):
        if ink not in font_decoration and column_font.get(c) != ink:
            row_item[r].marks.append(Mark(a1(r, c), ink, keys.get(c, ""), judgement=c == jc, font=True,
                                          conditional=(r, c) in painting.font))
        elif row_item[r].background is None:
            row_item[r].background = (a1(r, c), ink)
    # Copying rows makes Excel split one rule into many: the copies are named together, once.
    groups: dict[tuple[object, ...], list[tuple[CondRule, set[tuple[int, int]]]]] = {}
    for rule, where in painting.unevaluated:
        groups.setdefault((rule.kind, tuple(rule.formulas), rule.fill, rule.font), []).append((rule, where))
    for group in groups.values():
        rules_ = [rule for rule, _ in group]
        sqref = " ".join(dict.fromkeys(rule.sqref for rule in rules_))
        if len(sqref) > 60:
            sqref = sqref[:60].rsplit(" ", 1)[0] + " 等"
        # Named at its first item cell: a rule over whole columns (E:E) starts in the title.
        entry = (sqref, a1(*min(cell for _, where in group for cell in where)), rules_[0].kind)
        for it in {id(row_item[r]): row_item[r] for _, where in group for r, _ in where if r in row_item}.values():
            if entry not in it.unevaluated:
                it.unevaluated.append(entry)


def _row_common(values: list[str | None], width: int) -> str | None:
    """The fill of a row when it covers most of the row's ``width`` ledger cells."""
    if not values or len(values) < ROW_WIDE_SHARE * width:
        return None  # the common case: one or two filled cells (进度评价)
    value, n = Counter(values).most_common(1)[0]
    return value if value is not None and n >= ROW_WIDE_SHARE * width else None


def _decoration(sheet: RawSheet, ledger: ParsedLedger, rows: list[int], cols: list[int], fills: Fills
                ) -> tuple[set[str], dict[int, str]]:
    """Fills that decorate: the whole table's, zebra stripes, a whole column's (not 进度评价's)."""
    items = ledger.items
    by_row: dict[int, list[str | None]] = {}
    for (r, _), entry in fills.items():
        by_row.setdefault(r, []).append(entry[0])
    # _row_common asked only of rows filled widely enough (most rows: the 进度评价 cell alone).
    width, share = len(cols), ROW_WIDE_SHARE * len(cols)
    row_common = {r: _row_common(values, width) if (values := by_row.get(r)) and len(values) >= share else None
                  for r in rows}
    decoration: set[str] = set()
    firsts = [row_common[it.first_row] for it in items]
    if firsts[0] is not None and all(f == firsts[0] for f in firsts):
        # Every item row in one colour: the table's background when the header is filled alike (a
        # table painted as a whole, however short) or when there are too many items for all of
        # them to carry the same mark.
        header_fill = sheet.row_fills.get(ledger.header_row)
        header = _row_common([(cell.fill if (cell := sheet.cells.get((ledger.header_row, c))) is not None else None)
                              or header_fill for c in cols], len(cols))
        if header == firsts[0] or len(items) >= TABLE_FILL_MIN_ITEMS:
            decoration.add(firsts[0])
    for colour in {v for v in row_common.values() if v is not None} - decoration:
        striped = [r for r in rows if row_common[r] == colour]
        parity = {r % 2 for r in striped}
        if len(striped) >= DECORATION_MIN_ITEMS and len(parity) == 1 and is_pale(colour):
            same = [r for r in rows if r % 2 in parity]
            if striped == same and len(same) < len(rows):
                decoration.add(colour)  # every other row: zebra striping
    column_decoration: dict[int, str] = {}
    jc = ledger.columns.get("judgement")
    for c in cols:
        if c == jc:
            continue  # every item marked alike in 进度评价 is still a mark on each
        first = fills.get((items[0].first_row, c))
        if first is None or any(fills.get((it.first_row, c), (None,))[0] != first[0] for it in items):
            continue
        # A column in one colour down the table with its header, or too long a column for every
        # item to carry the same mark: three red 工作事项 cells are still three red items.
        label = sheet.cells.get((ledger.header_row, c))
        if len(items) >= TABLE_FILL_MIN_ITEMS or (label is not None and label.fill == first[0]):
            column_decoration[c] = first[0]
    return decoration, column_decoration


def _font_decoration(ledger: ParsedLedger, sheet: RawSheet, rows: list[int], cols: set[int],
                     painting: condformat.Painting, row_item: dict[int, RawItem]) -> tuple[set[str], dict[int, str]]:
    """Text colours that decorate, by the rules for fills: every item's text in one colour with
    the header's, or on six items or more; a column's text likewise. "标红" often means red text, so
    a few rows in red are marks. (A second pass, made only when some text is blue, yellow or red.)"""
    items = ledger.items
    by_row = sheet.rows()
    per_item: dict[int, list[str | None]] = {}
    by_col: dict[int, dict[int, set[str | None]]] = {}  # column -> item -> text colours
    for r in rows:
        for c, cell in by_row.get(r, ()):
            if c in cols and cell.value is not None:
                rgb = painting.font.get((r, c)) or cell.font
                per_item.setdefault(id(row_item[r]), []).append(rgb)
                by_col.setdefault(c, {}).setdefault(id(row_item[r]), set()).add(rgb)
    header = {c: cell.font for c, cell in by_row.get(ledger.header_row, ()) if c in cols and cell.value is not None}
    many = len(items) >= TABLE_FILL_MIN_ITEMS
    decoration: set[str] = set()
    commons = {_row_common(fonts, len(fonts)) for fonts in per_item.values()}
    if len(per_item) == len(items) and len(commons) == 1 and (only := commons.pop()) is not None \
            and (many or _row_common(list(header.values()), len(header)) == only):
        decoration.add(only)
    jc = ledger.columns.get("judgement")
    column: dict[int, str] = {}
    for c, per in by_col.items():
        distinct = set().union(*per.values())
        if c != jc and len(per) == len(items) and len(distinct) == 1 and (ink := distinct.pop()) is not None \
                and (many or header.get(c) == ink):
            column[c] = ink
    return decoration, column


def _rows_between(ledger: ParsedLedger, first: int, last: int) -> list[int]:
    """The rows from ``first`` to ``last`` that hold cells (an item's rows, without the empty ones)."""
    if first == last:  # most items are one row
        return [first] if first in ledger.row_set else []
    rows = ledger.row_numbers
    return rows[bisect_left(rows, first):bisect_right(rows, last)]


def _is_footer_row(cells: list[tuple[int, RawCell]], columns: dict[str, int]) -> bool:
    # Asked of every row: its first text alone answers for nearly all of them.
    first = None
    for _, cell in cells:
        value = cell.value
        if value is None:
            continue
        if not isinstance(value, str):
            return False  # 序号 1, 2, 3…: no footer begins with a number (nor a date or TRUE)
        if value.strip():
            first = value
            break
    if first is None or not rules.is_footer(first):
        return False
    texts = [(c, cell.value) for c, cell in cells if cell.value is not None and str(cell.value).strip()]
    # A real item has a number in 序号, or a target, a leader, stars or a source: an item named
    # 说明书编制 is not the footer.
    no_col = columns.get("no")
    item_cols = {columns[k] for k in ("target", "leader", "stars", "source") if k in columns}
    return not any((c == no_col and isinstance(v, int | float)) or (c in item_cols and not rules.is_footer(str(v)))
                   for c, v in texts)


FOOTER_ROWS = 4  # the 中心分管领导 line is the footer's first, or close below it


def _center_leader(by_row: dict[int, list[tuple[int, RawCell]]], footer_row: int) -> str | None:
    """The name after 中心分管领导： in the footer, or in the cell right of it (``中心分管领导：`` | ``褚建华``)."""
    rows = [r for r in by_row if footer_row <= r < footer_row + FOOTER_ROWS]
    for r in rows:
        cells = [(c, cell.value) for c, cell in by_row[r] if isinstance(cell.value, str) and cell.value.strip()]
        for i, (_c, value) in enumerate(cells):
            found, name = rules.center_leader(value)
            if not found:
                continue
            if name is None and i + 1 < len(cells) and not rules.is_footer(cells[i + 1][1]):
                name = rules.center_leader("中心分管领导：" + cells[i + 1][1])[1]
            return name
    return None


def _text(cell: RawCell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if type(value) is str:  # most cells
        return rules.clean_text(value)
    if type(value) is int:  # 序号: what rules.clean_text makes of it
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return rules.clean_text(value)


@dataclass(slots=True)
class _Layout:
    """What every item row of a sheet is read by, worked out once per sheet instead of per item."""

    columns: list[tuple[str, int, str]]  # (key, column, the column's letters) of the 附件2 columns
    extras: list[tuple[str, int, bool]]  # (label, column, whether it is 评价颜色) of the department's own
    covered: Mapping[tuple[int, int], tuple[int, int]] | None  # None when no merged cell reaches into the items

    @classmethod
    def of(cls, ledger: ParsedLedger) -> _Layout:
        covered = ledger.covered
        return cls([(key, c, column_letter(c)) for key, c in ledger.columns.items()],
                   [(label, c, rules.normalise_label(label) == rules.CHOICE_LABEL)
                    for label, c in ledger.extra_columns.items()],
                   covered or None)


def _read_item(sheet: RawSheet, ledger: ParsedLedger, by_row: dict[int, list[tuple[int, RawCell]]],
               first: int, last: int, merges: dict[tuple[int, int], tuple[int, int, int, int]],
               layout: _Layout | None = None) -> RawItem | None:
    item = RawItem(first, last)  # (first_row, last_row): positional, half the cost of keywords
    if layout is None:
        layout = _Layout.of(ledger)
    texts, refs, parts = item.texts, item.cells, ledger.parts
    one_row = first == last
    own: int | None = None  # how many cells of the row itself hold text, when counted
    if one_row and not parts:
        own, content = _read_one_row(sheet, ledger, item, layout, first, by_row.get(first, []))
    else:
        for key, c, _letters in layout.columns:
            if one_row:
                text, ref = _one_row_text(sheet, ledger, item, key, c, first)
            else:
                text, ref = _column_text(sheet, ledger, item, key, c, first, last)
            texts[key] = text
            refs[key] = ref or a1(first, c)
            # A label drawn over several columns (责任科室及责任人 over 科室 | 责任人): one field, joined.
            part_cols = parts.get(key)
            if not part_cols:
                continue
            extra = [_column_text(sheet, ledger, item, key, pc, first, last)[0] for pc in part_cols]
            if any(extra):
                texts[key] = ("/" if key == "owner" else "\n").join(t for t in (text, *extra) if t)
        content = any(v for k, v in texts.items() if k != "no")
    if "owner_person" in texts:  # 责任科室 | 责任人 in two columns
        person = texts.pop("owner_person")
        refs.pop("owner_person", None)
        texts["owner"] = "/".join(t for t in (texts.get("owner", ""), person) if t)
    if layout.extras:
        rows = _rows_between(ledger, first, last)
        for label, c, is_choice in layout.extras:
            extra_texts = [_text(sheet.get(r, c)) for r in rows]
            item.extra[label] = "\n".join(t for t in extra_texts if t)
            if is_choice:
                item.choice, item.choice_cell = item.extra[label], a1(first, c)
    if ledger.id_column is not None:
        # Not content: a row the clerk emptied to drop an item still holds its hidden ID.
        item.item_id = _text(sheet.get(first, ledger.id_column)).strip() or None

    content = content or any(item.extra.values())
    jc = ledger.columns.get("judgement")
    jcell = sheet.cells.get((first, jc)) if jc else None
    if (jcell is None or jcell.value is None) and jc and layout.covered is not None \
            and (anchor := layout.covered.get((first, jc))) is not None:
        jcell = sheet.get(*anchor)
    if jcell is not None:
        item.fill, item.font = jcell.fill, jcell.font
    if not content and item.fill is None:
        if item.texts.get("no") and _is_section_row(sheet, first, by_row, merges, ledger.columns):
            ledger.section_rows.append(first)  # 一、港口建设 written in 序号 alone
        return None  # formatted but empty, or a pre-numbered blank row of the template
    # A heading has at most two written cells: a row with three of its own is an item.
    if (own is None or own < 3) and _is_section_row(sheet, first, by_row, merges, ledger.columns):
        ledger.section_rows.append(first)
        return None
    if not item.texts.get("name") and rules.is_example_text(item.texts.get("judgement", "")):
        ledger.findings.append(finding("item.example_row", sheet=sheet.name, cell=item.cells.get("judgement"),
                                       row=first, text=item.texts["judgement"].replace("\n", "")))
        return None
    if sheet.hidden_rows:
        item.hidden = all(r in sheet.hidden_rows for r in range(first, last + 1))
    # Struck through: every written cell of the item (序号 aside: a clerk striking out an item often
    # selects its texts and leaves the number) has its text struck.
    rows = _rows_between(ledger, first, last) if sheet.has_strike else []  # the item's rows that hold cells
    if rows and any(cell.strike for r in rows for _, cell in by_row.get(r, ())):
        item_cols = (set(ledger.columns.values()) | {c for pcs in ledger.parts.values() for c in pcs}) \
            - {ledger.columns.get("no")}
        written = [cell for r in rows for c, cell in by_row.get(r, ()) if c in item_cols and cell.value is not None]
        item.struck = bool(written) and all(cell.strike for cell in written)
    return item


def _column_text(sheet: RawSheet, ledger: ParsedLedger, item: RawItem, key: str, c: int, first: int,
                 last: int) -> tuple[str, str | None]:
    """The text of one column over an item's rows (joined for TEXT_JOIN_KEYS, else the first),
    and the A1 reference of the cell it came from."""
    if first == last:
        return _one_row_text(sheet, ledger, item, key, c, first)
    parts: list[str] = []
    ref: str | None = None
    anchors: set[tuple[int, int]] = set()
    rows = [r for r in _rows_between(ledger, first, last) if sheet.get(r, c) is not None]
    if (first, c) in ledger.covered:
        # A merged cell from above reaches into the item: it is read at its first empty row.
        r = first
        while r < last and sheet.get(r, c) is not None:
            r += 1
        rows = sorted({*rows, r})
    for r in rows:
        cell = sheet.get(r, c)
        # A covered cell written empty (Excel and LibreOffice keep the style of a filled or
        # bordered range's covered cells) shows the merged cell, as one not written at all does.
        if (cell is None or cell.value is None) and (anchor := ledger.covered.get((r, c))) is not None:
            if anchor in anchors or first <= anchor[0] <= last:
                continue  # the same merged cell, already read for this item
            anchors.add(anchor)
            cell = sheet.get(*anchor)
        if cell is not None and cell.formula is not None and cell.value is None:
            ledger.findings.append(finding("item.formula_uncached", sheet=sheet.name, cell=a1(r, c),
                                           formula=cell.formula))
        text = _text(cell)
        if not text:
            continue
        if key == "no" and item.no_value is None and cell is not None:
            item.no_value = cell.value
        if ref is None:
            ref = a1(r, c)
        parts.append(text)
        if key not in TEXT_JOIN_KEYS:
            break
    return "\n".join(parts), ref


def _one_row_text(sheet: RawSheet, ledger: ParsedLedger, item: RawItem, key: str, c: int,
                  r: int) -> tuple[str, str | None]:
    """``_column_text`` of a one-row item (most items), without building lists of rows: the cell,
    or the merged cell from above that covers it when it is empty (an anchor is always above)."""
    cell = sheet.cells.get((r, c))
    if (cell is None or cell.value is None) and (anchor := ledger.covered.get((r, c))) is not None:
        cell = sheet.cells.get(anchor)
    if cell is None:
        return "", None
    ref = a1(r, c)
    text = _cell_text(sheet, ledger, item, key, cell, ref)
    return (text, ref) if text else ("", None)


def _cell_text(sheet: RawSheet, ledger: ParsedLedger, item: RawItem, key: str, cell: RawCell, ref: str) -> str:
    """The text ``cell`` gives column ``key`` of ``item`` at ``ref`` (the cell, or the merged cell
    covering it): a formula without a computed value is a finding, and 序号's value is kept."""
    value = cell.value
    if value is None:
        if cell.formula is not None:
            ledger.findings.append(finding("item.formula_uncached", sheet=sheet.name, cell=ref, formula=cell.formula))
        return ""
    text = _text(cell)
    if text and key == "no" and item.no_value is None:
        item.no_value = value
    return text


def _read_one_row(sheet: RawSheet, ledger: ParsedLedger, item: RawItem, layout: _Layout, r: int,
                  row_cells: list[tuple[int, RawCell]]) -> tuple[int, bool]:
    """The columns of a one-row item (most items) in one loop: ``_one_row_text`` of each column,
    with the row's cells looked up by column and the references built from the column letters
    worked out once per sheet.
    ``row_cells`` are the row's cells (``RawSheet.rows``).

    Returns how many of the row's own cells hold text (not those read from a merged cell above),
    and whether a column other than 序号 does."""
    here = dict(row_cells).get  # column -> cell, without a (row, column) key to hash per column
    covered = layout.covered
    texts, refs = item.texts, item.cells
    row = str(r)
    own, content = 0, False
    for key, c, letters in layout.columns:
        ref = letters + row
        cell = here(c)
        mine = cell is not None and cell.value is not None
        if covered is not None and not mine and (anchor := covered.get((r, c))) is not None:
            cell = sheet.cells.get(anchor)  # the merged cell from above that covers an empty one
        text = _cell_text(sheet, ledger, item, key, cell, ref) if cell is not None else ""
        if text:
            own += mine
            content = content or key != "no"
        texts[key] = text
        refs[key] = ref
    return own, content


def _is_section_row(sheet: RawSheet, r: int, by_row: dict[int, list[tuple[int, RawCell]]],
                    merges: dict[tuple[int, int], tuple[int, int, int, int]], columns: dict[str, int]) -> bool:
    """A category line (``一、港口建设``, ``（二）``, ``①``) is not an item: written alone across the row or
    in one cell, or a heading number in 序号 with only the heading's text beside it (in 工作事项 or
    merged over several columns), every other item column empty."""
    cells: list[tuple[int, RawCell]] = []
    for c, cell in by_row.get(r, []):
        if cell.value is not None and str(cell.value).strip():
            cells.append((c, cell))
            if len(cells) > 2:
                return False  # an item's row, most often: no need to look further
    if len(cells) == 1:
        c, cell = cells[0]
        bounds = merges.get((r, c))
        if bounds and bounds[3] - bounds[1] + 1 >= max(3, len(columns) // 2):
            return True
        written = str(cell.value).strip()
        # ①/(1) alone could also begin a line of 推进情况 written on a row of its own: a heading
        # only in 序号 or 工作事项.
        return bool(_SECTION.match(written)) or (c in (columns.get("no"), columns.get("name"))
                                                 and bool(_SECTION_NUMBERED.match(written)))
    if len(cells) != 2 or "no" not in columns:
        return False
    (c1, first), (c2, second) = cells
    no_col = columns["no"]
    if c1 == no_col:
        mark, (c, text) = first, (c2, second)
    elif c2 == no_col:
        mark, (c, text) = second, (c1, first)
    else:
        return False
    if not _SECTION_MARK.match(str(mark.value).strip()) or not isinstance(text.value, str):
        return False
    bounds = merges.get((r, c))
    return c == columns.get("name") or (bounds is not None and bounds[3] > bounds[1])


# 一、港口建设 / （二）航道建设 / 第三部分; ①港口建设 / (1)航道建设 / ⑴
_CN_NUM = "[一二三四五六七八九十〇零百]+"
_SECTION = re.compile(rf"^(?:{_CN_NUM}\s*[、.．]|[（(]\s*{_CN_NUM}\s*[）)]|第{_CN_NUM}[部类项]分?)")
_SECTION_NUMBERED = re.compile(r"^(?:[（(]\s*\d+\s*[）)]|[\u2460-\u2487\u2776-\u277f])")
# A 序号 that numbers a heading rather than an item: 一 / 一、 / （一） / ① / ⑴ / (1) / 第一部分.
_SECTION_MARK = re.compile(rf"^(?:{_CN_NUM}\s*[、.．]?|[（(]\s*(?:{_CN_NUM}|\d+)\s*[）)]|第{_CN_NUM}[部类项]分?|"
                           r"[\u2460-\u2487\u2776-\u277f])$")


def _read_top(sheet: RawSheet, ledger: ParsedLedger, by_row: dict[int, list[tuple[int, RawCell]]]) -> None:
    """Title, 填报单位, 填报日期 and the summary sentence live above the header."""
    unit_department: tuple[str, str] | None = None
    for r in sorted(k for k in by_row if k < ledger.header_row):
        row = by_row[r]
        for i, (c, cell) in enumerate(row):
            value = cell.value
            if value is None and cell.formula is not None and rules.SUMMARY_MARK in cell.formula \
                    and ledger.summary_text is None and ledger.summary_formula is None:
                ledger.summary_formula, ledger.summary_cell = cell.formula, a1(r, c)
                continue
            if isinstance(value, dt.datetime | dt.date) and ledger.date is None:
                ledger.date = value.date() if isinstance(value, dt.datetime) else value
                ledger.date_cell = a1(r, c)
                ledger.date_text = _text(cell)
                continue
            if not isinstance(value, str):
                continue
            text = rules.clean_text(value)
            unit = rules.unit_label_rest(text) if "填报" in text else None
            if unit is not None and unit_department is None:
                # 填报单位：党群工作部（盖章）, or the name in the next cell.
                ref = a1(r, c)
                nxt_value = row[i + 1][1].value if i + 1 < len(row) else None
                if not unit and isinstance(nxt_value, str) and not re.search(r"填报|日期", nxt_value):
                    unit, ref = rules.clean_text(nxt_value), a1(r, row[i + 1][0])
                name = rules.clean_department(unit) if unit else None
                if name is not None:
                    unit_department = (name, ref)
            if rules.SUMMARY_MARK in text and ledger.summary_text is None:
                ledger.summary_text, ledger.summary_cell = text, a1(r, c)
            elif rules.is_title(text) and ledger.title_cell is None and unit is None:
                ledger.title_cell, ledger.title_text = a1(r, c), text
                ledger.department = rules.department_from_title(text)
            elif rules.DATE_LABEL in rules.normalise_label(text) and ledger.date is None:
                rest = text.split("期", 1)[-1].strip(" ：:")
                ledger.date_cell = a1(r, c)
                if not rest and i + 1 < len(row):  # the date sits in the next cell
                    nxt_c, nxt = row[i + 1]
                    ledger.date_cell = a1(r, nxt_c)
                    if isinstance(nxt.value, dt.datetime | dt.date):
                        ledger.date = nxt.value.date() if isinstance(nxt.value, dt.datetime) else nxt.value
                        ledger.date_text = _text(nxt)
                        continue
                    if isinstance(nxt.value, int | float) and 30000 <= nxt.value <= 80000:
                        # A date typed as a plain number (the cell lost its date format).
                        ledger.date = (dt.date(1899, 12, 30) + dt.timedelta(days=int(nxt.value)))
                        ledger.date_text = ledger.date.isoformat()
                        continue
                    rest = _text(nxt)
                ledger.date_text = rest or text
                ledger.date = _date(rest)
            elif ledger.date is None and len(text) <= 20 and _date(text) is not None:
                # A bare date above the header ("2022-04-03") is the 填报日期 without its label.
                ledger.date, ledger.date_cell, ledger.date_text = _date(text), a1(r, c), text
    if ledger.department is not None:
        ledger.department_cell = ledger.title_cell
    elif unit_department is not None:  # the title is the template's ××部室（单位）, or there is none
        ledger.department, ledger.department_cell = unit_department


def _date(text: str) -> dt.date | None:
    parsed = rules.parse_date_text(text)
    if parsed is None:
        return None
    try:
        return dt.date(*parsed)
    except ValueError:  # 2022年2月30日
        return None
