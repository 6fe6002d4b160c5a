"""对标对表 (通知 三): measure stated progress and rank against 序时进度 and the rank targets.

The notice asks the 综合部 to check every month, "全程用目标进度、目标名次衡量实际进度、实际名次",
and the 说明 第3条 says which colour follows: 领先时序进度 / 排名全市前3位 → 蓝色; 落后于时序进度 /
排名全市后3位 → 红色. This module reads what a 推进情况 states — a completion share of the year's
plan or a 全市 rank — and lists the items whose marking disagrees with it. It never decides a
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
import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

from .models import Colour, Item, MonthSnapshot, ProgressFlag, StatedRank, StatedShare
from .rules import COLOUR_NAMES

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
# Chinese numbers
# --------------------------------------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_NUM = "[零〇一二两三四五六七八九十百]+"


def cn_int(text: str) -> int | None:
    """``3`` / ``三`` / ``十二`` / ``二十五`` / ``一百零五`` / ``二〇二二`` → int; anything else None.

    Only well-formed numerals: ``十二十二…`` pasted into a cell is text, not 327,670."""
    if text.isdigit():
        return int(text)
    if not text:
        return None
    if all(ch in _CN_DIGIT for ch in text):  # 二〇二二: digit by digit
        return int("".join(str(_CN_DIGIT[ch]) for ch in text)) if len(text) <= 6 else None
    m = _CN_WELL_FORMED.match(text)
    if m is None:
        return None
    hundreds, tens, units = m.group("h"), m.group("t"), m.group("u")
    total = _CN_DIGIT[hundreds] * 100 if hundreds else 0
    if tens is not None:
        total += (_CN_DIGIT[tens] if tens else 1) * 10
    return total + (_CN_DIGIT[units] if units else 0)


_CN_ONE_TO_NINE = "[一二两三四五六七八九]"
_CN_WELL_FORMED = re.compile(rf"^(?:(?P<h>{_CN_ONE_TO_NINE})百)?(?:零?(?P<t>{_CN_ONE_TO_NINE}?)十)?"
                             rf"(?:零?(?P<u>{_CN_ONE_TO_NINE}))?$")


# --------------------------------------------------------------------------------------------
# Stated completion shares
# --------------------------------------------------------------------------------------------




_AMOUNT = (r"(?:约|近|超过|达到|达)?(?:(?P<pct>\d+(?:\.\d+)?)\s*%|百分之(?P<cnpct>" + _CN_NUM + r")"
           r"|(?P<den>[二三四五六七八九十])分之(?P<num>[一二三四五六七八九])|(?P<half>一半|过半))")
_PCT_ONLY = (r"(?:约|近|超过|达到|达)?(?:(?P<pct>\d+(?:\.\d+)?)\s*%|百分之(?P<cnpct>" + _CN_NUM + r")"
             r"|(?P<half>过半))")
_YEAR = r"(?:本|今)?(?:年度|全年)"
_PLAN = r"(?:投资计划|计划任务|目标任务|工作任务|建设任务|计划|目标|任务|工作量)"

_PLAN_PATTERNS = tuple(re.compile(p) for p in (
    rf"完成(?:了)?{_YEAR}{_PLAN}?(?:的)?{_AMOUNT}",  # 完成年度计划37%, 完成全年任务的三分之一
    rf"占{_YEAR}{_PLAN}?(?:的)?{_AMOUNT}",  # 完成投资1.2亿元，占年度计划的45%
    rf"{_YEAR}{_PLAN}?(?:完成率|完成进度|进度)(?:为|是)?{_AMOUNT}",  # 年度计划完成率40%
    rf"{_YEAR}{_PLAN}(?:已经|已)?完成(?:了)?{_AMOUNT}",  # 全年目标已完成45%
))
_PROGRESS_PATTERNS = tuple(re.compile(p) for p in (
    # 进度50%, 形象进度达到60%; not 序时进度/时序进度 (the schedule) nor 进度款 (a payment)
    rf"(?<!序时)(?<!时序)进度(?:为|是|已达到|已达|已完成|完成)?(?:了)?{_PCT_ONLY}",
    rf"完成(?:了)?{_PCT_ONLY}",  # 主体工程已完成60%
))

# Words before a figure, in the same clause, that make it a target or the past, not progress.
_INTENT = re.compile(r"预计|力争|争取|确保|拟|计划(?:于|在|到|年底|年内|\d)|目标(?:为|是)?$|底前|之前完成|"
                     r"去年|上年|上一年|同比|环比|避免|防止")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:\n！!？?]")


def _clause_before(text: str, start: int) -> str:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)]
    return text[breaks[-1] if breaks else 0:start]


def _amount(m: re.Match[str]) -> float | None:
    groups = m.groupdict()
    if groups.get("pct"):
        return float(groups["pct"]) / 100
    if groups.get("cnpct"):
        n = cn_int(groups["cnpct"])
        return None if n is None else n / 100
    if groups.get("den") and groups.get("num"):
        den, num = cn_int(groups["den"]), cn_int(groups["num"])
        return None if not den or num is None or num > den else num / den
    if groups.get("half"):
        return 0.5
    return None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _shares(text: str, patterns: Iterable[re.Pattern[str]], of_plan: bool) -> list[tuple[int, StatedShare]]:
    found: list[tuple[int, StatedShare]] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if _INTENT.search(_clause_before(text, m.start())):
                continue
            value = _amount(m)
            if value is None:
                continue
            found.append((m.start(), StatedShare(value=value, text=m.group(0), of_plan=of_plan)))
    return found


def parse_share(text: str) -> StatedShare | None:
    """The completion share a 推进情况 states, or None.

    A share of the year's plan wins over a plain progress figure. Of several shares of the plan
    the largest is the cumulative one (``一季度完成年度计划20%，截至3月底完成年度计划35%``); of
    several plain figures the first (later ones tend to be parts: ``其中A工程进度80%``).
    """
    t = _normal(text)
    plan = _shares(t, _PLAN_PATTERNS, True)
    if plan:
        return max(plan, key=lambda pair: (pair[1].value, -pair[0]))[1]
    plain = _shares(t, _PROGRESS_PATTERNS, False)
    if plain:
        return min(plain, key=lambda pair: pair[0])[1]
    return None


# --------------------------------------------------------------------------------------------
# Stated 全市 ranks
# --------------------------------------------------------------------------------------------

_RANK_NUM = rf"(?P<n>\d+|{_CN_NUM})"
_RANK_END = r"(?:[位名]|(?=[，,。；;：:\n）)、]|$))"  # 第2位 / 第二名 / …第一。 but not 第2批
_MID = r"[^，,。；;：:\n]{0,12}?"
_VERB = r"(?:排名|排位|排|位列|位居|居于|居|列|名列)?"
_RANK_PATTERNS = (
    ("bottom", re.compile(rf"全市{_MID}{_VERB}倒数(?:第)?{_RANK_NUM}{_RANK_END}")),
    ("bottom", re.compile(rf"全市{_MID}{_VERB}(?:后|末){_RANK_NUM}{_RANK_END}")),
    ("last", re.compile(rf"全市{_MID}{_VERB}(?:末位|最后一名|最末位|最后一位)")),
    ("top", re.compile(rf"全市{_MID}{_VERB}前{_RANK_NUM}{_RANK_END}")),
    ("position", re.compile(rf"全市{_MID}{_VERB}第{_RANK_NUM}{_RANK_END}")),
)
_RANK_INTENT = re.compile(r"预计|力争|争取|确保|争创|冲刺|目标|计划|拟|避免|防止|摆脱|退出|走出|不|未|没有|去年|上年")


def _ranks(text: str, *, goals: bool) -> list[StatedRank]:
    t = _normal(text)
    found: list[tuple[int, StatedRank]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _RANK_PATTERNS:
        for m in pattern.finditer(t):
            if any(a <= m.start() < b for a, b in taken):  # 倒数第2 is not also 第2
                continue
            before = _clause_before(t, m.start()) + t[m.start():m.end()]
            if not goals and _RANK_INTENT.search(before):
                continue
            n = 1 if kind == "last" else cn_int(m.group("n"))
            if n is None or n < 1:
                continue
            taken.append((m.start(), m.end()))
            if kind == "position":
                rank = StatedRank(text=m.group(0), position=n, top=n)
            elif kind == "top":
                rank = StatedRank(text=m.group(0), top=n)
            else:
                rank = StatedRank(text=m.group(0), bottom=n)
            found.append((m.start(), rank))
    return [rank for _, rank in sorted(found, key=lambda pair: pair[0])]


def parse_rank(text: str) -> StatedRank | None:
    """The first 全市 rank a 推进情况 states as a fact (not a goal such as ``力争全市前三``), or None."""
    ranks = _ranks(text, goals=False)
    return ranks[0] if ranks else None


def parse_rank_target(text: str) -> StatedRank | None:
    """The target rank a 任务目标 names (``进入全市前3位``, ``争创全市第一``), or None."""
    ranks = _ranks(text, goals=True)
    return ranks[0] if ranks else None


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
