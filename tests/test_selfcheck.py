"""The self-checking template (issue 11): 评价颜色 chosen from a list paints 进度评价, and the summary
sentence computes itself from the table — read back from the cached values LibreOffice stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlrd
from openpyxl import load_workbook

from builders import fill_template, item
from taizhang.models import Colour, Counts, FileReport
from taizhang.reading.gate import read_workbook
from taizhang.reading.ledger import parse_ledger
from taizhang.rules import STANDARD_FILLS, summary_sentence
from taizhang.validate import validate_file
from taizhang.writing import template as tpl
from taizhang.writing.selfcheck import SPARE_ROWS

LAST_SPARE = tpl.FIRST_ITEM_ROW + SPARE_ROWS - 1

# What a clerk writes in April: stars and sources (several letters too), colours chosen in 评价颜色,
# one colour written in 进度评价 instead, a 销号 item, an item that says 暂不销号, and a section heading.
CLERK_ITEMS = [
    item("推进港口船舶岸电设施建设", stars="★★★", source="AB", choice="blue"),
    item("船舶污染物接收转运处置", stars="★★", source="B", choice="red",
         progress="受检修影响，进度滞后于序时进度"),
    item("港航统计数据质量提升", stars="★", source="C", judgement="黄色"),
    item("内河航道养护", stars="★★★", source="ABCD", choice="none", note="暂不销号"),
    item("智慧港航平台一期", stars="★★", source="D", choice="yellow"),
    item("老旧码头整治", stars="★", source="C", choice="blue", note="已销号"),
    {"name": "二、航道建设"},  # typed over a row's number: see SECTION_ROW
    item("京杭运河航道整治", stars="★★", source="a,c", choice="red"),
]
SECTION_ROW = tpl.FIRST_ITEM_ROW + 6
# The table above, counted by hand: the 销号 item and the heading are not items.
EXPECTED = Counts(total=6, stars={"3": 2, "2": 3, "1": 1}, sources={"A": 3, "B": 3, "C": 3, "D": 2},
                  colours={"blue": 1, "yellow": 2, "red": 2, "none": 1})
COLOURS = {"推进港口船舶岸电设施建设": Colour.BLUE, "船舶污染物接收转运处置": Colour.RED,
           "港航统计数据质量提升": Colour.YELLOW, "内河航道养护": Colour.NONE, "智慧港航平台一期": Colour.YELLOW,
           "京杭运河航道整治": Colour.RED}


def clerk_ledger(path: Path, *, date: object = "2022年4月3日") -> Path:
    """The template for 规划发展部, filled in as a clerk does, the heading's number cleared."""
    tpl.write_template(path, "规划发展部")
    fill_template(path, CLERK_ITEMS, date=date)
    wb = load_workbook(path)
    wb.worksheets[0].cell(SECTION_ROW, 1).value = None
    wb.save(path)
    return path


def codes(report: FileReport) -> list[str]:
    return [f.code for f in report.findings]


def cached_sentence(path: Path) -> str:
    if path.suffix == ".xls":
        return str(xlrd.open_workbook(str(path)).sheet_by_index(0).cell_value(2, 0))
    return str(load_workbook(path, data_only=True).worksheets[0]["A3"].value)


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


def test_template_has_the_colour_choice_list_in_column_k(tmp_path: Path) -> None:
    ws = load_workbook(tpl.write_template(tmp_path / "t.xlsx")).worksheets[0]
    assert ws.cell(tpl.HEADER_ROW, 11).value == "评价颜色"
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    choice = by_range[f"K{tpl.FIRST_ITEM_ROW}:K{LAST_SPARE}"]
    assert (choice.type, choice.formula1, choice.errorStyle) == ("list", '"蓝色,黄色,红色,不标注"', "stop")
    assert choice.allow_blank and choice.showInputMessage and len(choice.prompt) <= 255
    assert all(ws.cell(r, 11).border.left.style == "thin" for r in range(tpl.FIRST_ITEM_ROW, tpl.LAST_ITEM_ROW + 1))


def test_the_choice_paints_the_judgement_cell_by_conditional_format(tmp_path: Path) -> None:
    ws = load_workbook(tpl.write_template(tmp_path / "t.xlsx")).worksheets[0]
    rules = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
    assert {sqref for sqref, _ in rules} == {f"E{tpl.FIRST_ITEM_ROW}:E{LAST_SPARE}"}
    painted = {rule.dxf.fill.bgColor.rgb[-6:]: rule.formula[0] for _, rule in rules}
    assert set(painted) == {STANDARD_FILLS[c] for c in (Colour.BLUE, Colour.YELLOW, Colour.RED)}
    assert '$K5="蓝色"' in painted[STANDARD_FILLS[Colour.BLUE]]


