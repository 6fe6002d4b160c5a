"""Names, spellings, header labels and dates as department clerks really write them (issue 7, items 4-7)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from builders import auto_summary, build_ledger, item
from taizhang import rules
from taizhang.config import NOTICE_DEPARTMENTS
from taizhang.merge import merge_inbox, resolve_departments
from taizhang.models import Config, FileReport
from taizhang.reading.grid import split_ref
from taizhang.validate import validate_file

APRIL_5 = dt.date(2022, 4, 5)
Convert = Callable[[Path, str, Path], Path]


def codes(report: FileReport) -> list[str]:
    return [f.code for f in report.findings]


def the(report: FileReport, code: str) -> list[Any]:
    return [f for f in report.findings if f.code == code]


def clean_copy(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as the clerk meant them, for the clerk's own (correct) summary sentence."""
    out = []
    for it in items:
        stars = rules.normalise_stars(it["stars"])[0]
        source = rules.normalise_source(it["source"])[0]
        out.append({**it, "stars": stars, "source": source})
    return out


# ---------------------------------------------------------------------------------------------
# Item 4: department names as written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "dept"),
    [
        ("海事服务部2022年4月份重点工作台账", "海事服务部"),
        ("2022年4月海事服务部重点工作台账", "海事服务部"),
        ("二〇二二年四月海事服务部重点工作台账", "海事服务部"),
        ("海事服务部 4月份 重点工作台账", "海事服务部"),
        ("海事服务部重点工作台账（2022年4月）", "海事服务部"),
        ("海事服务部（2022.4）重点工作台账", "海事服务部"),
        ("财务部部室（单位）重点工作台账", "财务部"),
        ("规划发展部重点工作台帐", "规划发展部"),
        ("济宁市港航事业发展中心海事服务部2022年度重点工作台账", "海事服务部"),
        ("附件2：海事服务部重点工作台账", "海事服务部"),
        ("重点工作台账（海事服务部）", "海事服务部"),
        ("海事服务部\n重点工作台账", "海事服务部"),
        ("一号船闸管理所2022年四月重点工作台账", "一号船闸管理所"),
        ("××部室（单位）重点工作台账", None),
        ("XX部室（单位）重点工作台账", None),
        ("部室（单位）重点工作台账", None),
        ("2022年4月重点工作台账", None),
    ],
)
def test_the_title_gives_the_department_without_dates_and_template_leftovers(title: str, dept: str | None) -> None:
    assert rules.department_from_title(title) == dept


@pytest.mark.parametrize(
    ("stem", "dept"),
    [("海事服务部2022年4月份台帐", "海事服务部"), ("2022年4月海事服务部重点工作台账", "海事服务部"),
     ("二〇二二年四月海事服务部台账", "海事服务部"), ("附件2-海事服务部重点工作台账", "海事服务部"),
     ("党群工作部部室（单位）重点工作台账", "党群工作部"), ("20220403_海事服务部", "海事服务部"),
     ("XX部室（单位）重点工作台账", None), ("重点工作台账", None)],
)
def test_the_file_name_gives_the_department_without_dates_and_leftovers(stem: str, dept: str | None) -> None:
    assert rules.department_from_filename(stem) == dept


@pytest.mark.parametrize(
    ("text", "dept"),
    [("填报单位：党群工作部（盖章）", "党群工作部"), ("填报单位（盖章）：党群工作部", "党群工作部"),
     ("填报单位:党群工作部   填报日期：2022年4月3日", "党群工作部"), ("填报部门：港航中心综合部", "综合部"),
     ("填报单位：××部室（单位）", None), ("填报单位：（盖章）", None)],
)
def test_a_filing_unit_line_gives_the_department(text: str, dept: str | None) -> None:
    rest = rules.unit_label_rest(text)
    assert rest is not None
    assert (rules.clean_department(rest) if rest else None) == dept


def test_a_title_with_the_month_in_it_names_the_department(tmp_path: Path) -> None:
    for n, title in enumerate(("海事服务部2022年4月份重点工作台账", "2022年4月海事服务部重点工作台帐")):
        path = build_ledger(tmp_path / f"{n}.xlsx", [item("船舶安全检查")], title=title)
        report = validate_file(path)
        assert report.department == "海事服务部" and report.department_cell == "A1"
        assert "header.department_missing" not in codes(report)


