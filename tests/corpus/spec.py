"""What a clerk meant to write: the declarative description of one corpus ledger, and its truth.

A case lists its items as the clerk intends them (stars level, source letters, colour) and how the
clerk wrote each of them down (hollow stars, a colour put on 工作事项 only, a conditional format…).
The ground truth (department, date, counts, the exact error cells) is computed from these intentions
and from where the writer put each cell, never by running taizhang.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

COLOURS = ("blue", "yellow", "red")

# How the clerk put an item's colour into its row.
#   judgement / name / progress: a fill on that one cell;  cells: a fill on the cells in ``It.cells``;
#   row: a fill on every cell of the row;  row_format: the row's own format (row header clicked);
#   font / font_name / font_row: the text's colour on 进度评价 / 工作事项 / the whole row;
#   text: the colour named in 进度评价 (“蓝色”);  cf: painted by the case's conditional formats.
Mark = Literal["judgement", "name", "progress", "cells", "row", "row_format", "font", "font_name", "font_row",
               "text", "cf"]
CfKind = Literal["equal", "contains", "begins", "expr_row", "equal_font", "unevaluable"]


@dataclass(frozen=True)
class Shade:
    """One way of writing a colour: RGB, a theme colour with tint, or a legacy palette index."""

    rgb: str | None = None
    theme: int | None = None
    tint: float = 0.0
    indexed: int | None = None


@dataclass(frozen=True)
class It:
    """One item as the clerk means it (``stars``/``source``/``colour``) and as written (``*_text``)."""

    name: str
    stars: int | None = 2  # intended level; None: the written value is not a rating (an error)
    stars_text: str | None = None  # as written; default ★ × stars
    source: str | None = "B"  # intended letters; None: not a source (an error)
    source_text: str | None = None
    colour: str | None = None  # blue/yellow/red, None for 未标注, "other" for a colour the 说明 forbids
    mark: Mark = "judgement"
    shade: Shade | None = None  # default: a plain shade of ``colour``
    cells: tuple[str, ...] = ()  # column keys filled when mark == "cells"
    judgement: str | None = None  # default: words matching the colour (“进展较快”…), never a colour name
    target: str | None = None  # None: a sensible target; "": left empty (an error)
    progress: str | None = None
    leader: str = "张明"
    owner: str = "综合科/李华"
    note: str = ""
    closed: bool = False  # 备注 says 已销号: listed, not counted
    struck: bool = False  # the whole row struck through: left out, with a warning
    hidden: bool = False  # the row hidden: left out, with a warning
    sub_rows: int = 1  # drawn over several rows, 序号/工作事项/… merged down
    no: object = None  # 序号 as written, when not the running number
    stray: tuple[str, str] | None = None  # (column key, colour): a second cell filled in another colour


@dataclass(frozen=True)
class Heading:
    """A section heading row: ``no`` in 序号 and ``text`` in 工作事项, or ``no+text`` alone / merged across."""

    no: str
    text: str
    style: Literal["split", "alone", "merged"] = "split"


Row = It | Heading


@dataclass(frozen=True)
class OldMonth:
    """An older month's sheet kept in the same workbook (the clerk copies last month's sheet)."""

    sheet: str
    date: str  # ISO; written as 填报日期：2022年3月3日
    drop: int = 1  # last month's sheet had this many fewer items (and no colours yet)


@dataclass
class Case:
    """One corpus ledger: how it is written, and (``department``, ``date``) what it says."""

    id: str
    file: str  # file name without extension
    department: str  # expected
    date: str  # expected, ISO
    rows: list[Row]
    save: Literal["openpyxl", "xlsx", "xls"] = "openpyxl"  # xlsx/xls: re-saved by LibreOffice
    title: str | None = None  # default “{department}重点工作台账”
    date_text: object = None  # default “填报日期：2022年4月3日” from ``date``
    unit_line: str | None = None  # “填报单位：党群工作部（盖章）” on the date's row
    summary: Literal["auto", "none", "formula"] = "auto"  # formula: a LibreOffice-computed sentence
    summary_who: str = "市港航事业发展中心"
    summary_date: str | None = None  # the 截至 text; default the date as 2022年4月3日
    wrong: dict[str, int] = field(default_factory=dict)  # numbers the clerk got wrong in the sentence
    labels: dict[str, str] = field(default_factory=dict)  # header labels as written
    order: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()  # extra columns (完成时限…), filled with plain text
    two_row_header: bool = False  # labels merged down over two rows, 责任科室|责任人 split under one label
    blank_rows_above: int = 0
    sheet: str = "Sheet1"
    old_months: tuple[OldMonth, ...] = ()
    newest_first: bool = False
    active: int | None = None  # index of the active sheet (default: the last written)
    numerals: Literal["arabic", "circled", "formula", "text"] = "arabic"
    restart_numbering: bool = True  # 序号 starts again at 1 after each heading
    merge_leader: bool = False  # 分管负责人 merged over all items
    instructions_sheet: bool = False  # a 填报说明 sheet before the ledger
    cf: tuple[CfKind, ...] = ()
    theme_2013: bool = False  # the theme of a current Excel (accent 4 gold), not openpyxl's 2007 one
    check_colours: bool = True
    warnings: tuple[tuple[str, str | None], ...] = ()  # (code, cell or row number as text) that must appear
    features: tuple[str, ...] = ()  # what the case exercises, for the corpus summary

    @property
    def items(self) -> list[It]:
        return [r for r in self.rows if isinstance(r, It)]

    @property
    def needs_libreoffice(self) -> bool:
        return self.save != "openpyxl"

    @property
    def suffix(self) -> str:
        return ".xls" if self.save == "xls" else ".xlsx"


def counted(item: It) -> bool:
    """Whether the clerk counts the item in the summary sentence."""
    return not (item.closed or item.struck or item.hidden)


def intended_counts(items: list[It]) -> dict[str, int]:
    """The figures of the summary sentence for these items, as the clerk means them."""
    out = dict.fromkeys(("total", "3", "2", "1", "A", "B", "C", "D", "blue", "yellow", "red", "none"), 0)
    for it in items:
        if not counted(it):
            continue
        out["total"] += 1
        if it.stars is not None:
            out[str(it.stars)] += 1
        for letter in it.source or "":
            out[letter] += 1
        if it.colour in COLOURS:
            out[it.colour] += 1  # type: ignore[index]
        elif it.colour is None:
            out["none"] += 1
    return out


def stars_written(it: It) -> str:
    if it.stars_text is not None:
        return it.stars_text
    return "★" * (it.stars or 0)


def source_written(it: It) -> str:
    return it.source_text if it.source_text is not None else (it.source or "")


def expected_errors(case: Case, cells: list[dict[str, str]], summary_cell: str | None) -> set[tuple[str, str]]:
    """(code, cell) of every genuine error the clerk made, from the spec and where each cell landed."""
    errors: set[tuple[str, str]] = set()
    for it, where in zip(case.items, cells, strict=True):
        if it.stars is None:
            errors.add(("stars.invalid" if stars_written(it) else "stars.missing", where["stars"]))
        if it.source is None:
            errors.add(("source.invalid" if source_written(it) else "source.missing", where["source"]))
        if it.target == "":
            errors.add(("item.required", where["target"]))
        if it.colour == "other":
            errors.add(("colour.invalid", where["judgement"]))
    if case.wrong and summary_cell is not None:
        errors.add(("summary.mismatch", summary_cell))
    return errors


CANONICAL_STARS = {1: "★", 2: "★★", 3: "★★★"}


def expected_warnings(case: Case, cells: list[dict[str, str]], rows: list[int]) -> list[tuple[str, str | None, str | None]]:
    """Warnings the issue asks for by name: (code, exact cell or None, text the message or cell must name).

    A struck or hidden row is named by its row number; a normalised spelling by its cell; a workbook
    of several months by the sheet it chose.
    """
    out: list[tuple[str, str | None, str | None]] = []
    for it, where, row in zip(case.items, cells, rows, strict=True):
        if it.struck:
            out.append(("item.struck", None, str(row)))
        if it.hidden:
            out.append(("item.hidden", None, str(row)))
        if it.stars is not None and stars_written(it) != CANONICAL_STARS[it.stars]:
            out.append(("stars.normalised", where["stars"], None))
        if it.source is not None and source_written(it) != it.source:
            out.append(("source.normalised", where["source"], None))
        if it.stray is not None:  # one warning naming both cells
            first = where[it.mark if it.mark in ("judgement", "name", "progress") else "judgement"]
            out.append(("colour.cells_conflict", None, f"{first}&{where[it.stray[0]]}"))
    if case.old_months:
        out.append(("sheet.month_chosen", None, case.sheet))
    out.extend((code, None, text) for code, text in case.warnings)
    return out
