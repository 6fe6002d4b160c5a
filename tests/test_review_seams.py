"""Seams between the readers of issue 7 (found in review): struck/hidden rows, uncertain reads and
the summary sentence; month sheets and the year of a date; colours over the whole table; copied month sheets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font
from typer.testing import CliRunner

from builders import build_ledger, build_month_workbook, item
from taizhang.cli import app
from taizhang.models import Severity
from taizhang.validate import validate_file

FIRST_ITEM_ROW = 5  # title, 填报日期, summary sentence, header


def _sentence(total: int, three: int, two: int, b: int, blue: int, none: int) -> str:
    return (f"截至2022年4月3日，市港航事业发展中心共梳理重点工作{total}项，其中从星标看，三级星标{three}项、二级星标{two}项、"
            f"一级星标0项；从事项来源看，A级事项0项、B级事项{b}项、C级事项0项、D级事项0项；从红黄蓝标注看，"
            f"蓝色{blue}项，黄色0项，红色0项，未标注颜色{none}项。")


def test_a_struck_row_is_left_out_even_when_an_uncertain_colour_also_differs(tmp_path: Path) -> None:
    # The clerk struck out 老旧码头改造 and did not count it; 航道疏浚 has only a blue text colour,
    # which the clerk did not count as a mark. Leaving the struck row out explains every figure
    # but the colours, and those differ only by the item we read with doubt: no 账实不符.
    items = [item("港区扩建", stars="★★★", colour="blue"),
             item("航道疏浚", stars="★★★", fonts={"progress": "0070C0"}),
             item("老旧码头改造", stars="★★", colour="blue")]
    path = build_ledger(tmp_path / "删改.xlsx", items, summary=_sentence(2, 2, 0, 2, 1, 1))
    wb = load_workbook(path)
    for c in range(2, 11):
        wb.active.cell(FIRST_ITEM_ROW + 2, c).font = Font(strike=True)
    wb.save(path)

    report = validate_file(path)

    assert [f.code for f in report.findings if f.severity is Severity.ERROR] == []
    assert report.counts.total == 2 and report.counts.closed == 1
    struck = [f for f in report.findings if f.code == "item.struck"]
    assert [f.cell for f in struck] == ["A7"] and "汇总句没有计入" in struck[0].message
    uncertain = [f for f in report.findings if f.code == "summary.uncertain"]
    assert uncertain and all("B6“航道疏浚”" in f.message for f in uncertain)


def test_a_date_without_its_year_takes_the_year_of_its_sheets_name(tmp_path: Path) -> None:
    # A workbook of month sheets named 2022年3月, 2022年4月: the clerk dates each sheet 4月6日. The
    # year is in front of her (the sheet's name), as it is in a title: read it, with the warning.
    months = [("2022年3月", "3月5日", [item("港区扩建", colour="blue")]),
              ("2022年4月", "4月6日", [item("港区扩建", colour="blue"), item("航道疏浚", colour="yellow")])]
    path = build_month_workbook(tmp_path / "规划发展部.xlsx", months)

    report = validate_file(path)

    assert report.sheet == "2022年4月"
    assert report.date == "2022-04-06"
    inferred = [f for f in report.findings if f.code == "date.year_inferred"]
    assert len(inferred) == 1 and "工作表名" in inferred[0].message and "2022年4月6日" in inferred[0].message
    assert not any(f.code == "date.unreadable" for f in report.findings)


def test_a_leader_merged_over_two_items_is_each_items_leader_after_libreoffice(
        tmp_path: Path, soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    # Both items have the same 分管负责人 and the same blue 进度评价, each written once in a cell
    # merged over their two rows. LibreOffice (and Excel, for a filled or bordered range) writes
    # the covered cells as empty styled cells: they are under the merge, and a reader sees 张三
    # there, not an empty 分管负责人.
    items = [item("港区扩建", colour="blue"), item("航道疏浚", leader=None)]
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", items,
                       summary=_sentence(2, 0, 2, 2, 2, 0))
    wb = load_workbook(src)
    for col in "EF":
        wb.active.merge_cells(f"{col}{FIRST_ITEM_ROW}:{col}{FIRST_ITEM_ROW + 1}")
    wb.save(src)

    for path in (src, soffice_convert(src, "xlsx", tmp_path / "lo"), soffice_convert(src, "xls", tmp_path / "lo")):
        report = validate_file(path)
        assert [it.leader for it in report.items] == ["张三", "张三"], path
        assert [it.colour.value for it in report.items] == ["blue", "blue"], path
        assert not any(f.code == "item.required" for f in report.findings), path
        assert report.ok, path


ROW = ("no", "name", "target", "progress", "judgement", "leader", "owner", "stars", "source", "note")


def test_every_item_row_in_one_marking_colour_is_never_a_mismatch_error(tmp_path: Path) -> None:
    # Six items, each row filled blue by the clerk, who counts six blue items. taizhang reads one
    # colour over the whole table as its background: a guess, so the sentence is not blamed.
    items = [item(f"事项{i}", fills=dict.fromkeys(ROW, "9BC2E6"), shown="blue") for i in range(6)]
    path = build_ledger(tmp_path / "全蓝.xlsx", items)

    report = validate_file(path)

    assert not any(f.code == "summary.mismatch" for f in report.findings)
    uncertain = [f for f in report.findings if f.code == "summary.uncertain"]
    assert uncertain and all("B5“事项0”" in f.message and "底色" in f.message for f in uncertain)


def test_a_table_background_the_sentence_agrees_with_is_not_mentioned(tmp_path: Path) -> None:
    items = [item(f"事项{i}", fills=dict.fromkeys(ROW, "DDEBF7"), shown=None) for i in range(6)]
    report = validate_file(build_ledger(tmp_path / "底色.xlsx", items))
    assert report.counts.colours["none"] == 6
    assert report.ok and not report.findings


def test_copied_sheets_dated_without_a_year_are_months_and_last_months_is_never_merged(tmp_path: Path) -> None:
    # The clerk copied March's sheet (Excel names the copy "Sheet1 (2)") and dated it 4月6日: the
    # sheets' names say nothing, their 填报日期 say March and April.
    months = [("Sheet1", "3月5日", [item("港区扩建", colour="blue")]),
              ("Sheet1 (2)", "4月6日", [item("港区扩建", colour="blue"), item("航道疏浚", colour="red")])]
    path = build_month_workbook(tmp_path / "规划发展部.xlsx", months)

    april = validate_file(path, month="2022-04")
    assert (april.sheet, april.date, april.counts.total) == ("Sheet1 (2)", "2022-04-06", 2)
    assert any(f.code == "sheet.month_chosen" for f in april.findings)
    assert validate_file(path, month="2022-03").sheet == "Sheet1"
    assert validate_file(path).sheet == "Sheet1 (2)"  # the newest
    may = validate_file(path, month="2022-05")
    assert not may.usable and may.findings[0].code == "sheet.month_not_found"


def test_the_title_line_of_a_ledger_without_a_date_says_so_once(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", [item("港区扩建", colour="blue")], date=None)
    out = CliRunner().invoke(app, ["validate", str(path)]).output
    assert "填报日期 未知" in out and "填报日期 填报日期未知" not in out


def test_a_fill_contradicting_its_text_is_the_error_not_the_sentence(tmp_path: Path) -> None:
    # 进度评价 filled red but written 蓝色: the clerk counted it blue. The cell is the error to fix
    # (colour.conflict); the sentence agrees with one reading of it and is not 账实不符.
    items = [item("港区扩建", colour="red", judgement="蓝色", shown="blue"), item("航道疏浚", colour="blue")]
    report = validate_file(build_ledger(tmp_path / "矛盾.xlsx", items))

    assert [(f.code, f.cell) for f in report.errors] == [("colour.conflict", "E5")]
    assert {f.code for f in report.warnings} == {"summary.uncertain"}


def test_a_date_without_a_year_nothing_supplies_says_the_year_is_missing(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "综合部台账.xlsx", [item("公文运转")], department="综合部",
                        date="填报日期：5月2日", summary=None)
    report = validate_file(path)
    f = next(f for f in report.findings if f.code == "date.unreadable")
    assert "没有写年份" in f.message and "无法识别" not in f.message