def test_the_filing_unit_line_names_the_department_when_the_title_is_the_templates(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "台账.xlsx", [item("党建品牌创建")], title="XX部室（单位）重点工作台账",
                        unit="填报单位：党群工作部（盖章）")
    report = validate_file(path)
    assert report.department == "党群工作部"
    assert report.department_cell == "A2"
    assert report.date == "2022-04-03" and report.ok


def test_the_filing_unit_can_be_a_label_cell_with_the_name_beside_it(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "book1.xlsx", [item("党建品牌创建")], title="重点工作台账",
                        unit=("填报单位：", "党群工作部"))
    report = validate_file(path)
    assert report.department == "党群工作部" and report.department_cell == "B2"


def test_a_filing_unit_in_the_same_cell_as_the_date_gives_both(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "book1.xlsx", [item("党建品牌创建")], title="××部室（单位）重点工作台账",
                        date=None, unit="填报单位：党群工作部（盖章）        填报日期：2022年4月3日")
    report = validate_file(path)
    assert report.department == "党群工作部" and report.date == "2022-04-03"


def test_the_title_wins_over_the_filing_unit(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "a.xlsx", [item("船舶安全检查")], title="海事服务部重点工作台账",
                        unit="填报单位：（盖章）")
    assert validate_file(path).department == "海事服务部"


def test_roster_spellings_are_mapped_with_a_warning_and_not_listed_as_missing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    written = {
        "1.xlsx": "海事部重点工作台账",  # short name
        "2.xlsx": "港航中心综合部重点工作台账",  # the centre's name before it
        "3.xlsx": "财务部室重点工作台账",  # 部室 for 部
        "4.xlsx": "规划　发展部2022年4月份重点工作台账",  # full-width space, month in the title
        "5.xlsx": "ＸＸ部室（单位）重点工作台账",  # unfilled title; the filing unit says who
        "6.xlsx": "工程建设部重点工作台账",  # as in the roster: no warning
    }
    for name, title in written.items():
        build_ledger(inbox / name, [item(f"{name}事项")], title=title,
                     unit="填报单位：党群工作部（盖章）" if name == "5.xlsx" else None)
    config = Config(departments=list(NOTICE_DEPARTMENTS))
    result = merge_inbox(inbox, config=config, date=APRIL_5)
    present = {d.department for d in result.departments}
    assert present == {"海事服务部", "综合部", "财务部", "规划发展部", "党群工作部", "工程建设部"}
    assert set(result.missing) == set(NOTICE_DEPARTMENTS) - present
    mapped = {Path(r.file).name: the(r, "header.department_mapped") for r in result.reports}
    assert [f.cell for f in mapped["1.xlsx"]] == ["A1"]
    assert "“海事部”" in mapped["1.xlsx"][0].message and "“海事服务部”" in mapped["1.xlsx"][0].message
    assert "“财务部室”" in mapped["3.xlsx"][0].message
    # The centre's own name and spaces are read away with the title: nothing was mapped.
    assert mapped["2.xlsx"] == mapped["4.xlsx"] == mapped["5.xlsx"] == mapped["6.xlsx"] == []
    assert all(f.severity.value == "warning" for fs in mapped.values() for f in fs)


def test_ambiguous_or_lengthened_names_are_not_mapped(tmp_path: Path) -> None:
    roster = ["水运服务部", "海事服务部", "综合部", "第一服务站", "第二服务站"]
    written = ["服务部", "综合服务部", "服务站", "第三服务站", "水运部", "海事服务部"]
    assert resolve_departments(written, roster) == ["服务部", "综合服务部", "服务站", "第三服务站", "水运服务部",
                                                     "海事服务部"]
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "a.xlsx", [item("航运服务")], title="服务部重点工作台账")
    result = merge_inbox(inbox, config=Config(departments=roster), date=APRIL_5)
    assert "水运服务部" in result.missing and "海事服务部" in result.missing
    assert not the(result.reports[0], "header.department_mapped")


def test_a_thousand_names_resolve_quickly() -> None:
    roster = list(NOTICE_DEPARTMENTS)
    names = [f"第{n}业务部" for n in range(1000)] + [f"{roster[n % len(roster)]}" for n in range(200)]
    start = time.perf_counter()
    out = resolve_departments(names, roster)
    # a guard against the quadratic comparison (seconds at 1,000 names), with room for a loaded CI
    # machine; the speed itself is measured in benchmarks/
    assert time.perf_counter() - start < 10
    assert out[:3] == ["第0业务部", "第1业务部", "第2业务部"] and out[1000:1012] == roster


