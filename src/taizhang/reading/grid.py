"""A format-neutral picture of a workbook: what the .xlsx and .xls readers both produce.

Only what the ledger needs is kept: values (formulas as their cached values), the resolved
RGB of fills and font colours, struck-through text, merged ranges, whole-row fills, hidden rows
and sheet visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawCell:
    value: object = None  # str | int | float | bool | datetime | date | None
    fill: str | None = None  # "RRGGBB" of a solid/pattern fill, None when there is none
    font: str | None = None  # "RRGGBB" of an explicit font colour, None for automatic
    formula: str | None = None  # the formula text when the file keeps no cached value for it
    strike: bool = False  # the text is struck through (font strikethrough on the cell or all its text)


@dataclass(slots=True)
class CondRule:
    """One conditional-format rule as stored (``<cfRule>``), with the colours its style paints.

    ``kind`` is the rule type (cellIs, expression, containsText…); ``ranges`` the sqref's ranges;
    ``formulas`` the rule's formulas, written relative to the first range's top-left cell.
    ``evaluable`` is False for a rule only known to exist (an .xls CONDFMT record, an x14 rule).
    """

    sqref: str
    ranges: list[tuple[int, int, int, int]]
    kind: str
    priority: int = 0
    operator: str | None = None
    text: str | None = None
    formulas: list[str] = field(default_factory=list)
    fill: str | None = None
    font: str | None = None
    stop: bool = False
    evaluable: bool = True


@dataclass(slots=True)
class RawSheet:
    name: str
    visible: bool = True
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)  # (row, col), 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    row_fills: dict[int, str] = field(default_factory=dict)  # row -> "RRGGBB" of a whole-row fill
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden (by hand, grouping or a filter)
    has_strike: bool = False  # some cell's text is struck through (most sheets: none, nothing to look at)
    cond_rules: list[CondRule] = field(default_factory=list)  # conditional formats, in file order
    max_row: int = 0
    max_col: int = 0
    # How many cells the merged ranges cover as written, before ``clip_merged`` (openpyxl, which
    # ``validate --annotate`` uses, creates an object for every one of them).
    merged_area: int = 0
    _by_row: dict[int, list[tuple[int, RawCell]]] | None = None

    def rows(self) -> dict[int, list[tuple[int, RawCell]]]:
        """Cells grouped by row, left to right (built once)."""
        if self._by_row is None:
            by_row: dict[int, list[tuple[int, RawCell]]] = {}
            # A file's cells come row by row, left to right: grouped as they come, sorted only
            # when some cell is out of that order.
            last_r = last_c = 0
            row: list[tuple[int, RawCell]] = []
            for (r, c), cell in self.cells.items():
                if r > last_r:
                    by_row[r] = row = [(c, cell)]
                elif r == last_r and c > last_c:
                    row.append((c, cell))
                else:
                    by_row = {}
                    for (r, c), cell in sorted(self.cells.items()):
                        by_row.setdefault(r, []).append((c, cell))
                    break
                last_r, last_c = r, c
            self._by_row = by_row
        return self._by_row

    def clip_merged(self) -> None:
        """Bound the merged ranges by the cells present: a range drawn to row 300,000,000 or column
        ZZZZZZ covers nothing beyond the last written cell, and loops over it must not run that far."""
        self.merged_area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in self.merged)
        clipped: list[tuple[int, int, int, int]] = []
        for r1, c1, r2, c2 in self.merged:
            if 1 <= r1 <= self.max_row and 1 <= c1 <= self.max_col:
                clipped.append((r1, c1, max(r1, min(r2, self.max_row)), max(c1, min(c2, self.max_col))))
        self.merged = clipped

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> object:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value


@dataclass(slots=True)
class RawWorkbook:
    path: str
    format: str  # "xlsx" | "xls"
    sheets: list[RawSheet] = field(default_factory=list)


# --- A1 references, without importing openpyxl (which costs a merge a tenth of a second) ------

# The largest sheet Excel (2007 and later) can hold: column XFD, row 1,048,576.
MAX_ROW = 1_048_576
MAX_COL = 16_384

_LETTERS: dict[int, str] = {}


def column_letter(col: int) -> str:
    """1 -> "A", 28 -> "AB"."""
    letters = _LETTERS.get(col)
    if letters is None:
        n, out = col, ""
        while n > 0:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        letters = _LETTERS[col] = out
    return letters


def column_index(letters: str) -> int:
    """"A" -> 1, "ab" -> 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def split_ref(ref: str) -> tuple[int, int]:
    """"AB12" -> (12, 28); "$A$1" is read as "A1"."""
    ref = ref.replace("$", "")
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    return int(ref[i:]), column_index(ref[:i])


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """"B5:C7" -> (min_row, min_col, max_row, max_col) = (5, 2, 7, 3)."""
    first, _, last = ref.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)
