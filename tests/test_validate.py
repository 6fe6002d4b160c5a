"""Reading a department's ledger and checking it against the 说明, on real workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.colors import Color

from builders import auto_summary, build_ledger, build_xls, item
from taizhang.models import Colour
from taizhang.validate import validate_file


def codes(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in report.findings]


def finding(report, code: str):  # type: ignore[no-untyped-def]
    found = [f for f in report.findings if f.code == code]
    assert found, f"no {code} in {codes(report)}"
    return found[0]


CLEAN = [
    item("推进港口船舶岸电设施建设", colour="blue", stars="★★★", source="AB", progress="完成年度计划37%，全市第2位"),
    item("船舶污染物接收转运处置", colour="yellow", stars="★★", source="B"),
    item("内河航道整治工程", colour="red", stars="★★★", source="A", progress="受汛期影响，进度滞后"),
    item("水路运输市场监管", stars="★", source="C"),
]


def test_a_clean_ledger_has_no_findings_and_is_counted(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "规划发展部.xlsx", CLEAN))
    assert report.findings == []
    assert report.ok and report.usable
    assert report.department == "规划发展部"
    assert report.date == "2022-04-03"
    c = report.counts
    assert c.total == 4
    assert c.stars == {"3": 2, "2": 1, "1": 1}
    assert c.sources == {"A": 2, "B": 2, "C": 1, "D": 0}
    assert c.colours == {"blue": 1, "yellow": 1, "red": 1, "none": 1}
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE]


def test_header_may_sit_low_with_broken_labels_other_order_and_extra_columns(tmp_path: Path) -> None:
    order = ("no", "name", "stars", "source", "target", "progress", "judgement", "leader", "owner", "note")
    path = build_ledger(
        tmp_path / "x.xlsx", CLEAN, order=order, blank_rows_above=12,
        labels={"no": "序 号", "stars": "重要\n程度", "name": "工作\n事项", "source": "任务来源"},
        extra={"完成时限": ["6月底", "全年", "10月", "12月"]},
    )
    report = validate_file(path)
    assert report.ok, report.findings
    assert report.items[0].stars == "★★★"
    assert report.items[0].name == "推进港口船舶岸电设施建设"
    assert report.extra_columns == ["完成时限"]
    assert [i.extra["完成时限"] for i in report.items] == ["6月底", "全年", "10月", "12月"]


def test_hidden_sheets_and_instructions_sheet_are_passed_over(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", CLEAN, before_sheets=[("填报说明", True), ("旧台账", False)],
                        sheet_title="台账")
    report = validate_file(path)
    assert report.sheet == "台账"
    assert report.counts.total == 4


def test_a_ledger_only_in_a_hidden_sheet_is_not_found_and_says_so(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", CLEAN)
    wb = load_workbook(path)
    wb.create_sheet("说明")
    wb["Sheet1"].sheet_state = "hidden"
    wb.save(path)
    report = validate_file(path)
    assert not report.usable
    assert codes(report) == ["sheet.not_found"]
    assert "隐藏" in report.findings[0].message


def test_department_falls_back_to_file_name_then_option(tmp_path: Path) -> None:
    by_name = validate_file(build_ledger(tmp_path / "污染防治部-2022年4月.xlsx", CLEAN, department=None,
                                         title="XX部室（单位）重点工作台账"))
    assert by_name.department == "污染防治部"
    by_option = validate_file(build_ledger(tmp_path / "book1.xlsx", CLEAN, department=None, title=None),
                              department="智慧港航部")
    assert by_option.department == "智慧港航部"
    unknown = validate_file(build_ledger(tmp_path / "book2.xlsx", CLEAN, department=None, title=None))
    assert unknown.department is None
    assert "header.department_missing" in codes(unknown)


@pytest.mark.parametrize(
    ("date", "expected"),
    [(dt.datetime(2022, 4, 3), "2022-04-03"), ("填报日期：2022年4月3日", "2022-04-03"),
     ("填报日期：2022.4.3", "2022-04-03"), ("2022-04-03", "2022-04-03")],
)
def test_fill_in_date_is_read_from_a_date_cell_or_text(tmp_path: Path, date: object, expected: str) -> None:
    assert validate_file(build_ledger(tmp_path / "x.xlsx", CLEAN, date=date, summary=None)).date == expected


def test_missing_or_unreadable_date_is_a_warning(tmp_path: Path) -> None:
    missing = validate_file(build_ledger(tmp_path / "a.xlsx", CLEAN, date=None, summary=None))
    assert finding(missing, "date.missing").severity == "warning"
    bad = validate_file(build_ledger(tmp_path / "b.xlsx", CLEAN, date="填报日期：2022年×月×日", summary=None))
    assert finding(bad, "date.unfilled").value == "2022年×月×日"
    odd = validate_file(build_ledger(tmp_path / "c.xlsx", CLEAN, date="填报日期：四月初", summary=None))
    assert finding(odd, "date.unreadable").value == "四月初"
    assert bad.ok


def test_thousands_of_formatted_empty_rows_are_not_items(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", CLEAN, formatted_empty_rows=3000, footer=False))
    assert report.counts.total == 4
    assert report.findings == []


def test_an_item_merged_over_several_rows_is_one_item_with_joined_texts(tmp_path: Path) -> None:
    items = [
        item("港口码头建设", colour="red", target="完成A码头主体", progress="A码头完成40%"),
        item("", target="完成B码头桩基", progress="B码头完成20%"),
        item("", target="完成C码头设计", progress="C码头已招标"),
        item("船舶检验", stars="★", source="C"),
    ]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, merge_items=[(0, 3)], summary=None))
    assert [i.name for i in report.items] == ["港口码头建设", "船舶检验"]
    first = report.items[0]
    assert first.target == "完成A码头主体\n完成B码头桩基\n完成C码头设计"
    assert first.progress == "A码头完成40%\nB码头完成20%\nC码头已招标"
    assert first.colour is Colour.RED
    assert [i.no for i in report.items] == [1, 2]
    assert "item.required" not in codes(report)


def test_text_beginning_with_formula_characters_is_text(tmp_path: Path) -> None:
    items = [item("事项一", progress='=HYPERLINK("http://x","y")'), item("事项二", progress="-完成30%"),
             item("事项三", progress="+10%"), item("事项四", progress="@全体")]
    path = build_ledger(tmp_path / "x.xlsx", items, summary=None)
    wb = load_workbook(path)
    ws = wb.active
    for r in range(5, 9):  # store them as strings, as Excel does for a quote-prefixed cell
        cell = ws.cell(r, 4)
        cell.value = str(cell.value)
        cell.data_type = "s"
    wb.save(path)
    report = validate_file(path)
    assert [i.progress for i in report.items] == ['=HYPERLINK("http://x","y")', "-完成30%", "+10%", "@全体"]


def test_formula_without_cached_value_is_a_warning(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", CLEAN, summary=None)
    wb = load_workbook(path)
    wb.active["A5"] = "=ROW()-4"  # openpyxl writes no cached value
    wb.save(path)
    report = validate_file(path)
    f = finding(report, "item.formula_uncached")
    assert f.cell == "A5" and "ROW()-4" in f.message


@pytest.mark.libreoffice
def test_formula_numbers_give_their_cached_value_after_libreoffice(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    path = build_ledger(tmp_path / "src" / "规划发展部.xlsx", CLEAN)
    wb = load_workbook(path)
    for r in range(5, 9):
        wb.active.cell(r, 1).value = "=ROW()-4"
    wb.save(path)
    saved = soffice_convert(path, "xlsx", tmp_path / "lo")
    report = validate_file(saved)
    assert [i.no for i in report.items] == [1, 2, 3, 4]
    assert report.findings == []


def test_closed_items_are_listed_not_counted(tmp_path: Path) -> None:
    items = [*CLEAN, item("创建文明单位", note="已销号", stars="★★", source="D")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items))
    assert report.counts.total == 4 and report.counts.closed == 1
    assert report.items[-1].closed
    assert report.ok


def test_summary_sentence_that_disagrees_with_the_table_names_each_figure(tmp_path: Path) -> None:
    wrong = auto_summary(CLEAN, "2022年4月3日").replace("红色1项", "红色2项").replace("共梳理重点工作4项",
                                                                               "共梳理重点工作5项")
    report = validate_file(build_ledger(tmp_path / "x.xlsx", CLEAN, summary=wrong))
    mismatches = [f for f in report.findings if f.code == "summary.mismatch"]
    assert len(mismatches) == 2 and all(f.severity == "error" for f in mismatches)
    assert {f.value for f in mismatches} == {"5", "2"}
    assert any("红色2项" in f.message and "实际为1项" in f.message for f in mismatches)
    assert report.stated is not None and report.stated.total == 5


def test_unfilled_template_summary_is_a_warning_not_a_mismatch(tmp_path: Path) -> None:
    sentence = ("截至2022年×月×日，市港航事业发展中心共梳理重点工作×项，其中从星标看，三级星标×项、二级星标×项、一级星标×项；"
                "从事项来源看，A级事项×项、B级事项×项、C级事项×项、D级事项×项；从红黄蓝标注看，蓝色×项，黄色×项，红色×项，未标注颜色×项。")
    report = validate_file(build_ledger(tmp_path / "x.xlsx", CLEAN, summary=sentence))
    assert "summary.unfilled" in codes(report) and "summary.mismatch" not in codes(report)


def test_stars_and_sources_variants_are_normalised_with_warnings(tmp_path: Path) -> None:
    items = [item("事项一", stars="3星", source="A、B"), item("事项二", stars="☆☆", source="ｃ"),
             item("事项三", stars="★★★★", source="E"), item("事项四", stars="", source="")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None))
    assert [i.stars for i in report.items] == ["★★★", "★★", None, None]
    assert [i.source for i in report.items] == ["AB", "C", None, None]
    by_code = {f.code: f for f in report.findings}
    assert by_code["stars.normalised"].severity == "warning"
    assert by_code["stars.invalid"].cell == "H7" and "★★★★" in by_code["stars.invalid"].message
    assert by_code["source.invalid"].cell == "I7"
    assert by_code["stars.missing"].cell == "H8" and by_code["source.missing"].cell == "I8"
    assert report.counts.unrecognised.stars == 2 and report.counts.unrecognised.sources == 2


def test_required_fields_missing_are_errors_at_their_cells(tmp_path: Path) -> None:
    items = [item("事项一", target="", leader="", owner="")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None))
    required = {f.cell for f in report.findings if f.code == "item.required"}
    assert required == {"C5", "F5", "G5"}
    assert not report.ok


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"stars": "★★★", "source": "C"}, "rule.top_stars_own_source"),
     ({"stars": "★", "source": "A"}, "rule.state_source_one_star"),
     ({"progress": "排名全市后3位"}, "rule.should_be_red"),
     ({"progress": "被省厅通报批评"}, "rule.should_be_red"),
     ({"progress": "排名全市第1位"}, "rule.should_be_blue"),
     ({"progress": "领先时序进度5个百分点"}, "rule.should_be_blue")],
)
def test_consistency_rules_of_the_notes_give_warnings(tmp_path: Path, fields: dict[str, str], code: str) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", **fields)], summary=None))
    assert code in codes(report)
    assert report.ok  # warnings only


@pytest.mark.parametrize("progress", ["入选全市第2批试点", "力争全市前3位", "全市前三季度完成投资2亿元"])
def test_goals_batches_and_quarters_are_not_ranks(tmp_path: Path, progress: str) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", progress=progress)], summary=None))
    assert "rule.should_be_blue" not in codes(report)


def test_numbering_gaps_repeats_and_duplicate_items_are_warnings(tmp_path: Path) -> None:
    items = [item("事项一", no=1), item("事项二", no=2), item("事项三", no=4), item("事项三", no=4)]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None))
    assert {"numbering.gap", "numbering.repeat", "item.duplicate"} <= set(codes(report))
    assert report.ok


def test_template_example_rows_left_in_are_not_items(tmp_path: Path) -> None:
    items = [item("", judgement="蓝色示例：\n进展较快事项", target="", leader="", owner="", stars="★★★",
                  source="ABC"), *CLEAN]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None, number=False))
    assert report.counts.total == 4
    assert "item.example_row" in codes(report)


# --- colours -----------------------------------------------------------------------------------


def test_theme_colours_with_tint_resolve_through_the_workbook_theme(tmp_path: Path) -> None:
    items = [item("事项一", colour=Color(theme=4, tint=0.5999938962981048)),  # Blue, Accent 1, Lighter 60%
             item("事项二", colour=Color(theme=5, tint=-0.249977111117893), progress="进度滞后"),
             item("事项三", colour=Color(indexed=13))]  # legacy palette yellow
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None))
    # openpyxl's own default theme has accent1 4F81BD and accent2 C0504D (dark red).
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.RED, Colour.YELLOW]


@pytest.mark.parametrize(
    ("fill", "colour"),
    [("C00000", Colour.RED), ("FFF2CC", Colour.YELLOW), ("FFC000", Colour.YELLOW), ("DDEBF7", Colour.BLUE),
     ("FFFFFF", Colour.NONE)],
)
def test_fills_land_where_a_person_would_put_them(tmp_path: Path, fill: str, colour: Colour) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", colour=fill)], summary=None))
    assert report.items[0].colour is colour


def test_a_colour_outside_blue_yellow_red_is_an_error_naming_the_allowed_ones(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", colour="00B050")], summary=None))
    f = finding(report, "colour.invalid")
    assert f.cell == "E5" and "绿色" in f.message and "蓝色" in f.message and "红色" in f.message
    assert report.items[0].colour is Colour.UNKNOWN
    assert report.counts.unrecognised.colours == 1


def test_without_a_fill_the_text_decides(tmp_path: Path) -> None:
    items = [item("事项一", judgement="蓝色"), item("事项二", judgement="黄"), item("事项三", judgement="红色：滞后")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None))
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.YELLOW, Colour.RED]


def test_a_fill_that_contradicts_the_text_is_an_error(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", colour="red", judgement="蓝色")],
                                        summary=None))
    f = finding(report, "colour.conflict")
    assert f.severity == "error" and f.cell == "E5"


def test_a_red_font_alone_is_taken_with_a_warning(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", judgement="进度缓慢", font="FF0000")],
                                        summary=None))
    assert report.items[0].colour is Colour.RED
    assert finding(report, "colour.font_only").severity == "warning"


def test_a_row_filled_as_a_whole_counts(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", [item("事项一"), item("事项二")], summary=None)
    wb = load_workbook(path)
    ws = wb.active
    for c in range(1, 11):
        ws.cell(6, c).fill = PatternFill(fill_type="solid", fgColor="FFFF00")
    wb.save(path)
    report = validate_file(path)
    assert [i.colour for i in report.items] == [Colour.NONE, Colour.YELLOW]


def test_a_row_format_fill_counts(tmp_path: Path) -> None:
    report = validate_file(build_ledger(tmp_path / "x.xlsx", [item("事项一", row_fill="FF0000")], summary=None))
    assert report.items[0].colour is Colour.RED


# --- real applications --------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_saved_xlsx_reads_the_same(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    items = [*CLEAN, item("港口码头建设", colour=Color(theme=4, tint=0.6), target="A\nB")]
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", items, merge_items=[])
    saved = soffice_convert(src, "xlsx", tmp_path / "lo")
    original, converted = validate_file(src), validate_file(saved)
    assert converted.items == original.items
    assert converted.counts == original.counts
    assert converted.department == "规划发展部" and converted.date == "2022-04-03"


@pytest.mark.libreoffice
def test_xls_from_libreoffice_keeps_colours_merges_and_dates(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    items = [item("港口码头建设", colour="red", target="完成A", progress="40%"), item("", target="完成B", progress="20%"),
             *CLEAN]
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", items, merge_items=[(0, 2)],
                       date=dt.datetime(2022, 4, 3), summary=None)
    xls = soffice_convert(src, "xls", tmp_path / "lo")
    report = validate_file(xls)
    assert report.usable, report.findings
    assert report.date == "2022-04-03"
    assert [i.colour for i in report.items] == [Colour.RED, Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE]
    assert report.items[0].target == "完成A\n完成B"
    assert report.counts.total == 5


def test_xls_written_by_xlwt_with_palette_colours(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    rows = [[r - 3, f"事项{r}", "目标", "进展", "", "王五", "综合科/赵六", "★★", "B", ""] for r in range(4, 7)]
    path = build_xls(tmp_path / "综合部.xls", rows, judgement_styles=[
        "pattern: pattern solid, fore_colour red;", "pattern: pattern solid, fore_colour light_blue;", ""])
    report = validate_file(path)
    assert report.department == "综合部"
    assert [i.colour for i in report.items] == [Colour.RED, Colour.BLUE, Colour.NONE]


def test_validation_leaves_the_input_byte_identical(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", CLEAN)
    before = path.read_bytes()
    validate_file(path)
    assert path.read_bytes() == before


def test_font_colour_black_is_ignored(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", [item("事项一", judgement="正常推进")], summary=None)
    wb = load_workbook(path)
    wb.active["E5"].font = Font(color="000000")
    wb.save(path)
    assert validate_file(path).items[0].colour is Colour.NONE


def test_workbook_with_nothing_but_a_header_is_a_ledger_with_no_items(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for c, label in enumerate(["序号", "工作事项", "任务目标", "推进情况", "进度评价", "分管负责人", "责任科室责任人",
                               "重要程度", "任务来源", "备注"], start=1):
        ws.cell(1, c, label)
    path = tmp_path / "规划发展部.xlsx"
    wb.save(path)
    report = validate_file(path)
    assert report.usable and report.counts.total == 0


def test_a_report_is_built_without_pydantic_validators_yet_is_a_valid_model(tmp_path: Path) -> None:
    # Each reading worker (and `taizhang validate`) would otherwise build FileReport's validator,
    # some 35 ms of a 17 ms file: the models are made with ``construct``, their values already typed.
    import subprocess
    import sys

    from taizhang.models import FileReport

    path = build_ledger(tmp_path / "综合部2022.4.xlsx", items=[
        item("码头建设", colour="blue", progress="全市排名倒数第2，进度滞后"),
        item("航道整治", stars="★", source="D", progress="全市前3位"),
        item("锚地扩建", stars="五星"),
    ])
    probe = (
        "import sys, taizhang.models as m\n"
        "from taizhang.validate import validate_file\n"
        "validate_file(sys.argv[1])\n"
        "print(sorted(n for n, c in vars(m).items() if isinstance(c, type) and issubclass(c, m.BaseModel)"
        " and c.__pydantic_complete__))\n"
    )
    built = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    assert built.stdout.strip() == "[]"
    report = validate_file(path)
    assert report.items and report.stated is not None and report.findings
    dumped = report.model_dump()
    assert FileReport.model_validate(dumped).model_dump() == dumped  # every value of its field's type
