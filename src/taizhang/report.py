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

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from .collector import collector_paused
from .models import (
    BulletinSection,
    CheckEntry,
    ClosedItem,
    Colour,
    ColourChange,
    Config,
    Counts,
    DepartmentEntry,
    DepartmentItems,
    DepartmentReport,
    ItemColourChange,
    ItemRef,
    MonthReport,
    MonthSnapshot,
    NotListed,
    PersistentRed,
    Renamed,
    RenamedItem,
    ResponsibleItem,
    SectionKind,
    SectionPart,
    SectionRow,
    Severity,
    Status,
    StoredFinding,
    StoredItem,
    TotalChange,
    direction,
)
from .progress import BASIS_NAMES, FLAG_TITLES, check_snapshot, format_share, schedule_share
from .rules import COLOUR_NAMES, month_cn, normalise_label, parse_rank, parse_share, previous_month

if TYPE_CHECKING:
    from .store import Store


class EarlierItem(Protocol):
    """What the comparison reads of an earlier month's item: a ``StoredItem``, or the store's
    lighter ``HistoryItem``."""

    @property
    def key(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def colour(self) -> Colour: ...
    @property
    def closed(self) -> bool: ...


class EarlierMonth(Protocol):
    """What the comparison reads of an earlier month: a ``MonthSnapshot``, or the store's lighter
    ``HistoryMonth``."""

    @property
    def month(self) -> str: ...
    @property
    def counts(self) -> Counts: ...
    @property
    def departments(self) -> Sequence[DepartmentEntry]: ...
    @property
    def items(self) -> Sequence[EarlierItem]: ...


# --------------------------------------------------------------------------------------------
# The library call
# --------------------------------------------------------------------------------------------


def build_report(store: Store, month: str, *, config: Config) -> MonthReport:
    """The report of a stored ``month`` against the latest earlier stored month.

    Raises ``StoreError`` (listing the stored months) when ``month`` is not stored. Earlier months
    are loaded only as far back as a red streak or a department's last ledger needs, and only
    what the comparison reads of them (``Store.load_history_month``): a year of full months took
    most of a report's time.
    """
    before = store.previous_month(month)

    def earlier() -> Iterator[EarlierMonth]:
        m = before
        while m is not None:
            m = store.previous_month(m)
            if m is not None:
                yield store.load_history_month(m)

    # A year of months is a hundred thousand acyclic items: collections as they load free nothing
    # and cost a third of the loading time.
    with collector_paused():
        current = store.load_month(month)
        previous = store.load_history_month(before) if before is not None else None
        return compare(current, previous, config=config, earlier=earlier())


# --------------------------------------------------------------------------------------------
# The comparison (pure)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def normalise_name(name: str) -> str:
    """A 工作事项 without spaces, punctuation or width differences, for comparing wordings.

    Cached: a year's report compares the same names month after month."""
    return normalise_label(name or "")


class _History:
    """The months before ``previous``, newest first, loaded from the iterator only when needed."""

    def __init__(self, previous: EarlierMonth | None, earlier: Iterable[EarlierMonth]) -> None:
        self._loaded: list[EarlierMonth] = [previous] if previous is not None else []
        self._rest: Iterator[EarlierMonth] | None = iter(earlier) if previous is not None else None

    def __iter__(self) -> Iterator[EarlierMonth]:
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


def _present(snapshot: EarlierMonth) -> set[str]:
    return _index(snapshot).present


class _Index:
    """One month's items by department, and each department's items by key and by 工作事项: built
    once per month, where scanning every item for each lookup made a year's report take seconds."""

    def __init__(self, snapshot: EarlierMonth) -> None:
        self.snapshot = snapshot  # held, so that its id is not reused while the index is cached
        self.present = {d.department for d in snapshot.departments}
        self.items: dict[str, list[EarlierItem]] = {}
        for i in snapshot.items:
            self.items.setdefault(i.department, []).append(i)
        self._by_key: dict[str, dict[str, EarlierItem]] = {}
        self._by_name: dict[str, dict[str, EarlierItem]] = {}

    def by_key(self, department: str) -> dict[str, EarlierItem]:
        """The department's first item of each key."""
        found = self._by_key.get(department)
        if found is None:
            found = self._by_key[department] = {}
            for i in self.items.get(department, ()):
                found.setdefault(i.key, i)
        return found

    def by_name(self, department: str) -> dict[str, EarlierItem]:
        """The department's first item of each normalised 工作事项: built only when a key is not
        found (normalising every name of a year of months cost more than all the lookups)."""
        found = self._by_name.get(department)
        if found is None:
            found = self._by_name[department] = {}
            for i in self.items.get(department, ()):
                found.setdefault(normalise_name(i.name), i)
        return found


# The indexes of the months a comparison looks at (by id: models are not hashable); emptied when
# ``compare`` returns, so that no month is kept longer than its report needs it.
_INDEXES: dict[int, _Index] = {}


def _index(snapshot: EarlierMonth) -> _Index:
    index = _INDEXES.get(id(snapshot))
    if index is None or index.snapshot is not snapshot:
        index = _INDEXES[id(snapshot)] = _Index(snapshot)
    return index


def _items_of(snapshot: EarlierMonth, department: str) -> list[EarlierItem]:
    return list(_index(snapshot).items.get(department, ()))


def _pair(current: Sequence[StoredItem], before: Sequence[EarlierItem]
          ) -> tuple[list[tuple[EarlierItem, StoredItem]], list[StoredItem], list[EarlierItem]]:
    """Match one department's items: by key first, then by identical (normalised) 工作事项.

    Returns (pairs as (before, now), unmatched current items, unmatched earlier items).
    """
    by_key: dict[str, list[EarlierItem]] = {}
    for old in before:
        by_key.setdefault(old.key, []).append(old)
    pairs: list[tuple[EarlierItem, StoredItem]] = []
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


def _find(snapshot: EarlierMonth, item: StoredItem) -> EarlierItem | None:
    index = _index(snapshot)
    found = index.by_key(item.department).get(item.key)
    if found is None:
        found = index.by_name(item.department).get(normalise_name(item.name))
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


def _responsible(item: StoredItem, months: int, stated: str = "") -> ResponsibleItem:
    return ResponsibleItem(item=item.name, colour=item.colour, leader=item.leader, owner=item.owner,
                           progress=item.progress, stars=item.stars, source=item.source, months=months,
                           stated=stated)


def _stated(item: StoredItem, expected: float) -> str:
    """What the 推进情况 states against 序时进度 ``expected`` or as a 全市 rank, in a few words
    (``完成年度计划37%，领先序时进度25%``; ``全市第2位``), or "" when it states neither."""
    parts = []
    share = parse_share(item.progress) or parse_share(item.judgement)
    if share is not None:
        due = format_share(expected)
        if share.value > expected + 0.005:
            parts.append(f"{share.text}，领先序时进度{due}")
        elif share.value < expected - 0.005:
            parts.append(f"{share.text}，落后于序时进度{due}")
        else:
            parts.append(f"{share.text}，与序时进度{due}持平")
    rank = parse_rank(item.progress) or parse_rank(item.judgement)
    if rank is not None:
        parts.append(rank.text)
    return "；".join(parts)


def _order(names: Iterable[str], roster: Sequence[str]) -> list[str]:
    """Roster order first, then the others in the order met."""
    seen = list(dict.fromkeys(names))
    return sorted(seen, key=lambda n: (roster.index(n) if n in roster else len(roster), seen.index(n)))


def compare(
    current: MonthSnapshot,
    previous: EarlierMonth | None,
    *,
    config: Config,
    earlier: Iterable[EarlierMonth] = (),
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
    current_items: dict[str, list[StoredItem]] = {}
    for it in current.items:
        current_items.setdefault(it.department, []).append(it)
    for name in names:
        entry = entries.get(name)
        status: Status = "missing" if entry is None and name in current.missing else (
            "late" if name in late else "on_time")
        dept = DepartmentReport(department=name, status=status,
                                date=entry.date if entry else None, file=entry.file if entry else None)
        items = current_items.get(name, [])
        if entry is not None:
            dept.counts = entry.counts
        if status == "missing":
            dept.note = "本月未报送台账，事项无法比较。"
        elif previous is not None:
            _compare_department(dept, items, history, report)
        expected = schedule_share(current.month, (entry.date if entry else None) or current.date, basis)
        for it in items:
            if it.closed or it.colour not in (Colour.RED, Colour.YELLOW, Colour.BLUE):
                continue
            stated = _stated(it, expected)
            if it.colour is Colour.BLUE:
                dept.blue.append(_responsible(it, 1, stated))
                continue
            months = _streak(it, history)
            (dept.red if it.colour is Colour.RED else dept.yellow).append(_responsible(it, months, stated))
            if it.colour is Colour.RED and months >= 2:
                report.persistent_red.append(PersistentRed(department=name, item=it.name, months=months))
        report.departments.append(dept)

    report.progress_flags = check_snapshot(current, basis=basis)
    report.checks = check_entries(current, report)
    if previous is not None:
        report.total_change = total_change(current, previous, report)
    report.not_listed = not_listed_of(current)
    report.comparison = comparison_text(report)
    report.reconciliation = reconciliation_text(report)
    report.submission = submission_text(report)
    _INDEXES.clear()
    return report


def _open_items(snapshot: EarlierMonth) -> dict[str, int]:
    """Each department's counted (open) items in a month: its ledgers' totals (two files of one
    department both count, as in the centre's total)."""
    totals: dict[str, int] = {}
    for d in snapshot.departments:
        totals[d.department] = totals.get(d.department, 0) + d.counts.total
    return totals


def total_change(current: MonthSnapshot, previous: EarlierMonth, report: MonthReport) -> TotalChange:
    """The centre's total from ``previous`` to ``current``, part by part (``TotalChange``)."""
    change = TotalChange(before=previous.counts.total, now=current.counts.total,
                         new=len(report.new), closed=len(report.closed))
    before = _present(previous)
    now_items, before_items = _open_items(current), _open_items(previous)
    for dept in report.departments:
        name = dept.department
        if dept.status == "missing" or name in before:
            continue
        if dept.compared_with is None:
            change.first_time.append(DepartmentItems(department=name, items=now_items.get(name, 0),
                                                     month=current.month))
        else:  # back after missing months: compared with its last ledger, whose items come back
            change.returned.append(DepartmentItems(
                department=name, items=dept.previous_counts.total if dept.previous_counts else 0,
                month=dept.compared_with))
    now = _present(current)
    for name in _order([d.department for d in previous.departments if d.department not in now], report.missing):
        change.missing.append(DepartmentItems(department=name, items=before_items.get(name, 0),
                                              month=previous.month))
    return change


TASK_CODES = ("task.not_listed", "task.uncertain_match")


def not_listed_of(snapshot: MonthSnapshot) -> list[NotListed]:
    """应纳未纳 as ``merge --tasks`` recorded it: the tasks not carried, then those to review."""
    found = [f for f in snapshot.findings if f.code in TASK_CODES and f.department]
    found.sort(key=lambda f: TASK_CODES.index(f.code))
    return [NotListed(department=f.department or "", task=f.value or "", message=f.message, severity=f.severity,
                      code=f.code) for f in found]


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
        # Added and crossed off in the same month: listed as 补录 and as 销号, so the total's
        # change adds up (it enters and leaves the ledger within the month).
        dept.new.append(now.name)
        report.new.append(ItemRef(department=name, item=now.name))
        if now.closed:
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
# Cell text as one line (a clerk's Alt+Enter is not the end of a sentence)
# --------------------------------------------------------------------------------------------

# A new point of a list written one per line: 1. 2、 (1) （一） ① 一、
_LIST_MARK = re.compile(r"^(?:\d{1,2}[.、．](?!\d)|[（(][0-9一二三四五六七八九十]{1,3}[）)]|[①-⑳]|[一二三四五六七八九十]{1,3}、)")
_SENTENCE_END = "。！？；;!?"
_JOINS_DIRECTLY = _SENTENCE_END + "，,、：:（(“‘《【—…"
# A figure in per cent closes a statement (``完成年度计划38%`` / ``码头主体完成进度48%``, two rows of a
# merged item or two lines of a cell) unless the next line carries it on (``以上``, ``左右``, ``的``).
_PERCENT = "%％"
_CARRIES_ON = "以左的、，,。；;：:）)（(”’》】和及或之"


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def one_line(text: str) -> str:
    """A cell's text with its line breaks joined the way the sentence reads.

    Excel wraps a long cell at Alt+Enter: the break is layout, not punctuation. Chinese text joins
    with nothing (``推进港口船舶岸电\n设施建设`` → ``推进港口船舶岸电设施建设``), Latin words with a space
    (``AIS\nterminal``); a list written one point per line (``1.…\n2.…``) gets a ``；`` between
    points unless the line already ends a sentence, and so does a line ending in a per cent figure
    before a line that starts a new statement (``进度38%\n码头主体完成48%``).
    """
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in re.split(r"\r\n|\r|\n", text or "")]
    out = ""
    for line in (line for line in lines if line):
        if not out:
            out = line
            continue
        last, first = out[-1], line[0]
        if _LIST_MARK.match(line) and last not in _SENTENCE_END + "：:":
            out += "；" + line
        elif last in _PERCENT and _wide(first) and first not in _CARRIES_ON:
            out += "；" + line
        elif last in _JOINS_DIRECTLY or _wide(last) or _wide(first):
            out += line
        else:
            out += " " + line
    return out


def names_line(text: str) -> str:
    """分管负责人 written on several lines or with spaces: the names with ``、``."""
    parts = [p for p in re.split(r"[\s\u3000]+", text or "") if p]
    return "、".join(parts)


def owner_line(text: str) -> str:
    """责任科室/责任人 written one way: ``规划科/吴昊``, however the cell put them.

    附件2's header is ``责任科室`` over ``责任人``, so clerks write the section on one line and the
    person on the next, or with a space or a full-width slash between: all become ``科室/人``.
    """
    parts = [p for p in re.split(r"[\s\u3000]*(?:[\r\n]+|[／/]|[ \t\u3000]+)[\s\u3000]*", (text or "").strip()) if p]
    return "/".join(parts)


# --------------------------------------------------------------------------------------------
# Wording shared by the terminal, the .docx and the .xlsx
# --------------------------------------------------------------------------------------------


def _change(label: str, before: int, now: int) -> str:
    if before == now:
        return f"{label}{now}项，与上月持平"
    return f"{label}由{before}项{'增至' if now > before else '减至'}{now}项"


def _colour_moves(report: MonthReport) -> str:
    """转差/好转, and the moves between unmarked and yellow in neutral words (说明 第3条)."""
    worse, better = len(report.worsened), len(report.improved)
    to_yellow = sum(1 for c in report.colour_changes if c.from_ is Colour.NONE and c.to is Colour.YELLOW)
    off_yellow = sum(1 for c in report.colour_changes if c.from_ is Colour.YELLOW and c.to is Colour.NONE)
    bits = [f"颜色转差{worse}项、好转{better}项"] if worse or better else []
    if to_yellow:
        bits.append(f"由未标注改标黄色{to_yellow}项")
    if off_yellow:
        bits.append(f"由黄色改为不标注{off_yellow}项")
    if not bits:
        return "没有事项颜色发生变化" if not report.colour_changes else f"颜色变化{len(report.colour_changes)}项"
    return "、".join(bits)


def comparison_text(report: MonthReport) -> str:
    """一、总体情况's comparison with the month before, in one paragraph."""
    if report.previous is None or report.previous_counts is None:
        return (f"{report.month_cn}是库中最早的月份，没有上月台账可供比较，本通报只报告本月情况；"
                "自下月起逐月比较补录、销号和颜色变化。")
    before, now = report.previous_counts, report.counts
    when = month_cn(report.previous)
    if report.previous != previous_month(report.month):
        when += "（库中上一个月份）"
    parts = [_change("重点工作", before.total, now.total)]
    moves = [f"{label}{len(found)}项" for label, found in
             (("补录", report.new), ("销号", report.closed), ("调整表述", report.renamed)) if found]
    if report.missing:
        parts[0] += f"（{'、'.join(report.missing)}本月未报送，其事项未计入）"
    parts[0] += "，本月" + "、".join(moves) if moves else "，没有补录、销号的事项"
    parts.append("，".join(_change(COLOUR_NAMES[c], before.colours.get(c.value, 0), now.colours.get(c.value, 0))
                          for c in (Colour.RED, Colour.YELLOW, Colour.BLUE)))
    parts.append(_colour_moves(report))
    if report.persistent_red:
        longest = max(p.months for p in report.persistent_red)
        parts.append(f"连续两个月及以上标红{len(report.persistent_red)}项（最长连续{longest}个月）")
    text = f"与{when}相比，" + "；".join(parts) + "。"
    if report.progress_flags:
        text += (f"按序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）对标对表，"
                 f"有{len(report.progress_flags)}项事项的颜色标注与推进情况不一致，需核实。")
    return text


def reconciliation_text(report: MonthReport) -> str:
    """The total's change explained part by part, with the sum written out (``52＋3－4＋10＝61``)."""
    change = report.total_change
    if change is None:
        return ""
    terms: list[tuple[str, int, str]] = [("＋", change.new, f"补录{change.new}项"),
                                         ("－", change.closed, f"销号{change.closed}项")]
    for d in change.first_time:
        terms.append(("＋", d.items, f"{d.department}首次报送{d.items}项"))
    for d in change.returned:
        terms.append(("＋", d.items, f"{d.department}{month_cn(report.previous or d.month)}未报送、本月恢复报送，"
                                     f"计入其{month_cn(d.month)}台账的{d.items}项"))
    for d in change.missing:
        terms.append(("－", d.items, f"{d.department}本月未报送，减去其上月{d.items}项"))
    shown = [t for t in terms if t[1]]
    if change.before == change.now and not shown:
        return f"事项数变化：本月{change.now}项，与上月{change.before}项相同，各部室没有补录、销号的事项。"
    delta = change.now - change.before
    head = (f"事项数变化：上月{change.before}项，本月{change.now}项，"
            + (f"增加{delta}项" if delta > 0 else f"减少{-delta}项" if delta < 0 else "数量持平"))
    sum_text = f"{change.before}" + "".join(f"{sign}{n}" for sign, n, _ in shown) + f"＝{change.now}"
    return f"{head}。其中" + "，".join(words for _, _, words in shown) + f"，即{sum_text}。"


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
    """``黄色→红色（转差）``; ``未标注颜色→黄色`` (neither: 说明 第3条's yellow is not a worse mark)."""
    way = direction(change.from_, change.to)
    tail = {"worsened": "（转差）", "improved": "（好转）"}.get(way or "", "")
    return f"{COLOUR_NAMES[change.from_]}→{COLOUR_NAMES[change.to]}{tail}"


OWNER_LABEL = "责任科室/责任人"  # one spelling everywhere (附件2 writes it on two lines)
LEADER_LABEL = "分管负责人"


def people_text(item: ResponsibleItem) -> str:
    """``分管负责人：张三；责任科室/责任人：规划科/李四``, leaving out what is blank."""
    parts = []
    if item.leader:
        parts.append(f"{LEADER_LABEL}：{names_line(item.leader)}")
    if item.owner:
        parts.append(f"{OWNER_LABEL}：{owner_line(item.owner)}")
    return "；".join(parts) if parts else "未填写责任人"


# --------------------------------------------------------------------------------------------
# 账实不符 and 应标未标 (通知 第五条: grounds for 通报批评)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckPart:
    """A part of the bulletin's 账实不符/应标未标 section: the finding codes it names.

    ``flags``: the 序时进度 check's flags (progress.py) belong to it too; ``errors``: only findings
    at error level count (a [rules] warning is not grounds for 通报); ``rest``: every other error
    finding of the month that no part claims, one entry per department.
    """

    name: str
    codes: tuple[str, ...] = ()
    intro: str = ""
    empty: str = ""
    flags: bool = False
    errors: bool = False
    rest: bool = False


CHECK_PARTS: tuple[CheckPart, ...] = (
    CheckPart("账实不符", ("summary.mismatch",), errors=True,
              intro="以下部室（单位）台账的汇总句与表中实际事项数不符：",
              empty="本月各部室（单位）台账汇总句与表中事项数一致，未发现账实不符。"),
    # 通知 第五条: tasks of the centre's list (merge --tasks) missing from their department's ledger.
    CheckPart("应纳未纳", ("task.not_listed",), errors=True,
              intro="对照中心任务清单，以下任务未纳入责任部室（单位）的台账，请有关部室（单位）补录：",
              # Issued to the departments: plain Chinese, no command-line option (README tells the 综合部 how).
              empty="本月未发现应纳未纳的任务（未提供中心任务清单的月份不作此项核对）。"),
    CheckPart("应标未标", ("rule.should_be_red", "rule.should_be_blue"), flags=True,
              intro="以下事项推进情况写明的进度或名次与颜色标注不一致，应标未标或标注不当，请有关部室（单位）核实更正：",
              empty="本月未发现推进情况与颜色标注不一致的事项。"),
    CheckPart("填报错误", errors=True, rest=True,
              intro="以下台账有必须改正的填报错误（逐处说明见汇总工作簿“问题清单”）：",
              empty="本月台账没有其他必须改正的填报错误。"),
)


def _row_of(cell: str | None) -> int | None:
    m = re.fullmatch(r"\$?[A-Za-z]{1,3}\$?(\d+)", cell or "")
    return int(m.group(1)) if m else None


def _item_at(items: Sequence[StoredItem], rows: Sequence[int], cell: str | None) -> str:
    """The 工作事项 of the item a finding's cell is in (the last item starting at or above it);
    ``items`` sorted by row, ``rows`` their rows."""
    row = _row_of(cell)
    if row is None:
        return ""
    at = bisect_right(rows, row)
    return one_line(items[at - 1].name) if at else ""


def check_entries(current: MonthSnapshot, report: MonthReport) -> list[CheckEntry]:
    """The month's stored findings and 对标对表 flags as the parts of ``CHECK_PARTS``."""
    order = {d.department: i for i, d in enumerate(report.departments)}
    by_department: dict[str, list[StoredFinding]] = {}
    for f in current.findings:
        if f.department:
            by_department.setdefault(f.department, []).append(f)
    claimed = {code for part in CHECK_PARTS for code in part.codes}
    items_of: dict[str, list[StoredItem]] = {}
    for it in current.items:
        if it.department in by_department:
            items_of.setdefault(it.department, []).append(it)
    for listed in items_of.values():
        listed.sort(key=lambda i: i.row)
    rows_of = {d: [i.row for i in listed] for d, listed in items_of.items()}
    entries: list[CheckEntry] = []
    for part in CHECK_PARTS:
        found: list[CheckEntry] = []
        seen: set[tuple[str, str]] = set()
        if part.flags:
            for flag in report.progress_flags:
                key = (flag.department, normalise_name(flag.item))
                if key in seen:
                    continue
                seen.add(key)
                found.append(CheckEntry(part=part.name, department=flag.department, item=one_line(flag.item),
                                        code=flag.code, message=flag.message))
        for department, findings in by_department.items():
            items, rows = items_of.get(department, []), rows_of.get(department, [])
            rest: dict[str, list[str]] = {}
            for f in findings:
                if part.errors and f.severity != Severity.ERROR:
                    continue
                if part.rest:
                    if f.code not in claimed:
                        title = FINDING_TITLES.get(f.code, f.code)
                        rest.setdefault(title, []).append(f.cell or "")
                    continue
                if f.code not in part.codes:
                    continue
                # A ledger finding is about the item at its cell; a task finding about the task itself.
                name = (one_line(f.value or "") if f.code in TASK_CODES
                        else _item_at(items, rows, f.cell) if f.code != "summary.mismatch" else "")
                key = (department, normalise_name(name))
                if name and key in seen:
                    continue
                seen.add(key)
                found.append(CheckEntry(part=part.name, department=department, item=name, code=f.code,
                                        cell=f.cell, message=f.message))
            if rest:
                text = "；".join(f"{title}{len(cells)}处" + (f"（{'、'.join(c for c in cells if c)}）"
                                                            if any(cells) else "")
                                for title, cells in rest.items())
                found.append(CheckEntry(part=part.name, department=department, code="", message=text + "。"))
        found.sort(key=lambda e: order.get(e.department, len(order)))
        entries.extend(found)
    return entries


def _finding_titles() -> dict[str, str]:
    from .findings import CODES

    return {code: c.title for code, c in CODES.items()}


FINDING_TITLES: dict[str, str] = _finding_titles()


# --------------------------------------------------------------------------------------------
# The bulletin's sections, built once for the terminal, the .docx and the .xlsx
# --------------------------------------------------------------------------------------------

# The kinds of rows of 事项变动 (附件1), in the bulletin's order.
NEW, CLOSED, RENAMED, COLOUR_CHANGE, PERSISTENT_RED = "补录", "销号", "调整表述", "颜色变化", "连续标红"
CHANGE_KINDS = (NEW, CLOSED, RENAMED, COLOUR_CHANGE, PERSISTENT_RED)

CN_NUMBERS = "一二三四五六七八九十"

DRAFT_NOTE = ("【草稿，须人工改写】本节为通用要求的草稿，请结合本月督查情况改写，改好后删除本提示并去掉底色，"
              "否则不得印发。")


def _shown(entry: ResponsibleItem) -> ResponsibleItem:
    """The item as the bulletin writes it: cell line breaks joined, people written one way."""
    return entry.model_copy(update={"item": one_line(entry.item), "leader": names_line(entry.leader),
                                    "owner": owner_line(entry.owner), "progress": one_line(entry.progress)})


def _colour_rows(report: MonthReport, colour: Colour) -> list[SectionRow]:
    """The blue, red or yellow items by department, with their colour change if any."""
    rows: list[SectionRow] = []
    for dept in report.departments:
        changes = {c.item: colour_change_text(c) for c in dept.colour_changes}
        entries = {Colour.BLUE: dept.blue, Colour.RED: dept.red, Colour.YELLOW: dept.yellow}[colour]
        for entry in entries:
            rows.append(SectionRow(kind=COLOUR_NAMES[colour], department=dept.department, item=one_line(entry.item),
                                   colour=colour, detail=changes.get(entry.item, ""),
                                   brief=f"{entry.months}个月" if entry.months > 1 else "",
                                   months=entry.months, responsible=_shown(entry)))
    return rows


def _change_rows(report: MonthReport) -> list[SectionRow]:
    """补录, 销号 (by department), 调整表述, 颜色变化 and 连续标红, in that order."""
    closed_marked = {(d.department, c.item) for d in report.departments for c in d.closed if c.marked}
    rows = []
    for ref in report.new:
        said = "本月补录，当月已销号" if (ref.department, ref.item) in closed_marked else "本月新增"
        rows.append(SectionRow(kind=NEW, department=ref.department, item=one_line(ref.item), detail=said, brief=said))
    for dept in report.departments:
        for closed in dept.closed:
            rows.append(SectionRow(kind=CLOSED, department=dept.department, item=one_line(closed.item),
                                   marked=closed.marked,
                                   detail="已标注销号" if closed.marked else "本月台账未再列入，请核实是否已完成",
                                   brief="已标注销号" if closed.marked else "未再列入"))
    for r in report.renamed:
        rows.append(SectionRow(kind=RENAMED, department=r.department, item=one_line(r.to),
                               previous=one_line(r.from_), detail=f"原为“{one_line(r.from_)}”",
                               brief=f"原为“{one_line(r.from_)}”"))
    for change in report.colour_changes:
        text = colour_change_text(change)
        rows.append(SectionRow(kind=COLOUR_CHANGE, department=change.department, item=one_line(change.item),
                               colour=change.to, detail=text, brief=text))
    for p in report.persistent_red:
        rows.append(SectionRow(kind=PERSISTENT_RED, department=p.department, item=one_line(p.item),
                               colour=Colour.RED, months=p.months, detail=f"已连续{p.months}个月标红",
                               brief=f"连续{p.months}个月"))
    return rows


def _check_rows(report: MonthReport) -> list[SectionRow]:
    return [SectionRow(kind=e.part, department=e.department, item=e.item, detail=e.message,
                       brief=FLAG_TITLES.get(e.code) or FINDING_TITLES.get(e.code, "") or e.part,
                       previous=e.cell or "")
            for e in report.checks]


def checks_name(parts: Sequence[CheckPart] | None = None) -> str:
    """``账实不符、应纳未纳和应标未标情况`` from the parts that name a problem of the notice (not 填报错误)."""
    names = [p.name for p in (CHECK_PARTS if parts is None else parts) if not p.rest]
    return ("、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else "".join(names)) + "情况"


def bulletin_sections(report: MonthReport) -> list[BulletinSection]:
    """The 督查通报's sections in order: what every renderer (terminal, .docx, .xlsx) walks.

    一 总体情况, 二 报送情况, 三 进展较快事项 (blue), 四 进展缓慢事项 (red), 五 中间位次及预计较好事项
    (yellow, in the 说明's neutral words), 六 账实不符、应纳未纳和应标未标情况, 七 事项变动 (its table is 附件1),
    八 下步工作要求 (a highlighted draft), then 附件2 the table by department. A renderer adds only
    the words of its medium; the titles, paragraphs and rows come from here.
    """
    first = report.first_month
    blue, red, yellow = (_colour_rows(report, c) for c in (Colour.BLUE, Colour.RED, Colour.YELLOW))
    streak = sum(1 for r in red if r.months >= 2)
    to_yellow = {c.item for c in report.colour_changes if c.from_ is Colour.NONE and c.to is Colour.YELLOW}
    changes = [] if first else _change_rows(report)
    kinds = {kind: sum(1 for r in changes if r.kind == kind) for kind in CHANGE_KINDS}
    when = month_cn(report.previous) if report.previous else ""
    if first:
        change_text = (f"{report.month_cn}是历史库中最早的月份，没有上月台账可供比较，"
                       "本月不统计补录、销号和颜色变化。")
    elif changes:
        change_text = (f"与{when}台账相比，本月补录事项{kinds[NEW]}项、销号{kinds[CLOSED]}项、"
                       f"调整表述{kinds[RENAMED]}项、颜色变化{kinds[COLOUR_CHANGE]}项，"
                       f"连续两个月及以上标红{kinds[PERSISTENT_RED]}项，逐项情况见附件1。")
    else:
        change_text = f"与{when}台账相比，本月没有补录、销号、调整表述或颜色变化的事项。"
    check_rows = _check_rows(report)
    sections = [
        BulletinSection(kind=SectionKind.OVERVIEW, name="总体情况", table="figures",
                        paragraphs=[p for p in (report.sentence, report.comparison, report.reconciliation) if p]),
        BulletinSection(kind=SectionKind.SUBMISSION, name="报送情况", paragraphs=[report.submission],
                        table="submission"),
        BulletinSection(kind=SectionKind.FAST, name="进展较快事项", rows=blue, empty="本月没有标蓝色的事项。",
                        paragraphs=[f"按照说明第3条，领先时序进度的进展较快事项、排名全市前3位事项、对上争取成效显著事项等"
                                    f"标蓝色。本月标蓝色事项{len(blue)}项，分部室（单位）列示如下："] if blue else []),
        BulletinSection(kind=SectionKind.SLOW, name="进展缓慢事项", rows=red, empty="本月没有标红色的事项。",
                        paragraphs=[f"按照说明第3条，排名全市后3位事项、落后于时序进度的缓慢类事项、存在失分扣分风险的事项、"
                                    f"被上级通报批评或曝光约谈类事项等标红色。本月标红色事项{len(red)}项"
                                    + (f"，其中连续两个月及以上标红{streak}项" if streak else "")
                                    + "，现将事项及其分管负责人、责任科室/责任人通报如下："] if red else []),
        BulletinSection(kind=SectionKind.MIDDLE, name="中间位次及预计较好事项", rows=yellow,
                        empty="本月没有标黄色的事项。",
                        paragraphs=[f"按照说明第3条，排名全市中间位次事项、预计为“较好”等次事项等标黄色。"
                                    f"本月标黄色事项{len(yellow)}项"
                                    + (f"（其中{len(to_yellow)}项上月未标注颜色，本月标为黄色）" if to_yellow else "")
                                    + "，列示如下："] if yellow else []),
        BulletinSection(kind=SectionKind.CHECKS, name=checks_name(), rows=check_rows,
                        paragraphs=["按照通知第五条，督查中发现账实不符、应纳未纳、弄虚作假等情况的，将视情采取通报批评、"
                                    "约谈等督查问责手段。经核对，本月情况如下："],
                        parts=[SectionPart(name=p.name, intro=p.intro, empty=p.empty) for p in CHECK_PARTS]),
        BulletinSection(kind=SectionKind.CHANGES, name="事项变动", paragraphs=[change_text], rows=changes,
                        empty="本月没有补录、销号、调整表述或颜色变化的事项。",
                        attachment="附件1" if changes else "", attachment_name="事项变动情况表"),
        BulletinSection(kind=SectionKind.REQUIREMENTS, name="下步工作要求", draft=True, note=DRAFT_NOTE, paragraphs=[
            "（此段为草稿，请根据本月督查情况修改）各部室（单位）要对照本通报，对标红、标黄事项逐项分析原因，"
            "明确整改措施、责任人和完成时限，分管负责同志要盯紧靠牢、强力推进，力促尽快改变被动工作局面；"
            "对账实不符、应标未标的台账立即改正；对已完成的事项及时销号，对新增工作及时补录；"
            f"严格按照每月{report.deadline_day}日前报送台账的要求，确保台账内容应纳尽纳、数据实事求是，"
            "对进展缓慢事项、未完成事项如实、全面、及时报告。"]),
    ]
    for number, section in zip(CN_NUMBERS, sections, strict=False):
        section.number = number
    attachment = "附件2" if changes else "附件1"
    sections.append(BulletinSection(kind=SectionKind.DEPARTMENTS, number=attachment,
                                    name="各部室（单位）重点工作台账情况表", table="departments"))
    return sections