def test_the_reader_paints_and_reads_the_chosen_colour_without_doubt(tmp_path: Path) -> None:
    path = clerk_ledger(tmp_path / "规划发展部重点工作台账.xlsx")
    parsed = parse_ledger(read_workbook(path))
    first = parsed.items[0]
    assert first.choice == "蓝色" and first.choice_cell == "K5"
    assert [(m.cell, m.rgb, m.conditional) for m in first.marks] == [("E5", STANDARD_FILLS[Colour.BLUE], True)]
    report = validate_file(path)
    assert {i.name: i.colour for i in report.items if not i.closed} == COLOURS
    assert all("colour" not in i.doubts for i in report.items)
    assert report.counts.model_dump(include={"total", "stars", "sources", "colours"}) == \
        EXPECTED.model_dump(include={"total", "stars", "sources", "colours"})


def test_a_sentence_formula_never_computed_is_a_warning_not_a_mismatch(tmp_path: Path) -> None:
    # openpyxl (and prepare) write the formula without a value; nobody opened the file in Excel.
    report = validate_file(clerk_ledger(tmp_path / "规划发展部重点工作台账.xlsx"))
    found = codes(report)
    assert "summary.formula_uncached" in found
    assert not {"summary.mismatch", "summary.missing", "summary.uncertain"} & set(found)
    warning = next(f for f in report.findings if f.code == "summary.formula_uncached")
    assert warning.cell == "A3" and "保存" in warning.message


def test_a_hand_typed_wrong_sentence_over_the_formula_is_still_caught(tmp_path: Path) -> None:
    path = clerk_ledger(tmp_path / "规划发展部重点工作台账.xlsx")
    wb = load_workbook(path)
    wrong = EXPECTED.model_copy(update={"total": 7, "colours": {**EXPECTED.colours, "red": 1}})
    wb.worksheets[0]["A3"].value = summary_sentence("市港航事业发展中心", "2022年4月3日", wrong)
    wb.save(path)
    report = validate_file(path)
    mismatches = {f.message for f in report.findings if f.code == "summary.mismatch"}
    assert mismatches == {"汇总句写重点工作总数7项，台账中实际为6项，请按台账改正汇总句。",
                          "汇总句写红色1项，台账中实际为2项，请按台账改正汇总句。"}


def test_a_choice_contradicting_the_judgement_text_is_an_error_and_spares_the_sentence(tmp_path: Path) -> None:
    path = tmp_path / "综合部重点工作台账.xlsx"
    tpl.write_template(path, "综合部")
    fill_template(path, [item("岸电", choice="blue", judgement="红色：进度滞后"),
                         item("统计", choice="none", fill="FF0000")])
    report = validate_file(path)
    conflict = next(f for f in report.findings if f.code == "colour.choice_conflict")
    assert conflict.cell == "K5" and "蓝色" in conflict.message and "红色：进度滞后" in conflict.message
    cells = next(f for f in report.findings if f.code == "colour.cells_conflict")
    assert cells.cell == "K6" and "E6" in cells.message
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.NONE]
    assert all("colour" in i.doubts for i in report.items)


def test_a_hand_fill_without_a_choice_is_read_and_sends_the_clerk_to_the_list(tmp_path: Path) -> None:
    path = tmp_path / "综合部重点工作台账.xlsx"
    tpl.write_template(path, "综合部")
    fill_template(path, [item("岸电", fill="FF0000"), item("统计", judgement="黄色")])
    report = validate_file(path)
    hint = [f for f in report.findings if f.code == "colour.choice_missing"]
    assert [(f.cell, f.severity.value) for f in hint] == [("K5", "warning")]
    assert "E5" in hint[0].message and "红色" in hint[0].message
    assert [i.colour for i in report.items] == [Colour.RED, Colour.YELLOW]  # the text is counted by the formula


def test_ledgers_without_the_choice_column_read_as_before(tmp_path: Path) -> None:
    from builders import build_ledger

    path = build_ledger(tmp_path / "综合部重点工作台账.xlsx", [item("岸电", colour="red")])
    report = validate_file(path)
    assert [i.colour for i in report.items] == [Colour.RED]
    assert not {"colour.choice_conflict", "colour.choice_missing", "summary.formula_uncached"} & set(codes(report))


