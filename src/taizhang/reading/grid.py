"""A format-neutral picture of a workbook: what the .xlsx and .xls readers both produce.

Only what the ledger needs is kept: values (formulas as their cached values), the resolved
RGB of fills and font colours, merged ranges, whole-row fills and sheet visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawCell:
    value: object = None  # str | int | float | bool | datetime | date | None
    fill: str | None = None  # "RRGGBB" of a solid/pattern fill, None when there is none
    font: str | None = None  # "RRGGBB" of an explicit font colour, None for automatic
    formula: str | None = None  # the formula text when the file keeps no cached value for it


@dataclass(slots=True)
class RawSheet:
    name: str
    visible: bool = True
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)  # (row, col), 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    row_fills: dict[int, str] = field(default_factory=dict)  # row -> "RRGGBB" of a whole-row fill
    max_row: int = 0
    max_col: int = 0
    _by_row: dict[int, list[tuple[int, RawCell]]] | None = None

    def rows(self) -> dict[int, list[tuple[int, RawCell]]]:
        """Cells grouped by row, left to right (built once)."""
        if self._by_row is None:
            by_row: dict[int, list[tuple[int, RawCell]]] = {}
            for (r, c), cell in sorted(self.cells.items()):
                by_row.setdefault(r, []).append((c, cell))
            self._by_row = by_row
        return self._by_row

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
