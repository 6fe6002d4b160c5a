"""The tables taizhang writes, each declared once: its columns in order, every one a label, a width
and how its value is read from a row.

* ``SUMMARY``: the 汇总 sheet of the consolidated workbook, a row per department and a total row;
* ``LEDGER``: the 台账 sheet, every item of the month (附件2's columns, narrowed to print at 100% on A4);
* ``FINDINGS``: the 问题清单 sheet, every finding and every file passed over;
* ``APPENDIX``: the bulletin's table by department (the .docx 附件, the .xlsx 分部室 sheet and the
  terminal's 分部室情况);
* the terminal: ``taizhang merge`` prints ``SUMMARY``'s columns that have a terminal label (a group's in
  one cell, 蓝/黄/红/无), ``taizhang validate`` ``FINDINGS``' (in ``VALIDATE_TERMINAL``'s order).

The writers (writing/consolidated.py, bulletin_docx.py, bulletin_xlsx.py, cli/) walk these
declarations and never number columns: a new column is one ``Column`` here (and, for a new item
field, the model and the store). Data only: no workbook, no document, no terminal markup.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypeVar

from .models import STATUS_NAMES, Colour, Counts, DepartmentEntry, Item, Severity
from .rules import CHOICE_LABEL, COLUMNS, colour_from_text, iso_date_cn, normalise_label
from .rules import Column as ColumnSpec

if TYPE_CHECKING:
    from .models import DepartmentReport, MonthReport, ResponsibleItem

R = TypeVar("R")

Align = Literal["left", "center", "right"]
# What a column holds, for the writers that treat them differently:
# "text"; "count" (a figure: summed in a total row, right-aligned in the terminal); "status"
# (报送情况: 逾期 and 未报送 stand out); "severity" (问题清单's 级别: an error's stands out).
Kind = Literal["text", "count", "status", "severity"]


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of a table: its label, its width and its value in a row of type ``R``."""

    key: str
    label: str  # as printed in a header (line breaks kept)
    value: Callable[[R], object]
    width: float = 10  # Excel column units
    align: Align = "center"
    kind: Kind = "text"
    # 汇总's two-row header: the label of the group over this column (重要程度 over ★★★, ★★, ★).
    group: str | None = None
    # The 进度评价 colour the column counts: its header is filled with it, and it is a bar of the chart.
    colour: Colour | None = None
    # 台账: the cell is filled with the item's own 进度评价 colour.
    coloured: bool = False
    # 台账: the value depends on where the row is (its number, its department), not on the item alone.
    place: bool = False
    # 台账: the item's field the value is, as it is (None: the value is worked out): a writer of ten
    # thousand rows may read the field itself instead of calling ``value``.
    field: str | None = None
    # The appendix's total row: a function of the month's report; ``None`` sums a "count" column
    # and leaves any other empty. (汇总's total row is a ``SummaryRow`` of the centre's figures.)
    total: Callable[[Any], object] | None = None
    # The appendix: blank for a department that did not hand in.
    reported: bool = True
    # The appendix in the .docx: the width in mm (None: not in the .docx), and a shorter value.
    mm: float | None = None
    brief: Callable[[R], object] | None = None
    # The label in the terminal (None: not shown there), and whether the text wraps there (a
    # paragraph) or keeps to one line (a cell, a code, a figure).
    terminal: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Table(Generic[R]):
    """A table: its columns, in order."""

    name: str
    columns: tuple[Column[R], ...]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    def values(self, row: R) -> list[object]:
        return [c.value(row) for c in self.columns]

    def column(self, key: str) -> Column[R]:
        return self.columns[self.index(key)]

    def index(self, key: str) -> int:
        """The 0-based position of the column ``key``."""
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(f"{self.name}: no column {key!r}")


# --------------------------------------------------------------------------------------------
# 汇总: a row per department
# --------------------------------------------------------------------------------------------


class SummaryRow(NamedTuple):
    """A row of the 汇总 table: a department that handed in, one that did not (``counts`` None) or
    the total row."""

    number: int | str
    department: str
    date: str  # as printed (2022年4月2日)
    status: str  # 按时, 逾期, 日期不明, 未报送; the total row: how many handed in
    counts: Counts | None
    errors: int | None
    warnings: int | None


