"""The blank 附件2 template (``taizhang template``) and the shared workbook-writing helpers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from taizhang.cli import app
from taizhang.errors import TaizhangError
from taizhang.models import Colour
from taizhang.rules import (
    COLOUR_MEANING,
    COLUMNS,
    SOURCE_MEANING,
    STANDARD_FILLS,
    department_from_title,
    parse_date_text,
    parse_summary,
)
from taizhang.writing import template as tpl
from taizhang.writing.xlsx_common import (
    PAGE_FOOTER,
    atomic_save,
    atomic_write_bytes,
    fill_for,
    row_height_for,
    safe_value,
    set_text,
)

SHIPPED = Path(__file__).resolve().parents[1] / "templates" / "重点工作台账模板.xlsx"
FORMULA_LIKE = ["=1+1", "=SUM(A1:A3)", "+86 15269418299", "-较上月提升2位", "@张三", "#N/A"]

runner = CliRunner()


def saved_template(tmp_path: Path, department: str | None = None) -> Path:
    return tpl.write_template(tmp_path / "fresh.xlsx", department)


def ledger(path: Path) -> Worksheet:
    return load_workbook(path).worksheets[0]


def _side(side: Any) -> str | None:
    return side.style if side is not None else None


def fingerprint(path: Path) -> dict[str, Any]:
    """What a person sees and uses in a workbook: values, styles, merges, lists, print setup."""
    wb = load_workbook(path)
    out: dict[str, Any] = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
                           "active": wb.index(wb.active), "creator": wb.properties.creator}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c, MergedCell):
                    cells[c.coordinate] = ("merged", _side(c.border.left), _side(c.border.top))
                    continue
                cells[c.coordinate] = (
                    c.value, c.data_type, c.font.name, c.font.sz, c.font.b,
                    c.fill.fill_type, c.fill.fgColor.rgb if c.fill.fill_type else None,
                    _side(c.border.left), _side(c.border.bottom),
                    c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text, c.quotePrefix,
                )
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.promptTitle, dv.prompt, dv.errorStyle, dv.error)
                for dv in ws.data_validations.dataValidation
            ),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "print": (ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.paperSize,
                      ws.page_setup.fitToWidth, ws.page_setup.fitToHeight,
                      ws.sheet_properties.pageSetUpPr.fitToPage, ws.print_options.horizontalCentered,
                      ws.oddFooter.center.text),
            "freeze": ws.freeze_panes,
        }
    return out


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_template_command_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "规划发展部台账.xlsx"
    result = runner.invoke(app, ["template", "-o", str(out), "--department", "规划发展部"])
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "规划发展部台账.xlsx" in result.output
    assert ledger(out)["A1"].value == "规划发展部重点工作台账"


def test_template_command_default_name_is_in_the_current_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["template"]).exit_code == 0
    assert (tmp_path / "重点工作台账模板.xlsx").exists()
    assert runner.invoke(app, ["template", "--department", "规划发展部"]).exit_code == 0
    assert (tmp_path / "规划发展部重点工作台账.xlsx").exists()


def test_template_command_writes_into_a_given_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "-o", str(tmp_path), "-d", "工程建设部"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "工程建设部重点工作台账.xlsx").exists()


def test_template_command_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"a clerk's work")
    result = runner.invoke(app, ["template", "-o", str(out)])
    assert result.exit_code == 2
    assert "已存在" in result.output
    assert "Traceback" not in result.output
    assert out.read_bytes() == b"a clerk's work"

    result = runner.invoke(app, ["template", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert ledger(out)["A1"].value == "XX部室（单位）重点工作台账"


@pytest.mark.parametrize("args", [["-o", "台账.xls"], ["-o", "台账.csv"], ["--department", "规划/发展部"],
                                  ["--department", "  "]])
def test_template_command_rejects_unusable_options_with_exit_2(tmp_path: Path, args: list[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["template", *args])
    assert result.exit_code == 2
    assert "错误" in result.output
    assert list(tmp_path.iterdir()) == []


def test_template_command_has_chinese_help_with_an_example() -> None:
    result = runner.invoke(app, ["template", "--help"])
    assert result.exit_code == 0
    assert "附件2" in result.output
    assert "示例：taizhang template" in result.output


# --------------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------------


def test_shipped_template_equals_a_fresh_build(tmp_path: Path) -> None:
    assert SHIPPED.exists(), "templates/重点工作台账模板.xlsx is missing: run `taizhang template` in templates/"
    assert fingerprint(SHIPPED) == fingerprint(saved_template(tmp_path))


def test_template_is_laid_out_as_the_notice(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    assert ws.title == "重点工作台账"
    assert ws["A1"].value == "XX部室（单位）重点工作台账"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["G2"].value == "填报日期：20××年×月×日"
    # The sentence is a formula (issue 11) that shows the notice's placeholder while the table is
    # empty; what LibreOffice shows is checked in test_selfcheck.py.
    assert ws["A3"].value.startswith("=IF(")
    assert '"，市港航事业发展中心共梳理重点工作×项，其中从星标看' in ws["A3"].value
    assert [ws.cell(4, c).value for c in range(1, 11)] == [c.label for c in COLUMNS]
    assert ws["F4"].value == "分管\n负责人" and ws["G4"].value == "责任科室\n责任人"
    assert ws["A20"].value == "中心分管领导：×××"
    assert ws["E20"].value == "台账联系人：×××，260××，152×××"
    assert [ws.cell(r, 1).value for r in range(22, 26)] == list(tpl.NOTES)


def test_unfilled_template_reads_as_unfilled(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    assert department_from_title(ws["A1"].value) is None
    assert parse_date_text(ws["G2"].value) is None
    figures = parse_summary(ws["A3"].value)
    assert len(figures) == 12 and set(figures.values()) == {"×"}


def test_department_template_names_the_department(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path, "规划发展部"))
    assert ws["A1"].value == "规划发展部重点工作台账"
    assert department_from_title(ws["A1"].value) == "规划发展部"
    assert '"，规划发展部共梳理重点工作×项' in ws["A3"].value


def test_template_has_numbered_blank_rows_and_no_example_rows(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    rows = range(tpl.FIRST_ITEM_ROW, tpl.LAST_ITEM_ROW + 1)
    assert [ws.cell(r, 1).value for r in rows] == list(range(1, 16))
    assert all(ws.cell(r, c).value is None for r in rows for c in range(2, 11))
    assert all(ws.cell(r, c).border.left.style == "thin" for r in rows for c in range(1, 11))
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("示例" in t for t in texts)


def test_template_reads_as_a_ledger_with_no_items(tmp_path: Path) -> None:
    from taizhang.reading.gate import read_workbook
    from taizhang.reading.ledger import parse_ledger

    parsed = parse_ledger(read_workbook(saved_template(tmp_path)))
    assert parsed.header_row == tpl.HEADER_ROW
    assert set(parsed.columns) == {c.key for c in COLUMNS}
    assert parsed.items == []


def test_template_notes_use_the_words_of_the_rules() -> None:
    # 说明 第2、3条 are the same words as rules.SOURCE_MEANING and rules.COLOUR_MEANING.
    assert tpl.NOTES[2] == "2、“任务来源”代码。" + "；".join(f"{k}：{v}" for k, v in SOURCE_MEANING.items()) + "。"
    colours = "；".join(f"{COLOUR_MEANING[c]}标{n}" for c, n in
                       ((Colour.BLUE, "蓝色"), (Colour.YELLOW, "黄色"), (Colour.RED, "红色")))
    assert tpl.NOTES[3] == f"3、“蓝黄红”标注。{colours}；{COLOUR_MEANING[Colour.NONE]}不标颜色。"
    assert set(tpl.STAR_DETAIL) == {"★★★", "★★", "★"}


def test_template_has_dropdowns_for_stars_and_colour_and_a_prompt_for_source(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    stars, judgement, source = by_range["H5:H19"], by_range["E5:E19"], by_range["I5:I19"]
    assert (stars.type, stars.formula1, stars.errorStyle) == ("list", '"★★★,★★,★"', "stop")
    assert (judgement.type, judgement.formula1) == ("list", '"蓝色,黄色,红色"')
    assert source.type is None and all(code in source.prompt for code in "ABCD")
    for dv in by_range.values():
        assert dv.allow_blank and dv.showInputMessage
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        assert dv.error is None or (len(dv.error) <= 255 and len(dv.errorTitle) <= 32)


def test_template_prints_a4_landscape_with_the_header_on_every_page(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$4:$4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_options.horizontalCentered
    assert ws.oddFooter.center.text == PAGE_FOOTER
    assert ws.freeze_panes == "A5"
    assert [ws.column_dimensions[chr(64 + i)].width for i in range(1, 11)] == [c.width for c in COLUMNS]


def test_template_styles_title_header_and_legend(tmp_path: Path) -> None:
    ws = ledger(saved_template(tmp_path))
    assert (ws["A1"].font.name, ws["A1"].font.sz) == ("方正小标宋简体", 20)
    assert (ws["B4"].font.name, ws["B4"].font.b, ws["B4"].fill.fgColor.rgb) == ("黑体", True, "00D9D9D9")
    assert ws["C4"].alignment.wrap_text and ws["C4"].alignment.vertical == "center"
    legend = {ws.cell(r, 1).value: ws.cell(r, 1).fill for r in range(tpl.LEGEND_ROW + 1, tpl.LEGEND_ROW + 5)}
    assert legend["蓝色"].fgColor.rgb == "00" + STANDARD_FILLS[Colour.BLUE]
    assert legend["黄色"].fgColor.rgb == "00" + STANDARD_FILLS[Colour.YELLOW]
    assert legend["红色"].fgColor.rgb == "00" + STANDARD_FILLS[Colour.RED]
    assert legend["不标颜色"].fill_type is None


def test_guide_sheet_comes_after_the_ledger(tmp_path: Path) -> None:
    wb = load_workbook(saved_template(tmp_path))
    assert wb.sheetnames == ["重点工作台账", "填报说明"]
    assert wb.index(wb.active) == 0
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    text = "\n".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    for expected in ("每月5日前上报中心综合部", "特别重要", *SOURCE_MEANING.values(), "销号", "jngh2603869@163.com"):
        assert expected in text
    assert wb.properties.creator == "taizhang"


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def test_safe_value_strips_control_characters_and_passes_numbers() -> None:
    assert safe_value("规划\x00发展\x1f部\r\n第二行") == "规划发展部\n第二行"
    assert safe_value("") is None
    assert safe_value(3) == 3 and safe_value(2.5) == 2.5 and safe_value(None) is None
    assert safe_value(Colour.RED) == "red"


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_set_text_keeps_formula_like_text_as_text(tmp_path: Path, text: str) -> None:
    wb = Workbook()
    set_text(wb.active["A1"], text)
    wb.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix


@pytest.mark.libreoffice
def test_formula_like_text_stays_text_after_a_libreoffice_round_trip(tmp_path: Path, soffice_convert) -> None:
    wb = Workbook()
    for row, text in enumerate(FORMULA_LIKE, start=1):
        set_text(wb.active.cell(row, 1), text)
    src = tmp_path / "in" / "texts.xlsx"
    src.parent.mkdir()
    wb.save(src)
    back = load_workbook(soffice_convert(src, "xlsx", tmp_path / "out")).active
    assert [(back.cell(r, 1).value, back.cell(r, 1).data_type) for r in range(1, len(FORMULA_LIKE) + 1)] == [
        (text, "s") for text in FORMULA_LIKE]


def test_fill_for_gives_the_standard_fills() -> None:
    assert fill_for(Colour.RED).fgColor.rgb == "00" + STANDARD_FILLS[Colour.RED]
    assert fill_for(Colour.NONE) is None and fill_for(Colour.UNKNOWN) is None


def test_row_height_grows_with_wrapped_text() -> None:
    assert row_height_for("短", 30) < row_height_for("很长的文字" * 30, 30) < row_height_for("很长的文字" * 60, 30)


def test_atomic_save_refuses_to_overwrite_a_refused_path(tmp_path: Path) -> None:
    source = tmp_path / "部室台账.xlsx"
    source.write_bytes(b"input")
    with pytest.raises(TaizhangError, match="输入文件"):
        # a different spelling of the same path must be caught too
        atomic_save(Workbook(), tmp_path / "." / "部室台账.xlsx", refuse=[source])
    assert source.read_bytes() == b"input"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["部室台账.xlsx"]


def test_atomic_save_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    assert atomic_save(Workbook(), out, refuse=[tmp_path / "input.xlsx"]) == out
    load_workbook(out)
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]


def test_atomic_save_cleans_up_when_saving_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"old")
    wb = Workbook()

    def broken_save(filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(wb, "save", broken_save)
    with pytest.raises(RuntimeError):
        atomic_save(wb, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]


def test_atomic_write_bytes_writes_and_refuses_inputs(tmp_path: Path) -> None:
    out = atomic_write_bytes(b"docx bytes", tmp_path / "sub" / "通报.docx")
    assert out.read_bytes() == b"docx bytes"
    with pytest.raises(TaizhangError):
        atomic_write_bytes(b"x", out, refuse=[out])
    assert [p.name for p in out.parent.iterdir()] == ["通报.docx"]


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_template_converts_to_pdf_with_libreoffice(tmp_path: Path, soffice_convert) -> None:
    pdf = soffice_convert(saved_template(tmp_path), "pdf", tmp_path / "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "重点工作台账" in text
        assert "第 1 页" in text


def fill_in_template(path: Path) -> Path:
    """What a clerk does with the template: date, the sentence, three items with colours."""
    from openpyxl.styles import PatternFill

    from taizhang.models import Counts
    from taizhang.rules import summary_sentence

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(max_row=3):
        for cell in row:
            if isinstance(cell.value, str) and "填报日期" in cell.value:
                cell.value = "填报日期：2022年4月3日"
            elif isinstance(cell.value, str) and "共梳理重点工作" in cell.value:
                counts = Counts(total=3, stars={"3": 1, "2": 1, "1": 1}, sources={"A": 1, "B": 2, "C": 1, "D": 0},
                                colours={"blue": 1, "yellow": 0, "red": 1, "none": 1})
                cell.value = summary_sentence("市港航事业发展中心", "2022年4月3日", counts)
    rows = [
        ("推进港口船舶岸电设施建设", "年内建成岸电泊位10个", "已建成4个，完成年度计划40%", "蓝色", "★★★", "AB", "9BC2E6"),
        ("船舶污染物接收转运处置", "接收转运率100%", "受检修影响，进度滞后", "红色", "★★", "B", "FF0000"),
        ("港航统计数据质量提升", "差错率低于1%", "按计划推进", "", "★", "C", None),
    ]
    for r, (name, target, progress, judgement, stars, source, fill) in enumerate(rows, start=5):
        for c, value in ((2, name), (3, target), (4, progress), (5, judgement), (6, "钱卫东"), (7, "规划科/吴昊"),
                         (8, stars), (9, source)):
            ws.cell(r, c).value = value
        if fill:
            ws.cell(r, 5).fill = PatternFill(fill_type="solid", fgColor=fill)
    wb.save(path)
    return path


def test_a_filled_in_template_validates_clean(tmp_path: Path) -> None:
    from taizhang.validate import validate_file

    path = fill_in_template(tpl.write_template(tmp_path / "规划发展部重点工作台账.xlsx", "规划发展部"))
    report = validate_file(path)
    assert report.findings == [], report.findings
    assert report.department == "规划发展部" and report.date == "2022-04-03"
    assert report.counts.total == 3 and report.counts.colours == {"blue": 1, "yellow": 0, "red": 1, "none": 1}


@pytest.mark.libreoffice
def test_a_filled_in_template_saved_by_libreoffice_validates_clean(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    from taizhang.validate import validate_file

    path = fill_in_template(tpl.write_template(tmp_path / "src" / "规划发展部重点工作台账.xlsx", "规划发展部"))
    for fmt in ("xlsx", "xls"):
        report = validate_file(soffice_convert(path, fmt, tmp_path / fmt))
        assert report.findings == [], (fmt, report.findings)
        assert report.counts.total == 3
