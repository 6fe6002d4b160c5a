"""The data that flows through taizhang: items, findings, counts, file reports.

Every command of the core returns one of these pydantic models; the CLI renders them and
``--json`` prints ``model_dump(mode="json")`` of exactly the same object.
"""

from __future__ import annotations

import operator
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field


def display_path(text: str) -> str:
    """A file name as it can be printed and stored: bytes that are not UTF-8 (a name left by
    unzipping a Chinese Windows archive) become U+FFFD instead of breaking JSON and workbooks."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


FileName = Annotated[str, AfterValidator(display_path)]


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


class _Compact(BaseModel):
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


class Unrecognised(BaseModel):
    """Open items whose stars, source or colour could not be recognised (未识别)."""

    stars: int = 0
    sources: int = 0
    colours: int = 0


class Counts(BaseModel):
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


class StatedSummary(BaseModel):
    """The figures a department wrote in its own summary sentence (any may be missing)."""

    cell: str
    date: str | None = None
    total: int | None = None
    stars: dict[str, int | None] = Field(default_factory=dict)
    sources: dict[str, int | None] = Field(default_factory=dict)
    colours: dict[str, int | None] = Field(default_factory=dict)


class FileReport(BaseModel):
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


class ValidationResult(BaseModel):
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


class DepartmentEntry(BaseModel):
    """One department's workbook in a merged month."""

    department: str
    file: str
    date: str | None = None
    late: bool = False
    ok: bool = True
    counts: Counts = Field(default_factory=Counts)
    errors: int = 0
    warnings: int = 0


class Skipped(BaseModel):
    """A file of the inbox that was not merged, and why (lock file, not a workbook, unreadable)."""

    file: FileName
    reason: str
    code: str | None = None


class MergeResult(BaseModel):
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


class MonthSnapshot(BaseModel):
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
