"""The year's statistics (taizhang stats) over six months made from the shipped examples.

April and May are the examples as shipped. June to September are made the way the departments
would: each month's workbooks are last month's, edited with openpyxl — colours changed, items
marked 销号, a 销号 row overwritten by a new item, a late 填报日期, the summary sentence brought up
to date (or, once, left stale) — and 水运服务部 sends nothing in July. 污染防治部's .xls is carried on
as the .xlsx its clerk would rebuild from it. Each month is stored with ``merge_and_save``, and
every figure of the statistics is checked against that month's ``taizhang merge --json`` and
``taizhang report --json``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import LineChart
from openpyxl.styles import PatternFill
from typer.testing import CliRunner

from builders import FILLS, build_ledger, item
from conftest import SOFFICE
from taizhang.cli import app
from taizhang.config import load_config
from taizhang.errors import ConfigError, StoreError
from taizhang.models import (
    ASSESSMENT_FIGURES,
    DEFAULT_ASSESSMENT,
    Colour,
    Config,
    Counts,
    DepartmentEntry,
    MonthSnapshot,
    StoredItem,
    YearStats,
    jsonable,
)
from taizhang.report import compare
from taizhang.rules import format_date_cn, month_cn, summary_sentence
from taizhang.saving import merge_and_save
from taizhang.stats import build_stats, year_stats
from taizhang.store import Store
from taizhang.validate import validate_file
from taizhang.writing.stats_xlsx import SHEET_NAMES, write_stats_xlsx

EXAMPLES = Path(__file__).parent.parent / "examples"
MONTHS = ("2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09")
CENTER = "市港航事业发展中心"
# The 进度评价 a clerk writes next to a fill, when the cell had words (the template's examples).
WORDS = {"red": "进度缓慢", "yellow": "预计为较好等次", "blue": "进展较快", "none": ""}

# month -> department -> what its clerk changes in last month's workbook. ``date``: the day of the
# month the ledger is dated; ``colours``: 工作事项 -> new colour; ``close``: items marked 销号;
# ``replace``: a row's 工作事项 overwritten by a new item; ``stale``: the summary sentence left as it was.
EDITS: dict[str, dict[str, dict[str, Any]]] = {
    "2022-06": {
        "综合部": {"date": 2, "replace": {"一季度重点工作督查": "二季度重点工作督查"}},
        "规划发展部": {"date": 5, "close": ["港口货物吞吐量"]},
        "污染防治部": {"date": 3, "colours": {"新能源船舶推广应用": "red"}},
        "工程建设部": {"date": 8, "colours": {"招标文件备案审查": "red"}},  # late
        "智慧港航部": {"date": 1, "colours": {"政务数据归集共享": "blue"}},
        "水运服务部": {"date": 3, "colours": {"船舶检验到期提醒服务": "none"}},
    },
    "2022-07": {  # 水运服务部 sends nothing
        "综合部": {"date": 4},
        "规划发展部": {"date": 5, "colours": {"对上争取资金": "yellow"}},
        "污染防治部": {"date": 4},
        "工程建设部": {"date": 12},  # late
        "智慧港航部": {"date": 3, "colours": {"网络安全等级保护测评": "red"}, "stale": True},
    },
    "2022-08": {
        "综合部": {"date": 5, "colours": {"政务信息报送": "blue"}},
        "规划发展部": {"date": 2, "replace": {"港航物流招商引资": "水运碳达峰行动方案编制"}},
        "污染防治部": {"date": 3},
        "工程建设部": {"date": 4},
        "智慧港航部": {"date": 3},
        "水运服务部": {"date": 3},  # back, from its June workbook
    },
    "2022-09": {
        "综合部": {"date": 2},
        "规划发展部": {"date": 5},
        "污染防治部": {"date": 7, "colours": {"船舶污染物接收转运处置": "yellow"}},  # late
        "工程建设部": {"date": 5},
        "智慧港航部": {"date": 2, "colours": {"网络安全等级保护测评": "none"}},
        "水运服务部": {"date": 1},
    },
}


# --------------------------------------------------------------------------------------------
# Making the months
# --------------------------------------------------------------------------------------------


def _label(value: object) -> str:
    return "".join(str(value or "").split())


def _header(ws: Any) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(max_row=20):
        labels = {_label(c.value): c.column for c in row}
        if "工作事项" in labels and "进度评价" in labels:
            return row[0].row, {"name": labels["工作事项"], "judgement": labels["进度评价"], "note": labels["备注"]}
    raise AssertionError(f"no header in {ws.title}")


def _item_row(ws: Any, header: int, col: int, name: str) -> int:
    for r in range(header + 1, ws.max_row + 1):
        if _label(ws.cell(r, col).value) == _label(name):
            return r
    raise AssertionError(f"{name} not found")


def _ledger_sheet(wb: Any) -> Any:
    return next(ws for ws in wb.worksheets if ws.sheet_state == "visible" and "说明" not in ws.title)


def _set_date(ws: Any, day: dt.date) -> None:
    for row in ws.iter_rows(max_row=6):
        for cell in row:
            text = str(cell.value or "")
            if "填报日期" not in text:
                continue
            if "年" in text or "×" in text:
                cell.value = f"填报日期：{format_date_cn(day.year, day.month, day.day)}"
            else:  # the date is a real date cell to its right
                right = next(c for c in row if c.column > cell.column and c.value is not None)
                right.value = dt.datetime(day.year, day.month, day.day)
            return
    raise AssertionError("no 填报日期")


def _edit(src: Path, dst: Path, edit: dict[str, Any], day: dt.date) -> Path:
    """Last month's workbook ``src`` as its clerk turns it into this month's ``dst``."""
    wb = openpyxl.load_workbook(src)
    ws = _ledger_sheet(wb)
    header, cols = _header(ws)
    _set_date(ws, day)
    for row in ws.iter_rows(min_row=header + 1):
        for cell in row:  # 序号 =ROW()-4: openpyxl keeps no cached value, so write what Excel shows
            if isinstance(cell.value, str) and cell.value.upper().startswith("=ROW()-"):
                cell.value = cell.row - int(cell.value.split("-")[1])
    for name, colour in edit.get("colours", {}).items():
        cell = ws.cell(_item_row(ws, header, cols["name"], name), cols["judgement"])
        cell.fill = PatternFill(fill_type="solid", fgColor=FILLS[colour]) if colour != "none" else PatternFill()
        if cell.value:
            cell.value = WORDS[colour] or None
    for name in edit.get("close", []):
        ws.cell(_item_row(ws, header, cols["name"], name), cols["note"]).value = "已完成，销号"
    for old, new in edit.get("replace", {}).items():
        r = _item_row(ws, header, cols["name"], old)
        ws.cell(r, cols["name"]).value = new
        ws.cell(r, cols["note"]).value = None
        ws.cell(r, cols["judgement"]).fill = PatternFill()
        ws.cell(r, cols["judgement"]).value = None
    wb.save(dst)
    if not edit.get("stale"):
        counts = validate_file(dst).counts
        wb = openpyxl.load_workbook(dst)
        ws = _ledger_sheet(wb)
        sentence = next(c for row in ws.iter_rows(max_row=header) for c in row
                        if str(c.value or "").strip().startswith("截至"))
        sentence.value = summary_sentence(CENTER, format_date_cn(day.year, day.month, day.day), counts)
        wb.save(dst)
    return dst


def _rebuilt(xls: Path, dst: Path) -> Path:
    """污染防治部's .xls, retyped by its clerk as an .xlsx of the template (same items and colours)."""
    report = validate_file(xls)
    items = [item(i.name, colour=None if i.colour.value == "none" else i.colour.value, target=i.target,
                  progress=i.progress, leader=i.leader, owner=i.owner, stars=i.stars, source=i.source, note=i.note)
             for i in report.items]
    return build_ledger(dst, items, department="污染防治部", date="填报日期：2022年5月9日") or dst


