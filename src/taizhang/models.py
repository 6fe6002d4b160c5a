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
    PrivateAttr,
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
    if len(values) < len(plan):  # field names only: as many as the model has means every field is given
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
    # The stable identity written by ``taizhang prepare`` in the hidden column 事项编号 (L), or None
    # for an item the clerk added (or a ledger not made by prepare).
    item_id: str | None = None
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
    # Defaults made without validation (see ``construct``): no validator is built for them.
    unrecognised: Unrecognised = Field(default_factory=lambda: construct(Unrecognised, {}))
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
    counts: Counts = Field(default_factory=lambda: construct(Counts, {}))
    items: list[Item] = Field(default_factory=list)
    extra_columns: list[str] = Field(default_factory=list)
    stated: StatedSummary | None = None
    sha256: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    # ``validate --annotate`` (None when not asked): "written" with the copy's path in
    # ``annotated``; "clean" when nothing was found, so no copy goes back; "failed" when the copy
    # could not be written (the reason is on the terminal).
    annotation: Literal["written", "clean", "failed"] | None = None
    annotated: FileName | None = None
    # The footer's 中心分管领导：… (as written, several names possible; None when blank or ×××).
    center_leader: str | None = None

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
    counts: Counts = Field(default_factory=lambda: construct(Counts, {}))
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
    # ``merge --tasks``: the centre's task list checked against the ledgers (应纳未纳).
    tasks: TaskCheck | None = None
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


# --------------------------------------------------------------------------------------------
# merge --tasks: the centre's task list against the ledgers (应纳未纳, 通知 五)
# --------------------------------------------------------------------------------------------


class Task(_Model):
    """One row of the centre's task list (任务清单): 事项, 责任部室, 来源, optional 时限."""

    row: int
    cell: str  # A1 of its 事项 cell
    name: str
    departments: list[str]  # 责任部室, split where several share the task
    source: str = ""
    deadline: str = ""


TaskStatus = Literal["listed", "uncertain", "not_listed"]


class TaskMatch(_Model):
    """One task against one responsible department's ledger, with its closest item."""

    task: str
    department: str
    cell: str
    status: TaskStatus
    item: str | None = None  # the department's closest ledger item (the pair shown for review)
    similarity: float = 0.0  # 0..1
    elsewhere: str | None = None  # another department whose ledger carries it (a task in the wrong ledger)
    elsewhere_item: str | None = None


class TaskCheck(_Model):
    """``merge --tasks``: which tasks of the list each department's ledger carries."""

    file: FileName
    sheet: str
    tasks: list[Task] = Field(default_factory=list)
    matches: list[TaskMatch] = Field(default_factory=list)
    # task.not_listed / task.uncertain_match / task.no_department, each with its department.
    findings: list[StoredFinding] = Field(default_factory=list)

    @property
    def not_listed(self) -> list[TaskMatch]:
        return [m for m in self.matches if m.status == "not_listed"]

    @property
    def uncertain(self) -> list[TaskMatch]:
        return [m for m in self.matches if m.status == "uncertain"]


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
    # Department -> the footer's 中心分管领导 (as written): for the leaders' digests only, so not
    # part of the month's JSON form (a store of schema version 1 has none).
    center_leaders: dict[str, str] = Field(default_factory=dict, exclude=True)


# --------------------------------------------------------------------------------------------
# taizhang.toml
# --------------------------------------------------------------------------------------------


# The figures a department's row of the year's 考核 table can show ([stats] assessment), with
# their Chinese column labels, in the order ``taizhang stats`` documents them.
ASSESSMENT_FIGURES: dict[str, str] = {
    "reported": "报送月数",
    "on_time": "按时报送",
    "late": "逾期报送",
    "missing": "未报送",
    "errors": "校验错误",
    "warnings": "校验提示",
    "items": "事项数（最近一月）",
    "new": "补录",
    "closed": "销号",
    "red_months": "红色事项·月",
    "yellow_months": "黄色事项·月",
    "blue_months": "蓝色事项·月",
    "red_streaks": "长期标红事项",
    "longest_red": "最长连续标红（月）",
}
DEFAULT_ASSESSMENT = ("on_time", "late", "missing", "errors", "new", "closed", "red_months", "red_streaks")


