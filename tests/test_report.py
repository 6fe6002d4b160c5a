"""The monthly report: a stored month against the one before (taizhang.report).

Three months are built from real workbooks (builders → merge_inbox → Store), February to April
2022, and every list of the report is checked on them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builders import build_ledger, item
from taizhang.errors import StoreError, TaizhangError
from taizhang.merge import merge_inbox, snapshot_of
from taizhang.models import (
    Colour,
    ColourChange,
    Config,
    Counts,
    DepartmentEntry,
    ItemRef,
    MonthSnapshot,
    PersistentRed,
    Renamed,
    StoredItem,
    direction,
)
from taizhang.report import build_report, compare
from taizhang.rules import month_cn, require_month
from taizhang.store import Store

ROSTER = ["规划发展部", "财务部", "工程建设部", "海事服务部"]
CONFIG = Config(departments=ROSTER)

# department -> month -> (填报日期, items)
LEDGERS: dict[str, dict[str, tuple[str, list[dict]]]] = {
    "规划发展部": {
        "2022-02": ("2022年2月3日", [
            item("推进港口船舶岸电设施建设", colour="yellow", leader="钱卫东", owner="规划科/周晓雯"),
            item("编制港航发展规划", colour="red", leader="李建华", owner="规划科/吴昊",
                 progress="规划初稿尚未形成，落后于时序进度"),
            item("开展水运课题研究"),
        ]),
        "2022-03": ("2022年3月4日", [
            item("推进港口船舶岸电设施建设", colour="yellow", leader="钱卫东", owner="规划科/周晓雯"),
            item("编制港航发展规划", colour="red", leader="李建华", owner="规划科/吴昊",
                 progress="规划初稿尚未形成，落后于时序进度"),
            item("开展水运课题研究"),
            item("争取上级资金支持", colour="blue", source="D", progress="已争取省级补助资金2000万元"),
        ]),
        "2022-04": ("2022年4月3日", [
            item("推进港口船舶岸电设施建设和使用", colour="red", leader="钱卫东", owner="规划科/周晓雯",
                 progress="岸电设施使用率低，落后于时序进度"),
            item("编制港航发展规划", colour="red", leader="李建华", owner="规划科/吴昊",
                 progress="规划初稿仍未形成，落后于时序进度"),
            item("开展水运课题研究", note="已完成，销号"),
            item("争取上级资金支持", colour="blue", source="D", progress="已争取省级补助资金2000万元"),
            item("推进内河航道养护", leader="钱卫东", owner="航道科/郑凯"),
        ]),
    },
    "财务部": {
        "2022-02": ("2022年2月4日", [item("做好年度预算编制"), item("规范财务报销", colour="yellow")]),
        "2022-03": ("2022年3月3日", [item("做好年度预算编制"), item("规范财务报销", colour="yellow")]),
        # late: after the 5th
        "2022-04": ("2022年4月8日", [
            item("规范财务报销", colour="blue", progress="完成年度计划37%，领先时序进度"),
            item("推进资金绩效评价", progress="完成年度计划10%"),  # behind 3/12, unmarked
        ]),
    },
    "工程建设部": {
        "2022-02": ("2022年2月3日", [item("推进航道工程建设", colour="yellow")]),
        "2022-03": ("2022年3月3日", [item("推进航道工程建设", colour="red", leader="张明建", owner="工程科/傅静")]),
        "2022-04": ("2022年4月2日", [
            item("推进航道工程建设", colour="red", leader="张明建", owner="工程科/傅静",
                 progress="完成年度投资计划的40%"),  # ahead of 3/12 but red
            item("港口安全生产检查", progress="本季度考核排名全市后3位"),  # bottom 3, not red
        ]),
    },
    "海事服务部": {  # reports in February and March, not in April
        "2022-02": ("2022年2月3日", [item("开展船舶安全检查", colour="blue")]),
        "2022-03": ("2022年3月3日", [item("开展船舶安全检查", colour="blue")]),
    },
}
MONTHS = ("2022-02", "2022-03", "2022-04")


def build_history(folder: Path, months: tuple[str, ...] = MONTHS, config: Config = CONFIG) -> Path:
    """Write each month's workbooks to an inbox, merge it and store it; returns the store's path."""
    db = folder / "taizhang.db"
    with Store(db) as store:
        for month in months:
            inbox = folder / "inbox" / month
            for department, by_month in LEDGERS.items():
                if month in by_month:
                    date, items = by_month[month]
                    build_ledger(inbox / f"{department}-{month}.xlsx", items, department=department,
                                 date=f"填报日期：{date}")
            year, mon = (int(p) for p in month.split("-"))
            result = merge_inbox(inbox, config=config, month=month, date=dt.date(year, mon, 10))
            store.save_month(snapshot_of(result, config))
    return db


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_history(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def april(history: Path):
    with Store(history) as store:
        return build_report(store, "2022-04", config=CONFIG)


# --------------------------------------------------------------------------------------------
# The lists, on real workbooks
# --------------------------------------------------------------------------------------------


def test_compares_with_the_month_before(april) -> None:
    assert april.month == "2022-04"
    assert april.previous == "2022-03"
    assert not april.first_month
    assert april.sentence.startswith("截至2022年4月10日，市港航事业发展中心共梳理重点工作")


def test_new_items_are_the_added_ones(april) -> None:
    assert april.new == [ItemRef(department="规划发展部", item="推进内河航道养护"),
                         ItemRef(department="财务部", item="推进资金绩效评价"),
                         ItemRef(department="工程建设部", item="港口安全生产检查")]


def test_closed_items_are_gone_or_marked(april) -> None:
    assert april.closed == [ItemRef(department="规划发展部", item="开展水运课题研究"),  # marked 销号
                            ItemRef(department="财务部", item="做好年度预算编制")]  # gone
    planning = next(d for d in april.departments if d.department == "规划发展部")
    finance = next(d for d in april.departments if d.department == "财务部")
    assert [(c.item, c.marked) for c in planning.closed] == [("开展水运课题研究", True)]
    assert [(c.item, c.marked) for c in finance.closed] == [("做好年度预算编制", False)]


def test_a_missing_department_does_not_close_its_items(april) -> None:
    assert all(ref.department != "海事服务部" for ref in april.closed)
    maritime = next(d for d in april.departments if d.department == "海事服务部")
    assert maritime.status == "missing"
    assert maritime.note


def test_renamed_item_is_neither_new_nor_closed(april) -> None:
    assert april.renamed == [Renamed(department="规划发展部", from_="推进港口船舶岸电设施建设",
                                     to="推进港口船舶岸电设施建设和使用")]
    names = {r.item for r in april.new} | {r.item for r in april.closed}
    assert not names & {"推进港口船舶岸电设施建设", "推进港口船舶岸电设施建设和使用"}


def test_colour_changes_named_by_their_current_name(april) -> None:
    assert april.colour_changes == [
        ColourChange(department="规划发展部", item="推进港口船舶岸电设施建设和使用", from_=Colour.YELLOW,
                     to=Colour.RED),
        ColourChange(department="财务部", item="规范财务报销", from_=Colour.YELLOW, to=Colour.BLUE),
    ]
    assert [c.item for c in april.worsened] == ["推进港口船舶岸电设施建设和使用"]
    assert [c.item for c in april.improved] == ["规范财务报销"]


def test_persistent_red_counts_months_in_a_row(april) -> None:
    assert april.persistent_red == [
        PersistentRed(department="规划发展部", item="编制港航发展规划", months=3),
        PersistentRed(department="工程建设部", item="推进航道工程建设", months=2),
    ]


def test_missing_and_late(april) -> None:
    assert april.missing == ["海事服务部"]
    assert april.late == ["财务部"]
    assert april.on_time == ["规划发展部", "工程建设部"]
    assert april.roster_checked
    assert april.submission == ("本月应报送台账4个部室（单位），实际报送3个，其中按时报送2个，"
                                "逾期报送1个（财务部），未报送1个（海事服务部）。")


def test_departments_name_the_responsible_people(april) -> None:
    assert [d.department for d in april.departments] == ROSTER
    planning = april.departments[0]
    assert planning.status == "on_time"
    assert planning.compared_with == "2022-03"
    assert [(r.item, r.leader, r.owner, r.months) for r in planning.red] == [
        ("推进港口船舶岸电设施建设和使用", "钱卫东", "规划科/周晓雯", 1),
        ("编制港航发展规划", "李建华", "规划科/吴昊", 3),
    ]
    assert planning.yellow == []
    assert planning.counts.total == 4  # the 销号 item is listed, not counted
    assert planning.previous_counts is not None and planning.previous_counts.total == 4
    assert planning.new == ["推进内河航道养护"]
    assert [c.direction for c in planning.colour_changes] == ["worsened"]


def test_comparison_sentence(april) -> None:
    text = april.comparison
    assert text.startswith("与2022年3月相比，重点工作8项，与上月持平（海事服务部本月未报送，其事项未计入），"
                            "本月补录3项、销号2项、调整表述1项；")
    assert "红色由2项增至3项" in text
    assert "颜色转差1项、好转1项" in text
    assert "连续两个月及以上标红2项（最长连续3个月）" in text


def test_progress_flags_in_the_report(april) -> None:
    codes = {(f.department, f.item): f.code for f in april.progress_flags}
    assert codes == {
        ("财务部", "推进资金绩效评价"): "progress.behind_not_marked",
        ("工程建设部", "推进航道工程建设"): "progress.ahead_but_red",
        ("工程建设部", "港口安全生产检查"): "rank.bottom_not_red",
    }
    assert april.schedule == pytest.approx(3 / 12)


def test_first_stored_month_has_no_comparison(history: Path) -> None:
    with Store(history) as store:
        report = build_report(store, "2022-02", config=CONFIG)
    assert report.first_month and report.previous is None
    assert report.new == report.closed == report.renamed == report.colour_changes == report.persistent_red == []
    assert "没有上月台账可供比较" in report.comparison
    assert report.counts.total == 7  # the month itself is still reported
    assert [r.item for d in report.departments for r in d.red] == ["编制港航发展规划"]


def test_march_against_february(history: Path) -> None:
    with Store(history) as store:
        report = build_report(store, "2022-03", config=CONFIG)
    assert report.previous == "2022-02"
    assert report.new == [ItemRef(department="规划发展部", item="争取上级资金支持")]
    assert report.closed == [] and report.renamed == [] and report.missing == [] and report.late == []
    assert report.persistent_red == [PersistentRed(department="规划发展部", item="编制港航发展规划", months=2)]
    assert report.colour_changes == [ColourChange(department="工程建设部", item="推进航道工程建设",
                                                  from_=Colour.YELLOW, to=Colour.RED)]


def test_unknown_month_lists_the_stored_months(history: Path) -> None:
    with Store(history) as store, pytest.raises(StoreError) as exc:
        build_report(store, "2022-05", config=CONFIG)
    assert "2022-02、2022-03、2022-04" in str(exc.value)


def test_json_shape(april) -> None:
    data = april.model_dump(mode="json")
    for key in ("month", "previous", "counts", "sentence", "new", "closed", "renamed", "colour_changes",
                "persistent_red", "missing", "late", "departments"):
        assert key in data
    assert data["renamed"] == [{"department": "规划发展部", "from": "推进港口船舶岸电设施建设",
                                "to": "推进港口船舶岸电设施建设和使用"}]
    assert data["colour_changes"][0] == {"department": "规划发展部", "item": "推进港口船舶岸电设施建设和使用",
                                         "from": "yellow", "to": "red"}
    assert data["new"][0] == {"department": "规划发展部", "item": "推进内河航道养护"}
    assert data["persistent_red"][0] == {"department": "规划发展部", "item": "编制港航发展规划", "months": 3}
    assert set(data["counts"]["colours"]) == {"blue", "yellow", "red", "none"}


# --------------------------------------------------------------------------------------------
# compare() on hand-made snapshots: the edge cases
# --------------------------------------------------------------------------------------------


def _item(department: str, key: str, name: str, colour: Colour = Colour.NONE, **kw) -> StoredItem:
    return StoredItem(row=1, key=key, department=department, name=name, colour=colour, **kw)


def _snapshot(month: str, items: list[StoredItem], departments: list[str], **kw) -> MonthSnapshot:
    entries = [DepartmentEntry(department=d, file=f"{d}.xlsx", date=f"{month}-03") for d in departments]
    return MonthSnapshot(month=month, date=f"{month}-10", center="市港航事业发展中心", sentence="",
                         counts=Counts(), departments=entries, items=items, **kw)


def test_department_back_after_a_missing_month_is_compared_with_its_last_ledger() -> None:
    jan = _snapshot("2022-01", [_item("财务部", "a", "甲", Colour.RED), _item("财务部", "b", "乙")], ["财务部"])
    feb = _snapshot("2022-02", [], [], missing=["财务部"])
    mar = _snapshot("2022-03", [_item("财务部", "a", "甲", Colour.RED)], ["财务部"])
    report = compare(mar, feb, config=Config(departments=["财务部"]), earlier=[jan])
    dept = report.departments[0]
    assert dept.compared_with == "2022-01"
    assert "2022年2月未报送" in dept.note
    assert report.new == []
    assert report.closed == [ItemRef(department="财务部", item="乙")]
    assert report.persistent_red == []  # not red "in the month before": it did not report


def test_department_reporting_for_the_first_time_lists_no_new_items() -> None:
    feb = _snapshot("2022-02", [_item("综合部", "a", "甲")], ["综合部"])
    mar = _snapshot("2022-03", [_item("综合部", "a", "甲"), _item("财务部", "x", "乙")], ["综合部", "财务部"])
    report = compare(mar, feb, config=Config())
    assert report.new == []
    assert "首次报送" in report.departments[1].note
    assert not report.roster_checked
    assert "未配置部室名单" in report.submission


def test_item_matched_by_name_when_keys_differ() -> None:
    feb = _snapshot("2022-02", [_item("综合部", "old", "推进 档案数字化", Colour.YELLOW)], ["综合部"])
    mar = _snapshot("2022-03", [_item("综合部", "new", "推进档案数字化", Colour.RED)], ["综合部"])
    report = compare(mar, feb, config=Config())
    assert report.new == report.closed == report.renamed == []
    assert [(c.from_, c.to) for c in report.colour_changes] == [(Colour.YELLOW, Colour.RED)]


def test_closed_before_is_not_closed_again() -> None:
    feb = _snapshot("2022-02", [_item("综合部", "a", "甲", closed=True, note="销号")], ["综合部"])
    mar = _snapshot("2022-03", [_item("综合部", "a", "甲", closed=True, note="销号")], ["综合部"])
    apr = _snapshot("2022-04", [], ["综合部"])
    assert compare(mar, feb, config=Config()).closed == []
    assert compare(apr, mar, config=Config()).closed == []


def test_unknown_colour_is_not_a_colour_change() -> None:
    feb = _snapshot("2022-02", [_item("综合部", "a", "甲", Colour.UNKNOWN)], ["综合部"])
    mar = _snapshot("2022-03", [_item("综合部", "a", "甲", Colour.RED)], ["综合部"])
    assert compare(mar, feb, config=Config()).colour_changes == []


def test_gap_in_stored_months_is_said() -> None:
    jan = _snapshot("2022-01", [_item("综合部", "a", "甲")], ["综合部"])
    mar = _snapshot("2022-03", [_item("综合部", "a", "甲")], ["综合部"])
    report = compare(mar, jan, config=Config())
    assert report.comparison.startswith("与2022年1月（库中上一个月份）相比")


@pytest.mark.parametrize(("old", "new", "expected"), [
    (Colour.YELLOW, Colour.RED, "worsened"),
    (Colour.RED, Colour.BLUE, "improved"),
    (Colour.BLUE, Colour.NONE, "worsened"),
    (Colour.NONE, Colour.YELLOW, None),  # issue 10: yellow is 中间位次/预计较好, not a worse mark
    (Colour.YELLOW, Colour.NONE, None),
    (Colour.BLUE, Colour.YELLOW, "worsened"),
    (Colour.RED, Colour.YELLOW, "improved"),
    (Colour.RED, Colour.RED, None),
    (Colour.UNKNOWN, Colour.RED, None),
])
def test_direction(old: Colour, new: Colour, expected: str | None) -> None:
    assert direction(old, new) == expected


@pytest.mark.parametrize(("text", "month"), [
    ("2022-04", "2022-04"), ("2022-4", "2022-04"), ("2022.4", "2022-04"), ("2022年4月", "2022-04"),
    ("２０２２-０４", "2022-04"),
])
def test_parse_month(text: str, month: str) -> None:
    assert require_month(text) == month
    assert month_cn(month) == "2022年4月"


@pytest.mark.parametrize("text", ["2022-13", "April", "2022", ""])
def test_parse_month_rejects(text: str) -> None:
    with pytest.raises(TaizhangError, match="YYYY-MM"):
        require_month(text)
