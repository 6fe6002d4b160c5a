"""对标对表: completion shares and 全市 ranks read from 推进情况, 序时进度, and the flags."""

from __future__ import annotations

import datetime as dt

import pytest

from taizhang.models import Colour, Counts, DepartmentEntry, Item, MonthSnapshot, StoredItem
from taizhang.progress import check_item, check_snapshot, format_share, schedule_share
from taizhang.rules import cn_int, parse_rank, parse_rank_target, parse_share

# --------------------------------------------------------------------------------------------
# Completion shares
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "share", "words"), [
    ("完成年度计划37%", 0.37, "完成年度计划37%"),
    ("完成年度计划３７％", 0.37, "完成年度计划37%"),  # full-width digits and percent sign
    ("进度50%", 0.5, "进度50%"),
    ("完成投资1.2亿元，占年度计划的45%", 0.45, "占年度计划的45%"),
    ("已完成全年任务的三分之一", 1 / 3, "完成全年任务的三分之一"),
    ("年度计划完成率40%", 0.4, "年度计划完成率40%"),
    ("全年目标已完成45%", 0.45, "全年目标已完成45%"),
    ("完成全年任务的百分之四十", 0.4, "完成全年任务的百分之四十"),
    ("完成年度任务过半", 0.5, "完成年度任务过半"),
    ("工程形象进度达到60%，同比增长15%", 0.6, "进度达到60%"),
    ("主体工程已完成60%", 0.6, "完成60%"),
    ("完成年度计划的12.5%", 0.125, "完成年度计划的12.5%"),
    # several shares of the plan: the cumulative (largest) one
    ("一季度完成年度计划20%；截至4月初完成年度计划35%", 0.35, "完成年度计划35%"),
    # a share of the plan wins over a plain progress figure
    ("A工程进度80%，总体完成年度计划30%", 0.3, "完成年度计划30%"),
])
def test_completion_shares(text: str, share: float, words: str) -> None:
    stated = parse_share(text)
    assert stated is not None
    assert stated.value == pytest.approx(share)
    assert stated.text == words


@pytest.mark.parametrize("text", [
    "同比增长15%",  # growth, not completion
    "合格率98%",
    "检验完成率98%",  # a rate of inspections, not of the year's plan
    "占全市的30%",  # a share of the city, not of the plan
    "力争6月底前完成60%",  # a target
    "预计完成年度计划50%",
    "计划于年底完成80%",
    "落后序时进度5%",  # the schedule, not the item
    "超时序进度10%",
    "拨付进度款30%",
    "去年完成年度计划100%",
    "按计划推进",
    "",
])
def test_percentages_that_are_not_completion_shares(text: str) -> None:
    assert parse_share(text) is None


# --------------------------------------------------------------------------------------------
# 全市 ranks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "position", "top", "bottom"), [
    ("全市第2位", 2, 2, None),
    ("考核排名全市第一。", 1, 1, None),
    ("全市排名第12名", 12, 12, None),
    ("在全市16个县区中排名第5位", 5, 5, None),
    ("位列全市前三", None, 3, None),
    ("排名全市前3位", None, 3, None),
    ("排名全市后3位", None, None, 3),
    ("全市倒数第2", None, None, 2),
    ("居全市末位", None, None, 1),
])
def test_ranks(text: str, position: int | None, top: int | None, bottom: int | None) -> None:
    rank = parse_rank(text)
    assert rank is not None
    assert (rank.position, rank.top, rank.bottom) == (position, top, bottom)


@pytest.mark.parametrize("text", [
    "全省第5名",  # a province-wide rank does not map to the 说明's colours
    "全国第1位",
    "全市第2批试点",  # a batch, not a rank
    "全市前三季度",
    "全市第一季度",
    "力争全市前3位",  # a goal
    "避免全市后3位",
    "排名第2位",  # no 全市
])
def test_not_ranks(text: str) -> None:
    assert parse_rank(text) is None