# --------------------------------------------------------------------------------------------
# After LibreOffice recalculates (the acceptance test)
# --------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_the_formula_sentence_is_the_tables_sentence_after_libreoffice(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    src = clerk_ledger(tmp_path / "src" / "规划发展部重点工作台账.xlsx")
    expected = summary_sentence("规划发展部", "2022年4月3日", EXPECTED)
    for fmt in ("xlsx", "xls"):
        saved = soffice_convert(src, fmt, tmp_path / fmt)
        assert cached_sentence(saved) == expected, fmt
        report = validate_file(saved)
        found = codes(report)
        assert not {"summary.mismatch", "summary.uncertain", "summary.formula_uncached",
                    "colour.cf_unevaluated"} & set(found), (fmt, report.findings)
        assert report.stated is not None and report.stated.total == 6
        assert {i.name: i.colour for i in report.items if not i.closed} == COLOURS, fmt
        assert all("colour" not in i.doubts for i in report.items), fmt


@pytest.mark.libreoffice
def test_blank_template_and_a_typed_date_after_libreoffice(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    blank = tpl.write_template(tmp_path / "src" / "空白.xlsx")
    dated = clerk_ledger(tmp_path / "src" / "规划发展部日期.xlsx", date=dt.datetime(2022, 5, 6))
    shown = cached_sentence(soffice_convert(blank, "xlsx", tmp_path / "out"))
    assert shown == tpl.placeholder_summary()  # 截至20××年×月×日，…共梳理重点工作×项…: unfilled
    report = validate_file(tmp_path / "out" / "空白.xlsx")
    assert {"summary.unfilled", "date.unfilled"} <= set(codes(report))
    assert cached_sentence(soffice_convert(dated, "xlsx", tmp_path / "out")) == \
        summary_sentence("规划发展部", "2022年5月6日", EXPECTED)


def many_items(n: int) -> tuple[list[dict[str, object]], list[str | None]]:
    """``n`` items cycling through stars, sources (several letters too), colour choices and 销号."""
    stars, sources = ("★★★", "★★", "★"), ("A", "BC", "C", "ABD", "D", "BD")
    choices: list[str | None] = ["blue", "yellow", "red", "none", None]
    items: list[dict[str, object]] = []
    picked: list[str | None] = []
    for i in range(n):
        choice = choices[i % len(choices)]
        it = item(f"重点工作{i + 1}", stars=stars[i % 3], source=sources[i % len(sources)],
                  note="销号" if i % 7 == 6 else "", shown=None if choice == "none" else choice)
        items.append(it)
        picked.append({"blue": "蓝色", "yellow": "黄色", "red": "红色", "none": "不标注"}.get(choice or ""))
    return items, picked


def test_self_checks_fit_any_ledger_sheet_and_stay_within_excels_formula_limit(tmp_path: Path) -> None:
    # prepare (i11-cycle) calls add_self_checks on its own pre-filled sheets, with more rows than 500.
    from builders import build_ledger
    from taizhang.writing.selfcheck import add_self_checks

    items, picked = many_items(8)
    path = build_ledger(tmp_path / "规划发展部.xlsx", items, extra={"评价颜色": picked})
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    add_self_checks(ws, 5, 700)
    formula = ws["A3"].value
    assert formula.startswith("=IF(") and len(formula) <= 8192  # Excel's limit on a formula
    assert "$B$5:$B$700" in formula and "$I$2" in formula  # the table's own rows and 填报日期 cell
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["K5:K700"]
    assert ws["K4"].value == "评价颜色" and ws["L4"].value is None


@pytest.mark.libreoffice
def test_self_checks_on_a_prefilled_ledger_count_thirty_items_after_libreoffice(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    from builders import auto_summary, build_ledger
    from taizhang.writing.selfcheck import add_self_checks

    items, picked = many_items(30)
    path = build_ledger(tmp_path / "src" / "规划发展部.xlsx", items, extra={"评价颜色": picked})
    wb = load_workbook(path)
    add_self_checks(wb.worksheets[0], 5, 34)
    wb.save(path)
    saved = soffice_convert(path, "xlsx", tmp_path / "out")
    assert cached_sentence(saved) == auto_summary(items, "2022年4月3日")
    report = validate_file(saved)
    assert not {"summary.mismatch", "summary.uncertain", "summary.formula_uncached"} & set(codes(report))
    assert report.counts.total == 26 and report.counts.closed == 4


@pytest.mark.libreoffice
def test_formula_and_validator_agree_on_varied_ledgers_after_libreoffice(tmp_path: Path) -> None:
    """Eight ledgers a clerk might fill (seeded): whatever mix of stars, letters, choices, colour
    words, 销号 and 暂不销号, headings and half-filled numbered rows, LibreOffice's sentence is the
    validator's sentence for the table, so a template-made ledger is never 账实不符 by itself."""
    import random

    from conftest import convert_many_with_soffice

    rng = random.Random(11)
    stars = ("★★★", "★★", "★", "")
    sources = ("A", "B", "C", "D", "AB", "BCD", "ABCD", "a", "A、C", "")
    choices = ("blue", "yellow", "red", "none", None)
    judgements = ("", "", "进展较快", "红色：进度滞后", "黄", "蓝色", "已销号", "由黄转红")
    notes = ("", "", "", "销号", "暂不销号", "申请销号", "已完成，销号")
    sources_by_path: dict[Path, int] = {}
    for n in range(8):
        items: list[dict[str, object]] = []
        for i in range(rng.randint(1, 14)):
            if rng.random() < 0.1:
                items.append({"name": rng.choice(["一、港口建设", "（二）航道"])})  # numbered: an item
                continue
            if rng.random() < 0.1:
                items.append({"name": f"只写了名称{i}"})
                continue
            it = item(f"事项{n}-{i}", stars=rng.choice(stars), source=rng.choice(sources),
                      judgement=rng.choice(judgements), note=rng.choice(notes))
            it["choice"] = rng.choice(choices)
            items.append(it)
        path = tpl.write_template(tmp_path / "src" / f"第{n}部重点工作台账.xlsx", f"第{n}部")
        fill_template(path, items)
        sources_by_path[path] = len(items)
    converted = convert_many_with_soffice(list(sources_by_path), "xlsx", tmp_path / "out")
    assert len(converted) == len(sources_by_path)
    for src, saved in converted.items():
        report = validate_file(saved)
        assert report.stated is not None, src.name
        expected = summary_sentence(report.department or "", "2022年4月3日", report.counts)
        assert cached_sentence(saved) == expected, (src.name, [(i.name, i.colour, i.closed) for i in report.items])
        assert not {"summary.mismatch", "summary.uncertain"} & set(codes(report)), (src.name, report.findings)


# --------------------------------------------------------------------------------------------
# A colour the template's sentence does not count (review of the monthly cycle)
# --------------------------------------------------------------------------------------------

# Nothing chosen in 评价颜色: a red fill made by hand, a colour word not at the start of 进度评价.
# The formula counts both as 未标注颜色, taizhang reads them red and yellow.
UNCOUNTED_ITEMS = [
    item("内河航道整治", stars="★★★", source="A", choice="blue"),
    item("港口码头建设", stars="★★★", source="A", fill="FF0000"),
    item("船闸扩能改造", stars="★★", source="B", judgement="预计较好，标黄色"),
    item("航道养护疏浚", stars="★", source="C", choice="none"),
]


def _uncounted_ledger(path: Path) -> Path:
    tpl.write_template(path, "工程建设部")
    return fill_template(path, UNCOUNTED_ITEMS, date="2022年6月3日")


def _assert_no_mismatch_for_the_uncounted_colours(report: FileReport, where: str) -> None:
    found = codes(report)
    assert "summary.mismatch" not in found, (where, report.findings)
    uncertain = [f for f in report.findings if f.code == "summary.uncertain"]
    assert uncertain and all(f.severity.value == "warning" for f in uncertain), (where, report.findings)
    assert any("K6" in f.message for f in uncertain) and any("K7" in f.message for f in uncertain), where
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.RED, Colour.YELLOW, Colour.NONE], where


def test_a_colour_the_template_sentence_does_not_count_is_no_mismatch(tmp_path: Path) -> None:
    path = _uncounted_ledger(tmp_path / "工程建设部2022年6月重点工作台账.xlsx")
    # The sentence as the formula computes it (what Excel caches), typed in: blue 1, none 3.
    wb = load_workbook(path)
    wb.worksheets[0]["A3"].value = summary_sentence("工程建设部", "2022年6月3日", Counts(
        total=4, stars={"3": 2, "2": 1, "1": 1}, sources={"A": 2, "B": 1, "C": 1, "D": 0},
        colours={"blue": 1, "yellow": 0, "red": 0, "none": 3}))
    wb.save(path)
    _assert_no_mismatch_for_the_uncounted_colours(validate_file(path), "typed")


@pytest.mark.libreoffice
def test_a_colour_the_template_sentence_does_not_count_is_no_mismatch_after_libreoffice(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    src = _uncounted_ledger(tmp_path / "src" / "工程建设部2022年6月重点工作台账.xlsx")
    for fmt in ("xlsx", "xls"):
        saved = soffice_convert(src, fmt, tmp_path / fmt)
        assert "蓝色1项，黄色0项，红色0项，未标注颜色3项" in cached_sentence(saved), fmt
        _assert_no_mismatch_for_the_uncounted_colours(validate_file(saved), fmt)
