"""Find the 附件2 ledger in a workbook and cut it into title, date, summary and item rows.

This module knows the layout, not the rules: it reports what is written and where.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .. import rules
from ..errors import UnreadableFile
from ..findings import finding
from ..models import Finding
from .grid import RawCell, RawSheet, RawWorkbook, a1

HEADER_SEARCH_ROWS = 30
MIN_HEADER_MATCHES = 6  # of the ten 附件2 labels
# Columns whose cells are drawn merged over an item's sub-rows: only the first row holds them.
TEXT_JOIN_KEYS = ("name", "target", "progress")


@dataclass
class RawItem:
    """One item as written: texts by column key, where each came from, and the 进度评价 colours."""

    first_row: int
    last_row: int
    texts: dict[str, str] = field(default_factory=dict)
    no_value: object = None
    cells: dict[str, str] = field(default_factory=dict)  # key -> A1 of the cell that holds it
    fill: str | None = None  # 进度评价 cell's fill
    font: str | None = None  # 进度评价 cell's font colour
    row_fill: str | None = None  # the whole row's fill (row format or every cell alike)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedLedger:
    sheet: str
    header_row: int
    columns: dict[str, int]  # key -> column index
    extra_columns: dict[str, int]  # label -> column index
    department: str | None = None
    title_cell: str | None = None
    date: dt.date | None = None
    date_text: str | None = None
    date_cell: str | None = None
    summary_text: str | None = None
    summary_cell: str | None = None
    items: list[RawItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # key -> further columns under a header label merged across several columns.
    parts: dict[str, list[int]] = field(default_factory=dict)
    # Cells under a merged range that spans several item rows -> the range's anchor cell.
    covered: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # The sheet's rows that hold cells, ascending: loops over an item's rows visit only these.
    row_numbers: list[int] = field(default_factory=list)


class MergedBelow(Mapping[tuple[int, int], tuple[int, int]]):
    """(row, col) of a cell under a vertical merged range -> the range's anchor, looked up
    without listing every covered cell (a range may be drawn down a million rows)."""

    def __init__(self, ranges: list[tuple[int, int, int]]) -> None:
        by_col: dict[int, list[tuple[int, int]]] = {}
        for r1, r2, c in ranges:
            by_col.setdefault(c, []).append((r1, r2))
        self._ranges = {c: sorted(spans) for c, spans in by_col.items()}
        self._starts = {c: [r1 for r1, _ in spans] for c, spans in self._ranges.items()}

    def __getitem__(self, key: tuple[int, int]) -> tuple[int, int]:
        r, c = key
        spans = self._ranges.get(c)
        if spans:
            i = bisect_left(self._starts[c], r)  # ranges whose anchor is above r
            for r1, r2 in reversed(spans[max(0, i - 64):i]):  # overlapping ranges: the nearest wins
                if r <= r2:
                    return (r1, c)
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for c, spans in self._ranges.items():
            for r1, r2 in spans:
                for r in range(r1 + 1, r2 + 1):
                    yield (r, c)

    def __len__(self) -> int:
        return sum(r2 - r1 for spans in self._ranges.values() for r1, r2 in spans)


def parse_ledger(book: RawWorkbook) -> ParsedLedger:
    """Locate the ledger sheet and header and read every item row; raise when there is none."""
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
        sheet, header = ledgers[0]
        ledger = _parse_sheet(sheet, *header)
        others = [s.name for s, _ in ledgers[1:]]
        if others:
            ledger.findings.append(finding("sheet.another_ledger", sheet=sheet.name, cell="A1",
                                           others="、".join(others), sheet_name=sheet.name))
        return ledger
    detail = f"（隐藏的工作表“{'、'.join(hidden_with_ledger)}”中有台账，请取消隐藏）" if hidden_with_ledger else ""
    raise UnreadableFile(finding("sheet.not_found", detail=detail))


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
            for col in rules.COLUMNS:
                if col.key not in matched:
                    code_cell = a1(r, max(matched.values()) + 1)
                    if col.required:
                        findings.append(finding("header.missing_column", sheet=sheet.name, cell=code_cell,
                                                label=col.label.replace("\n", "")))
            return r, matched, others, findings
    return None


_OWNER_UNIT = ("责任科室", "责任部门", "责任单位", "责任处室")
_OWNER_PERSON = ("责任人", "责任人员")


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
    ledger = ParsedLedger(sheet=sheet.name, header_row=header_row, columns=columns, extra_columns=others,
                          findings=list(header_findings))
    by_row = sheet.rows()
    ledger.row_numbers = list(by_row)  # ascending: rows() is built from the sorted cells
    merges = _merge_map(sheet)
    _read_top(sheet, ledger, by_row)
    # Only columns holding some cell can add text: a header merged out to column XFD must not
    # make every item read sixteen thousand empty columns.
    used_cols = {c for _, c in sheet.cells}

    # A header drawn over two rows (vertically merged labels) ends at its merge's last row; a label
    # drawn over several columns has sub-labels (科室 | 责任人) on the next row, and all its columns.
    first_item_row = header_row + 1
    for key, c in columns.items():
        bounds = merges.get((header_row, c))
        if bounds:
            first_item_row = max(first_item_row, bounds[2] + 1)
            if bounds[3] > c:
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
    for r in starts:
        if r < next_row:
            continue  # inside the item before
        cells = [(c, cell) for c, cell in by_row.get(r, []) if c in item_cols or not item_cols]
        if _is_footer_row(by_row.get(r, []), columns):
            break
        end = r
        for key in ("no", "name"):
            key_col = columns.get(key)
            bounds = merges.get((r, key_col)) if key_col else None
            if bounds and bounds[2] > r:
                end = max(end, bounds[2])
        if not cells and end == r:
            continue
        raw = _read_item(sheet, ledger, by_row, r, end, merges)
        if raw is not None:
            ledger.items.append(raw)
        next_row = end + 1
    return ledger


def _rows_between(ledger: ParsedLedger, first: int, last: int) -> list[int]:
    """The rows from ``first`` to ``last`` that hold cells (an item's rows, without the empty ones)."""
    rows = ledger.row_numbers
    return rows[bisect_left(rows, first):bisect_right(rows, last)]


def _is_footer_row(cells: list[tuple[int, RawCell]], columns: dict[str, int]) -> bool:
    texts = [(c, cell.value) for c, cell in cells if cell.value is not None and str(cell.value).strip()]
    if not texts:
        return False
    first = str(texts[0][1])
    if not rules.is_footer(first):
        return False
    # A real item has a number in 序号, or a target, a leader, stars or a source: an item named
    # 说明书编制 is not the footer.
    no_col = columns.get("no")
    item_cols = {columns[k] for k in ("target", "leader", "stars", "source") if k in columns}
    return not any((c == no_col and isinstance(v, int | float)) or (c in item_cols and not rules.is_footer(str(v)))
                   for c, v in texts)


def _text(cell: RawCell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return rules.clean_text(value)


def _read_item(sheet: RawSheet, ledger: ParsedLedger, by_row: dict[int, list[tuple[int, RawCell]]],
               first: int, last: int, merges: dict[tuple[int, int], tuple[int, int, int, int]]) -> RawItem | None:
    item = RawItem(first_row=first, last_row=last)
    for key, c in ledger.columns.items():
        text, ref = _column_text(sheet, ledger, item, key, c, first, last)
        item.texts[key] = text
        item.cells[key] = ref or a1(first, c)
        # A label drawn over several columns (责任科室及责任人 over 科室 | 责任人): one field, joined.
        extra = [_column_text(sheet, ledger, item, key, pc, first, last)[0] for pc in ledger.parts.get(key, ())]
        if any(extra):
            item.texts[key] = ("/" if key == "owner" else "\n").join(t for t in (text, *extra) if t)
    if "owner_person" in item.texts:  # 责任科室 | 责任人 in two columns
        person = item.texts.pop("owner_person")
        item.cells.pop("owner_person", None)
        item.texts["owner"] = "/".join(t for t in (item.texts.get("owner", ""), person) if t)
    for label, c in ledger.extra_columns.items():
        texts = [_text(sheet.get(r, c)) for r in _rows_between(ledger, first, last)]
        item.extra[label] = "\n".join(t for t in texts if t)

    content = [v for k, v in item.texts.items() if k != "no" and v] + [v for v in item.extra.values() if v]
    jc = ledger.columns.get("judgement")
    jcell = sheet.get(first, jc) if jc else None
    if jcell is None and jc and (first, jc) in ledger.covered:
        jcell = sheet.get(*ledger.covered[(first, jc)])
    if jcell is not None:
        item.fill, item.font = jcell.fill, jcell.font
    if item.fill is None:  # a whole-row fill matters only when the cell has none of its own
        item.row_fill = _row_fill(sheet, first, ledger.columns)
    if not content and item.fill is None:
        return None  # formatted but empty, or a pre-numbered blank row of the template
    if _is_section_row(sheet, first, by_row, merges, ledger.columns):
        return None
    if rules.is_example_text(item.texts.get("judgement", "")) and not item.texts.get("name"):
        ledger.findings.append(finding("item.example_row", sheet=sheet.name, cell=item.cells.get("judgement"),
                                       row=first, text=item.texts["judgement"].replace("\n", "")))
        return None
    return item


def _column_text(sheet: RawSheet, ledger: ParsedLedger, item: RawItem, key: str, c: int, first: int,
                 last: int) -> tuple[str, str | None]:
    """The text of one column over an item's rows (joined for TEXT_JOIN_KEYS, else the first),
    and the A1 reference of the cell it came from."""
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
        if cell is None and (r, c) in ledger.covered:
            anchor = ledger.covered[(r, c)]
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


def _row_fill(sheet: RawSheet, r: int, columns: dict[str, int]) -> str | None:
    """A row filled as a whole: a row format, or every other ledger cell of the row in one colour."""
    if r in sheet.row_fills:
        return sheet.row_fills[r]
    others = [c for k, c in columns.items() if k != "judgement"]
    fills = {cell.fill if cell is not None else None for cell in (sheet.get(r, c) for c in others)}
    if len(fills) == 1:
        return fills.pop()
    return None


def _is_section_row(sheet: RawSheet, r: int, by_row: dict[int, list[tuple[int, RawCell]]],
                    merges: dict[tuple[int, int], tuple[int, int, int, int]], columns: dict[str, int]) -> bool:
    """A category line (``一、港口建设``) written across the row, or alone, is not an item."""
    cells = [(c, cell) for c, cell in by_row.get(r, []) if cell.value is not None and str(cell.value).strip()]
    if len(cells) != 1:
        return False
    c, cell = cells[0]
    bounds = merges.get((r, c))
    if bounds and bounds[3] - bounds[1] + 1 >= max(3, len(columns) // 2):
        return True
    return bool(_SECTION.match(str(cell.value).strip()))


# 一、港口建设 / （二）航道建设 / 第三部分
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部类项]分?)")


def _read_top(sheet: RawSheet, ledger: ParsedLedger, by_row: dict[int, list[tuple[int, RawCell]]]) -> None:
    """Title, 填报日期 and the summary sentence live above the header."""
    for r in sorted(k for k in by_row if k < ledger.header_row):
        row = by_row[r]
        for i, (c, cell) in enumerate(row):
            value = cell.value
            if isinstance(value, dt.datetime | dt.date) and ledger.date is None:
                ledger.date = value.date() if isinstance(value, dt.datetime) else value
                ledger.date_cell = a1(r, c)
                ledger.date_text = _text(cell)
                continue
            if not isinstance(value, str):
                continue
            text = rules.clean_text(value)
            if rules.SUMMARY_MARK in text and ledger.summary_text is None:
                ledger.summary_text, ledger.summary_cell = text, a1(r, c)
            elif rules.TITLE_MARK in text and ledger.title_cell is None:
                ledger.title_cell = a1(r, c)
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


def _date(text: str) -> dt.date | None:
    parsed = rules.parse_date_text(text)
    if parsed is None:
        return None
    try:
        return dt.date(*parsed)
    except ValueError:  # 2022年2月30日
        return None
