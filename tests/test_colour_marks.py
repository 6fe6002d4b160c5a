"""Colour wherever the clerk put it in the item's row (issue 7.1), and never blaming the clerk for
our own uncertain reading of it (issue 7.9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule, Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.styles.differential import DifferentialStyle

from builders import ORDER, auto_summary, build_ledger, build_xls, item
from taizhang.models import Colour, FileReport, Finding
from taizhang.validate import validate_file

B, Y, R, N, U = Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE, Colour.UNKNOWN
Convert = Callable[[Path, str, Path], Path]


def codes(report: FileReport) -> list[str]:
    return [f.code for f in report.findings]


def found(report: FileReport, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def colours(report: FileReport) -> list[Colour]:
    return [i.colour for i in report.items]


def ledger(tmp_path: Path, items: list[dict[str, Any]], name: str = "规划发展部.xlsx", **kw: Any) -> Path:
    kw.setdefault("summary", True)
    return build_ledger(tmp_path / name, items, **kw)


# Excel's own presets for "Format only cells that…": light red fill with dark red text, etc.
RED_DXF = DifferentialStyle(fill=PatternFill(bgColor="FFC7CE"), font=Font(color="9C0006"))
YELLOW_DXF = DifferentialStyle(fill=PatternFill(bgColor="FFEB9C"), font=Font(color="9C5700"))
BLUE_DXF = DifferentialStyle(fill=PatternFill(bgColor=Color(theme=4, tint=0.5999938962981048)))


def text_rule(kind: str, text: str, formula: str, dxf: DifferentialStyle) -> Rule:
    """A text rule as Excel writes it: the ``text`` attribute and the equivalent formula."""
    rule = Rule(type=kind, operator=kind, text=text, dxf=dxf)
    rule.formula = [formula]
    return rule


# --- fills on any cell of the row ------------------------------------------------------------------


@pytest.mark.parametrize("where", [("name",), ("progress",), ("name", "target"), ("no", "name", "progress", "note")])
def test_a_fill_on_any_cells_of_the_row_marks_the_item(tmp_path: Path, where: tuple[str, ...]) -> None:
    items = [item("推进港口船舶岸电设施建设", fills=dict.fromkeys(where, "FF0000"), shown="red",
                  progress="受汛期影响，进度滞后"),
             item("船舶污染物接收转运处置"),
             item("内河航道整治工程", fills=dict.fromkeys(where, Color(theme=4, tint=0.5999938962981048)),
                  shown="blue")]
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [R, N, B]
    assert report.ok, report.findings
    assert not [c for c in codes(report) if c.startswith(("colour.", "summary."))]


def test_cells_of_one_item_in_different_colours_give_one_warning_naming_both(tmp_path: Path) -> None:
    items = [item("推进港口船舶岸电设施建设", fills={"name": "9BC2E6", "progress": "FF0000"}, shown="blue")]
    report = validate_file(ledger(tmp_path, items))
    [warning] = found(report, "colour.cells_conflict")
    assert warning.severity == "warning"
    assert "B5" in warning.message and "D5" in warning.message
    assert "蓝色" in warning.message and "红色" in warning.message


def test_the_judgement_fill_wins_over_other_cells(tmp_path: Path) -> None:
    items = [item("推进港口船舶岸电设施建设", colour="red", fills={"name": "9BC2E6"}, shown="red")]
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [R]
    [warning] = found(report, "colour.cells_conflict")
    assert warning.cell == "E5" and "B5" in warning.message
    assert "summary.mismatch" not in codes(report) and "summary.uncertain" not in codes(report)


def test_a_row_fill_that_contradicts_the_text_is_still_an_error(tmp_path: Path) -> None:
    items = [item("推进港口船舶岸电设施建设", fills={"name": "FF0000", "progress": "FF0000"}, judgement="蓝色",
                  shown="red")]
    report = validate_file(ledger(tmp_path, items))
    [conflict] = found(report, "colour.conflict")
    assert conflict.severity == "error" and conflict.cell == "E5"


def test_a_green_fill_on_another_cell_is_an_error_naming_that_cell(tmp_path: Path) -> None:
    report = validate_file(ledger(tmp_path, [item("事项一", fills={"name": "00B050"}, shown=None)], summary=None))
    [error] = found(report, "colour.invalid")
    assert error.cell == "B5" and "工作事项" in error.message and "绿色" in error.message
    assert report.items[0].colour is U


@pytest.mark.parametrize("cells", [("name", "target"), tuple(ORDER)])
def test_grey_on_a_closed_items_cells_is_not_a_colour(tmp_path: Path, cells: tuple[str, ...]) -> None:
    items = [item("创建文明单位", note="已销号", fills=dict.fromkeys(cells, "D9D9D9")), item("事项二")]
    report = validate_file(ledger(tmp_path, items))
    assert "colour.invalid" not in codes(report)
    assert report.ok


# --- fills that decorate rather than mark ---------------------------------------------------------


def test_a_fill_over_the_whole_table_is_decoration(tmp_path: Path) -> None:
    items = [item("事项一", colour="red", shown="red"), item("事项二"), item("事项三"), item("事项四", colour="blue")]
    path = ledger(tmp_path, items, table_fill="DDEBF7")
    wb = load_workbook(path)
    # the marks go over the table fill: 进度评价 of 事项一 and 事项四
    wb.active["E5"].fill = PatternFill(fill_type="solid", fgColor="FF0000")
    wb.active["E8"].fill = PatternFill(fill_type="solid", fgColor="9BC2E6")
    wb.save(path)
    report = validate_file(path)
    assert colours(report) == [R, N, N, B]
    assert report.ok, report.findings


def test_a_short_table_painted_with_its_header_is_decoration(tmp_path: Path) -> None:
    items = [item("事项一", colour="red", shown="red"), item("事项二")]
    path = ledger(tmp_path, items, table_fill="FFF2CC")
    wb = load_workbook(path)
    wb.active["E5"].fill = PatternFill(fill_type="solid", fgColor="FF0000")
    wb.save(path)
    report = validate_file(path)
    assert colours(report) == [R, N]
    assert report.ok and not found(report, "colour.cells_conflict"), report.findings


def test_zebra_striping_is_decoration(tmp_path: Path) -> None:
    items = [item(f"事项{n}") for n in range(1, 8)]
    items[2]["fill"] = "FF0000"
    items[2]["shown"] = "red"
    for n in (0, 2, 4, 6):  # every other row, as a clerk stripes a long table
        items[n]["fills"] = dict.fromkeys(("no", "name", "target", "progress", "leader", "owner", "stars",
                                           "source", "note"), "DDEBF7")
        if n != 2:
            items[n]["fills"]["judgement"] = "DDEBF7"
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [N, N, R, N, N, N, N]
    assert report.ok, report.findings


def test_strong_colours_on_every_other_row_are_marks_not_stripes(tmp_path: Path) -> None:
    whole_row = dict.fromkeys(ORDER, "FF0000")
    items = [item(f"事项{n}", fills=whole_row if n % 2 else {}, shown="red" if n % 2 else None) for n in range(1, 7)]
    assert colours(validate_file(ledger(tmp_path, items))) == [R, N, R, N, R, N]


def test_a_whole_column_in_one_fill_is_decoration(tmp_path: Path) -> None:
    items = [item(f"事项{n}", fills={"no": "D9D9D9", "name": "FFF2CC"}) for n in range(1, 7)]
    items[1]["fill"] = "FF0000"
    items[1]["shown"] = "red"
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [N, R, N, N, N, N]
    assert report.ok, report.findings


def test_a_short_column_filled_with_its_header_is_decoration(tmp_path: Path) -> None:
    path = ledger(tmp_path, [item(f"事项{n}", fills={"name": "FFF2CC"}, shown=None) for n in range(1, 4)])
    wb = load_workbook(path)
    wb.active["B4"].fill = PatternFill(fill_type="solid", fgColor="FFF2CC")
    wb.save(path)
    report = validate_file(path)
    assert colours(report) == [N, N, N] and report.ok, report.findings


def test_three_items_marked_alike_on_their_names_are_three_marks(tmp_path: Path) -> None:
    report = validate_file(ledger(tmp_path, [item(f"事项{n}", fills={"name": "FF0000"}, shown="red")
                                             for n in range(1, 4)]))
    assert colours(report) == [R, R, R] and report.ok, report.findings


def test_every_item_marked_alike_in_judgement_is_still_marked(tmp_path: Path) -> None:
    items = [item(f"事项{n}", colour="yellow") for n in range(1, 5)]
    assert colours(validate_file(ledger(tmp_path, items))) == [Y] * 4


def test_a_filled_header_row_is_not_a_mark(tmp_path: Path) -> None:
    path = ledger(tmp_path, [item("事项一"), item("事项二", colour="blue")])
    wb = load_workbook(path)
    for c in range(1, 11):
        wb.active.cell(4, c).fill = PatternFill(fill_type="solid", fgColor="BDD7EE")
    wb.save(path)
    report = validate_file(path)
    assert colours(report) == [N, B] and report.ok


# --- text colours -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("rgb", "colour"), [
    ("0070C0", B), ("00B0F0", B), ("FF0000", R), ("C00000", R), ("FFC000", Y), ("ED7D31", Y),
])
def test_a_text_colour_alone_is_read_with_a_warning(tmp_path: Path, rgb: str, colour: Colour) -> None:
    report = validate_file(ledger(tmp_path, [item("事项一", judgement="正常推进", font=rgb)], summary=None))
    assert colours(report) == [colour]
    [warning] = found(report, "colour.font_only")
    assert warning.severity == "warning" and warning.cell == "E5"


def test_a_blue_text_colour_on_the_item_name_is_read(tmp_path: Path) -> None:
    report = validate_file(ledger(tmp_path, [item("事项一", fonts={"name": Color(theme=4)}), item("事项二")],
                                  summary=None))
    assert colours(report) == [B, N]
    assert found(report, "colour.font_only")[0].cell == "B5"
    assert "工作事项" in found(report, "colour.font_only")[0].message


def test_a_text_colour_on_the_whole_table_or_a_column_is_not_a_mark(tmp_path: Path) -> None:
    items = [item(f"事项{n}", fonts={"name": "0070C0", "target": "1F4E79"}) for n in range(1, 7)]
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [N] * 6
    assert "colour.font_only" not in codes(report)


def test_rows_in_red_text_are_red_marks(tmp_path: Path) -> None:
    """标红 often means red text: four of five rows written in red are four red items."""
    red = dict.fromkeys(ORDER, "FF0000")
    items = [item(f"事项{n}", fonts=red if n != 3 else {}, shown="red" if n != 3 else None) for n in range(1, 6)]
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [R, R, N, R, R]
    assert len(found(report, "colour.font_only")) == 4
    assert not found(report, "summary.mismatch") and not found(report, "summary.uncertain")


def test_a_fill_beats_a_text_colour(tmp_path: Path) -> None:
    report = validate_file(ledger(tmp_path, [item("事项一", colour="yellow", font="FF0000")]))
    assert colours(report) == [Y]
    assert "colour.font_only" not in codes(report) and report.ok


# --- conditional formats ------------------------------------------------------------------------------


def cf_items() -> list[dict[str, Any]]:
    return [item("推进港口船舶岸电设施建设", judgement="红色", shown="red"),
            item("船舶污染物接收转运处置", judgement="正常", shown=None),
            item("内河航道整治工程", progress="受汛期影响，进度滞后", shown="red"),
            item("港口码头建设", judgement="蓝色", shown="blue")]


CF_CASES: dict[str, list[tuple[str, Any]]] = {
    "cellIs equal on 进度评价": [("E5:E8", CellIsRule(operator="equal", formula=['"红色"'], fill=RED_DXF.fill,
                                                     font=RED_DXF.font)),
                              ("E5:E8", CellIsRule(operator="equal", formula=['"蓝色"'], fill=BLUE_DXF.fill))],
    "expression over the row": [("A5:J8", FormulaRule(formula=['$E5="红色"'], fill=RED_DXF.fill)),
                                ("A5:J8", FormulaRule(formula=['$E5="蓝色"'], fill=BLUE_DXF.fill))],
    "beginsWith": [("E5:E8", text_rule("beginsWith", "红", 'LEFT(E5,LEN("红"))="红"', RED_DXF)),
                   ("E5:E8", text_rule("beginsWith", "蓝", 'LEFT(E5,LEN("蓝"))="蓝"', BLUE_DXF))],
    "endsWith": [("E5:E8", text_rule("endsWith", "红色", 'RIGHT(E5,LEN("红色"))="红色"', RED_DXF)),
                 ("E5:E8", text_rule("endsWith", "蓝色", 'RIGHT(E5,LEN("蓝色"))="蓝色"', BLUE_DXF))],
}


@pytest.mark.parametrize("case", list(CF_CASES))
def test_conditional_formats_paint_items(tmp_path: Path, case: str) -> None:
    rules = [*CF_CASES[case],
             # 推进情况 mentioning 滞后 painted red, as Excel writes a "Text that contains" rule
             ("D5:D8", text_rule("containsText", "滞后", 'NOT(ISERROR(SEARCH("滞后",D5)))', RED_DXF))]
    report = validate_file(ledger(tmp_path, cf_items(), conditional=rules))
    assert colours(report) == [R, N, R, B]
    assert report.ok, report.findings
    assert "colour.cf_unevaluated" not in codes(report)


def test_an_expression_searching_the_progress_text_paints_the_row(tmp_path: Path) -> None:
    rules = [("A5:J8", FormulaRule(formula=['ISNUMBER(SEARCH("滞后",$D5))'], fill=YELLOW_DXF.fill))]
    items = [item("事项一"), item("事项二", progress="进度滞后", shown="yellow"), item("事项三")]
    report = validate_file(ledger(tmp_path, items, conditional=rules))
    assert colours(report) == [N, Y, N]
    assert report.items[1].colour is Y and not found(report, "colour.cells_conflict")


def test_conditional_zebra_striping_is_decoration(tmp_path: Path) -> None:
    rules = [("A5:J12", FormulaRule(formula=["MOD(ROW(),2)=0"], fill=PatternFill(bgColor="DDEBF7")))]
    report = validate_file(ledger(tmp_path, [item(f"事项{n}") for n in range(1, 8)], conditional=rules))
    assert colours(report) == [N] * 7 and report.ok


def test_an_unevaluable_rule_is_named_and_makes_the_summary_a_warning(tmp_path: Path) -> None:
    # TODAY() is not evaluated: the clerk saw 事项二 red and counted it so.
    rules = [("E5:E7", FormulaRule(formula=['AND($E5="",TODAY()>DATE(2022,3,31))'], fill=RED_DXF.fill))]
    items = [item("事项一", colour="blue"), item("事项二", shown="red"), item("事项三", shown=None)]
    report = validate_file(ledger(tmp_path, items, conditional=rules))
    [warning] = {f.message: f for f in found(report, "colour.cf_unevaluated")}.values()
    assert "E5:E7" in warning.message and warning.severity == "warning"
    assert "summary.mismatch" not in codes(report)
    uncertain = found(report, "summary.uncertain")
    assert uncertain and all(f.severity == "warning" for f in uncertain)
    assert any("B6" in f.message and "事项二" in f.message for f in uncertain)
    assert report.ok


def test_a_colour_scale_is_reported_not_guessed(tmp_path: Path) -> None:
    rules = [("B5:B6", ColorScaleRule(start_type="min", start_color="F8696B", end_type="max", end_color="63BE7B"))]
    report = validate_file(ledger(tmp_path, [item("事项一"), item("事项二")], conditional=rules))
    assert [f.cell for f in found(report, "colour.cf_unevaluated")] == ["B5"]
    assert "色阶" in found(report, "colour.cf_unevaluated")[0].message


def test_theme_coloured_dxf_fills_resolve_through_the_theme(tmp_path: Path) -> None:
    rules = [("E5:E6", CellIsRule(operator="equal", formula=['"蓝色"'], fill=BLUE_DXF.fill))]
    report = validate_file(ledger(tmp_path, [item("事项一", judgement="蓝色", shown="blue"), item("事项二")],
                                  conditional=rules))
    assert colours(report) == [B, N]


# --- never blaming the clerk for our uncertainty (issue 7.9) -----------------------------------------


def test_a_mismatch_explained_by_a_font_only_item_is_a_warning_naming_it(tmp_path: Path) -> None:
    # The clerk counted the blue-text item as unmarked; taizhang reads it blue, but not with confidence.
    items = [item("事项一", colour="red"), item("推进港口船舶岸电设施建设", fonts={"name": "0070C0"}, shown=None),
             item("事项三")]
    report = validate_file(ledger(tmp_path, items))
    assert colours(report) == [R, B, N]
    assert "summary.mismatch" not in codes(report)
    uncertain = found(report, "summary.uncertain")
    assert {f.value for f in uncertain} == {"0", "2"}  # 蓝色0项, 未标注颜色2项
    assert all("B6" in f.message and "推进港口船舶岸电设施建设" in f.message for f in uncertain)
    assert report.ok


def test_a_mismatch_on_confidently_read_items_stays_an_error(tmp_path: Path) -> None:
    items = [item("事项一", colour="red"), item("事项二", fonts={"name": "0070C0"}, shown="blue"), item("事项三")]
    sentence = auto_summary(items, "2022年4月3日").replace("红色1项", "红色2项").replace("未标注颜色1项", "未标注颜色0项")
    report = validate_file(ledger(tmp_path, items, summary=sentence))
    # 未标注 0 stated, 1 read: 事项三's reading is certain, and no reading of the blue-text item makes
    # 红色2、蓝色1、未标注0 true together: the sentence is wrong whatever that item is.
    errors = found(report, "summary.mismatch")
    assert sorted(f.value for f in errors) == ["0", "2"]
    assert not found(report, "summary.uncertain")
    assert not report.ok


def test_unrecognised_stars_explain_a_star_count_difference(tmp_path: Path) -> None:
    items = [item("事项一", stars="★★★"), item("事项二", stars="五星")]
    sentence = auto_summary([item("事项一", stars="★★★"), item("事项二", stars="★★★")], "2022年4月3日")
    report = validate_file(ledger(tmp_path, items, summary=sentence))
    assert "stars.invalid" in codes(report)  # still the clerk's to fix
    assert "summary.mismatch" not in codes(report)
    assert [f.value for f in found(report, "summary.uncertain")] == ["2"]


def test_hollow_stars_are_a_guess_that_explains_a_star_count(tmp_path: Path) -> None:
    # ☆☆☆ may be read as ★★★ (stars.normalised): a guess; the clerk counted it as ★.
    items = [item("事项一", stars="★"), item("事项二", stars="☆☆☆")]
    sentence = auto_summary([item("事项一", stars="★"), item("事项二", stars="★")], "2022年4月3日")
    report = validate_file(ledger(tmp_path, items, summary=sentence))
    assert "summary.mismatch" not in codes(report)
    uncertain = found(report, "summary.uncertain")
    assert uncertain and all("事项二" in f.message for f in uncertain)


# --- LibreOffice re-saves and .xls -------------------------------------------------------------------


def rich_ledger(tmp_path: Path) -> Path:
    items = [item("推进港口船舶岸电设施建设", fills={"name": "FF0000"}, shown="red"),
             item("船舶污染物接收转运处置", fills={"progress": Color(theme=4, tint=0.5999938962981048)}, shown="blue"),
             item("内河航道整治工程", judgement="红色", shown="red"),
             item("港口码头建设", progress="受汛期影响，进度滞后", shown="yellow"),
             item("船舶检验", fonts={"name": "FF0000"}, shown="red"),
             item("水运服务")]
    rules = [("E5:E10", CellIsRule(operator="equal", formula=['"红色"'], fill=RED_DXF.fill, font=RED_DXF.font)),
             ("A5:J10", FormulaRule(formula=['ISNUMBER(SEARCH("滞后",$D5))'], fill=YELLOW_DXF.fill))]
    return ledger(tmp_path / "src", items, conditional=rules)


RICH = [R, B, R, Y, R, N]


def test_rich_ledger_reads_right(tmp_path: Path) -> None:
    report = validate_file(rich_ledger(tmp_path))
    assert colours(report) == RICH
    assert report.ok, report.findings


@pytest.mark.libreoffice
def test_libreoffice_saved_xlsx_keeps_fills_fonts_and_conditional_formats(tmp_path: Path,
                                                                         soffice_convert: Convert) -> None:
    saved = soffice_convert(rich_ledger(tmp_path), "xlsx", tmp_path / "lo")
    report = validate_file(saved)
    assert colours(report) == RICH
    assert report.ok, report.findings


@pytest.mark.libreoffice
def test_libreoffice_xls_reads_fills_and_fonts_and_names_its_conditional_formats(tmp_path: Path,
                                                                                 soffice_convert: Convert) -> None:
    saved = soffice_convert(rich_ledger(tmp_path), "xls", tmp_path / "lo")
    report = validate_file(saved)
    # xlrd reads no conditional formats: the cell fills and text colours are read, the rules named.
    assert [i.colour for i in report.items] == [R, B, R, N, R, N]
    [warning] = found(report, "colour.cf_unevaluated")
    assert "E5:E10" in warning.message and "A5:J10" in warning.message and ".xls" in warning.message
    assert "summary.mismatch" not in codes(report)
    # The clerk saw 事项四 yellow (黄色1项、未标注颜色1项); read 黄色0项、未标注颜色2项: explained, not blamed.
    uncertain = found(report, "summary.uncertain")
    assert len(uncertain) == 2 and all("港口码头建设" in f.message for f in uncertain)
    assert report.ok


def test_xls_fills_on_other_cells_and_font_colours(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    rows = [[n, f"事项{n}", "目标", "进展", "", "王五", "综合科/赵六", "★★", "B", ""] for n in range(1, 5)]
    path = build_xls(tmp_path / "综合部.xls", rows, cell_styles={
        (0, 1): "pattern: pattern solid, fore_colour red;",
        (1, 3): "pattern: pattern solid, fore_colour pale_blue;",
        (2, 1): "font: colour blue;",
    })
    report = validate_file(path)
    assert colours(report) == [R, B, B, N]
    assert [f.cell for f in found(report, "colour.font_only")] == ["B7"]


X14 = ('<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
       'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
       '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
       '<x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}">'
       '<xm:f>数据!$A$1=$E5</xm:f><x14:dxf><fill><patternFill><bgColor rgb="FFFF0000"/></patternFill></fill>'
       '</x14:dxf></x14:cfRule><xm:sqref>E5:E7</xm:sqref></x14:conditionalFormatting>'
       '</x14:conditionalFormattings></ext></extLst>')


def test_an_excel_2010_rule_referring_to_another_sheet_is_named(tmp_path: Path) -> None:
    """Excel keeps a rule that reads another sheet in the x14 extension, with its style inline."""
    import zipfile

    src = ledger(tmp_path, [item("事项一"), item("事项二"), item("事项三")], summary=None)
    out = tmp_path / "x14.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", X14.encode() + b"</worksheet>")
            zout.writestr(info, data)
    report = validate_file(out)
    [warning] = {f.message: f for f in found(report, "colour.cf_unevaluated")}.values()
    assert warning.cell == "E5" and "E5:E7" in warning.message and "Excel 2010" in warning.message
    assert report.usable and colours(report) == [N, N, N]


def test_a_conditional_text_colour_alone_is_read_with_doubt(tmp_path: Path) -> None:
    red_text = DifferentialStyle(font=Font(color="FF0000"))
    rules = [("D5:D7", text_rule("containsText", "滞后", 'NOT(ISERROR(SEARCH("滞后",D5)))', red_text))]
    items = [item("事项一"), item("事项二", progress="进度滞后"), item("事项三")]
    report = validate_file(ledger(tmp_path, items, conditional=rules))
    assert colours(report) == [N, R, N]
    assert [f.cell for f in found(report, "colour.font_only")] == ["D6"]
    # the clerk did not count the red text as a red mark: a doubt, not 账实不符
    assert "summary.mismatch" not in codes(report) and found(report, "summary.uncertain")


def test_whole_column_ranges_and_copied_fragments(tmp_path: Path) -> None:
    rules = [("E1:E1048576", CellIsRule(operator="equal", formula=['"红色"'], fill=RED_DXF.fill)),
             ("A5:J5 A7:J7", FormulaRule(formula=['$E5="蓝色"'], fill=BLUE_DXF.fill))]
    items = [item("事项一", judgement="红色", shown="red"), item("事项二"), item("事项三", judgement="蓝色", shown="blue")]
    report = validate_file(ledger(tmp_path, items, conditional=rules))
    assert colours(report) == [R, N, B]
    assert report.ok, report.findings


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_libreoffice_keeps_decoration_apart_from_marks(tmp_path: Path, soffice_convert: Convert, fmt: str) -> None:
    items = [item(f"事项{n}", fills={"no": "D9D9D9"}) for n in range(1, 8)]
    items[1].update(fills={"no": "D9D9D9", "name": "FF0000", "progress": "FF0000"}, shown="red")
    items[4].update(fills={"no": "D9D9D9"}, fonts={"name": "0070C0"}, shown="blue")
    for n in (0, 2, 6):  # stripes on every other row around the marked ones
        items[n]["fills"] = dict.fromkeys(ORDER, "DDEBF7")
    items[4]["fills"] = dict.fromkeys(ORDER, "DDEBF7")
    src = ledger(tmp_path / "src", items)
    original = validate_file(src)
    saved = validate_file(soffice_convert(src, fmt, tmp_path / "lo"))
    assert colours(original) == colours(saved) == [N, R, N, N, B, N, N]
    assert [f.code for f in saved.findings] == [f.code for f in original.findings] == ["colour.font_only"]


def test_a_fill_on_another_cell_is_read_with_confidence_so_a_wrong_sentence_is_an_error(tmp_path: Path) -> None:
    items = [item("推进港口船舶岸电设施建设", fills={"name": "FF0000"}, shown=None), item("事项二")]
    report = validate_file(ledger(tmp_path, items))  # the sentence counts no red item
    assert sorted(f.value for f in found(report, "summary.mismatch")) == ["0", "2"]  # 红色0项, 未标注颜色2项
    assert not found(report, "summary.uncertain") and not report.ok


def test_every_reason_for_a_doubt_is_named(tmp_path: Path) -> None:
    rules = [("E5:E6", FormulaRule(formula=['TODAY()>DATE(2022,3,31)'], fill=RED_DXF.fill))]
    items = [item("事项一", fonts={"name": "0070C0"}, shown=None), item("事项二")]
    report = validate_file(ledger(tmp_path, items, conditional=rules))
    [first, *_] = found(report, "summary.uncertain")
    assert "区域 E5:E6 的条件格式无法判断；B5 只用字体颜色标注蓝色" in first.message


def test_a_rule_split_by_copied_rows_is_named_once(tmp_path: Path) -> None:
    rules = [(f"E{r}", FormulaRule(formula=['TODAY()>DATE(2022,3,31)'], fill=RED_DXF.fill)) for r in (5, 6, 7)]
    report = validate_file(ledger(tmp_path, [item("事项一"), item("事项二"), item("事项三")], conditional=rules))
    [warning] = found(report, "colour.cf_unevaluated")
    assert warning.cell == "E5" and "E5 E6 E7" in warning.message


def test_a_rule_over_whole_columns_is_named_at_its_first_item_cell(tmp_path: Path) -> None:
    rules = [("A1:J1048576", FormulaRule(formula=['TODAY()>DATE(2022,3,31)'], fill=RED_DXF.fill))]
    report = validate_file(ledger(tmp_path, [item("事项一"), item("事项二")], conditional=rules))
    [warning] = found(report, "colour.cf_unevaluated")
    assert warning.cell == "A5" and "A1:J1048576" in warning.message