# ---------------------------------------------------------------------------------------------
# Item 5: stars and sources
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("★★☆", "★★"), ("★☆☆", "★"), ("★★★☆☆", "★★★"), ("☆☆☆", "★★★"), ("★★★（特别重要）", "★★★"),
     ("★★ 重要", "★★"), ("★（一般）", "★"), ("★★★特别重要", "★★★"), ("特别重要（★★★）", "★★★"),
     ("三星（特别重要）", "★★★"), ("★★（特别重要）", None), ("★☆★", None), ("☆★★", None), ("★★★★☆", None)],
)
def test_hollow_star_ratings_and_the_rules_own_words_are_read(text: str, expected: str | None) -> None:
    assert rules.normalise_stars(text) == (expected, expected is not None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("A（省市安排）", "A"), ("A(国家及省市级层面安排事项)", "A"), ("B 中心安排", "B"), ("C（部室安排重点工作）", "C"),
     ("D（创新类）", "D"), ("A、B", "AB"), ("A+C", "AC"), ("a", "A"), ("Ａ", "A"), ("A级", "A"), ("AB类", "AB"),
     ("B（省市安排）", None), ("C（创新类）", None), ("A1", None), ("省级", None)],
)
def test_source_letters_followed_by_the_rules_words_are_read(text: str, expected: str | None) -> None:
    assert rules.normalise_source(text) == (expected, expected is not None)


SPELLED = [
    item("港口岸电建设", stars="★★★（特别重要）", source="A（省市安排）", colour="red"),
    item("航道整治工程", stars="★★☆", source="A、B", colour="blue"),
    item("船闸运行调度", stars="★☆☆", source="a"),
    item("服务区改造", stars="★★ 重要", source="A+C", colour="yellow"),
    item("智慧港航平台", stars="★", source="Ｄ"),
]


def test_spelled_stars_and_sources_are_warnings_and_the_clerks_sentence_agrees(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", SPELLED,
                        summary=auto_summary(clean_copy(SPELLED), "2022年4月3日"))
    report = validate_file(path)
    assert report.ok, [f.message for f in report.errors]
    assert [i.stars for i in report.items] == ["★★★", "★★", "★", "★★", "★"]
    assert [i.source for i in report.items] == ["A", "AB", "A", "AC", "D"]
    assert [f.cell for f in the(report, "stars.normalised")] == ["H5", "H6", "H7", "H8"]
    assert [f.cell for f in the(report, "source.normalised")] == ["I5", "I6", "I7", "I8", "I9"]
    assert "summary.mismatch" not in codes(report)


def test_stars_that_contradict_their_words_are_still_an_error(tmp_path: Path) -> None:
    items = [item("港口岸电建设", stars="★★（特别重要）", source="B（省市安排）")]
    report = validate_file(build_ledger(tmp_path / "a.xlsx", items, summary=False))
    assert [(f.code, f.cell) for f in report.errors] == [("stars.invalid", "H5"), ("source.invalid", "I5")]


# ---------------------------------------------------------------------------------------------
# Item 6: header synonyms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key"),
    [("牵头科室", "owner"), ("责任单位", "owner"), ("责任处室", "owner"), ("牵头部门", "owner"),
     ("责任科室（责任人）", "owner"), ("责任单位及\n责任人", "owner"), ("牵头科室\n责任人", "owner"),
     ("工作任务", "name"), ("进展情况", "progress"), ("星级", "stars"), ("来源", "source"), ("分管领导", "leader"),
     ("分管\n领导", "leader"), ("重 要 程 度", "stars"), ("重要程度\n（★★★/★★/★）", "stars"),
     ("任务来源（A/B/C/D）", "source"), ("完成时限", None), ("完成时限（月底前）", None), ("配合科室", None)],
)
def test_header_synonyms_map_to_the_template_columns(label: str, key: str | None) -> None:
    col = rules.match_column(label)
    assert (col.key if col else None) == key


SYNONYMS = {"no": "序 号", "name": "工作\n任务", "progress": "进展情况", "leader": "分管领导",
            "owner": "牵头科室\n（责任人）", "stars": "星级", "source": "来源"}