class StatsConfig(_Model):
    """``[stats]`` of taizhang.toml: what ``taizhang stats`` puts in its 考核 table."""

    model_config = ConfigDict(extra="forbid")

    # The 考核 table's columns, by figure name (ASSESSMENT_FIGURES), in this order.
    assessment: list[str] = Field(default_factory=lambda: list(DEFAULT_ASSESSMENT))
    # An item red for this many months in a row (or more) is listed as 长期标红.
    red_streak: int = Field(default=3, ge=1, le=120, strict=True)

    @field_validator("assessment")
    @classmethod
    def _assessment(cls, value: list[str]) -> list[str]:
        names: list[str] = []
        for raw in value:
            name = raw.strip()
            if name not in ASSESSMENT_FIGURES:
                raise ValueError(f"不认识的统计项“{raw}”")
            if name in names:
                raise ValueError(f"统计项“{name}”出现了两次")
            names.append(name)
        if not names:
            raise ValueError("至少要有一项")
        return names


# 通知 五: 中心成立重点工作督查考核领导小组; the notice signs in its name.
ISSUER = "济宁市港航事业发展中心重点工作督查考核领导小组"


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
    # taizhang prepare: carry last month's 进度评价 (text and fill) into the pre-filled workbooks, or
    # leave it for the department to judge again (the default: the colour is re-judged every month).
    prepare_keep_colours: bool = Field(default=False, strict=True)
    # [rules]: a finding code (or a whole area) → "off" / "warning" / "error".
    rules: dict[str, str] = Field(default_factory=dict)
    # [stats]: the figures of the year's 考核 table, and from how many red months on an item is listed.
    stats: StatsConfig = Field(default_factory=StatsConfig)
    # The paper the consolidated workbook's sheets are laid out for (A3: wider columns, fewer pages).
    paper: Literal["A4", "A3"] = "A4"
    # The bulletin's 发文机关署名 (GB/T 9704 7.3.5), as the notice writes its own.
    issuer: str = ISSUER
    # [leaders]: each 中心分管领导 → the departments they supervise (通知 四); the ledgers' footers
    # fill in the departments not listed here.
    leaders: dict[str, list[str]] = Field(default_factory=dict)
    # Where the settings were loaded from; None when the defaults apply.
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("center", "issuer")
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

    @field_validator("leaders")
    @classmethod
    def _leaders(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for raw, departments in value.items():
            leader = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
            if not leader:
                raise ValueError("有空的领导姓名")
            names: list[str] = []
            for dept in departments:
                name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", dept))
                if not name:
                    raise ValueError(f"“{leader}”分管的部室中有空的名称")
                if name not in names:
                    names.append(name)
            table.setdefault(leader, []).extend(n for n in names if n not in table.get(leader, []))
        return table

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
    """``worsened`` (e.g. yellow→red, blue→none), ``improved`` (red→blue), None when not comparable.

    Unmarked and yellow are not comparable: the 说明 第3条 gives yellow to 排名全市中间位次 and
    预计为“较好”等次 items, and leaves 其他事项 unmarked, so an item newly marked yellow has not
    got worse (issue 10: never call it 转差), nor better when the yellow is taken off.
    """
    if old not in _RANK_OF_COLOUR or new not in _RANK_OF_COLOUR or old is new:
        return None
    if {old, new} == {Colour.NONE, Colour.YELLOW}:
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
    # What its 推进情况 states that explains the colour (完成年度计划37%, 全市第2位), if read.
    stated: str = ""


Status = Literal["on_time", "late", "missing"]
STATUS_NAMES = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送"}


class DepartmentReport(_Model):
    """One department's month: status, counts, changes, and its red and yellow items."""

    department: str
    status: Status
    date: str | None = None
    file: str | None = None
    compared_with: str | None = None  # the month its items were compared with (None: not compared)
    counts: Counts = Field(default_factory=lambda: construct(Counts, {}))
    previous_counts: Counts | None = None
    new: list[str] = Field(default_factory=list)
    closed: list[ClosedItem] = Field(default_factory=list)
    renamed: list[RenamedItem] = Field(default_factory=list)
    colour_changes: list[ItemColourChange] = Field(default_factory=list)
    red: list[ResponsibleItem] = Field(default_factory=list)
    yellow: list[ResponsibleItem] = Field(default_factory=list)
    note: str = ""
    blue: list[ResponsibleItem] = Field(default_factory=list)


class DepartmentItems(_Model):
    """A department's open items in a month (``month``) that enter or leave the centre's total."""

    department: str
    items: int
    month: str


class TotalChange(_Model):
    """Why the centre's total moved from ``before`` to ``now``, every part counted.

    ``now == before + new - closed + Σ first_time + Σ returned - Σ missing`` exactly: 补录 and 销号
    are the compared departments' (a department back after missing months is compared with its last
    ledger, whose open items ``returned`` brings back); ``first_time`` departments never reported
    before (their items are not 补录); ``missing`` ones reported last month but not this month.
    An item entered and crossed off in the same month is counted in both 补录 and 销号.
    """

    before: int
    now: int
    new: int = 0
    closed: int = 0
    first_time: list[DepartmentItems] = Field(default_factory=list)
    returned: list[DepartmentItems] = Field(default_factory=list)
    missing: list[DepartmentItems] = Field(default_factory=list)

    @property
    def explained(self) -> int:
        """The total the parts add up to (always ``now``)."""
        return (self.before + self.new - self.closed + sum(d.items for d in self.first_time)
                + sum(d.items for d in self.returned) - sum(d.items for d in self.missing))


class CheckEntry(_Model):
    """A problem the bulletin names under 账实不符 / 应标未标 (通知 第五条: grounds for 通报).

    ``part`` is the part's name (``report.CHECK_PARTS``); ``item`` is empty for a ledger-wide one
    (the summary sentence)."""

    part: str
    department: str
    item: str = ""
    code: str
    cell: str | None = None
    message: str


class NotListed(_Model):
    """A task of the centre's list (``merge --tasks``) that its department's ledger does not carry."""

    department: str
    task: str
    message: str  # the finding's message: source, 时限, the closest ledger item
    severity: Severity = Severity.ERROR
    code: str = "task.not_listed"  # or task.uncertain_match: a middling match, for review

    @property
    def missing(self) -> bool:
        """Not carried (rather than a pair to review)."""
        return self.code == "task.not_listed"


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
    # Beyond the issue's keys:
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
    # Issue 10: the total's change explained part by part, its sentence, and 账实不符/应标未标.
    total_change: TotalChange | None = None
    reconciliation: str = ""
    checks: list[CheckEntry] = Field(default_factory=list)
    # 应纳未纳 (通知 五): the task list's tasks missing from their department's ledger, and the middling
    # matches to review; recorded by ``merge --tasks``.
    not_listed: list[NotListed] = Field(default_factory=list)

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
# report --by-leader: one digest per 中心分管领导 (通知 四)
# --------------------------------------------------------------------------------------------

Assignment = Literal["config", "footer"]


class LeaderDigest(_Model):
    """One 中心分管领导's month: their departments' reports, red and yellow items, changes since
    last month, persistent reds, and what the notice makes grounds for 通报批评 (账实不符, 应纳未纳)."""

    leader: str
    month: str
    previous: str | None = None
    # Department -> where the assignment comes from: taizhang.toml's [leaders], or the ledger's footer.
    assigned_by: dict[str, Assignment] = Field(default_factory=dict)
    departments: list[DepartmentReport] = Field(default_factory=list)
    counts: Counts = Field(default_factory=lambda: construct(Counts, {}))
    previous_counts: Counts | None = None
    persistent_red: list[PersistentRed] = Field(default_factory=list)
    not_listed: list[NotListed] = Field(default_factory=list)
    mismatches: list[StoredFinding] = Field(default_factory=list)  # summary.mismatch: 账实不符
    file: str | None = None  # the .docx written for them

    @property
    def red(self) -> int:
        return sum(len(d.red) for d in self.departments)

    @property
    def yellow(self) -> int:
        return sum(len(d.yellow) for d in self.departments)


class LeaderDigests(_Model):
    """``taizhang report --by-leader``: a digest per 中心分管领导, and what could not be assigned."""

    month: str
    previous: str | None = None
    center: str = ""
    leaders: list[LeaderDigest] = Field(default_factory=list)
    unassigned: list[str] = Field(default_factory=list)  # departments with no 中心分管领导 anywhere
    warnings: list[str] = Field(default_factory=list)  # footers that disagree with taizhang.toml, …


# --------------------------------------------------------------------------------------------
# the bulletin's sections: built once from a MonthReport, walked by every renderer
# --------------------------------------------------------------------------------------------


class SectionKind(StrEnum):
    OVERVIEW = "overview"  # 一、总体情况
    SUBMISSION = "submission"  # 二、报送情况
    FAST = "fast"  # 三、进展较快事项 (blue)
    SLOW = "slow"  # 四、进展缓慢事项 (red)
    MIDDLE = "middle"  # 五、中间位次及预计较好事项 (yellow)
    CHECKS = "checks"  # 六、账实不符、应纳未纳和应标未标情况 (findings and 对标对表)
    FLAGS = "flags"  # (before issue 10: 对标对表 on its own; now a part of CHECKS)
    CHANGES = "changes"  # 七、事项变动 (the table is 附件1)
    REQUIREMENTS = "requirements"  # 八、下步工作要求: a draft to be replaced by hand
    DEPARTMENTS = "departments"  # 附件2: the table by department


class SectionPart(_Model):
    """A part of a section ((一)账实不符, (二)应标未标): its rows are the section's of ``kind == name``."""

    name: str
    intro: str = ""
    empty: str = ""


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
    parts: list[SectionPart] = Field(default_factory=list)
    # Draft text a person must replace before issuing: highlighted in every file, with ``note``.
    draft: bool = False
    note: str = ""
    # The 附件 that carries the section's rows as a table (附件1), or "" when they are in the text.
    attachment: str = ""
    attachment_name: str = ""

    @property
    def title(self) -> str:
        """``一、总体情况``, ``附件2：各部室（单位）重点工作台账情况表``, or the name alone."""
        if not self.number:
            return self.name
        return f"{self.number}{'：' if self.number.startswith('附件') else '、'}{self.name}"

    def of_kind(self, kind: str) -> list[SectionRow]:
        return [r for r in self.rows if r.kind == kind]


# --------------------------------------------------------------------------------------------
# The monthly cycle: next month's workbooks (prepare) and the reminder (remind)
# --------------------------------------------------------------------------------------------


class PreparedWorkbook(_Model):
    """One department's pre-filled workbook for the coming month."""

    department: str
    file: str  # the file name, as the department names its ledgers
    items: int  # the open items carried over (销号 items left out)
    closed_left_out: int = 0
    from_month: str | None = None  # the stored month its items come from; None: no history, blank
    note: str | None = None  # e.g. "2022年4月未报送，按2022年3月台账预填"


class PrepareResult(_Model):
    """``taizhang prepare``: the workbooks written for ``month``."""

    month: str  # YYYY-MM, the month being prepared
    previous: str | None  # the latest stored month before it
    output: str  # the folder, or the .zip
    zipped: bool = False
    keep_colours: bool = False
    workbooks: list[PreparedWorkbook] = Field(default_factory=list)


class RemindResult(_Model):
    """``taizhang remind``: who has not handed in ``month``'s ledger, and the 催报 text."""

    month: str
    deadline: str  # YYYY-MM-DD, the 5th (deadline_day) of the month
    today: str
    late: bool  # today is after the deadline
    roster_checked: bool = True
    received: list[str] = Field(default_factory=list)  # roster departments whose ledger is in the inbox
    missing: list[str] = Field(default_factory=list)
    unreadable: list[str] = Field(default_factory=list)  # files of the inbox that could not be read
    stale: list[str] = Field(default_factory=list)  # files dated by last month's deadline: last month's ledgers
    text: str | None = None  # the ready-to-send 催报 text; None when nobody is missing
# taizhang stats: the year's statistics
# --------------------------------------------------------------------------------------------

Submission = Literal["on_time", "late", "missing", "absent"]
SUBMISSION_NAMES = {**STATUS_NAMES, "absent": "未报送（不在名单中）"}


class DepartmentMonthStats(_Model):
    """One department in one stored month: its submission, counts, changes and findings."""

    department: str
    month: str  # YYYY-MM
    # on_time/late as the merge recorded them (填报日期 after the month's deadline day: late);
    # missing: on the roster (or listed missing by the merge) without a ledger; absent: neither.
    status: Submission
    date: str | None = None  # 填报日期, YYYY-MM-DD
    file: str | None = None
    items: int = 0  # open items (销号 items not counted, as in the summary sentence)
    stars: dict[str, int] = Field(default_factory=lambda: _zero(("3", "2", "1")))
    sources: dict[str, int] = Field(default_factory=lambda: _zero("ABCD"))
    colours: dict[str, int] = Field(default_factory=lambda: _zero(("blue", "yellow", "red", "none")))
    new: int = 0  # 补录 against the department's previous ledger (the monthly report's list)
    closed: int = 0  # 销号: marked this month or gone from the ledger (the monthly report's list)
    compared: bool = False  # whether 补录/销号 could be counted (not the first ledger, not missing)
    errors: int = 0
    warnings: int = 0


class MonthStats(_Model):
    """The centre in one stored month."""

    month: str
    date: str  # the 截至 date of the month's summary sentence
    reported: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    items: int = 0
    stars: dict[str, int] = Field(default_factory=lambda: _zero(("3", "2", "1")))
    sources: dict[str, int] = Field(default_factory=lambda: _zero("ABCD"))
    colours: dict[str, int] = Field(default_factory=lambda: _zero(("blue", "yellow", "red", "none")))
    new: int = 0
    closed: int = 0
    errors: int = 0  # error findings of every file merged, unreadable ones included
    warnings: int = 0
    unreadable: int = 0  # files that could not be read at all


class RedItem(_Model):
    """An item marked red in at least one month of the year, and how long it stayed red."""

    department: str
    item: str  # its latest 工作事项
    longest: int  # the longest run of stored months in a row it was red (as the monthly report counts)
    months: int  # stored months of the year it was red, in all
    first: str  # first and last red month, YYYY-MM
    last: str
    red_now: bool  # red in the department's last ledger of the year


class DepartmentYearStats(_Model):
    """One department over the year: the figures its 考核 row is made of (ASSESSMENT_FIGURES)."""

    department: str
    reported: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    errors: int = 0
    warnings: int = 0
    items: int = 0
    new: int = 0
    closed: int = 0
    red_months: int = 0
    yellow_months: int = 0
    blue_months: int = 0
    red_streaks: int = 0
    longest_red: int = 0

    def figure(self, name: str) -> int:
        return int(getattr(self, name))


class YearStats(_Model):
    """``taizhang stats``: every stored month of a year, by department and for the centre."""

    year: int
    months: list[str]  # the stored months of the year, oldest first
    red_streak: int  # [stats] red_streak: listed in ``long_red`` from this many months in a row
    assessment: list[str]  # [stats] assessment: the 考核 table's figures, in order
    roster_checked: bool = False
    centre: list[MonthStats] = Field(default_factory=list)
    department_months: list[DepartmentMonthStats] = Field(default_factory=list)
    departments: list[DepartmentYearStats] = Field(default_factory=list)
    red_items: list[RedItem] = Field(default_factory=list)  # longest streak first
    long_red: list[RedItem] = Field(default_factory=list)  # red_items with longest >= red_streak

    _index: dict[tuple[str, str], DepartmentMonthStats] | None = PrivateAttr(default=None)

    def of(self, department: str, month: str) -> DepartmentMonthStats | None:
        """The department's figures of ``month`` (indexed on first use: the writers ask for every cell)."""
        if self._index is None or len(self._index) != len(self.department_months):
            self._index = {(d.department, d.month): d for d in self.department_months}
        return self._index.get((department, month))