def summary_row(number: int, department: str, entry: DepartmentEntry | None) -> SummaryRow:
    """The 汇总 row of a department: ``entry`` None when it did not hand in."""
    if entry is None:
        return SummaryRow(number, department, "", "未报送", None, None, None)
    status = "逾期" if entry.late else ("按时" if entry.date else "日期不明")
    return SummaryRow(number, department, iso_date_cn(entry.date), status, entry.counts, entry.errors, entry.warnings)


def _counted(read: Callable[[Counts], int]) -> Callable[[SummaryRow], int | None]:
    return lambda r: None if r.counts is None else read(r.counts)


def _star(level: str) -> Callable[[SummaryRow], int | None]:
    return _counted(lambda c: c.stars[level])


def _source(letter: str) -> Callable[[SummaryRow], int | None]:
    return _counted(lambda c: c.sources[letter])


def _colour(key: str) -> Callable[[SummaryRow], int | None]:
    return _counted(lambda c: c.colours[key])


SUMMARY: Table[SummaryRow] = Table("汇总", (
    Column("number", "序号", operator.attrgetter("number"), width=6),
    Column("department", "部室", operator.attrgetter("department"), width=16, align="left", terminal="部室"),
    Column("date", "填报日期", operator.attrgetter("date"), width=13),
    Column("status", "报送情况", operator.attrgetter("status"), width=9, kind="status"),
    Column("total", "事项数", _counted(lambda c: c.total), width=7, kind="count", terminal="事项"),
    Column("stars3", "★★★", _star("3"), width=7, kind="count", group="重要程度", terminal="★★★"),
    Column("stars2", "★★", _star("2"), width=7, kind="count", group="重要程度", terminal="★★"),
    Column("stars1", "★", _star("1"), width=7, kind="count", group="重要程度", terminal="★"),
    *(Column(f"source{x}", x, _source(x), width=5.5, kind="count", group="任务来源", terminal=x) for x in "ABCD"),
    Column("blue", "蓝色", _colour("blue"), width=7, kind="count", group="进度评价", colour=Colour.BLUE, terminal="蓝"),
    Column("yellow", "黄色", _colour("yellow"), width=7, kind="count", group="进度评价", colour=Colour.YELLOW,
           terminal="黄"),
    Column("red", "红色", _colour("red"), width=7, kind="count", group="进度评价", colour=Colour.RED, terminal="红"),
    Column("none", "未标注", _colour("none"), width=7, kind="count", group="进度评价", colour=Colour.NONE,
           terminal="无"),
    Column("closed", "已销号", _counted(lambda c: c.closed), width=7, kind="count"),
    Column("errors", "错误", operator.attrgetter("errors"), width=6, kind="count"),
    Column("warnings", "提示", operator.attrgetter("warnings"), width=6, kind="count"),
))


# --------------------------------------------------------------------------------------------
# 台账: a row per item
# --------------------------------------------------------------------------------------------

CLOSED_NOTE = "已销号"
NOT_COUNTED = "（不计入统计）"
# 进度评价 in words as well as in fill, so that a greyscale print still says the colour.
COLOUR_WORD = {Colour.BLUE: "蓝", Colour.YELLOW: "黄", Colour.RED: "红"}


class LedgerRow(NamedTuple):
    """A row of the 台账 table: an item, its number and its department."""

    item: Item
    number: int | None
    department: str


def note_with_extras(note: str, extra: dict[str, str], *, leave_out: tuple[str, ...] = (CHOICE_LABEL,)) -> str:
    """备注 followed by the department's own extra columns as ``标签：值`` lines: in 台账 a column
    each would make the sheet too wide to print legibly, and a prepared ledger has 附件2's columns
    only. ``leave_out``: labels not repeated (评价颜色, the self-checking template's list, is the
    item's colour, already shown in 进度评价)."""
    lines = [f"{label}：{value}" for label, value in extra.items()
             if value and normalise_label(label) not in leave_out]
    return "\n".join([note, *lines] if note else lines)


def _note(row: LedgerRow) -> str:
    """备注 with the department's extra columns, and 已销号 said for a closed item."""
    it = row.item
    note = (it.note or CLOSED_NOTE) + NOT_COUNTED if it.closed else it.note
    return note_with_extras(note, it.extra) if it.extra else note  # (no extra columns: the note alone)


