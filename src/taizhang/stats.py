"""``taizhang stats``: every stored month of a year, by department and for the centre → ``YearStats``.

通知 三: 中心综合部……每月对纳入台账工作进行督查; 五: 中心成立重点工作督查考核领导小组……定期召集有关部室
组成督查组. The year's figures the 考核 needs are made of what each month already says:

* submission (按时/逾期/未报送) as the merge recorded it: 自4月起……每月5日前上报 (``deadline_day``);
* the counts of the summary sentence (事项, 星级, 来源, 颜色) and the files' findings;
* 补录 and 销号 from the monthly report's comparison (``report.compare``), so the year never says
  something the monthly bulletins did not;
* how long items stayed red, as the monthly report counts a red streak.

pandas does the tabulation (department × month rows, their sums by month and by department);
it is imported when statistics are made, not when the command line starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .errors import StoreError
from .models import (
    Colour,
    Config,
    Counts,
    DepartmentEntry,
    DepartmentMonthStats,
    DepartmentReport,
    DepartmentYearStats,
    MonthReport,
    MonthSnapshot,
    MonthStats,
    RedItem,
    Severity,
    StoredItem,
    Submission,
    YearStats,
)
from .report import compare, normalise_name

if TYPE_CHECKING:
    from .store import Store

# The columns of the department × month frame that are summed (by month, by department).
_STARS = ("3", "2", "1")
_SOURCES = ("A", "B", "C", "D")
_COLOURS = ("blue", "yellow", "red", "none")
_SUMMED = ("items", *(f"stars_{k}" for k in _STARS), *(f"sources_{k}" for k in _SOURCES),
           *(f"colours_{k}" for k in _COLOURS), "new", "closed", "errors", "warnings")
_STATUSES: tuple[Submission, ...] = ("on_time", "late", "missing", "absent")


def build_stats(store: Store, year: int, *, config: Config, red_streak: int | None = None) -> YearStats:
    """The statistics of the stored months of ``year``.

    Raises ``StoreError`` (naming the stored months) when no month of ``year`` is stored. Each
    month is compared with the stored month before it (December of the year before for January,
    if stored), exactly as ``taizhang report`` compares it.
    """
    stored = store.months()
    months = [m for m in stored if m.startswith(f"{year:04d}-")]
    if not months:
        have = "、".join(stored) if stored else "（还没有任何月份，请先运行 taizhang merge）"
        raise StoreError(f"历史库 {store.path} 中没有 {year} 年的汇总。已有的月份：{have}")
    cache: dict[str, MonthSnapshot] = {}

    def load(month: str) -> MonthSnapshot:
        if month not in cache:
            cache[month] = store.load_month(month)
        return cache[month]

    def before(month: str | None) -> Iterator[MonthSnapshot]:
        while month is not None:
            month = store.previous_month(month)
            if month is not None:
                yield load(month)

    snapshots: list[MonthSnapshot] = []
    reports: list[MonthReport] = []
    for month in months:
        previous = store.previous_month(month)
        current = load(month)
        reports.append(compare(current, load(previous) if previous is not None else None, config=config,
                               earlier=before(previous)))
        snapshots.append(current)
    return year_stats(year, snapshots, reports, config=config, red_streak=red_streak)


def year_stats(year: int, snapshots: Sequence[MonthSnapshot], reports: Sequence[MonthReport], *,
               config: Config, red_streak: int | None = None) -> YearStats:
    """The statistics of the months ``snapshots`` (oldest first) and their monthly ``reports``."""
    import pandas as pd  # here: the command line starts without it

    threshold = red_streak if red_streak is not None else config.stats.red_streak
    stats = YearStats(year=year, months=[s.month for s in snapshots], red_streak=threshold,
                      assessment=list(config.stats.assessment),
                      roster_checked=config.roster_checked or any(s.missing for s in snapshots))
    names = _departments(reports, config)
    for snapshot, report in zip(snapshots, reports, strict=True):
        reported = {d.department: d for d in report.departments}
        entries: dict[str, list[DepartmentEntry]] = {}
        for entry in snapshot.departments:
            entries.setdefault(entry.department, []).append(entry)
        for name in names:
            stats.department_months.append(
                _department_month(name, snapshot.month, reported.get(name), entries.get(name, []), config))

    frame = pd.DataFrame([_flat(d) for d in stats.department_months])
    for status in _STATUSES:
        frame[status] = (frame["status"] == status).astype(int)
    by_month = frame.groupby("month", sort=False)[[*_SUMMED, *_STATUSES]].sum()
    for snapshot in snapshots:
        row = by_month.loc[snapshot.month]
        # Validation findings only: 应纳未纳 (merge --tasks) is about the task list, not a ledger's filling-in,
        # and the list's own findings (a task without a department) are no unreadable ledger.
        findings = [f for f in snapshot.findings if not f.code.startswith("task.")]
        unreadable = {f.file for f in findings if f.department is None}
        stats.centre.append(MonthStats(
            month=snapshot.month, date=snapshot.date,
            reported=int(row["on_time"] + row["late"]), on_time=int(row["on_time"]), late=int(row["late"]),
            missing=int(row["missing"]), items=int(row["items"]),
            stars={k: int(row[f"stars_{k}"]) for k in _STARS},
            sources={k: int(row[f"sources_{k}"]) for k in _SOURCES},
            colours={k: int(row[f"colours_{k}"]) for k in _COLOURS},
            new=int(row["new"]), closed=int(row["closed"]),
            # Every file's findings, an unreadable file's too (it belongs to no department).
            errors=sum(1 for f in findings if f.severity is Severity.ERROR),
            warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
            unreadable=len(unreadable)))

    stats.red_items = _red_items(snapshots, reports)
    stats.long_red = [r for r in stats.red_items if r.longest >= threshold]
    by_department = frame.groupby("department", sort=False)[[*_SUMMED, *_STATUSES]].sum()
    reported = frame[frame["status"].isin(["on_time", "late"])]
    latest_items = reported.groupby("department", sort=False)["items"].last()
    for name in names:
        row = by_department.loc[name]
        reds = [r for r in stats.red_items if r.department == name]
        stats.departments.append(DepartmentYearStats(
            department=name, reported=int(row["on_time"] + row["late"]), on_time=int(row["on_time"]),
            late=int(row["late"]), missing=int(row["missing"]), errors=int(row["errors"]),
            warnings=int(row["warnings"]), items=int(latest_items.get(name, 0)),
            new=int(row["new"]), closed=int(row["closed"]), red_months=int(row["colours_red"]),
            yellow_months=int(row["colours_yellow"]), blue_months=int(row["colours_blue"]),
            red_streaks=sum(1 for r in reds if r.longest >= threshold),
            longest_red=max((r.longest for r in reds), default=0)))
    return stats


def _departments(reports: Sequence[MonthReport], config: Config) -> list[str]:
    """Every department of the year: the roster's order first, then as they appeared."""
    roster = list(config.departments)
    seen = list(dict.fromkeys([*roster, *(d.department for r in reports for d in r.departments)]))
    return sorted(seen, key=lambda n: (roster.index(n) if n in roster else len(roster), seen.index(n)))