def test_rank_targets_are_read_from_the_target() -> None:
    target = parse_rank_target("力争进入全市前3位")
    assert target is not None and target.top == 3


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("三", 3), ("十", 10), ("十二", 12), ("二十五", 25),
                                             ("一百", 100), ("abc", None), ("", None)])
def test_cn_int(text: str, value: int | None) -> None:
    assert cn_int(text) == value


# --------------------------------------------------------------------------------------------
# 序时进度
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("month", "share"), [
    ("2022-04", 3 / 12),  # the ledger due in April reports on January to March
    ("2022-02", 1 / 12),
    ("2022-12", 11 / 12),
    ("2022-01", 12 / 12),  # January's ledger reports on the whole previous year
])
def test_schedule_by_month(month: str, share: float) -> None:
    assert schedule_share(month, "2022-04-03", "month") == pytest.approx(share)


def test_schedule_by_day() -> None:
    assert schedule_share("2022-04", "2022-04-03", "day") == pytest.approx(93 / 365)
    assert schedule_share("2024-04", dt.date(2024, 4, 3), "day") == pytest.approx(94 / 366)  # leap year
    assert schedule_share("2022-04", None, "day") == pytest.approx(90 / 365)  # no date: end of March


def test_unknown_basis() -> None:
    with pytest.raises(ValueError, match="basis"):
        schedule_share("2022-04", None, "week")  # type: ignore[arg-type]


@pytest.mark.parametrize(("share", "text"), [(0.25, "25%"), (3 / 12, "25%"), (1 / 3, "33.3%"),
                                             (93 / 365, "25.5%"), (1.0, "100%")])
def test_format_share(share: float, text: str) -> None:
    assert format_share(share) == text


# --------------------------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------------------------


def flags(progress: str, colour: Colour, *, target: str = "", expected: float = 0.25, **kw) -> list[str]:
    it = Item(row=5, name="推进港口船舶岸电设施建设", progress=progress, colour=colour, target=target, **kw)
    return [f.code for f in check_item(it, department="规划发展部", expected=expected)]


@pytest.mark.parametrize(("progress", "colour", "codes"), [
    # 30% done against 25% elapsed but marked red
    ("完成年度计划30%", Colour.RED, ["progress.ahead_but_red"]),
    ("完成年度计划30%", Colour.BLUE, []),
    ("完成年度计划30%", Colour.NONE, []),  # ahead and unmarked: 其他事项不标颜色 is allowed
    # behind schedule must be red (or at least yellow)
    ("完成年度计划10%", Colour.NONE, ["progress.behind_not_marked"]),
    ("完成年度计划10%", Colour.BLUE, ["progress.behind_not_marked"]),
    ("完成年度计划10%", Colour.YELLOW, []),
    ("完成年度计划10%", Colour.RED, []),
    ("完成年度计划25%", Colour.NONE, []),  # exactly on schedule
    ("完成年度计划25%", Colour.RED, []),
    ("已完成全部年度计划，完成年度计划100%", Colour.BLUE, ["progress.complete_not_closed"]),
    # ranks
    ("考核排名全市第2位", Colour.YELLOW, ["rank.top_not_blue"]),
    ("考核排名全市第2位", Colour.BLUE, []),
    ("排名全市后3位", Colour.YELLOW, ["rank.bottom_not_red"]),
    ("排名全市后3位", Colour.RED, []),
    ("全市倒数第一", Colour.NONE, ["rank.bottom_not_red"]),
    ("全市第8位", Colour.NONE, []),  # a middle rank without a target
    # both at once
    ("完成年度计划40%，排名全市后3位", Colour.BLUE, ["rank.bottom_not_red"]),
    ("完成年度计划10%，排名全市第1位", Colour.BLUE, ["progress.behind_not_marked"]),
    ("按计划推进", Colour.RED, []),
    ("同比增长15%，合格率98%", Colour.RED, []),
])
def test_flags(progress: str, colour: Colour, codes: list[str]) -> None:
    assert flags(progress, colour) == codes


