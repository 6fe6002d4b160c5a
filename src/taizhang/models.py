"""The data that flows through taizhang: items, findings, counts, file reports, the month's
report and its bulletin sections, the settings of taizhang.toml.

Every command of the core returns one of these pydantic models; the CLI renders them and
``--json`` prints ``model_dump(mode="json")`` of exactly the same object.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
)

if TYPE_CHECKING:
    from .findings import RuleConfig


def display_path(text: str) -> str:
    """A file name as it can be printed and stored: bytes that are not UTF-8 (a name left by
    unzipping a Chinese Windows archive) become U+FFFD instead of breaking JSON and workbooks."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


FileName = Annotated[str, AfterValidator(display_path)]
_M = TypeVar("_M", bound=BaseModel)


def _rebuild(cls: type[_Compact], values: tuple[Any, ...]) -> _Compact:
    """A model from its field values as ``_Compact`` pickles them (validated where they were read):
    the state pydantic's own unpickling sets, without its cost."""
    model = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(model, "__dict__", dict(zip(_layout(cls)[0], values, strict=True)))
    setattr_(model, "__pydantic_fields_set__", all_fields(cls))
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", None)
    return model


_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}
_LAYOUTS: dict[type[BaseModel], tuple[tuple[str, ...], operator.itemgetter[Any]]] = {}


def all_fields(cls: type[BaseModel]) -> set[str]:
    """One shared set of the field names of ``cls``, for models built with every field given."""
    names = _ALL_FIELDS.get(cls)
    if names is None:
        names = _ALL_FIELDS[cls] = set(cls.model_fields)
    return names


def _layout(cls: type[BaseModel]) -> tuple[tuple[str, ...], operator.itemgetter[Any]]:
    """The field names of ``cls`` in order, and a getter of their values from a model's ``__dict__``."""
    layout = _LAYOUTS.get(cls)
    if layout is None:
        names = tuple(cls.model_fields)
        layout = _LAYOUTS[cls] = (names, operator.itemgetter(*names))
    return layout


_PLANS: dict[type[BaseModel], tuple[tuple[str, Any, Any], ...]] = {}


