"""What a careful reader does with a ledger's layout: section headings (一、 （一） ①) and numbering
that restarts under them, a workbook that keeps one sheet per month, and item rows struck
through or hidden. Each on workbooks as clerks make them, and as LibreOffice re-saves them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font, PatternFill

from builders import auto_summary, build_ledger, build_month_workbook, item
from taizhang.merge import merge_inbox
from taizhang.models import Config, FileReport
from taizhang.validate import validate_file

Convert = Callable[[Path, str, Path], Path]
FIRST_ITEM_ROW = 5  # build_ledger: title, date, summary, header, then the items


def codes(report: FileReport) -> list[str]:
    return [f.code for f in report.findings]


def heading(text: str, no: str = "") -> dict[str, Any]:
    """A section heading row as the builder writes it: only 序号 and/or 工作事项 filled."""
    return item(text, no=no, target="", progress="", leader="", owner="", stars="", source="")


def sectioned(path: Path) -> Path:
    """A ledger in sections, the way departments draw them: 一、 merged across the row, 二、 in 序号
    with its text in 工作事项, （一） written in 序号 alone; items numbered 1, 2 then ①②③ afresh."""
    rows = [
        heading("一、港口建设"),
        item("港口码头建设", no=1, stars="★★★", source="A"),
        item("岸电设施改造", no=2),
        heading("航道建设", no="二、"),
        heading("（一）内河航道", no=""),
        item("内河航道整治", no="①", colour="red", stars="★★★", source="A"),
        item("航道养护", no="②"),
        item("航标更新", no="③", colour="blue"),
        heading("船舶检验", no="（二）"),
        item("船检站建设", no="1"),
    ]
    path = build_ledger(path, rows, summary=auto_summary([r for r in rows if r["stars"]], "2022年4月3日"))
    wb = load_workbook(path)
    ws = wb.active
    ws.cell(FIRST_ITEM_ROW, 1, ws.cell(FIRST_ITEM_ROW, 2).value)  # 一、港口建设 typed in A, merged across
    ws.merge_cells(start_row=FIRST_ITEM_ROW, start_column=1, end_row=FIRST_ITEM_ROW, end_column=10)
    for r in (FIRST_ITEM_ROW, FIRST_ITEM_ROW + 3):  # heading rows shaded, as many clerks do
        for c in range(1, 11):
            ws.cell(r, c).fill = PatternFill(fill_type="solid", fgColor="D9D9D9")
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# 2. section headings, ①②③, numbering that restarts
# ---------------------------------------------------------------------------------------------


def test_circled_numbers_are_item_numbers_not_an_unreadable_file(tmp_path: Path) -> None:
    items = [item("港口码头建设", no="①"), item("航道养护", no="②"), item("船舶检验", no="③")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items))
    assert report.usable and report.ok, report.findings
    assert [i.no for i in report.items] == [1, 2, 3]
    assert not [c for c in codes(report) if c.startswith("numbering")]


@pytest.mark.parametrize("numbers", [["⑴", "⑵", "⑶"], ["(1)", "(2)", "(3)"], ["1.", "2.", "3."], ["1、", "2、", "3、"],
                                     ["（１）", "（２）", "（３）"], ["一", "二", "三"]])
def test_numbers_written_with_brackets_and_points_are_numbers(tmp_path: Path, numbers: list[str]) -> None:
    items = [item(f"事项{k}", no=no) for k, no in enumerate(numbers)]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items))
    assert [i.no for i in report.items] == [1, 2, 3]
    assert report.ok and not [c for c in codes(report) if c.startswith("numbering")]


def test_section_headings_are_not_items_and_numbering_restarts_under_each(tmp_path: Path) -> None:
    report = validate_file(sectioned(tmp_path / "x.xlsx"))
    assert [i.name for i in report.items] == ["港口码头建设", "岸电设施改造", "内河航道整治", "航道养护", "航标更新",
                                              "船检站建设"]
    assert [i.no for i in report.items] == [1, 2, 1, 2, 3, 1]
    assert report.ok, report.findings
    assert codes(report) == []  # no numbering warning, no 账实不符: the sentence counts six items
    assert report.counts.total == 6


@pytest.mark.parametrize(("no", "name"), [("一、港口建设", ""), ("", "一、港口建设"), ("一", "港口建设"), ("①", "港口建设"),
                                          ("(一)", "港口建设"), ("第一部分", "港口建设"), ("⑴港口建设", "")])
def test_a_heading_is_read_wherever_its_text_sits(tmp_path: Path, no: str, name: str) -> None:
    rows = [heading(name, no=no), item("港口码头建设", no=1), item("岸电设施改造", no=2),
            heading(name.replace("一", "二").replace("港口", "航道"), no=no.replace("一", "二").replace("①", "②")
                    .replace("⑴", "⑵")),
            item("航道养护", no=1)]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", rows, summary=auto_summary(
        [r for r in rows if r["stars"]], "2022年4月3日")))
    assert [i.name for i in report.items] == ["港口码头建设", "岸电设施改造", "航道养护"]
    assert report.ok and codes(report) == [], report.findings


def test_a_gap_inside_a_section_is_still_a_gap(tmp_path: Path) -> None:
    rows = [heading("一、港口建设"), item("港口码头建设", no=1), item("岸电设施改造", no=3),
            heading("二、航道建设"), item("航道养护", no=1)]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", rows))
    assert [(f.code, f.cell) for f in report.findings if f.code.startswith("numbering")] == [("numbering.gap", "A7")]


def test_a_circled_heading_with_only_its_text_is_a_heading_but_with_a_target_an_item(tmp_path: Path) -> None:
    rows = [heading("港口建设", no="①"), item("港口码头建设", no=1), item("岸电改造", no="②")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", rows))
    assert [(i.no, i.name) for i in report.items] == [(1, "港口码头建设"), (2, "岸电改造")]


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_sections_read_the_same_after_libreoffice(tmp_path: Path, soffice_convert: Convert, fmt: str) -> None:
    saved = soffice_convert(sectioned(tmp_path / "src" / "分部台账.xlsx"), fmt, tmp_path / "lo")
    report = validate_file(saved)
    assert [i.no for i in report.items] == [1, 2, 1, 2, 3, 1]
    assert report.ok and codes(report) == [], report.findings


# ---------------------------------------------------------------------------------------------
# 3. one sheet per month
# ---------------------------------------------------------------------------------------------

MARCH = [item("港口码头建设", stars="★★★", source="A"), item("岸电设施改造")]
APRIL = [*MARCH, item("航道养护", colour="blue")]
MAY = [*APRIL, item("船检站建设", colour="red", stars="★", source="C")]


def months_book(path: Path, *, newest_first: bool = False, names: tuple[str, str, str] = ("3月", "4月", "5月份"),
                active: str | None = None) -> Path:
    months = [(names[0], "2022年3月3日", MARCH), (names[1], "2022年4月3日", APRIL), (names[2], "2022年5月4日", MAY)]
    if newest_first:
        months.reverse()
    return build_month_workbook(path, months, active=active or names[0])


@pytest.mark.parametrize("newest_first", [False, True])
def test_validate_reads_the_newest_month_and_says_which_sheet(tmp_path: Path, newest_first: bool) -> None:
    report = validate_file(months_book(tmp_path / "规划发展部.xlsx", newest_first=newest_first))
    assert report.sheet == "5月份" and report.date == "2022-05-04" and report.counts.total == 4
    chosen = [f for f in report.findings if f.code == "sheet.month_chosen"]
    assert len(chosen) == 1 and chosen[0].severity == "warning"
    assert "“5月份”" in chosen[0].message and "“3月”" in chosen[0].message and "最新" in chosen[0].message
    assert "sheet.another_ledger" not in codes(report) and report.ok


def test_sheet_names_with_year_or_suffix_give_their_month(tmp_path: Path) -> None:
    path = months_book(tmp_path / "x.xlsx", names=("2022年3月", "4月台账", "2022.5"), newest_first=True)
    assert validate_file(path).sheet == "2022.5"
    assert validate_file(path, month="2022-04").sheet == "4月台账"


def test_a_month_is_read_from_its_sheet(tmp_path: Path) -> None:
    path = months_book(tmp_path / "x.xlsx", active="5月份")
    report = validate_file(path, month="2022-04")
    assert report.sheet == "4月" and report.date == "2022-04-03" and report.counts.total == 3 and report.ok
    assert "“4月”" in next(f.message for f in report.findings if f.code == "sheet.month_chosen")


def test_a_month_no_sheet_has_makes_the_file_unusable_naming_the_sheets(tmp_path: Path) -> None:
    report = validate_file(months_book(tmp_path / "x.xlsx"), month="2022-06")
    assert not report.usable and codes(report) == ["sheet.month_not_found"]
    message = report.findings[0].message
    assert "2022年6月" in message and "“3月”" in message and "“5月份”" in message


def test_a_copied_sheet_of_the_same_month_is_not_several_months(tmp_path: Path) -> None:
    path = build_month_workbook(tmp_path / "x.xlsx", [("4月", "2022年4月3日", APRIL), ("4月 (2)", "2022年4月3日", APRIL)])
    report = validate_file(path)
    assert report.sheet == "4月" and "sheet.another_ledger" in codes(report)
    assert "sheet.month_chosen" not in codes(report)


def _inbox(folder: Path) -> Path:
    inbox = folder / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("公文运转")], department="综合部", date="填报日期：2022年4月2日")
    build_ledger(inbox / "财务部.xlsx", [item("预算执行")], department="财务部", date="填报日期：2022年4月1日")
    months_book(inbox / "规划发展部台账.xlsx", active="3月")
    return inbox


def test_merge_takes_the_merged_months_sheet_not_the_newest(tmp_path: Path) -> None:
    result = merge_inbox(_inbox(tmp_path), config=Config(), date=None)
    assert result.month == "2022-04"  # the single-sheet ledgers' month, not the workbook's May
    planning = next(r for r in result.reports if r.department == "规划发展部")
    assert planning.sheet == "4月" and planning.counts.total == 3 and planning.date == "2022-04-03"
    assert result.counts.total == 5


def test_merge_month_option_picks_that_months_sheet(tmp_path: Path) -> None:
    result = merge_inbox(_inbox(tmp_path), config=Config(), month="2022-03")
    planning = next(r for r in result.reports if r.department == "规划发展部")
    assert planning.sheet == "3月" and planning.counts.total == 2


def test_merge_never_takes_last_months_sheet_and_still_merges_the_others(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path)
    result = merge_inbox(inbox, config=Config(), month="2022-06")
    assert sorted(d.department for d in result.departments) == sorted(["综合部", "财务部"])
    skipped = [s for s in result.skipped if s.file == "规划发展部台账.xlsx"]
    assert len(skipped) == 1 and skipped[0].code == "sheet.month_not_found" and "2022年6月" in skipped[0].reason
    assert not result.ok


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_month_sheets_after_libreoffice(tmp_path: Path, soffice_convert: Convert, fmt: str) -> None:
    saved = soffice_convert(months_book(tmp_path / "src" / "月度台账.xlsx", newest_first=True), fmt, tmp_path / "lo")
    assert validate_file(saved).sheet == "5月份"
    april = validate_file(saved, month="2022-04")
    assert april.sheet == "4月" and april.counts.total == 3 and april.ok


# ---------------------------------------------------------------------------------------------
# 8. struck-through and hidden item rows
# ---------------------------------------------------------------------------------------------

FOUR = [item("港口码头建设", stars="★★★", source="A"), item("岸电设施改造", colour="red"),
        item("航道养护", colour="blue"), item("船检站建设", stars="★", source="C")]


def unseen_ledger(path: Path, *, counted: bool, strike: int | None = None, hide: int | None = None,
                  rich: bool = False) -> Path:
    """FOUR with item ``strike`` struck through and/or ``hide`` hidden; the summary sentence counts
    them when ``counted``, else leaves them out (the clerk's own view of the table)."""
    shown = [it for k, it in enumerate(FOUR) if counted or k not in (strike, hide)]
    path = build_ledger(path, FOUR, summary=auto_summary(shown, "2022年4月3日"))
    wb = load_workbook(path)
    ws = wb.active
    if strike is not None:
        r = FIRST_ITEM_ROW + strike
        for c in range(1, 11):
            cell = ws.cell(r, c)
            if rich and isinstance(cell.value, str):  # struck while editing the text, not the cell
                cell.value = CellRichText(TextBlock(InlineFont(strike=True), cell.value))
            else:
                cell.font = Font(strike=True)
    if hide is not None:
        ws.row_dimensions[FIRST_ITEM_ROW + hide].hidden = True
    wb.save(path)
    return path


def test_a_struck_row_the_sentence_leaves_out_is_left_out_with_a_warning(tmp_path: Path) -> None:
    report = validate_file(unseen_ledger(tmp_path / "x.xlsx", counted=False, strike=1))
    assert report.ok and "summary.mismatch" not in codes(report)
    assert report.counts.total == 3 and report.counts.colours["red"] == 0 and report.counts.closed == 1
    struck = [f for f in report.findings if f.code == "item.struck"]
    assert [(f.cell, f.severity) for f in struck] == [("A6", "warning")]
    assert "第6行" in struck[0].message and "不计入" in struck[0].message


def test_a_struck_row_the_sentence_counts_is_counted_with_a_warning(tmp_path: Path) -> None:
    report = validate_file(unseen_ledger(tmp_path / "x.xlsx", counted=True, strike=1))
    assert report.ok and report.counts.total == 4 and report.counts.colours["red"] == 1
    assert [f.cell for f in report.findings if f.code == "item.struck"] == ["A6"]
    assert "仍按正常事项计入" in next(f.message for f in report.findings if f.code == "item.struck")


def test_text_struck_through_in_the_cell_counts_as_struck(tmp_path: Path) -> None:
    report = validate_file(unseen_ledger(tmp_path / "x.xlsx", counted=False, strike=2, rich=True))
    assert report.ok and report.counts.total == 3
    assert [f.cell for f in report.findings if f.code == "item.struck"] == ["A7"]


def test_a_row_struck_through_but_its_number_is_struck(tmp_path: Path) -> None:
    path = unseen_ledger(tmp_path / "x.xlsx", counted=False)
    wb = load_workbook(path)
    for c in range(2, 11):  # the clerk selected 工作事项…备注, not the 序号
        wb.active.cell(FIRST_ITEM_ROW + 1, c).font = Font(strike=True)
    ws = wb.active
    ws["A3"] = auto_summary([FOUR[0], *FOUR[2:]], "2022年4月3日")
    wb.save(path)
    report = validate_file(path)
    assert report.ok and report.counts.total == 3
    assert [f.cell for f in report.findings if f.code == "item.struck"] == ["A6"]


def test_one_struck_word_is_not_a_struck_row(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", FOUR)
    wb = load_workbook(path)
    wb.active.cell(FIRST_ITEM_ROW, 4).font = Font(strike=True)  # one cell of the row only
    wb.save(path)
    report = validate_file(path)
    assert "item.struck" not in codes(report) and report.counts.total == 4


def test_a_hidden_row_the_sentence_leaves_out_is_left_out_with_a_warning(tmp_path: Path) -> None:
    report = validate_file(unseen_ledger(tmp_path / "x.xlsx", counted=False, hide=3))
    assert report.ok and report.counts.total == 3 and report.counts.stars["1"] == 0
    hidden = [f for f in report.findings if f.code == "item.hidden"]
    assert [f.cell for f in hidden] == ["A8"] and "第8行被隐藏" in hidden[0].message


def test_a_hidden_row_the_sentence_counts_is_counted(tmp_path: Path) -> None:
    report = validate_file(unseen_ledger(tmp_path / "x.xlsx", counted=True, hide=3))
    assert report.ok and report.counts.total == 4
    assert "item.hidden" in codes(report)


def test_a_hidden_row_that_does_not_explain_a_wrong_sentence_leaves_the_mismatch(tmp_path: Path) -> None:
    path = unseen_ledger(tmp_path / "x.xlsx", counted=True, hide=3)
    wb = load_workbook(path)
    ws = wb.active
    ws["A3"] = ws["A3"].value.replace("共梳理重点工作4项", "共梳理重点工作9项")
    wb.save(path)
    report = validate_file(path)
    assert report.counts.total == 4 and "summary.mismatch" in codes(report) and "item.hidden" in codes(report)


@pytest.mark.parametrize(("fmt", "rich"), [("xlsx", False), ("xls", False), ("xlsx", True), ("xls", True)])
def test_struck_and_hidden_rows_after_libreoffice(tmp_path: Path, soffice_convert: Convert, fmt: str,
                                                  rich: bool) -> None:
    src = unseen_ledger(tmp_path / "src" / "删改台账.xlsx", counted=False, strike=1, hide=3, rich=rich)
    report = validate_file(soffice_convert(src, fmt, tmp_path / "lo"))
    assert report.ok and report.counts.total == 2, report.findings
    assert [(f.code, f.cell) for f in report.findings if f.code in ("item.struck", "item.hidden")] == \
        [("item.struck", "A6"), ("item.hidden", "A8")]


def test_validate_command_month_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from taizhang.cli import app

    path = months_book(tmp_path / "规划发展部.xlsx")
    result = CliRunner().invoke(app, ["validate", str(path), "--month", "2022-04"])
    assert result.exit_code == 0, result.output
    assert "工作表“4月”" in result.output and "sheet.month_chosen" in result.output
    missing = CliRunner().invoke(app, ["validate", str(path), "--month", "2021-04"])
    assert missing.exit_code == 2 and "没有2021年4月的台账" in missing.output.replace("\n", "")
    wrong = CliRunner().invoke(app, ["validate", str(path), "--month", "四月"])
    assert wrong.exit_code == 2 and "YYYY-MM" in wrong.output


def test_an_undated_january_sheet_after_december_is_the_newest(tmp_path: Path) -> None:
    path = build_month_workbook(tmp_path / "x.xlsx", [("1月", "2023年×月×日", MARCH), ("11月", "2022年11月3日", APRIL),
                                                      ("12月", "2022年12月2日", MAY)])
    assert validate_file(path).sheet == "1月"
    assert validate_file(path, month="2022-12").sheet == "12月"
    assert validate_file(path, month="2023-01").sheet == "1月"


def test_a_progress_line_on_a_row_of_its_own_is_not_a_heading(tmp_path: Path) -> None:
    """①/(1) opening a 推进情况 line the clerk typed on the next row is no section: the row still shows."""
    rows = [item("港口码头建设", no=1), item("", no="", target="", progress="(2)下一步完成验收", leader="", owner="",
                                              stars="", source=""), item("岸电设施改造", no=2)]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", rows, summary=None))
    assert len(report.items) == 3 and "item.required" in codes(report)


def test_a_row_squeezed_to_no_height_is_hidden(tmp_path: Path) -> None:
    """Some clerks drag a row to no height instead of hiding it (WPS writes ht="0")."""
    import zipfile

    src = unseen_ledger(tmp_path / "src.xlsx", counted=False)
    wb = load_workbook(src)
    wb.active["A3"] = auto_summary([FOUR[0], *FOUR[2:]], "2022年4月3日")
    wb.save(src)
    path = tmp_path / "行高为零.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="6"', b'<row r="6" ht="0" customHeight="1"', 1)
            zout.writestr(info, data)
    report = validate_file(path)
    assert report.ok and report.counts.total == 3
    assert [f.cell for f in report.findings if f.code == "item.hidden"] == ["A6"]


def test_text_struck_in_an_xls_cell_counts_as_struck(tmp_path: Path) -> None:
    """WPS/Excel 97: the clerk struck the texts while editing each cell (rich-text runs)."""
    import xlwt

    from builders import XLS_HEADER

    rows = [[1, "港口码头建设", "完成主体", "完成40%", "", "张三", "规划科/李四", "★★", "B", ""],
            [2, "岸电设施改造", "完成改造", "已完成", "", "张三", "规划科/李四", "★★", "B", ""]]
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("台账")
    ws.write(0, 0, "规划发展部重点工作台账")
    ws.write(1, 6, "填报日期：2022年4月3日")
    ws.write(2, 0, auto_summary([item("港口码头建设")], "2022年4月3日"))
    for c, label in enumerate(XLS_HEADER):
        ws.write(3, c, label)
    struck = xlwt.Font()
    struck.struck_out = True
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row):
            if r == 5 and isinstance(value, str) and value:
                ws.write_rich_text(r, c, [(value, struck)])
            else:
                ws.write(r, c, value)
    path = tmp_path / "x.xls"
    book.save(str(path))
    report = validate_file(path)
    assert report.ok and report.counts.total == 1, report.findings
    assert [f.cell for f in report.findings if f.code == "item.struck"] == ["A6"]
