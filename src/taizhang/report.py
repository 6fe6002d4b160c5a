"""The monthly 督查通报: a stored month against the one before → ``MonthReport``.

通知 三: 中心综合部……每月对纳入台账工作进行督查，并全程用目标进度、目标名次衡量实际进度、实际名次，
对落后时序进度的缓慢事项，进行黄、红色标识. 通知 二: 对已完成的事项及时销号，也要……及时补录新事项、
调整旧事项. This module turns the history store's months into exactly those lists; the bulletin
writers (``writing/bulletin_docx.py``, ``writing/bulletin_xlsx.py``) and the CLI only render them.

An item is followed across months by its ``StoredItem.key`` (the store keeps it through small
rewordings), within its department; an item whose key changed but whose 工作事项 reads the same is
still the same item.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, model_serializer

from .errors import TaizhangError
from .models import Colour, Counts, MonthSnapshot, StoredItem
from .progress import BASIS_NAMES, ProgressFlag, check_snapshot, format_share, schedule_share
from .rules import COLOUR_NAMES, month_cn, normalise_label
from .rules import parse_month as rules_parse_month

if TYPE_CHECKING:
    from .config import Config
    from .store import Store

# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def _from() -> Any:
    """The ``from_`` field: given as ``from_`` or ``from``, always written ``from``."""
    return Field(validation_alias=AliasChoices("from_", "from"), serialization_alias="from")


class _FromTo(BaseModel):
    """``from`` is a Python keyword: the field is ``from_`` and is written ``from`` in JSON."""

    @model_serializer(mode="wrap")
    def _rename_from(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        return {("from" if key == "from_" else key): value for key, value in data.items()}


class ItemRef(BaseModel):
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


class PersistentRed(BaseModel):
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


class ClosedItem(BaseModel):
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


class ResponsibleItem(BaseModel):
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


class DepartmentReport(BaseModel):
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


class MonthReport(BaseModel):
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
        return month_cn(self.month)

    @property
    def worsened(self) -> list[ColourChange]:
        return [c for c in self.colour_changes if direction(c.from_, c.to) == "worsened"]

    @property
    def improved(self) -> list[ColourChange]:
        return [c for c in self.colour_changes if direction(c.from_, c.to) == "improved"]


# --------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------



def parse_month(text: str) -> str:
    """``2022-04``, ``2022-4``, ``2022.4``, ``2022年4月`` → ``2022-04``; anything else a TaizhangError."""
    month = rules_parse_month(text)
    if month is None:
        raise TaizhangError(f"月份“{text}”无法识别，请写成 YYYY-MM，例如 --month 2022-04。")
    return month


def _calendar_previous(month: str) -> str:
    year, mon = (int(p) for p in month.split("-")[:2])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


# --------------------------------------------------------------------------------------------
# The library call
# --------------------------------------------------------------------------------------------


def build_report(store: Store, month: str, *, config: Config) -> MonthReport:
    """The report of a stored ``month`` against the latest earlier stored month.

    Raises ``StoreError`` (listing the stored months) when ``month`` is not stored. Earlier months
    are loaded only as far back as a red streak or a department's last ledger needs.
    """
    current = store.load_month(month)
    previous_month = store.previous_month(month)
    previous = store.load_month(previous_month) if previous_month is not None else None

    def earlier() -> Iterator[MonthSnapshot]:
        m = previous_month
        while m is not None:
            m = store.previous_month(m)
            if m is not None:
                yield store.load_month(m)

    return compare(current, previous, config=config, earlier=earlier())


# --------------------------------------------------------------------------------------------
# The comparison (pure)
# --------------------------------------------------------------------------------------------

def normalise_name(name: str) -> str:
    """A 工作事项 without spaces, punctuation or width differences, for comparing wordings."""
    return normalise_label(name or "")


class _History:
    """The months before ``previous``, newest first, loaded from the iterator only when needed."""

    def __init__(self, previous: MonthSnapshot | None, earlier: Iterable[MonthSnapshot]) -> None:
        self._loaded: list[MonthSnapshot] = [previous] if previous is not None else []
        self._rest: Iterator[MonthSnapshot] | None = iter(earlier) if previous is not None else None

    def __iter__(self) -> Iterator[MonthSnapshot]:
        i = 0
        while True:
            if i < len(self._loaded):
                yield self._loaded[i]
                i += 1
                continue
            if self._rest is None:
                return
            nxt = next(self._rest, None)
            if nxt is None:
                self._rest = None
                return
            self._loaded.append(nxt)


def _present(snapshot: MonthSnapshot) -> set[str]:
    return {d.department for d in snapshot.departments}


def _items_of(snapshot: MonthSnapshot, department: str) -> list[StoredItem]:
    return [i for i in snapshot.items if i.department == department]


def _pair(current: Sequence[StoredItem], before: Sequence[StoredItem]
          ) -> tuple[list[tuple[StoredItem, StoredItem]], list[StoredItem], list[StoredItem]]:
    """Match one department's items: by key first, then by identical (normalised) 工作事项.

    Returns (pairs as (before, now), unmatched current items, unmatched earlier items).
    """
    by_key: dict[str, list[StoredItem]] = {}
    for old in before:
        by_key.setdefault(old.key, []).append(old)
    pairs: list[tuple[StoredItem, StoredItem]] = []
    left: list[StoredItem] = []
    for now in current:
        olds = by_key.get(now.key)
        if olds:
            pairs.append((olds.pop(0), now))
        else:
            left.append(now)
    rest = [old for olds in by_key.values() for old in olds]
    rest.sort(key=lambda i: before.index(i))
    unmatched: list[StoredItem] = []
    for now in left:
        same = next((old for old in rest if normalise_name(old.name) == normalise_name(now.name)), None)
        if same is not None:
            rest.remove(same)
            pairs.append((same, now))
        else:
            unmatched.append(now)
    return pairs, unmatched, rest


def _find(snapshot: MonthSnapshot, item: StoredItem) -> StoredItem | None:
    candidates = _items_of(snapshot, item.department)
    found = next((i for i in candidates if i.key == item.key), None)
    if found is None:
        found = next((i for i in candidates if normalise_name(i.name) == normalise_name(item.name)), None)
    return found


def _streak(item: StoredItem, history: _History) -> int:
    """Months in a row (this one included) the item had its colour, walking back stored months."""
    months = 1
    for snapshot in history:
        if item.department not in _present(snapshot):
            break
        old = _find(snapshot, item)
        if old is None or old.closed or old.colour is not item.colour:
            break
        months += 1
    return months


def _responsible(item: StoredItem, months: int) -> ResponsibleItem:
    return ResponsibleItem(item=item.name, colour=item.colour, leader=item.leader, owner=item.owner,
                           progress=item.progress, stars=item.stars, source=item.source, months=months)


def _order(names: Iterable[str], roster: Sequence[str]) -> list[str]:
    """Roster order first, then the others in the order met."""
    seen = list(dict.fromkeys(names))
    return sorted(seen, key=lambda n: (roster.index(n) if n in roster else len(roster), seen.index(n)))


def compare(
    current: MonthSnapshot,
    previous: MonthSnapshot | None,
    *,
    config: Config,
    earlier: Iterable[MonthSnapshot] = (),
) -> MonthReport:
    """Compare a month with the month before (``previous``; None for the first stored month).

    ``earlier``: the stored months before ``previous``, newest first (may be lazy); used for the
    length of red streaks and for a department that did not report in ``previous`` (its items are
    compared with its latest earlier ledger instead of all counting as 补录).
    """
    history = _History(previous, earlier)
    roster = list(config.departments)
    basis = config.progress_basis
    report = MonthReport(
        month=current.month,
        previous=previous.month if previous is not None else None,
        first_month=previous is None,
        center=current.center,
        date=current.date,
        counts=current.counts,
        previous_counts=previous.counts if previous is not None else None,
        sentence=current.sentence,
        missing=_order(current.missing, roster),
        roster_checked=config.roster_checked or bool(current.missing),
        deadline_day=config.deadline_day,
        progress_basis=basis,
        schedule=schedule_share(current.month, current.date, basis),
    )
    entries = {d.department: d for d in current.departments}
    late = set(current.late) | {d.department for d in current.departments if d.late}
    report.late = _order([n for n in [*current.late, *entries] if n in late], roster)
    report.on_time = _order([n for n in entries if n not in late], roster)

    names = _order([*entries, *current.missing, *(i.department for i in current.items)], roster)
    for name in names:
        entry = entries.get(name)
        status: Status = "missing" if entry is None and name in current.missing else (
            "late" if name in late else "on_time")
        dept = DepartmentReport(department=name, status=status,
                                date=entry.date if entry else None, file=entry.file if entry else None)
        items = _items_of(current, name)
        if entry is not None:
            dept.counts = entry.counts
        if status == "missing":
            dept.note = "本月未报送台账，事项无法比较。"
        elif previous is not None:
            _compare_department(dept, items, history, report)
        for it in items:
            if it.closed or it.colour not in (Colour.RED, Colour.YELLOW):
                continue
            months = _streak(it, history)
            (dept.red if it.colour is Colour.RED else dept.yellow).append(_responsible(it, months))
            if it.colour is Colour.RED and months >= 2:
                report.persistent_red.append(PersistentRed(department=name, item=it.name, months=months))
        report.departments.append(dept)

    report.progress_flags = check_snapshot(current, basis=basis)
    report.comparison = comparison_text(report)
    report.submission = submission_text(report)
    return report


def _compare_department(dept: DepartmentReport, items: list[StoredItem], history: _History,
                        report: MonthReport) -> None:
    name = dept.department
    base = next((s for s in history if name in _present(s)), None)
    if base is None:
        dept.note = "此前各月均未报送，本月为首次报送，事项不逐项列为补录。"
        return
    dept.compared_with = base.month
    entry = next(d for d in base.departments if d.department == name)
    dept.previous_counts = entry.counts
    if base.month != report.previous:
        dept.note = f"{month_cn(report.previous or base.month)}未报送，与{month_cn(base.month)}台账比较。"
    pairs, added, gone = _pair(items, _items_of(base, name))
    for now in added:
        if not now.closed:  # added and crossed off in the same month: only listed as 销号
            dept.new.append(now.name)
            report.new.append(ItemRef(department=name, item=now.name))
        else:
            dept.closed.append(ClosedItem(item=now.name, marked=True))
            report.closed.append(ItemRef(department=name, item=now.name))
    for old in gone:
        if not old.closed:  # an item already crossed off before is not closed again
            dept.closed.append(ClosedItem(item=old.name, marked=False))
            report.closed.append(ItemRef(department=name, item=old.name))
    for old, now in pairs:
        if normalise_name(old.name) != normalise_name(now.name):
            dept.renamed.append(RenamedItem(from_=old.name, to=now.name))
            report.renamed.append(Renamed(department=name, from_=old.name, to=now.name))
        if now.closed:
            if not old.closed:
                dept.closed.append(ClosedItem(item=now.name, marked=True))
                report.closed.append(ItemRef(department=name, item=now.name))
            continue
        if old.closed:  # crossed off before, open again: listed as 补录
            dept.new.append(now.name)
            report.new.append(ItemRef(department=name, item=now.name))
            continue
        if old.colour is not now.colour and Colour.UNKNOWN not in (old.colour, now.colour):
            dept.colour_changes.append(ItemColourChange(item=now.name, from_=old.colour, to=now.colour,
                                                        direction=direction(old.colour, now.colour)))
            report.colour_changes.append(ColourChange(department=name, item=now.name,
                                                      from_=old.colour, to=now.colour))


# --------------------------------------------------------------------------------------------
# Wording shared by the terminal, the .docx and the .xlsx
# --------------------------------------------------------------------------------------------


def _change(label: str, before: int, now: int) -> str:
    if before == now:
        return f"{label}{now}项，与上月持平"
    return f"{label}由{before}项{'增至' if now > before else '减至'}{now}项"


def comparison_text(report: MonthReport) -> str:
    """一、总体情况's comparison with the month before, in one paragraph."""
    if report.previous is None or report.previous_counts is None:
        return (f"{report.month_cn}是库中最早的月份，没有上月台账可供比较，本通报只报告本月情况；"
                "自下月起逐月比较补录、销号和颜色变化。")
    before, now = report.previous_counts, report.counts
    when = month_cn(report.previous)
    if report.previous != _calendar_previous(report.month):
        when += "（库中上一个月份）"
    parts = [_change("重点工作", before.total, now.total)]
    moves = [f"{label}{len(found)}项" for label, found in
             (("补录", report.new), ("销号", report.closed), ("调整表述", report.renamed)) if found]
    if report.missing:
        parts[0] += f"（{'、'.join(report.missing)}本月未报送，其事项未计入）"
    parts[0] += "，本月" + "、".join(moves) if moves else "，没有补录、销号的事项"
    parts.append("，".join(_change(COLOUR_NAMES[c], before.colours.get(c.value, 0), now.colours.get(c.value, 0))
                          for c in (Colour.RED, Colour.YELLOW, Colour.BLUE)))
    worse, better = len(report.worsened), len(report.improved)
    if worse or better:
        parts.append(f"颜色转差{worse}项、好转{better}项")
    else:
        parts.append("没有事项颜色发生变化" if not report.colour_changes else
                     f"颜色变化{len(report.colour_changes)}项")
    if report.persistent_red:
        longest = max(p.months for p in report.persistent_red)
        parts.append(f"连续两个月及以上标红{len(report.persistent_red)}项（最长连续{longest}个月）")
    text = f"与{when}相比，" + "；".join(parts) + "。"
    if report.progress_flags:
        text += (f"按序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）对标对表，"
                 f"有{len(report.progress_flags)}项事项的颜色标注与推进情况不一致，需核实。")
    return text