def test_a_ledger_with_synonym_labels_and_extra_columns_reads_fully(tmp_path: Path) -> None:
    items = [item("港口岸电建设", colour="blue"), item("航道整治工程", stars="★★★", source="A")]
    path = build_ledger(tmp_path / "规划发展部.xlsx", items, labels=SYNONYMS,
                        extra={"完成时限": ["6月底", "12月底"]})
    report = validate_file(path)
    assert report.ok and codes(report) == []
    assert [i.name for i in report.items] == ["港口岸电建设", "航道整治工程"]
    assert report.items[1].stars == "★★★" and report.items[0].owner == "规划科/李四"
    assert report.extra_columns == ["完成时限"]


def test_owner_unit_and_person_in_two_synonym_columns_are_one_field(tmp_path: Path) -> None:
    order = ("no", "name", "target", "progress", "judgement", "leader", "owner", "person", "stars", "source")
    items = [item("港口岸电建设", owner="规划科", person="李四")]
    path = build_ledger(tmp_path / "a.xlsx", items, order=order, labels={"owner": "责任处室", "person": "责任人"})
    report = validate_file(path)
    assert report.ok and report.items[0].owner == "规划科/李四"


def header_bounds(path: Path, row: int) -> tuple[int, int]:
    ws = load_workbook(path).active
    assert ws is not None
    cols = [c.column for c in ws[row] if c.value is not None]
    return min(cols), max(cols)


def test_a_missing_column_points_inside_the_header_row(tmp_path: Path) -> None:
    order = ("no", "name", "target", "progress", "judgement", "leader", "owner", "stars", "note")
    path = build_ledger(tmp_path / "a.xlsx", [item("港口岸电建设")], order=order, summary=False)
    report = validate_file(path)
    missing = the(report, "header.missing_column")
    assert len(missing) == 1 and "任务来源" in missing[0].message
    row, col = split_ref(missing[0].cell)
    lo, hi = header_bounds(path, 4)
    assert row == 4 and lo <= col <= hi


def test_a_missing_column_points_at_the_empty_header_cell(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "a.xlsx", [item("港口岸电建设")], labels={"source": ""}, summary=False)
    missing = the(validate_file(path), "header.missing_column")
    assert [f.cell for f in missing] == ["I4"]  # the blank label where 任务来源 belongs


# ---------------------------------------------------------------------------------------------
# Item 7: dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [("二〇二二年四月三日", (2022, 4, 3)), ("二〇二二年十二月三十一日", (2022, 12, 31)), ("22.4.3", (2022, 4, 3)),
     ("22年4月3日", (2022, 4, 3)), ("2022.4.3", (2022, 4, 3)), ("2022/4/3", (2022, 4, 3)),
     ("2022-04-03", (2022, 4, 3)), ("2022年4月3日星期日", (2022, 4, 3)), ("2022年4月3号", (2022, 4, 3)),
     ("4月3日", None), ("1.2.3", None), ("2022年×月×日", None)],
)
def test_more_date_forms_are_read(text: str, date: tuple[int, int, int] | None) -> None:
    assert rules.parse_date_text(text) == date


@pytest.mark.parametrize(
    ("text", "month_day"),
    [("4月3日", (4, 3)), ("填报日期：四月三日", (4, 3)), ("4月3号", (4, 3)), ("2022年4月3日", None), ("4月", None)],
)
def test_a_date_without_a_year_is_recognised(text: str, month_day: tuple[int, int] | None) -> None:
    assert rules.parse_month_day(text) == month_day


@pytest.mark.parametrize("date", ["填报日期：二〇二二年四月三日", "填报日期：22.4.3", "填报日期：2022年4月3日星期日",
                                  "填报日期：2022/4/3", "填报日期：2022-04-03"])
def test_date_forms_in_a_workbook(tmp_path: Path, date: str) -> None:
    path = build_ledger(tmp_path / "a.xlsx", [item("港口岸电建设")], date=date, summary=False)
    report = validate_file(path)
    assert report.date == "2022-04-03"
    assert not any(c.startswith("date.") for c in codes(report))


SENTENCE_NO_YEAR = auto_summary([item("港口岸电建设")], "4月3日")


