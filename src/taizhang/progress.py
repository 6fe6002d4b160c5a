"""对标对表 (通知 三): measure stated progress and rank against 序时进度 and the rank targets.

The notice asks the 综合部 to check every month, "全程用目标进度、目标名次衡量实际进度、实际名次",
and the 说明 第3条 says which colour follows: 领先时序进度 / 排名全市前3位 → 蓝色; 落后于时序进度 /
排名全市后3位 → 红色. The words a 推进情况 states — a completion share of the year's plan or a
全市 rank — are read by the parsers in rules.py (``parse_share``, ``parse_rank``); this module
measures them against 序时进度 and lists the items whose marking disagrees. It never decides a
colour: every flag says why, in Chinese, for a person to check.

What is read (after NFKC, so ``％`` is ``%``):

* completion shares of the year's plan (preferred when a text has several): ``完成年度计划37%``,
  ``完成全年任务的45%``, ``完成投资1.2亿元，占年度计划的45%``, ``年度计划完成率40%``,
  ``全年目标已完成45%``, ``已完成全年任务的三分之一``, ``完成年度任务过半`` (50%), ``百分之四十``;
* otherwise a plain progress figure: ``进度50%``, ``工程形象进度达到60%``, ``主体工程已完成60%``.

A percentage that is not a completion share is never read: ``同比增长15%``, ``合格率98%``,
``占全市的30%``, ``完成率98%`` without 年度/全年 (an inspection rate). Intentions are skipped:
``预计``, ``力争``, ``争取``, ``确保``, ``拟``, ``计划于``, ``…底前`` before the figure make it a target,
not progress; ``序时进度``/``时序进度`` figures are the schedule, not the item.

Ranks: only 全市 ranks, as the 说明 speaks of them (``全市第2位``, ``排名全市后3位``, ``位列全市前三``,
``全市倒数第2``, ``在全市16个县区中排名第5位``); 全省/全国 ranks compare the city with others and do
not map to the colours. ``全市第2批`` or ``全市前三季度`` are not ranks (the number must end in 位/名 or
the clause).

序时进度 (also 时序进度): the share of the year elapsed at the end of the reporting period, by month
or by day (``progress_basis`` in taizhang.toml):

* ``month``: the ledger of month M (填报日期 in month M, due by the 5th) reports on months 1..M-1,
  so 序时进度 = (M-1)/12 — 3/12 for the ledger due in April; January's ledger reports on the whole
  previous year, 12/12;
* ``day``: days from 1 January to the 填报日期, that day included, over the days of that year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from .models import Colour, Item, MonthSnapshot, ProgressFlag
from .rules import COLOUR_NAMES, parse_rank, parse_rank_target, parse_share

ProgressBasis = Literal["month", "day"]
BASIS_NAMES = {"month": "按月计算", "day": "按日计算"}

# --------------------------------------------------------------------------------------------
# 序时进度
# --------------------------------------------------------------------------------------------


def schedule_share(month: str, date: str | dt.date | None = None, basis: ProgressBasis = "month") -> float:
    """序时进度 for the ledger of ``month`` (``YYYY-MM``) dated ``date``, as a fraction of the year.

    ``month`` basis: (M-1)/12, and 12/12 for January (it reports on the previous year).
    ``day`` basis: days elapsed to ``date`` (inclusive) over the days of its year; without a date,
    the last day of the month before ``month``.
    """
    year, mon = (int(part) for part in month.split("-")[:2])
    if basis == "month":
        return 1.0 if mon == 1 else (mon - 1) / 12
    if basis != "day":
        raise ValueError(f"unknown progress basis {basis!r}")
    if isinstance(date, str):
        day = dt.date.fromisoformat(date)
    elif isinstance(date, dt.date):
        day = date
    else:
        day = dt.date(year, mon, 1) - dt.timedelta(days=1)
    days = 366 if calendar.isleap(day.year) else 365
    return day.timetuple().tm_yday / days


def format_share(share: float) -> str:
    """0.25 → ``25%``, 0.2548 → ``25.5%``, 1/3 → ``33.3%``."""
    pct = round(share * 100, 1)
    return f"{pct:g}%"


# --------------------------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------------------------



FLAG_TITLES = {
    "progress.ahead_but_red": "领先序时进度却标红",
    "progress.behind_not_marked": "落后序时进度却未标红、黄",
    "progress.complete_not_closed": "已全部完成却未销号",
    "rank.top_not_blue": "排名全市前3位却未标蓝",
    "rank.bottom_not_red": "排名全市后3位却未标红",
    "rank.behind_target": "名次落后于目标名次却未标红、黄",
}
_EPS = 1e-9
# Shares are written in whole percent ("完成33%" for a third): within half a point of 序时进度
# an item is on schedule, neither ahead nor behind.
_ON_SCHEDULE = 0.005


def _marked(colour: Colour) -> str:
    return "未标注颜色" if colour is Colour.NONE else f"标为{COLOUR_NAMES[colour]}"


def check_item(item: Item, *, department: str, expected: float) -> list[ProgressFlag]:
    """The flags for one open item against 序时进度 ``expected`` (a fraction of the year)."""
    if item.closed or item.colour is Colour.UNKNOWN:
        return []
    flags: list[ProgressFlag] = []
    colour = item.colour

    def flag(code: str, stated: str, message: str, *, share: float | None = None,
             rank: str | None = None) -> None:
        flags.append(ProgressFlag(code=code, department=department, item=item.name, colour=colour,
                                  stated=stated, share=share, expected=expected if share is not None else None,
                                  rank=rank, message=message))

    share = parse_share(item.progress) or parse_share(item.judgement)
    if share is not None:
        done, due, words = format_share(share.value), format_share(expected), share.text
        if share.value >= 1 - _EPS:
            flag("progress.complete_not_closed", words, share=share.value, message=(
                f"推进情况写明“{words}”，已全部完成，但未销号。按通知第二条，已完成的事项应及时销号。"))
        elif share.value > expected + _ON_SCHEDULE and colour is Colour.RED:
            flag("progress.ahead_but_red", words, share=share.value, message=(
                f"推进情况写明“{words}”，完成{done}，领先序时进度{due}，却标为红色。按说明第3条，"
                f"领先时序进度的事项应标蓝色；如因失分扣分风险、被通报批评等标红，请在推进情况中写明。"))
        elif share.value < expected - _ON_SCHEDULE and colour in (Colour.BLUE, Colour.NONE):
            flag("progress.behind_not_marked", words, share=share.value, message=(
                f"推进情况写明“{words}”，完成{done}，落后于序时进度{due}，却{_marked(colour)}。"
                f"按说明第3条，落后于时序进度的缓慢类事项应标红色。"))
    rank = parse_rank(item.progress) or parse_rank(item.judgement)
    if rank is not None:
        words = rank.text
        if rank.in_top3 and colour is not Colour.BLUE:
            flag("rank.top_not_blue", words, rank=words, message=(
                f"推进情况写明“{words}”，排名全市前3位，却{_marked(colour)}。"
                f"按说明第3条，排名全市前3位的事项应标蓝色。"))
        elif rank.in_bottom3 and colour is not Colour.RED:
            flag("rank.bottom_not_red", words, rank=words, message=(
                f"推进情况写明“{words}”，排名全市后3位，却{_marked(colour)}。"
                f"按说明第3条，排名全市后3位的事项应标红色。"))
        elif rank.position is not None and colour in (Colour.BLUE, Colour.NONE):
            target = parse_rank_target(item.target)
            if target is not None and target.top is not None and rank.position > target.top:
                flag("rank.behind_target", words, rank=words, message=(
                    f"任务目标为“{target.text}”，推进情况写明“{words}”，名次落后于目标名次，"
                    f"却{_marked(colour)}。按通知第三条，请用目标名次衡量实际名次，落后的应标黄色或红色。"))
    return flags


def check_snapshot(snapshot: MonthSnapshot, *, basis: ProgressBasis = "month") -> list[ProgressFlag]:
    """Every flag of a stored month. With the ``day`` basis each department's own 填报日期 counts."""
    dates = {d.department: d.date for d in snapshot.departments}
    flags: list[ProgressFlag] = []
    for item in snapshot.items:
        date = dates.get(item.department) or snapshot.date
        expected = schedule_share(snapshot.month, date, basis)
        flags.extend(check_item(item, department=item.department, expected=expected))
    return flags