def submission_text(report: MonthReport) -> str:
    """二、报送情况 in one sentence: on time, late and missing departments by name."""
    received = len(report.on_time) + len(report.late)
    if report.roster_checked:
        due = received + len(report.missing)
        text = f"本月应报送台账{due}个部室（单位），实际报送{received}个，其中按时报送{len(report.on_time)}个"
    else:
        text = f"本月共收到{received}个部室（单位）的台账，其中按时报送{len(report.on_time)}个"
    if report.late:
        text += f"，逾期报送{len(report.late)}个（{'、'.join(report.late)}）"
    if report.roster_checked:
        text += f"，未报送{len(report.missing)}个（{'、'.join(report.missing)}）" if report.missing else "，无未报送部室"
    else:
        text += "（未配置部室名单，无法核对未报送部室）"
    return text + "。"


def colour_change_text(change: ColourChange | ItemColourChange) -> str:
    """``黄色→红色（转差）``."""
    way = direction(change.from_, change.to)
    tail = {"worsened": "（转差）", "improved": "（好转）"}.get(way or "", "")
    return f"{COLOUR_NAMES[change.from_]}→{COLOUR_NAMES[change.to]}{tail}"


def people_text(item: ResponsibleItem) -> str:
    """``分管负责人：张三；责任科室/责任人：规划科/李四``, leaving out what is blank."""
    parts = []
    if item.leader:
        parts.append(f"分管负责人：{item.leader}")
    if item.owner:
        parts.append(f"责任科室/责任人：{item.owner}")
    return "；".join(parts) if parts else "未填写责任人"