def test_rank_behind_its_target() -> None:
    assert flags("考核排名全市第6位", Colour.BLUE, target="进入全市前3位") == ["rank.behind_target"]
    assert flags("考核排名全市第6位", Colour.YELLOW, target="进入全市前3位") == []
    assert flags("考核排名全市第2位", Colour.BLUE, target="进入全市前3位") == []


def test_closed_and_unknown_colour_items_are_not_flagged() -> None:
    assert flags("完成年度计划10%", Colour.NONE, closed=True) == []
    assert flags("完成年度计划10%", Colour.UNKNOWN) == []


def test_share_read_from_the_judgement_when_progress_has_none() -> None:
    it = Item(row=5, name="甲", progress="正在推进", judgement="红色：完成年度计划40%", colour=Colour.RED)
    assert [f.code for f in check_item(it, department="综合部", expected=0.25)] == ["progress.ahead_but_red"]


def test_flag_messages_say_why_in_chinese() -> None:
    it = Item(row=5, name="甲", progress="完成年度计划30%", colour=Colour.RED)
    (flag,) = check_item(it, department="综合部", expected=0.25)
    assert flag.stated == "完成年度计划30%"
    assert flag.share == pytest.approx(0.3) and flag.expected == pytest.approx(0.25)
    assert "完成30%" in flag.message and "领先序时进度25%" in flag.message and "却标为红色" in flag.message
    assert "说明第3条" in flag.message

    it = Item(row=5, name="乙", progress="完成年度计划10%", colour=Colour.NONE)
    (flag,) = check_item(it, department="综合部", expected=0.25)
    assert "落后于序时进度25%" in flag.message and "却未标注颜色" in flag.message and "应标红色" in flag.message

    it = Item(row=5, name="丙", progress="排名全市后3位", colour=Colour.BLUE)
    (flag,) = check_item(it, department="综合部", expected=0.25)
    assert flag.rank == "全市后3位" and "却标为蓝色" in flag.message and "排名全市后3位的事项应标红色" in flag.message


def test_snapshot_by_day_uses_each_department_date() -> None:
    items = [StoredItem(row=5, key="a", department="综合部", name="甲", progress="完成年度计划25%",
                        colour=Colour.NONE),
             StoredItem(row=5, key="b", department="财务部", name="乙", progress="完成年度计划25%",
                        colour=Colour.NONE)]
    snapshot = MonthSnapshot(
        month="2022-04", date="2022-04-10", center="市港航事业发展中心", sentence="", counts=Counts(),
        departments=[DepartmentEntry(department="综合部", file="a.xlsx", date="2022-03-25"),
                     DepartmentEntry(department="财务部", file="b.xlsx", date="2022-04-08")],
        items=items)
    # by month both are exactly on 3/12
    assert check_snapshot(snapshot, basis="month") == []
    # by day: 综合部 dated 3月25日 (84/365 < 25%) is ahead; 财务部 dated 4月8日 (98/365 > 25%) is behind
    flagged = check_snapshot(snapshot, basis="day")
    assert [(f.department, f.code) for f in flagged] == [("财务部", "progress.behind_not_marked")]
    assert flagged[0].expected == pytest.approx(98 / 365)


def test_a_share_rounded_to_whole_percent_is_on_schedule() -> None:
    from taizhang.models import Colour, Item
    from taizhang.progress import check_item

    on_time = Item(row=5, name="港航物流招商引资", progress="完成年度计划33%", colour=Colour.NONE)
    assert check_item(on_time, department="规划发展部", expected=4 / 12) == []
    behind = Item(row=6, name="港航重点项目开工", progress="完成年度计划32%", colour=Colour.NONE)
    assert [f.code for f in check_item(behind, department="工程建设部", expected=4 / 12)] == [
        "progress.behind_not_marked"]
