"""Layouts departments really use: cells merged over several items, split owner columns, section
lines, footer-like words inside items, Excel's escaped characters, a second ledger sheet."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from builders import build_ledger, item
from taizhang.models import Colour
from taizhang.validate import validate_file

THREE = [item("港口码头建设", stars="★★★", source="A"), item("船舶检验", stars="★★★", source="A"),
         item("航道养护", stars="★★★", source="A")]


def codes(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in report.findings]


def test_a_leader_stars_and_source_merged_over_several_items_belong_to_each(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", THREE, summary=None)
    wb = load_workbook(path)
    ws = wb.active
    for col in (6, 8, 9):  # 分管负责人, 重要程度, 任务来源
        for r in (6, 7):
            ws.cell(r, col).value = None
        ws.merge_cells(start_row=5, start_column=col, end_row=7, end_column=col)
    wb.save(path)
    report = validate_file(path)
    assert [(i.leader, i.stars, i.source) for i in report.items] == [("张三", "★★★", "A")] * 3
    assert codes(report) == ["summary.missing"]


def test_a_judgement_merged_red_over_several_items_marks_each_red(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", THREE, summary=None)
    wb = load_workbook(path)
    ws = wb.active
    ws["E5"].fill = PatternFill(fill_type="solid", fgColor="FF0000")
    ws.merge_cells("E5:E7")
    wb.save(path)
    assert [i.colour for i in validate_file(path).items] == [Colour.RED] * 3


def test_an_item_named_like_the_footer_is_still_an_item(tmp_path: Path) -> None:
    items = [item("事项1"), item("说明书编制与发布"), item("联系人制度落实"), item("事项4")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None, number=False))
    assert [i.name for i in report.items] == ["事项1", "说明书编制与发布", "联系人制度落实", "事项4"]


def test_separate_unit_and_person_columns_make_one_owner(tmp_path: Path) -> None:
    order = ("no", "name", "target", "progress", "judgement", "leader", "owner", "person", "stars", "source", "note")
    items = [item("事项一", owner="规划科", person="李四"), item("事项二", owner="", person="")]
    path = build_ledger(tmp_path / "x.xlsx", items, summary=None, order=order,
                        labels={"owner": "责任科室", "person": "责任人"})
    report = validate_file(path)
    assert report.items[0].owner == "规划科/李四"
    assert "header.duplicate_column" not in codes(report)
    assert [f.cell for f in report.findings if f.code == "item.required"] == ["G6"]


def test_names_under_one_merged_number_are_kept(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", [item("岸电建设", colour="red"), item("岸电使用")], summary=None)
    wb = load_workbook(path)
    ws = wb.active
    ws["A6"].value = None
    ws.merge_cells("A5:A6")
    wb.save(path)
    report = validate_file(path)
    assert [i.name for i in report.items] == ["岸电建设\n岸电使用"]


def test_section_lines_are_not_items(tmp_path: Path) -> None:
    items = [item("一、港口建设", target="", progress="", leader="", owner="", stars="", source="", no=""),
             *THREE[:2], item("（二）航道建设", target="", progress="", leader="", owner="", stars="", source="", no="")]
    report = validate_file(build_ledger(tmp_path / "x.xlsx", items, summary=None, number=False))
    assert [i.name for i in report.items] == ["港口码头建设", "船舶检验"]
    assert report.ok


def test_excel_escaped_characters_are_decoded(tmp_path: Path) -> None:
    src = build_ledger(tmp_path / "src.xlsx", [item("岸电QQQ建设")], summary=None)
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info).replace(b"QQQ", b"_x0031__x0032_"))
    assert validate_file(path).items[0].name == "岸电12建设"


def test_a_date_typed_as_a_number_is_still_the_date(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", THREE, date="填报日期：", summary=None)
    wb = load_workbook(path)
    ws = wb.active
    label = next(c for row in ws.iter_rows(max_row=3) for c in row if c.value == "填报日期：")
    ws.cell(label.row, label.column + 1).value = 44654  # 2022-04-03 as Excel counts days
    wb.save(path)
    assert validate_file(path).date == "2022-04-03"


def test_a_second_ledger_sheet_is_mentioned(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", THREE, summary=None)
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb.active)
    copy.title = "3月台账"
    wb.save(path)
    report = validate_file(path)
    assert report.counts.total == 3
    assert "sheet.another_ledger" in codes(report)


def test_a_two_row_header_with_sub_labels_keeps_both_columns(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "规划发展部重点工作台账"
    ws["H2"] = "填报日期：2022年4月3日"
    labels = ["序号", "工作事项", "任务目标", "推进情况", "进度评价", "分管负责人", "责任科室及责任人", None, "重要程度",
              "任务来源", "备注"]
    for c, label in enumerate(labels, start=1):
        if label is not None:
            ws.cell(4, c, label)
        if c not in (7, 8):
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
    ws.merge_cells("G4:H4")
    ws["G5"], ws["H5"] = "科室", "责任人"
    row = [1, "港口码头建设", "完成主体", "完成40%", "", "张三", "规划科", "李四", "★★", "B", ""]
    for c, value in enumerate(row, start=1):
        ws.cell(6, c, value)
    path = tmp_path / "x.xlsx"
    wb.save(path)
    report = validate_file(path)
    assert [(i.name, i.owner) for i in report.items] == [("港口码头建设", "规划科/李四")]
    assert "item.required" not in codes(report)


def test_an_instructions_sheet_with_the_header_is_passed_over(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "x.xlsx", THREE, summary=None, sheet_title="台账")
    wb = load_workbook(path)
    guide = wb.copy_worksheet(wb["台账"])
    guide.title = "填报说明"
    wb.move_sheet(guide, offset=-1)  # first, before the ledger
    wb.save(path)
    report = validate_file(path)
    assert report.sheet == "台账" and report.counts.total == 3
    assert "sheet.another_ledger" not in codes(report)