def make_history(folder: Path) -> dict[str, Path]:
    """The six months' inboxes; returns month -> inbox."""
    inboxes: dict[str, Path] = {}
    latest: dict[str, Path] = {}  # department -> its latest workbook
    for month in MONTHS[:2]:
        inbox = folder / month
        shutil.copytree(EXAMPLES / month, inbox)
        inboxes[month] = inbox
        for path in inbox.iterdir():
            latest[validate_file(path).department or path.stem] = path
    latest["污染防治部"] = _rebuilt(latest["污染防治部"], folder / "污染防治部-重建.xlsx")
    for month, edits in EDITS.items():
        inbox = folder / month
        inbox.mkdir()
        year, mon = (int(p) for p in month.split("-"))
        for department, edit in edits.items():
            dst = inbox / f"{department}-{mon}月台账.xlsx"
            latest[department] = _edit(latest[department], dst, edit, dt.date(year, mon, edit["date"]))
        inboxes[month] = inbox
    # August: a workbook that is not one (a mail attachment saved half-way): one finding, no department.
    (inboxes["2022-08"] / "财务部-8月台账.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return inboxes


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The months merged into a store with merge_and_save, and each month's ``merge --json``."""
    folder = tmp_path_factory.mktemp("year")
    inboxes = make_history(folder / "inbox")
    config_path = folder / "taizhang.toml"
    shutil.copy(EXAMPLES / "taizhang.toml", config_path)
    config = load_config(config_path)
    db = folder / "taizhang.db"
    merged: dict[str, dict[str, Any]] = {}
    reports: dict[str, dict[str, Any]] = {}
    runner = CliRunner()
    for month, inbox in inboxes.items():
        year, mon = (int(p) for p in month.split("-"))
        merge_and_save(inbox, config=config, month=month, date=dt.date(year, mon, 6), db=db,
                       output=folder / f"汇总-{month}.xlsx")
        # The command line's view of the same month, merged into a store of its own.
        result = runner.invoke(app, ["merge", str(inbox), "--config", str(config_path), "--db",
                                     str(folder / "cli.db"), "--month", month, "--date", f"{month}-06",
                                     "-o", str(folder / f"cli-{month}.xlsx"), "--json"])
        assert result.exit_code in (0, 1), result.output
        merged[month] = json.loads(result.stdout)
        result = runner.invoke(app, ["report", "--month", month, "--config", str(config_path), "--db", str(db),
                                     "--json"])
        assert result.exit_code == 0, result.output
        reports[month] = json.loads(result.stdout)
    with Store(db) as store:
        stats = build_stats(store, 2022, config=config)
    return {"folder": folder, "db": db, "config": config_path, "stats": stats, "merged": merged,
            "reports": reports}


@pytest.fixture(scope="module")
def stats(history: dict[str, Any]) -> YearStats:
    return history["stats"]


# --------------------------------------------------------------------------------------------
# The figures, against each month's merge --json and report --json
# --------------------------------------------------------------------------------------------


def test_the_generated_months_are_read_as_edited(history: dict[str, Any]) -> None:
    # The edits took: a colour changed by the fill alone is read so, and July's stale sentence is an error.
    merged = history["merged"]
    assert [m["month"] for m in merged.values()] == list(MONTHS)
    july = {d["department"]: d for d in merged["2022-07"]["departments"]}
    assert july["智慧港航部"]["errors"] >= 1 and merged["2022-07"]["missing"] == ["水运服务部"]


def test_every_month_is_there_in_order(stats: YearStats) -> None:
    assert stats.months == list(MONTHS)
    assert [m.month for m in stats.centre] == list(MONTHS)


def test_centre_figures_equal_each_months_merge_json(stats: YearStats, history: dict[str, Any]) -> None:
    for month_stats in stats.centre:
        merged = history["merged"][month_stats.month]
        counts = merged["counts"]
        assert month_stats.items == counts["total"]
        assert month_stats.stars == counts["stars"]
        assert month_stats.sources == counts["sources"]
        assert month_stats.colours == counts["colours"]
        assert month_stats.reported == len(merged["departments"])
        assert month_stats.late == len(merged["late"])
        assert month_stats.on_time == len(merged["departments"]) - len(merged["late"])
        assert month_stats.missing == len(merged["missing"])
        unreadable = [s for s in merged["skipped"] if s["code"]]
        assert month_stats.unreadable == len(unreadable)
        assert month_stats.errors == sum(d["errors"] for d in merged["departments"]) + len(unreadable)
        assert month_stats.warnings == sum(d["warnings"] for d in merged["departments"])
    assert [m.unreadable for m in stats.centre] == [0, 0, 0, 0, 1, 0]


def test_department_months_equal_each_months_merge_json(stats: YearStats, history: dict[str, Any]) -> None:
    checked = 0
    for month, merged in history["merged"].items():
        for entry in merged["departments"]:
            d = stats.of(entry["department"], month)
            assert d is not None
            assert d.status == ("late" if entry["late"] else "on_time")
            assert d.date == entry["date"]
            assert (d.items, d.stars, d.sources, d.colours) == (
                entry["counts"]["total"], entry["counts"]["stars"], entry["counts"]["sources"],
                entry["counts"]["colours"])
            assert (d.errors, d.warnings) == (entry["errors"], entry["warnings"])
            checked += 1
        for name in merged["missing"]:
            d = stats.of(name, month)
            assert d is not None and d.status == "missing" and d.items == 0
    assert checked == 5 + 6 + 6 + 5 + 6 + 6


def test_new_and_closed_are_the_monthly_reports(stats: YearStats, history: dict[str, Any]) -> None:
    for month, report in history["reports"].items():
        centre = next(m for m in stats.centre if m.month == month)
        assert (centre.new, centre.closed) == (len(report["new"]), len(report["closed"]))
        for dept in report["departments"]:
            d = stats.of(dept["department"], month)
            assert d is not None
            assert (d.new, d.closed) == (len(dept["new"]), len(dept["closed"]))
    # What the clerks did: May as the examples' README says, then the edits above.
    by_month = {m.month: (m.new, m.closed) for m in stats.centre}
    assert by_month == {"2022-04": (0, 0), "2022-05": (3, 4), "2022-06": (1, 1), "2022-07": (0, 0),
                        "2022-08": (1, 1), "2022-09": (0, 0)}


def test_submission_over_the_year(stats: YearStats) -> None:
    by_name = {d.department: d for d in stats.departments}
    assert (by_name["工程建设部"].late, by_name["工程建设部"].on_time) == (3, 3)  # April, June, July
    assert (by_name["污染防治部"].late, by_name["污染防治部"].on_time) == (2, 4)  # May, September
    assert (by_name["水运服务部"].missing, by_name["水运服务部"].reported) == (2, 4)  # April, July
    assert stats.of("水运服务部", "2022-07").status == "missing"  # type: ignore[union-attr]
    assert stats.of("规划发展部", "2022-06").status == "on_time"  # dated the 5th: on time  # type: ignore[union-attr]
    assert by_name["智慧港航部"].errors == sum(d.errors for d in stats.department_months
                                            if d.department == "智慧港航部") > 0


def test_red_months_and_longest_red_streaks(stats: YearStats, history: dict[str, Any]) -> None:
    longest = {(r.department, r.item): r for r in stats.red_items}
    # Red April to August, yellow in September.
    pollution = longest[("污染防治部", "船舶污染物接收转运处置")]
    assert (pollution.longest, pollution.months, pollution.first, pollution.last, pollution.red_now) == (
        5, 5, "2022-04", "2022-08", False)
    assert longest[("工程建设部", "招标文件备案审查")].longest == 4  # June to September
    assert longest[("综合部", "政务信息报送")].longest == 3  # May to July
    # 水运服务部 sent nothing in July: its red item's streak starts again in August (as the report says).
    hotline = longest[("水运服务部", "12345热线工单办理")]
    assert (hotline.longest, hotline.months, hotline.first, hotline.red_now) == (2, 4, "2022-05", True)
    assert [(r.department, r.item) for r in stats.long_red] == [
        (r.department, r.item) for r in stats.red_items if r.longest >= 3]
    # Every streak a monthly report gave is within the item's longest.
    for report in history["reports"].values():
        for p in report["persistent_red"]:
            assert longest[(p["department"], p["item"])].longest >= p["months"]
    assert max(p["months"] for r in history["reports"].values() for p in r["persistent_red"]) == 5
    # The year's red item-months of a department are the sum of its months' red counts.
    for d in stats.departments:
        assert d.red_months == sum(m.colours["red"] for m in stats.department_months if m.department == d.department)


def test_red_streak_threshold_and_assessment_come_from_the_config(history: dict[str, Any], tmp_path: Path) -> None:
    toml = tmp_path / "taizhang.toml"
    toml.write_text(history["config"].read_text(encoding="utf-8")
                    + '\n[stats]\nassessment = ["late", "missing", "red_months", "errors", "longest_red"]\n'
                      "red_streak = 5\n", encoding="utf-8")
    config = load_config(toml)
    with Store(history["db"]) as store:
        stats = build_stats(store, 2022, config=config)
    assert stats.assessment == ["late", "missing", "red_months", "errors", "longest_red"]
    assert [(r.department, r.item) for r in stats.long_red] == [("污染防治部", "船舶污染物接收转运处置")]
    assert {d.department: d.longest_red for d in stats.departments}["污染防治部"] == 5


def _month(month: str, departments: list[str]) -> MonthSnapshot:
    """A stored month where each department has one red item (made by hand, as test_report does)."""
    counts = Counts(total=1, colours={"blue": 0, "yellow": 0, "red": 1, "none": 0})
    return MonthSnapshot(
        month=month, date=f"{month}-06", center=CENTER, sentence="", counts=Counts(),
        departments=[DepartmentEntry(department=d, file=f"{d}.xlsx", date=f"{month}-03", counts=counts)
                     for d in departments],
        items=[StoredItem(row=5, name=f"{d}重点事项", colour=Colour.RED, key=f"{d}-1", department=d)
               for d in departments])


@pytest.mark.parametrize(("roster", "status"), [([], "absent"), (["甲部", "乙部"], "missing")])
def test_a_department_without_a_ledger_is_missing_only_when_the_roster_requires_it(
        roster: list[str], status: str) -> None:
    months = [_month("2022-04", ["甲部", "乙部"]), _month("2022-05", ["甲部"]), _month("2022-06", ["甲部", "乙部"])]
    config = Config(departments=roster)
    reports = [compare(m, months[i - 1] if i else None, config=config, earlier=list(reversed(months[:max(i - 1, 0)])))
               for i, m in enumerate(months)]
    stats = year_stats(2022, months, reports, config=config)
    assert stats.of("乙部", "2022-05").status == status  # type: ignore[union-attr]
    by_name = {d.department: d for d in stats.departments}
    assert (by_name["乙部"].reported, by_name["乙部"].missing) == (2, 1 if roster else 0)
    # A month without the department's ledger ends its red streak, as in the monthly report.
    red = {r.department: r for r in stats.red_items}
    assert (red["甲部"].longest, red["乙部"].longest, red["乙部"].months) == (3, 1, 2)


def test_default_assessment(stats: YearStats) -> None:
    assert stats.assessment == list(DEFAULT_ASSESSMENT) and stats.red_streak == 3


def test_a_year_without_stored_months_names_the_stored_ones(history: dict[str, Any]) -> None:
    with Store(history["db"]) as store, pytest.raises(StoreError, match="2022-04"):
        build_stats(store, 2021, config=load_config(history["config"]))


@pytest.mark.parametrize(("text", "line", "words"), [
    ('[stats]\nassessment = ["late", "punctuality"]\n', 2, "punctuality"),
    ('[stats]\nred_streak = 0\n', 2, "red_streak"),
    ('[stats]\nred_streak = "3"\n', 2, "red_streak"),
    ('center = "x"\n[stats]\ncolour = 1\n', 3, "colour"),
    ('stats = 3\n', 1, "stats"),
    ('[stats]\nassessment = ["late", "late"]\n', 2, "两次"),
])
def test_stats_settings_are_checked_with_their_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    toml = tmp_path / "taizhang.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"第 {line} 行") as caught:
        load_config(toml)
    assert words in str(caught.value)


# --------------------------------------------------------------------------------------------
# The command line and the workbook
# --------------------------------------------------------------------------------------------


def test_json_equals_the_library_model(history: dict[str, Any], stats: YearStats) -> None:
    result = CliRunner().invoke(app, ["stats", "--year", "2022", "--config", str(history["config"]), "--db",
                                      str(history["db"]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == jsonable(stats)


def test_terminal_shows_the_months_the_assessment_and_long_reds(history: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["stats", "--year", "2022", "--config", str(history["config"]), "--db",
                                      str(history["db"])])
    assert result.exit_code == 0, result.output
    for text in ("2022年重点工作台账统计", "9月", "考核汇总", "逾期报送", "船舶污染物接收转运处置", "招标文件备案审查"):
        assert text in result.stdout


def test_red_streak_option_overrides_the_config(history: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["stats", "--year", "2022", "--config", str(history["config"]), "--db",
                                      str(history["db"]), "--red-streak", "5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["red_streak"] == 5
    assert [r["item"] for r in data["long_red"]] == ["船舶污染物接收转运处置"]


def test_no_months_of_the_year_is_exit_2(history: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["stats", "--year", "2023", "--config", str(history["config"]), "--db",
                                      str(history["db"])])
    assert result.exit_code == 2 and "2022-09" in result.output


@pytest.fixture(scope="module")
def workbook(history: dict[str, Any]) -> Path:
    out = history["folder"] / "统计" / "2022年台账统计.xlsx"
    result = CliRunner().invoke(app, ["stats", "--year", "2022", "--config", str(history["config"]), "--db",
                                      str(history["db"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _charts(ws: Any) -> list[LineChart]:
    return [c for c in ws._charts if isinstance(c, LineChart)]


def _ref_cells(wb: Any, ref: str) -> list[object]:
    sheet, cells = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    found = ws[cells.replace("$", "")]
    if not isinstance(found, tuple):  # one cell
        return [found.value]
    return [c.value for row in found for c in (row if isinstance(row, tuple) else (row,))]


def test_workbook_sheets_and_centre_chart(workbook: Path, stats: YearStats) -> None:
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == list(SHEET_NAMES)
    ws = wb["全中心"]
    charts = _charts(ws)
    assert len(charts) == 1
    chart = charts[0]
    assert len(chart.series) == 3
    titles = [_ref_cells(wb, s.tx.strRef.f)[0] for s in chart.series]
    assert titles == ["红色", "黄色", "蓝色"]
    labels = [month_cn(m) for m in MONTHS]
    for series in chart.series:
        assert _ref_cells(wb, series.cat.numRef.f if series.cat.numRef else series.cat.strRef.f) == labels
    red = _ref_cells(wb, chart.series[0].val.numRef.f)
    assert red == [m.colours["red"] for m in stats.centre]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"


def test_workbook_department_charts(workbook: Path, stats: YearStats) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["分部室趋势"]
    charts = _charts(ws)
    assert len(charts) == len(stats.departments) == 6
    labels = [month_cn(m) for m in MONTHS]
    for chart, dept in zip(charts, stats.departments, strict=True):
        assert len(chart.series) == 3
        ref = chart.series[0].cat.strRef.f if chart.series[0].cat.strRef else chart.series[0].cat.numRef.f
        assert _ref_cells(wb, ref) == labels
        yellow = _ref_cells(wb, chart.series[1].val.numRef.f)
        expected = [stats.of(dept.department, m) for m in MONTHS]
        assert yellow == [d.colours["yellow"] if d and d.status in ("on_time", "late") else None for d in expected]


def test_workbook_assessment_and_tables(workbook: Path, stats: YearStats) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["考核"]
    header = [c.value for c in ws[3]]
    assert [h.replace("\n", "") for h in header] == ["部室（单位）", *(ASSESSMENT_FIGURES[n] for n in stats.assessment)]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=4, values_only=True)}
    for d in stats.departments:
        assert list(rows[d.department]) == [d.figure(n) for n in stats.assessment]
    submission = wb["报送情况"]
    cells = {r[0]: r for r in submission.iter_rows(min_row=4, values_only=True)}
    assert cells["水运服务部"][1] == "未报送" and cells["水运服务部"][4] == "未报送"
    assert cells["工程建设部"][3].startswith("逾期报送")
    red = wb["长期标红"]
    assert {r[1] for r in red.iter_rows(min_row=4, values_only=True)} == {r.item for r in stats.long_red}
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"


def test_workbook_is_never_written_over_an_input(history: dict[str, Any]) -> None:
    ledger = next((history["folder"] / "inbox" / "2022-09").iterdir())
    before = ledger.read_bytes()
    result = CliRunner().invoke(app, ["stats", "--year", "2022", "--config", str(history["config"]), "--db",
                                      str(history["db"]), "-o", str(ledger)])
    assert result.exit_code == 2 and ledger.read_bytes() == before
    with Store(history["db"]) as store:
        stats = build_stats(store, 2022, config=load_config(history["config"]))
    with pytest.raises(Exception, match="拒绝写入"):
        write_stats_xlsx(stats, history["config"], refuse=[history["config"]])


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_workbook_renders_with_libreoffice(workbook: Path, tmp_path: Path, soffice_convert: Any) -> None:
    pdf = soffice_convert(workbook, "pdf", tmp_path)
    assert pdf.stat().st_size > 10_000
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True).stdout
        assert "全中心" in text and "考核汇总" in text
