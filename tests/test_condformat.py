"""The conditional-format evaluator (taizhang.reading.condformat) on the rules clerks write."""

from __future__ import annotations

import pytest

from taizhang.reading.condformat import Unevaluable, compile_formula, paint
from taizhang.reading.grid import CondRule, RawCell, RawSheet, split_ref


def sheet(values: dict[str, object]) -> RawSheet:
    sh = RawSheet(name="Sheet1")
    for ref, value in values.items():
        sh.cells[split_ref(ref)] = RawCell(value=value)
    sh.max_row = max(r for r, _ in sh.cells)
    sh.max_col = max(c for _, c in sh.cells)
    return sh


SHEET = {"D5": "受汛期影响，进度滞后", "E5": "红色", "D6": "按计划推进", "E6": "蓝色：领先", "E7": None, "F5": 37,
         "F6": 0.5, "D7": "完成年度计划100%"}


@pytest.mark.parametrize(("formula", "row", "expected"), [
    ('$E5="红色"', 5, True),
    ('$E5="红色"', 6, False),
    ('=$E5="红色"', 5, True),  # written with its leading =
    ('ISNUMBER(SEARCH("滞后",$D5))', 5, True),
    ('ISNUMBER(SEARCH("滞后",$D5))', 6, False),
    ('NOT(ISERROR(SEARCH("滞后",D5)))', 5, True),
    ('ISNUMBER(FIND("滞后",$D5))', 5, True),
    ('LEFT($E5,2)="蓝色"', 6, True),
    ('LEFT($E5,1)="红"', 5, True),
    ('RIGHT($D5,2)="滞后"', 5, True),
    ('MID($E5,4,2)="领先"', 6, True),  # relative row: $E5 is E6 on row 6
    ('LEN($E5)=2', 5, True),
    ('COUNTIF($E5,"*红*")>0', 5, True),
    ('COUNTIF($D5:$E5,"*滞后*")', 5, True),
    ('AND($F5>30,$F5<50)', 5, True),
    ('OR($E5="黄色",$E5="红色")', 5, True),
    ('$F5*100>=50', 6, True),
    ('$F5>"a"', 5, False),  # a number is less than any text
    ('$E5=""', 7, True),  # blank equals ""
    ('$E5=0', 7, True),  # and 0
    ('ISBLANK($E5)', 7, True),
    ('$E5&"标注"="红色标注"', 5, True),
    ('IF($F5>50,TRUE,FALSE)', 5, False),
    ('IFERROR(SEARCH("x",$E5),0)=0', 5, True),
    ('TRIM("  红色 ")=$E5', 5, True),
    ('EXACT($E5,"红色")', 5, True),
    ('MOD($F5,2)=1', 5, True),
    ('AND(MOD(ROW(),2)=1,$E5<>"")', 5, True),
    ('ISNUMBER(SEARCH("完成*100%",$D5))', 7, True),  # SEARCH wildcards
])
def test_formulas_evaluate_like_excel(formula: str, row: int, expected: bool) -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [CondRule(sqref="A5:J7", ranges=[(5, 1, 7, 10)], kind="expression", formulas=[formula],
                              fill="FF0000")]
    painted = paint(sh, [row], [1])
    assert ((row, 1) in painted.fill) is expected
    assert not painted.unevaluated


@pytest.mark.parametrize("formula", [
    "TODAY()>DATE(2022,1,1)", "VLOOKUP($E5,$L$1:$M$3,2,FALSE)=1", "Sheet2!$A$1=1", "'数据'!A1=1", "{1,2}=1",
    "INDIRECT(\"E\"&ROW())=\"红色\"",
])
def test_what_is_not_understood_is_not_guessed(formula: str) -> None:
    with pytest.raises(Unevaluable):
        compile_formula(formula)


def test_relative_references_follow_the_cell() -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [CondRule(sqref="E5:E7", ranges=[(5, 5, 7, 5)], kind="expression", formulas=['E5="红色"'],
                              fill="FF0000")]
    assert set(paint(sh, [5, 6, 7], [5]).fill) == {(5, 5)}