def _department_month(name: str, month: str, dept: DepartmentReport | None, entries: Sequence[DepartmentEntry],
                      config: Config) -> DepartmentMonthStats:
    """``dept``: the department in the month's report (None: not in it); ``entries``: its workbooks."""
    status: Submission
    if dept is not None:
        status = dept.status
    else:
        # Not in the month at all: missing when the roster (now) requires it, else only absent.
        status = "missing" if name in config.departments else "absent"
    counts = Counts()
    for entry in entries:  # two workbooks of one department (an error of the merge) are both counted
        counts.add(entry.counts)
    return DepartmentMonthStats(
        department=name, month=month, status=status,
        date=dept.date if dept is not None else None, file=dept.file if dept is not None else None,
        items=counts.total, stars=dict(counts.stars), sources=dict(counts.sources), colours=dict(counts.colours),
        new=len(dept.new) if dept is not None else 0, closed=len(dept.closed) if dept is not None else 0,
        compared=dept is not None and dept.compared_with is not None,
        errors=sum(e.errors for e in entries), warnings=sum(e.warnings for e in entries))


def _flat(d: DepartmentMonthStats) -> dict[str, object]:
    row: dict[str, object] = {"department": d.department, "month": d.month, "status": d.status,
                              "items": d.items, "new": d.new, "closed": d.closed, "errors": d.errors,
                              "warnings": d.warnings}
    row.update({f"stars_{k}": d.stars.get(k, 0) for k in _STARS})
    row.update({f"sources_{k}": d.sources.get(k, 0) for k in _SOURCES})
    row.update({f"colours_{k}": d.colours.get(k, 0) for k in _COLOURS})
    return row


