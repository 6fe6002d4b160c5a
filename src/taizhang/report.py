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
from typing import TYPE_CHECKING

from .models import (
    BulletinSection,
    ClosedItem,
    Colour,
    ColourChange,
    Config,
    DepartmentReport,
    ItemColourChange,
    ItemRef,
    MonthReport,
    MonthSnapshot,
    PersistentRed,
    Renamed,
    RenamedItem,
    ResponsibleItem,
    SectionKind,
    SectionRow,
    Status,
    StoredItem,
    direction,
)
from .progress import BASIS_NAMES, check_snapshot, format_share, schedule_share
from .rules import COLOUR_NAMES, month_cn, normalise_label

if TYPE_CHECKING:
    from .store import Store

# --------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------


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
    return _index(snapshot).present


class _Index:
    """One month's items by department, and each department's items by key and by 工作事项: built
    once per month, where scanning every item for each lookup made a year's report take seconds."""

    def __init__(self, snapshot: MonthSnapshot) -> None:
        self.snapshot = snapshot  # held, so that its id is not reused while the index is cached
        self.present = {d.department for d in snapshot.departments}
        self.items: dict[str, list[StoredItem]] = {}
        for i in snapshot.items:
            self.items.setdefault(i.department, []).append(i)
        self._lookups: dict[str, tuple[dict[str, StoredItem], dict[str, StoredItem]]] = {}

    def lookups(self, department: str) -> tuple[dict[str, StoredItem], dict[str, StoredItem]]:
        """The department's first item of each key, and of each normalised 工作事项."""
        found = self._lookups.get(department)
        if found is None:
            by_key: dict[str, StoredItem] = {}
            by_name: dict[str, StoredItem] = {}
            for i in self.items.get(department, ()):
                by_key.setdefault(i.key, i)
                by_name.setdefault(normalise_name(i.name), i)
            found = self._lookups[department] = (by_key, by_name)
        return found


# The indexes of the months a comparison looks at (by id: models are not hashable); emptied when
# ``compare`` returns, so that no month is kept longer than its report needs it.
_INDEXES: dict[int, _Index] = {}


def _index(snapshot: MonthSnapshot) -> _Index:
    index = _INDEXES.get(id(snapshot))
    if index is None or index.snapshot is not snapshot:
        index = _INDEXES[id(snapshot)] = _Index(snapshot)
    return index


def _items_of(snapshot: MonthSnapshot, department: str) -> list[StoredItem]:
    return list(_index(snapshot).items.get(department, ()))


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
    by_key, by_name = _index(snapshot).lookups(item.department)
    found = by_key.get(item.key)
    if found is None:
        found = by_name.get(normalise_name(item.name))
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
    _INDEXES.clear()
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
    _INDEXES.clear()
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


# --------------------------------------------------------------------------------------------
# The bulletin's sections, built once for the terminal, the .docx and the .xlsx
# --------------------------------------------------------------------------------------------

# The kinds of rows of 四、事项变动, in the bulletin's order.
NEW, CLOSED, RENAMED, COLOUR_CHANGE, PERSISTENT_RED = "补录", "销号", "调整表述", "颜色变化", "连续标红"
CHANGE_KINDS = (NEW, CLOSED, RENAMED, COLOUR_CHANGE, PERSISTENT_RED)


def _slow_rows(report: MonthReport) -> list[SectionRow]:
    """三: the red items, then the yellow ones, by department, with their colour change if any."""
    rows: list[SectionRow] = []
    for colour in (Colour.RED, Colour.YELLOW):
        for dept in report.departments:
            changes = {c.item: colour_change_text(c) for c in dept.colour_changes}
            for entry in dept.red if colour is Colour.RED else dept.yellow:
                rows.append(SectionRow(kind=COLOUR_NAMES[colour], department=dept.department, item=entry.item,
                                       colour=colour, detail=changes.get(entry.item, ""),
                                       brief=f"{entry.months}个月" if entry.months > 1 else "",
                                       months=entry.months, responsible=entry))
    return rows


def _change_rows(report: MonthReport) -> list[SectionRow]:
    """四: 补录, 销号 (by department), 调整表述, 颜色变化 and 连续标红, in that order."""
    rows = [SectionRow(kind=NEW, department=r.department, item=r.item, detail="本月新增") for r in report.new]
    for dept in report.departments:
        for closed in dept.closed:
            rows.append(SectionRow(kind=CLOSED, department=dept.department, item=closed.item, marked=closed.marked,
                                   detail="已标注销号" if closed.marked else "本月台账未再列入，请核实是否已完成",
                                   brief="已标注销号" if closed.marked else "未再列入"))
    for r in report.renamed:
        rows.append(SectionRow(kind=RENAMED, department=r.department, item=r.to, previous=r.from_,
                               detail=f"原为“{r.from_}”", brief=f"原为“{r.from_}”"))
    for change in report.colour_changes:
        text = colour_change_text(change)
        rows.append(SectionRow(kind=COLOUR_CHANGE, department=change.department, item=change.item,
                               colour=change.to, detail=text, brief=text))
    for p in report.persistent_red:
        rows.append(SectionRow(kind=PERSISTENT_RED, department=p.department, item=p.item, colour=Colour.RED,
                               months=p.months, detail=f"已连续{p.months}个月标红", brief=f"连续{p.months}个月"))
    return rows


def bulletin_sections(report: MonthReport) -> list[BulletinSection]:
    """The 督查通报's sections in order: what every renderer (terminal, .docx, .xlsx) walks.

    A renderer may leave a section out (the terminal and the .xlsx have no 五、 draft) or add
    words of its medium, but the titles, the paragraphs and the rows come from here.
    """
    first = report.first_month
    return [
        BulletinSection(kind=SectionKind.OVERVIEW, number="一", name="总体情况",
                        paragraphs=[report.sentence, report.comparison], table="figures"),
        BulletinSection(kind=SectionKind.SUBMISSION, number="二", name="报送情况",
                        paragraphs=[report.submission], table="submission"),
        BulletinSection(kind=SectionKind.SLOW, number="三", name="进展缓慢事项", rows=_slow_rows(report),
                        empty="本月没有标红色、黄色的事项。"),
        BulletinSection(kind=SectionKind.FLAGS, name="颜色标注需核实的事项", table="flags",
                        empty="没有颜色标注与推进情况不一致的事项。"),
        BulletinSection(kind=SectionKind.CHANGES, number="四", name="事项变动",
                        paragraphs=[f"{report.month_cn}是历史库中最早的月份，没有上月台账可供比较，"
                                    "本月不统计补录、销号和颜色变化。"] if first else [],
                        rows=[] if first else _change_rows(report),
                        empty="本月没有补录、销号、调整表述或颜色变化的事项。"),
        BulletinSection(kind=SectionKind.REQUIREMENTS, number="五", name="下一步工作要求", paragraphs=[
            "（此段为草稿，请根据本月督查情况修改）各部室（单位）要对照本通报，对标红、标黄事项逐项分析原因，"
            "明确整改措施、责任人和完成时限，分管负责同志要盯紧靠牢、强力推进，力促尽快改变被动工作局面；"
            "对已完成的事项及时销号，对新增工作及时补录；"
            f"严格按照每月{report.deadline_day}日前报送台账的要求，确保台账内容应纳尽纳、数据实事求是，"
            "对进展缓慢事项、未完成事项如实、全面、及时报告。"]),
        BulletinSection(kind=SectionKind.DEPARTMENTS, number="附件", name="各部室（单位）重点工作台账情况表",
                        table="departments"),
    ]