def test_priority_and_stop_if_true() -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [
        CondRule(sqref="E5", ranges=[(5, 5, 5, 5)], kind="expression", formulas=["TRUE"], fill="FFFF00", priority=2),
        CondRule(sqref="E5", ranges=[(5, 5, 5, 5)], kind="cellIs", operator="equal", formulas=['"红色"'],
                 fill="FF0000", priority=1, stop=True),
    ]
    assert paint(sh, [5], [5]).fill == {(5, 5): "FF0000"}


@pytest.mark.parametrize(("kind", "operator", "formulas", "text", "col", "rows"), [
    ("cellIs", "equal", ['"红色"'], None, 5, {5}),
    ("cellIs", "notEqual", ['"红色"'], None, 5, {6, 7}),
    ("cellIs", "between", ["30", "40"], None, 6, {5}),
    ("cellIs", "greaterThan", ["1"], None, 6, {5}),
    ("cellIs", "greaterThan", ["1"], None, 4, {5, 6, 7}),  # text sorts after numbers, as in Excel
    ("containsText", "containsText", [], "滞后", 4, {5}),
    ("notContainsText", "notContains", [], "滞后", 4, {6, 7}),
    ("beginsWith", "beginsWith", [], "蓝", 5, {6}),
    ("endsWith", "endsWith", [], "100%", 4, {7}),
    ("containsBlanks", None, [], None, 5, {7}),
    ("notContainsBlanks", None, [], None, 5, {5, 6}),
])
def test_rule_types(kind: str, operator: str | None, formulas: list[str], text: str | None, col: int,
                    rows: set[int]) -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [CondRule(sqref="D5:F7", ranges=[(5, 4, 7, 6)], kind=kind, operator=operator, text=text,
                              formulas=formulas, fill="FF0000")]
    assert set(paint(sh, [5, 6, 7], [col]).fill) == {(r, col) for r in rows}


def test_unevaluable_rules_report_the_cells_they_cover() -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [CondRule(sqref="E5:E20", ranges=[(5, 5, 20, 5)], kind="top10", fill="FF0000")]
    result = paint(sh, [5, 6], [4, 5])
    assert not result.fill
    [(rule, cells)] = result.unevaluated
    assert rule.sqref == "E5:E20" and cells == {(5, 5), (6, 5)}


@pytest.mark.parametrize(("sqref", "bounds"), [
    ("E5:E20", [(5, 5, 20, 5)]),
    ("E:E", [(1, 5, 1_048_576, 5)]),  # a whole column
    ("5:5", [(5, 1, 5, 16_384)]),  # a whole row
    ("$A$5:$J$20 L3", [(5, 1, 20, 10), (3, 12, 3, 12)]),  # copied fragments, one range per part
    ("不是区域 !!", []),
])
def test_sqref_ranges(sqref: str, bounds: list[tuple[int, int, int, int]]) -> None:
    from taizhang.reading.xlsx import _sqref

    assert _sqref(sqref) == bounds


def test_a_hostile_formula_is_unevaluated_not_a_crash() -> None:
    sh = sheet(SHEET)
    deep = "(" * 3000 + "1" + ")" * 3000
    sh.cond_rules = [CondRule(sqref="E5", ranges=[(5, 5, 5, 5)], kind="expression", formulas=[deep], fill="FF0000"),
                     CondRule(sqref="E5", ranges=[(5, 5, 5, 5)], kind="expression", formulas=["(" * 400 + "$E5=1"
                                                                                              + ")" * 400],
                              fill="FF0000")]
    result = paint(sh, [5], [5])
    assert not result.fill and len(result.unevaluated) == 2


@pytest.mark.parametrize(("formula", "cols"), [
    ('D5<>""', {4, 5, 6}),  # column-relative: each cell tests its own column (F5 = 37)
    ('$D5<>""', {4, 5, 6, 7}),  # the row's D cell decides for the whole row
    ('AND(COLUMN()>5,$D5<>"")', {6, 7}),  # COLUMN() varies along the row
])
def test_column_relative_and_absolute_references(formula: str, cols: set[int]) -> None:
    sh = sheet(SHEET)
    sh.cond_rules = [CondRule(sqref="D5:G5", ranges=[(5, 4, 5, 7)], kind="expression", formulas=[formula],
                              fill="FF0000")]
    assert set(paint(sh, [5], [4, 5, 6, 7]).fill) == {(5, c) for c in cols}