def construct(cls: type[_M], values: dict[str, Any], fields_set: set[str] | None = None) -> _M:
    """What ``cls.model_construct(**values)`` makes (``values`` already of their types, field names
    only), five times faster: a merge builds tens of thousands of items, and pydantic's version
    costs several microseconds each. ``values`` becomes the model's ``__dict__``; the fields it
    lacks get their defaults; ``fields_set`` defaults to the names given."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple((name, info.default_factory, info.default)
                                   for name, info in cls.model_fields.items())
    given = set(values) if fields_set is None else fields_set
    for name, factory, default in plan:
        if name not in values:
            values[name] = factory() if factory is not None else default
    model = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(model, "__dict__", values)
    setattr_(model, "__pydantic_fields_set__", given)
    setattr_(model, "__pydantic_extra__", None)
    setattr_(model, "__pydantic_private__", None)
    return model


class _Model(BaseModel):
    """Every model's base: its validator is built on first use rather than at import, so that a
    command pays only for the models it uses (``taizhang validate`` never builds a MonthReport)."""

    model_config = ConfigDict(defer_build=True)


class _Compact(_Model):
    """Pickled as its field values alone. The reading workers send a merge tens of thousands of
    items and findings: rebuilt this way each weighs about half as much in the merge process
    (no set of field names of its own) and is unpickled several times faster."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), _layout(type(self))[1](self.__dict__))


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Colour(StrEnum):
    """The 进度评价 marking of the 说明 第3条, plus ``unknown`` for a colour it does not allow."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"
    UNKNOWN = "unknown"


class Finding(_Compact):
    """One problem in one cell: what is wrong and what to write instead."""

    severity: Severity
    code: str
    sheet: str | None = None
    cell: str | None = None
    message: str
    value: str | None = None


class Item(_Compact):
    """One key-work item (one row of 附件2, or several rows merged into one item)."""

    row: int
    no: int | str | None = None
    name: str = ""
    target: str = ""
    progress: str = ""
    judgement: str = ""
    colour: Colour = Colour.NONE
    leader: str = ""
    owner: str = ""
    stars: str | None = None
    source: str | None = None
    note: str = ""
    closed: bool = False
    extra: dict[str, str] = Field(default_factory=dict)
    # 重要程度 and 任务来源 as written (shown in the consolidated workbook when unrecognised).
    written: dict[str, str] = Field(default_factory=dict, exclude=True)
    # What was read without confidence ("colour", "stars", "source") -> why, in Chinese: such an
    # item explains a difference from the summary sentence without blaming the clerk (issue 7.9).
    doubts: dict[str, str] = Field(default_factory=dict, exclude=True)

    @property
    def star_level(self) -> int | None:
        return len(self.stars) if self.stars else None


def _zero(keys: str | tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


class Unrecognised(_Model):
    """Open items whose stars, source or colour could not be recognised (未识别)."""

    stars: int = 0
    sources: int = 0
    colours: int = 0


class Counts(_Model):
    """The figures of the summary sentence; closed (销号) items are not counted."""

    total: int = 0
    stars: dict[str, int] = Field(default_factory=lambda: _zero(("3", "2", "1")))
    sources: dict[str, int] = Field(default_factory=lambda: _zero("ABCD"))
    colours: dict[str, int] = Field(default_factory=lambda: _zero(("blue", "yellow", "red", "none")))
    unrecognised: Unrecognised = Field(default_factory=Unrecognised)
    closed: int = 0

    def add(self, other: Counts) -> None:
        """Add another department's counts to these (for centre-wide totals)."""
        self.total += other.total
        self.closed += other.closed
        for mine, theirs in ((self.stars, other.stars), (self.sources, other.sources),
                             (self.colours, other.colours)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        self.unrecognised.stars += other.unrecognised.stars
        self.unrecognised.sources += other.unrecognised.sources
        self.unrecognised.colours += other.unrecognised.colours


class StatedSummary(_Model):
    """The figures a department wrote in its own summary sentence (any may be missing)."""

    cell: str
    date: str | None = None
    total: int | None = None
    stars: dict[str, int | None] = Field(default_factory=dict)
    sources: dict[str, int | None] = Field(default_factory=dict)
    colours: dict[str, int | None] = Field(default_factory=dict)


class FileReport(_Model):
    """The result of checking one department's workbook."""

    file: FileName
    department: str | None = None
    # The cell the department name was read from (title or 填报单位); None when from the file name.
    department_cell: str | None = None
    date: str | None = None
    ok: bool = True
    usable: bool = True
    sheet: str | None = None
    counts: Counts = Field(default_factory=Counts)
    items: list[Item] = Field(default_factory=list)
    extra_columns: list[str] = Field(default_factory=list)
    stated: StatedSummary | None = None
    sha256: str | None = None
    findings: list[Finding] = Field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


class ValidationResult(_Model):
    """``taizhang validate`` over one or more files."""

    ok: bool
    files: list[FileReport]

    @property
    def exit_code(self) -> int:
        if any(not f.usable for f in self.files):
            return 2
        return 0 if self.ok else 1


def jsonable(model: BaseModel) -> dict[str, Any]:
    """The JSON form the CLI prints for a model."""
    return model.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# merge: the centre-wide month
# --------------------------------------------------------------------------------------------


class DepartmentEntry(_Model):
    """One department's workbook in a merged month."""

    department: str
    file: str
    date: str | None = None
    late: bool = False
    ok: bool = True
    counts: Counts = Field(default_factory=Counts)
    errors: int = 0
    warnings: int = 0


class Skipped(_Model):
    """A file of the inbox that was not merged, and why (lock file, not a workbook, unreadable)."""

    file: FileName
    reason: str
    code: str | None = None


class MergeResult(_Model):
    """``taizhang merge``: the month's centre-wide ledger."""

    month: str  # YYYY-MM
    date: str  # YYYY-MM-DD, the 截至 date of the sentence
    ok: bool
    counts: Counts
    sentence: str
    departments: list[DepartmentEntry]
    missing: list[str] = Field(default_factory=list)
    late: list[str] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    output: str | None = None
    roster_checked: bool = True
    # The full per-file reports (items, findings): written to the workbook and the store, not to --json.
    reports: list[FileReport] = Field(default_factory=list, exclude=True)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


# --------------------------------------------------------------------------------------------
# the history store: what a stored month holds
# --------------------------------------------------------------------------------------------


class StoredItem(Item):
    """An item as stored for a month, with its identity across months."""

    key: str  # stable across months: follows an item through small rewordings of 工作事项
    department: str


class StoredFinding(Finding):
    department: str | None = None
    file: str


class MonthSnapshot(_Model):
    """Everything the report needs of one merged month."""

    month: str
    date: str
    center: str
    sentence: str
    counts: Counts
    departments: list[DepartmentEntry]
    items: list[StoredItem]
    findings: list[StoredFinding] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    late: list[str] = Field(default_factory=list)
    file_hashes: dict[str, str] = Field(default_factory=dict)  # file name -> sha256


# --------------------------------------------------------------------------------------------
# taizhang.toml
# --------------------------------------------------------------------------------------------


class Config(_Model):
    """The settings of ``taizhang.toml`` (all optional)."""

    model_config = ConfigDict(extra="forbid")

    center: str = "市港航事业发展中心"
    # 通知: 自4月起，重点工作台账要每月5日前上报中心综合部.
    deadline_day: int = Field(default=5, ge=1, le=28, strict=True)
    # The roster: who must hand in a ledger every month (empty: no roster check).
    departments: list[str] = Field(default_factory=list)
    # How the report computes 序时进度: by whole months elapsed, or by days.
    progress_basis: Literal["month", "day"] = "month"
    # [rules]: a finding code (or a whole area) → "off" / "warning" / "error".
    rules: dict[str, str] = Field(default_factory=dict)
    # Where the settings were loaded from; None when the defaults apply.
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("center")
    @classmethod
    def _center(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        return value

    @field_validator("departments")
    @classmethod
    def _departments(cls, value: list[str]) -> list[str]:
        names: list[str] = []
        for raw in value:
            name = unicodedata.normalize("NFKC", raw).strip()
            name = re.sub(r"\s+", "", name)
            if not name:
                raise ValueError("名单中有空的部室名称")
            if name in names:
                raise ValueError(f"部室“{name}”在名单中出现了两次")
            names.append(name)
        return names

    @property
    def rule_config(self) -> RuleConfig:
        """The ``[rules]`` table resolved to the codes it changes."""
        from .findings import RuleConfig  # findings builds on these models

        return RuleConfig.from_table(self.rules)

    @property
    def roster_checked(self) -> bool:
        """Whether missing departments can be named (a roster is configured)."""
        return bool(self.departments)


# --------------------------------------------------------------------------------------------
# 对标对表: what a 推进情况 states, and the items whose marking disagrees with it
# --------------------------------------------------------------------------------------------


class StatedShare(_Model):
    """A completion share read from a 推进情况: ``value`` 0.37 for ``完成年度计划37%``."""

    value: float
    text: str  # the words it was read from
    of_plan: bool  # a share of the year's plan (年度/全年) rather than a plain progress figure



class StatedRank(_Model):
    """A 全市 rank read from a text: a position from the top, or a top-N / bottom-N band."""

    text: str
    position: int | None = None  # 全市第2位 → 2
    top: int | None = None  # 全市前3位 → 3 (and 全市第2位 → 2)
    bottom: int | None = None  # 全市后3位 → 3, 倒数第2 → 2, 末位 → 1

    @property
    def in_top3(self) -> bool:
        return self.top is not None and self.top <= 3

    @property
    def in_bottom3(self) -> bool:
        return self.bottom is not None and self.bottom <= 3



class ProgressFlag(_Model):
    """An item whose 蓝黄红 marking disagrees with the progress or rank it states."""

    code: str  # progress.ahead_but_red, progress.behind_not_marked, progress.complete_not_closed,
    #            rank.top_not_blue, rank.bottom_not_red, rank.behind_target
    department: str
    item: str
    colour: Colour
    stated: str  # the words read from the 推进情况
    share: float | None = None
    expected: float | None = None  # 序时进度
    rank: str | None = None
    message: str


# --------------------------------------------------------------------------------------------
# the monthly report (督查通报)
# --------------------------------------------------------------------------------------------


def _from() -> Any:
    """The ``from_`` field: given as ``from_`` or ``from``, always written ``from``."""
    return Field(validation_alias=AliasChoices("from_", "from"), serialization_alias="from")


class _FromTo(_Model):
    """``from`` is a Python keyword: the field is ``from_`` and is written ``from`` in JSON."""

    @model_serializer(mode="wrap")
    def _rename_from(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        return {("from" if key == "from_" else key): value for key, value in data.items()}


class ItemRef(_Model):
    """An item named by its department and its (current) 工作事项."""

    department: str
    item: str


class Renamed(_FromTo):
    """The same item with a reworded 工作事项 (neither new nor closed)."""

    department: str
    from_: str = _from()
    to: str


class ColourChange(_FromTo):
    """An item whose 进度评价 colour moved since the month compared; named by its current 工作事项."""

    department: str
    item: str
    from_: Colour = _from()
    to: Colour


class PersistentRed(_Model):
    """An item red this month and in the month before; ``months`` in a row, this month included."""

    department: str
    item: str
    months: int


Direction = Literal["worsened", "improved"]
# Slow to fast: red (落后) < yellow (中间位次) < none (其他) < blue (领先).
_RANK_OF_COLOUR = {Colour.RED: 0, Colour.YELLOW: 1, Colour.NONE: 2, Colour.BLUE: 3}


def direction(old: Colour, new: Colour) -> Direction | None:
    """``worsened`` (e.g. yellow→red, blue→none), ``improved`` (red→blue), None when not comparable."""
    if old not in _RANK_OF_COLOUR or new not in _RANK_OF_COLOUR or old is new:
        return None
    return "improved" if _RANK_OF_COLOUR[new] > _RANK_OF_COLOUR[old] else "worsened"


class ClosedItem(_Model):
    """A closed item of one department: ``marked`` 销号 this month, or gone from the ledger."""

    item: str
    marked: bool


class RenamedItem(_FromTo):
    from_: str = _from()
    to: str


class ItemColourChange(_FromTo):
    item: str
    from_: Colour = _from()
    to: Colour
    direction: Direction | None = None


class ResponsibleItem(_Model):
    """A red or yellow item with the people the bulletin names (分管负责人, 责任科室/责任人)."""

    item: str
    colour: Colour
    leader: str = ""
    owner: str = ""
    progress: str = ""
    stars: str | None = None
    source: str | None = None
    months: int = 1  # months in a row with this colour, this month included


Status = Literal["on_time", "late", "missing"]
STATUS_NAMES = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送"}


class DepartmentReport(_Model):
    """One department's month: status, counts, changes, and its red and yellow items."""

    department: str
    status: Status
    date: str | None = None
    file: str | None = None
    compared_with: str | None = None  # the month its items were compared with (None: not compared)
    counts: Counts = Field(default_factory=Counts)
    previous_counts: Counts | None = None
    new: list[str] = Field(default_factory=list)
    closed: list[ClosedItem] = Field(default_factory=list)
    renamed: list[RenamedItem] = Field(default_factory=list)
    colour_changes: list[ItemColourChange] = Field(default_factory=list)
    red: list[ResponsibleItem] = Field(default_factory=list)
    yellow: list[ResponsibleItem] = Field(default_factory=list)
    note: str = ""


class MonthReport(_Model):
    """``taizhang report``: one stored month and what changed since the month before."""

    month: str
    previous: str | None
    counts: Counts
    sentence: str
    new: list[ItemRef] = Field(default_factory=list)
    closed: list[ItemRef] = Field(default_factory=list)
    renamed: list[Renamed] = Field(default_factory=list)
    colour_changes: list[ColourChange] = Field(default_factory=list)
    persistent_red: list[PersistentRed] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    late: list[str] = Field(default_factory=list)
    departments: list[DepartmentReport] = Field(default_factory=list)
    # Beyond the keys:
    first_month: bool = False
    center: str = ""
    date: str = ""  # YYYY-MM-DD, the 截至 date of the sentence
    on_time: list[str] = Field(default_factory=list)
    roster_checked: bool = False
    previous_counts: Counts | None = None
    comparison: str = ""  # 一、总体情况's sentence on the month before (or that there is none)
    submission: str = ""  # 二、报送情况 in one sentence
    deadline_day: int = 5  # 每月几日前报送 (taizhang.toml)
    progress_basis: Literal["month", "day"] = "month"
    schedule: float = 0.0  # 序时进度 at the month's 截至 date
    progress_flags: list[ProgressFlag] = Field(default_factory=list)

    @property
    def month_cn(self) -> str:
        from .rules import month_cn  # rules imports this module

        return month_cn(self.month)

    @property
    def worsened(self) -> list[ColourChange]:
        return [c for c in self.colour_changes if direction(c.from_, c.to) == "worsened"]

    @property
    def improved(self) -> list[ColourChange]:
        return [c for c in self.colour_changes if direction(c.from_, c.to) == "improved"]


# --------------------------------------------------------------------------------------------
# the bulletin's sections: built once from a MonthReport, walked by every renderer
# --------------------------------------------------------------------------------------------


class SectionKind(StrEnum):
    OVERVIEW = "overview"  # 一、总体情况
    SUBMISSION = "submission"  # 二、报送情况
    SLOW = "slow"  # 三、进展缓慢事项
    FLAGS = "flags"  # 对标对表: part of 三 in the .docx and the terminal, its own sheet in the .xlsx
    CHANGES = "changes"  # 四、事项变动
    REQUIREMENTS = "requirements"  # 五、下一步工作要求: a draft only the Word bulletin carries
    DEPARTMENTS = "departments"  # 附件: the table by department


class SectionRow(_Model):
    """One entry of a section's list: a red or yellow item of 三, or a change of 四."""

    kind: str  # 三: 红色 / 黄色; 四: 补录, 销号, 调整表述, 颜色变化, 连续标红
    department: str
    item: str  # the 工作事项 (调整表述: the new wording)
    colour: Colour | None = None  # the colour the row shows (三: the item's; 四: the colour it has now)
    detail: str = ""  # what the bulletin says of it: 已标注销号, 原为“…”, 黄色→红色（转差）, 已连续2个月标红
    brief: str = ""  # the same in a few words, for the terminal's table
    previous: str = ""  # 调整表述: the former wording
    months: int = 1  # months in a row with this colour (三, 连续标红)
    marked: bool = False  # 销号: marked 销号 in the ledger (not just gone from it)
    responsible: ResponsibleItem | None = None  # 三: the item with its people and 推进情况


class BulletinSection(_Model):
    """One section of the 督查通报, in the bulletin's order.

    ``paragraphs`` are printed as they are; ``rows`` are the section's list; ``table`` names the
    table a writer draws in the section (its columns are the writer's: see ``tables.py``).
    """

    kind: SectionKind
    number: str = ""  # 一, 二 … ; 附件; "" for a part without a number
    name: str  # 总体情况 … (the .xlsx sheet is named after it)
    paragraphs: list[str] = Field(default_factory=list)
    rows: list[SectionRow] = Field(default_factory=list)
    empty: str = ""  # said instead of the rows when there are none
    table: str | None = None

    @property
    def title(self) -> str:
        """``一、总体情况``, ``附件：各部室（单位）重点工作台账情况表``, or the name alone."""
        if not self.number:
            return self.name
        return f"{self.number}{'：' if self.number == '附件' else '、'}{self.name}"

    def of_kind(self, kind: str) -> list[SectionRow]:
        return [r for r in self.rows if r.kind == kind]