@pytest.mark.parametrize(
    ("summary", "title", "stem", "source", "year"),
    [
        (auto_summary([item("港口岸电建设")], "2021年4月3日"), "规划发展部2022年重点工作台账", "规划发展部2023年4月",
         "汇总句", 2021),
        (SENTENCE_NO_YEAR, "规划发展部2022年4月份重点工作台账", "规划发展部2023年4月", "标题", 2022),
        (SENTENCE_NO_YEAR, "规划发展部重点工作台账", "规划发展部-2023-04", "文件名", 2023),
    ],
)
def test_the_year_of_a_month_day_date_comes_from_the_summary_title_or_file_name(
        tmp_path: Path, summary: str, title: str, stem: str, source: str, year: int) -> None:
    path = build_ledger(tmp_path / f"{stem}.xlsx", [item("港口岸电建设")], title=title, date="填报日期：4月3日",
                        summary=summary)
    report = validate_file(path)
    assert report.date == f"{year}-04-03"
    inferred = the(report, "date.year_inferred")
    assert [f.cell for f in inferred] == ["H2"]
    assert source in inferred[0].message and f"{year}年4月3日" in inferred[0].message
    assert report.ok


def test_the_year_comes_from_the_merged_month_when_nothing_else_says_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "规划发展部.xlsx", [item("港口岸电建设")], date="填报日期：4月3日", summary=SENTENCE_NO_YEAR)
    build_ledger(inbox / "综合部.xlsx", [item("公文办理")], department="综合部")
    alone = validate_file(inbox / "规划发展部.xlsx")
    assert alone.date is None and "date.unreadable" in codes(alone)
    for month in ("2022-04", None):  # given, or the month most dates fall in
        result = merge_inbox(inbox, config=Config(), month=month, date=APRIL_5)
        entry = next(d for d in result.departments if d.department == "规划发展部")
        assert entry.date == "2022-04-03" and not entry.late
        report = next(r for r in result.reports if r.department == "规划发展部")
        assert "汇总月份" in the(report, "date.year_inferred")[0].message


# ---------------------------------------------------------------------------------------------
# All of it, saved again by LibreOffice
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_libreoffice_resaved_ledger_is_read_the_same(tmp_path: Path, soffice_convert: Convert, fmt: str) -> None:
    src = build_ledger(tmp_path / "src" / "台账.xlsx", SPELLED, title="2022年4月海事服务部重点工作台帐",
                       labels=SYNONYMS, date="填报日期：4月3日",
                       summary=auto_summary(clean_copy(SPELLED), "2022年4月3日"), extra={"完成时限": ["6月底"] * 5})
    out = soffice_convert(src, fmt, tmp_path / "lo")
    for path in (src, out):
        report = validate_file(path)
        assert report.department == "海事服务部" and report.date == "2022-04-03"
        assert report.ok, [f.message for f in report.errors]
        assert [i.stars for i in report.items] == ["★★★", "★★", "★", "★★", "★"]
        assert [i.source for i in report.items] == ["A", "AB", "A", "AC", "D"]
        assert report.counts.colours == {"blue": 1, "yellow": 1, "red": 1, "none": 2}
        assert len(the(report, "stars.normalised")) == 4 and len(the(report, "source.normalised")) == 5
        assert the(report, "date.year_inferred")[0].cell == "I2"  # the date cell, beside the extra column


def test_a_missing_column_never_points_into_a_merged_label(tmp_path: Path) -> None:
    # 责任科室及责任人 drawn over two columns (科室 | 责任人 below), and no 任务来源 column at all.
    order = ("no", "name", "target", "progress", "judgement", "leader", "owner", "person", "stars", "note")
    path = build_ledger(tmp_path / "a.xlsx", [item("港口岸电建设", owner="规划科", person="李四")], order=order,
                        labels={"owner": "责任科室及责任人", "person": None}, summary=False)
    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws.merge_cells("G4:H4")
    wb.save(path)
    report = validate_file(path)
    missing = the(report, "header.missing_column")
    assert [f.cell for f in missing] == ["A4"]  # no empty label of its own: the header's first cell
    assert report.items[0].owner == "规划科/李四"


def test_a_december_date_in_a_january_merge_is_last_years(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", [item("港口岸电建设")], date="填报日期：12月30日",
                        summary=auto_summary([item("港口岸电建设")], "12月30日"))
    assert validate_file(path, month="2023-01").date == "2022-12-30"
    assert validate_file(path, month="2022-12").date == "2022-12-30"