def _judgement(row: LedgerRow) -> str:
    """进度评价 as written, led by 【蓝】/【黄】/【红】 unless the text already names the item's colour."""
    it = row.item
    word = COLOUR_WORD.get(it.colour)
    if word is None or _names_colour(it.judgement, it.colour):
        return it.judgement
    return f"【{word}】{it.judgement}"


@functools.lru_cache(maxsize=1024)
def _names_colour(text: str, colour: Colour) -> bool:
    """Whether the 进度评价 ``text`` names ``colour`` (a month's few short texts, 蓝色 or 黄 or 红色：…,
    are each read once)."""
    return colour_from_text(text)[0] is colour


def _as_written(key: str) -> Callable[[LedgerRow], object]:
    """重要程度 and 任务来源: the recognised value, else what was written (shown, not lost)."""
    def value(row: LedgerRow) -> object:
        it = row.item
        read = getattr(it, key)
        return read if read is not None else it.written.get(key, "")
    return value


_LEDGER_CENTRED = {"no", "judgement", "leader", "stars", "source"}
_LEDGER_VALUES: dict[str, Callable[[LedgerRow], object]] = {
    "no": operator.attrgetter("number"),
    "judgement": _judgement,
    "stars": _as_written("stars"),
    "source": _as_written("source"),
    "note": _note,
}
# 台账 is printed: its columns are narrower than 附件2's and the text wraps, so that the whole table
# fits A4 landscape at 100% where the workbook's default font is Calibri (Excel, WPS: 11 pt text
# prints at 11 pt) and at 86% where a renderer lacks it and lays columns out in a wider fallback
# font (LibreOffice with DejaVu Sans: about 9.5 pt). See xlsx_common.print_scale.
LEDGER_PRINT = {
    "no": ("序号", 5), "name": ("工作事项", 17), "target": ("任务目标", 22), "progress": ("推进情况", 27),
    "judgement": ("进度评价", 10), "leader": ("分管\n负责人", 8), "owner": ("责任科室\n责任人", 10),
    "stars": ("重要\n程度", 7), "source": ("任务\n来源", 6), "note": ("备注", 10),
}


def _ledger_column(c: ColumnSpec) -> Column[LedgerRow]:
    """A 附件2 column as the 台账 sheet shows it (序号 stays in place when the sheet is filtered)."""
    label, width = LEDGER_PRINT.get(c.key, (c.label, c.width))
    return Column(c.key, label, _LEDGER_VALUES.get(c.key) or operator.attrgetter(f"item.{c.key}"), width=width,
                  align="center" if c.key in _LEDGER_CENTRED else "left", coloured=c.key == "judgement",
                  place=c.key == "no", field=None if c.key in _LEDGER_VALUES else c.key)


# No 部室 column: each department's items follow a sub-heading row that names it.
LEDGER: Table[LedgerRow] = Table("台账", tuple(map(_ledger_column, COLUMNS)))


# --------------------------------------------------------------------------------------------
# 问题清单: a row per finding (or file passed over)
# --------------------------------------------------------------------------------------------


class FindingRow(NamedTuple):
    """A row of the 问题清单 table."""

    number: int
    department: str
    file: str
    sheet: str
    cell: str
    severity: Severity | None  # None: a file passed over
    code: str
    message: str
    item: str = ""  # the 工作事项 of the item the finding is about, if it is about one


SEVERITY_LABEL = {Severity.ERROR: "错误", Severity.WARNING: "提示"}
SKIPPED_LABEL = "已跳过"

# Chinese first, the code last and narrow: the sheet is read by the 综合部, the code is for support.
# 工作表 is shown only when a finding is on a sheet other than the one the ledger was read from.
FINDINGS: Table[FindingRow] = Table("问题清单", (
    Column("number", "序号", operator.attrgetter("number"), width=5),
    Column("department", "部室", operator.attrgetter("department"), width=10),
    Column("item", "工作事项", operator.attrgetter("item"), width=18, align="left"),
    Column("severity", "级别", lambda r: SKIPPED_LABEL if r.severity is None else SEVERITY_LABEL[r.severity],
           width=6, kind="severity", terminal="级别"),
    Column("message", "问题与改法", operator.attrgetter("message"), width=41, align="left", terminal="问题与改法",
           wrap=True),
    Column("cell", "单元格", operator.attrgetter("cell"), width=7, terminal="单元格"),
    Column("file", "文件", operator.attrgetter("file"), width=20, align="left"),
    Column("sheet", "工作表", operator.attrgetter("sheet"), width=10),
    Column("code", "代码", operator.attrgetter("code"), width=18, align="left", terminal="代码"),
))
# The terminal shows a file's findings cell first and the code last (dim): the columns to read first.
VALIDATE_TERMINAL = ("cell", "severity", "message", "code")