class _Spell:
    """One item's red months, gathered across the year."""

    def __init__(self, department: str, month: str) -> None:
        self.department = department
        self.item = ""
        self.longest = 0
        self.months: list[str] = []
        self.first = month


def _red_items(snapshots: Sequence[MonthSnapshot], reports: Sequence[MonthReport]) -> list[RedItem]:
    """Each item red in some month, with the longest red streak the monthly reports gave it.

    An item is followed by its store key within its department; a red streak the report carried
    over from last month (an item whose key changed but whose 工作事项 reads the same) joins the
    item that was red last month under that name.
    """
    by_key: dict[tuple[str, str], _Spell] = {}
    last_red: dict[str, dict[str, _Spell]] = {}  # department -> normalised name -> item, last month
    last_month: dict[str, str] = {}  # department -> its latest month with a ledger
    spells: list[_Spell] = []
    for snapshot, report in zip(snapshots, reports, strict=True):
        red_now: dict[str, dict[str, _Spell]] = {}
        reds: dict[str, list[StoredItem]] = {}
        for i in snapshot.items:
            if not i.closed and i.colour is Colour.RED:
                reds.setdefault(i.department, []).append(i)
        for dept in report.departments:
            if dept.status == "missing":
                continue
            last_month[dept.department] = snapshot.month
            # The stored item of each red entry of the report (for its key): by 工作事项, in order.
            waiting: dict[str, list[StoredItem]] = {}
            for i in reds.get(dept.department, []):
                waiting.setdefault(normalise_name(i.name), []).append(i)
            for entry in dept.red:
                same = waiting.get(normalise_name(entry.item))
                if not same:  # cannot happen: the report's red items are the snapshot's
                    continue
                item = same.pop(0)
                spell = by_key.get((dept.department, item.key))
                if spell is None and entry.months > 1:
                    spell = last_red.get(dept.department, {}).get(normalise_name(item.name))
                if spell is None:
                    spell = _Spell(dept.department, snapshot.month)
                    spells.append(spell)
                by_key[(dept.department, item.key)] = spell
                spell.item = item.name
                spell.longest = max(spell.longest, entry.months)
                spell.months.append(snapshot.month)
                red_now.setdefault(dept.department, {})[normalise_name(item.name)] = spell
        for department in {d.department for d in report.departments if d.status != "missing"}:
            last_red[department] = red_now.get(department, {})
    found = [RedItem(department=s.department, item=s.item, longest=s.longest, months=len(set(s.months)),
                     first=s.first, last=s.months[-1], red_now=s.months[-1] == last_month.get(s.department))
             for s in spells]
    # Longest first; then by department and the order they first turned red.
    order = {id(r): i for i, r in enumerate(found)}
    return sorted(found, key=lambda r: (-r.longest, -r.months, order[id(r)]))