# --------------------------------------------------------------------------------------------
# The bulletin's table by department (附件, 分部室, 分部室情况)
# --------------------------------------------------------------------------------------------


def _status_name(d: DepartmentReport) -> str:
    return STATUS_NAMES[d.status]


def _status_brief(d: DepartmentReport) -> str:
    """按时, 逾期 with the date on a second line, 未报送: what fits the .docx's narrow column."""
    if d.status == "late":
        return f"逾期\n{iso_date_cn(d.date, '未填').split('年', 1)[-1]}" if d.date else "逾期"
    return "按时" if d.status == "on_time" else _status_name(d)


def _handed_in(report: MonthReport) -> str:
    return f"{len(report.on_time) + len(report.late)}个报送"


def _dept_colour(key: str) -> Callable[[DepartmentReport], int]:
    return lambda d: d.counts.colours.get(key, 0)


def _one_a_line(entries: Sequence[ResponsibleItem]) -> str:
    """Items one a line, each item's own cell line breaks joined (a line is a whole 工作事项)."""
    from .report import one_line  # the report is loaded only where a bulletin is written

    return "\n".join(one_line(e.item) for e in entries)


def appendix_total_row(report: MonthReport, columns: Sequence[Column[DepartmentReport]]) -> list[object]:
    """The appendix's 合计 row: a column's own total, else a count column summed over the departments
    (a department that did not hand in leaves its figures blank, so adds nothing), else empty."""
    row: list[object] = []
    for c in columns:
        if c.total is not None:
            row.append(c.total(report))
        elif c.kind == "count":
            counted = (c.value(d) for d in report.departments if not (c.reported and d.status == "missing"))
            row.append(sum(v for v in counted if isinstance(v, int)))
        else:
            row.append("")
    return row


APPENDIX: Table[DepartmentReport] = Table("分部室", (
    Column("department", "部室（单位）", operator.attrgetter("department"), width=18, align="left", reported=False,
           total=lambda _: "合计", mm=30, terminal="部室"),
    Column("status", "报送情况", _status_name, width=10, kind="status", reported=False, total=_handed_in, mm=25,
           brief=_status_brief, terminal="报送"),
    Column("date", "填报日期", lambda d: iso_date_cn(d.date), width=15),
    Column("total", "事项数", lambda d: d.counts.total, width=7, kind="count", mm=15, terminal="事项"),
    Column("blue", "蓝色", _dept_colour("blue"), width=6, kind="count", colour=Colour.BLUE, mm=11.5, terminal="蓝"),
    Column("yellow", "黄色", _dept_colour("yellow"), width=6, kind="count", colour=Colour.YELLOW, mm=11.5,
           terminal="黄"),
    Column("red", "红色", _dept_colour("red"), width=6, kind="count", colour=Colour.RED, mm=11.5, terminal="红"),
    Column("none", "未标注", _dept_colour("none"), width=7, kind="count", mm=15, terminal="无"),
    Column("new", "补录", lambda d: len(d.new), width=6, kind="count", mm=11.5, terminal="补录"),
    Column("closed", "销号", lambda d: len(d.closed), width=6, kind="count", mm=11.5, terminal="销号"),
    Column("renamed", "调整\n表述", lambda d: len(d.renamed), width=6, kind="count"),
    Column("colour_changes", "颜色\n变化", lambda d: len(d.colour_changes), width=6, kind="count", mm=13.5,
           terminal="变色"),
    Column("red_items", "红色事项", lambda d: _one_a_line(d.red), width=36, align="left"),
    Column("yellow_items", "黄色事项", lambda d: _one_a_line(d.yellow), width=36, align="left"),
))
