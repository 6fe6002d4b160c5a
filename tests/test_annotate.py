"""``validate --annotate``: the copy sent back to a department, opened and printed as the clerk would.

Each copy starts with a printable 问题清单, carries every finding as a comment sized to its text, is
written only when there is something to send back, and — for an .xls — keeps the department's
fonts, widths, borders, wrapping, merged cells, row heights, fills and page setup.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from typer.testing import CliRunner

from builders import XLS_WIDTHS, build_ledger, build_month_workbook, build_xls, item
from conftest import convert_many_with_soffice
from taizhang.cli import app
from taizhang.validate import validate_file
from taizhang.writing.annotate import PROBLEM_SHEET, comment_size, write_annotated

runner = CliRunner()

CLEAN = [item("推进港口船舶岸电设施建设", colour="blue", stars="★★★", source="AB"),
         item("船舶污染物接收转运处置", colour="yellow")]
BROKEN = [item("内河航道整治", stars="★★★★", source="E", leader=""), item("水路运输市场监管", stars="3星")]


def xls_rows(n: int, *, bad_row: int | None = 2) -> list[tuple[object, ...]]:
    """``n`` 附件2 rows with paragraphs of text, as a department writes them; row ``bad_row`` has
    ★★★★ for its 重要程度 (an error)."""
    return [(i, f"内河航道整治第{i}项工程", "完成年度投资计划，推进前期工作，确保年底前开工建设。" * 2,
             "已完成工程可行性研究报告批复，正在开展初步设计及施工图设计，同步推进用地预审。" * 3, "",
             "张三", "规划科\n李四", "★★★★" if i == bad_row else "★★", "B", "")
            for i in range(1, n + 1)]


# --- a clean file --------------------------------------------------------------------------------


def test_a_clean_file_gets_no_copy_and_the_terminal_says_so(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "in" / "规划发展部.xlsx", CLEAN)
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(out)])
    assert result.exit_code == 0, result.output
    assert "规划发展部.xlsx 没有需要部室修改的问题，不必退回，未写出标注副本" in result.output
    assert not list(out.glob("*.xlsx")) if out.exists() else True
    assert "已写出标注副本" not in result.output


def test_a_workbook_of_month_sheets_is_not_sent_back_for_keeping_them(tmp_path: Path) -> None:
    # Which month sheet was read (sheet.month_chosen) asks nothing of the department.
    path = build_month_workbook(tmp_path / "in" / "规划发展部.xlsx", [("4月", "填报日期：2022年4月3日", CLEAN),
                                                                     ("5月", "填报日期：2022年5月3日", CLEAN)])
    assert [f.code for f in validate_file(path).findings] == ["sheet.month_chosen"]
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "没有需要部室修改的问题" in result.output and not (tmp_path / "out" / "规划发展部（问题标注）.xlsx").exists()
    broken = build_month_workbook(tmp_path / "in2" / "规划发展部.xlsx", [("4月", "填报日期：2022年4月3日", CLEAN),
                                                                        ("5月", "填报日期：2022年5月3日", BROKEN)])
    copy = write_annotated(validate_file(broken), broken, tmp_path / "out")
    listed = [row[4] for row in load_workbook(copy)[PROBLEM_SHEET].iter_rows(min_row=4, values_only=True)]
    assert "工作簿有多个月份的台账" in listed  # still listed when the copy is made for other findings


def test_json_says_which_files_got_a_copy_and_which_were_clean(tmp_path: Path) -> None:
    clean = build_ledger(tmp_path / "in" / "规划发展部.xlsx", CLEAN)
    broken = build_ledger(tmp_path / "in" / "污染防治部.xlsx", BROKEN, department="污染防治部", summary=None)
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(clean), str(broken), "--annotate", str(out), "--json"])
    assert result.exit_code == 1, result.output
    files = json.loads(result.stdout)["files"]
    assert (files[0]["annotation"], files[0]["annotated"]) == ("clean", None)
    assert files[1]["annotation"] == "written"
    assert Path(files[1]["annotated"]) == out / "污染防治部（问题标注）.xlsx"
    assert [p.name for p in out.glob("*.xlsx")] == ["污染防治部（问题标注）.xlsx"]
    plain = json.loads(runner.invoke(app, ["validate", str(clean), "--json"]).stdout)["files"][0]
    assert (plain["annotation"], plain["annotated"]) == (None, None)  # not asked


# --- the 问题清单 sheet and the comments ----------------------------------------------------------


def test_the_copy_starts_with_a_printable_problem_list_naming_cell_item_and_fix(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "in" / "规划发展部.xlsx", BROKEN, summary=None)
    report = validate_file(path)
    copy = write_annotated(report, path, tmp_path / "out")
    wb = load_workbook(copy)
    assert wb.sheetnames[0] == PROBLEM_SHEET and wb.active.title == "Sheet1"  # opens on the ledger
    ws = wb[PROBLEM_SHEET]
    assert "规划发展部" in ws["A1"].value and "问题清单" in ws["A1"].value
    assert [c.value for c in ws[3]] == ["序号", "级别", "单元格", "工作事项", "问题", "问题与改法"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert len(rows) == len(report.findings)
    by_cell = {r[2]: r for r in rows}
    stars = by_cell["H5"]
    assert stars[1] == "错误" and stars[3] == "内河航道整治" and "只能填 ★★★、★★ 或 ★" in stars[5]
    assert by_cell["H6"][3] == "水路运输市场监管"
    assert by_cell["F5"][3] == "内河航道整治" and "分管" in by_cell["F5"][4] + by_cell["F5"][5]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    # Top to bottom as the clerk reads the sheet: the summary (row 3) before the items.
    assert by_cell["A3"][0] < by_cell["F5"][0] < by_cell["H6"][0]
    assert ws["C4"].hyperlink is not None and ws["C4"].hyperlink.location
    # Printable: A4 portrait, one page wide, the header repeated, text wrapped, 9pt or more.
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3"
    assert all(ws.cell(4, c).alignment.wrap_text for c in range(1, 7))
    assert all(ws.cell(r, 6).font.sz >= 9 for r in range(4, 4 + len(rows)))
    assert sum(ws.column_dimensions[x].width for x in "ABCDEF") <= 110  # fits A4 portrait near 100%
    # The ledger itself: comments and outlines as before.
    assert wb["Sheet1"]["H5"].comment is not None and wb["Sheet1"]["H5"].border.left.style == "medium"


def test_a_problem_sheet_name_taken_by_the_department_is_not_overwritten(tmp_path: Path) -> None:
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", BROKEN, summary=None)
    wb = load_workbook(src)
    wb.create_sheet(PROBLEM_SHEET)["A1"] = "部室自己的问题清单"
    wb.save(tmp_path / "规划发展部.xlsx")
    path = tmp_path / "规划发展部.xlsx"
    copy = load_workbook(write_annotated(validate_file(path), path, tmp_path / "out"))
    assert copy.sheetnames[0] == f"{PROBLEM_SHEET}2"
    assert copy[PROBLEM_SHEET]["A1"].value == "部室自己的问题清单"


def _vml_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in px of every comment box, as the VML drawing stores them."""
    with zipfile.ZipFile(path) as zf:
        vml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".vml"))
    return [(float(w), float(h)) for w, h in re.findall(r"width:([\d.]+)px;\s*height:([\d.]+)px", vml)]


def test_comment_boxes_are_sized_to_their_text(tmp_path: Path) -> None:
    short, long = "【提示】请核对。", "\n".join(["【错误】" + "重要程度只能填 ★★★、★★ 或 ★，请按说明改正后重新报送。" * 3] * 3)
    (ws, hs), (wl, hl) = comment_size(short), comment_size(long)
    assert ws < wl and hs < hl
    # Every line fits: the long text at the box's width needs about hl's lines.
    assert hl >= 18 * 9
    assert comment_size("x" * 100_000)[1] <= 960  # bounded: a box never covers the whole sheet

    path = build_ledger(tmp_path / "in" / "规划发展部.xlsx", BROKEN, summary=None)
    report = validate_file(path)
    copy = write_annotated(report, path, tmp_path / "out")
    sheet = load_workbook(copy)["Sheet1"]
    texts = [c.comment.text for row in sheet.iter_rows() for c in row if c.comment]
    sizes = sorted(_vml_sizes(copy))
    assert sizes == sorted(comment_size(t) for t in texts)
    assert len(set(sizes)) > 1  # not one fixed box for every text


# --- an .xls keeps its looks -------------------------------------------------------------------------


def test_an_xls_copy_keeps_fonts_widths_borders_wrapping_heights_fills_and_page_setup(tmp_path: Path) -> None:
    xls = build_xls(tmp_path / "in" / "综合部.xls", xls_rows(6), layout=True)
    copy = write_annotated(validate_file(xls), xls, tmp_path / "out")
    ws = load_workbook(copy)["台账"]
    assert ws["A1"].font.name == "方正小标宋简体" and ws["A1"].font.sz == 18 and ws["A1"].font.b
    assert ws["A1"].alignment.horizontal == "center" and "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B4"].font.name == "黑体" and ws["B4"].font.b and ws["B4"].fill.fgColor.rgb.endswith("C0C0C0")
    assert ws["D6"].font.name == "宋体" and ws["D6"].font.sz == 10
    assert ws["D6"].alignment.wrap_text and ws["D6"].alignment.vertical == "center"
    for ref in ("A4", "D6", "J9"):
        border = ws[ref].border
        assert {border.left.style, border.right.style, border.top.style, border.bottom.style} == {"thin"}, ref
    widths = [ws.column_dimensions[chr(65 + c)].width for c in range(10)]
    assert widths == pytest.approx(XLS_WIDTHS, abs=0.01)
    assert ws.row_dimensions[1].height == 36 and ws.row_dimensions[6].height == 48
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert (ws.page_margins.left, ws.page_margins.top, ws.page_margins.bottom) == (0.6, 0.7, 0.8)
    assert ws.print_options.horizontalCentered
    assert ws.oddFooter.center.text == "&P / &N"
    # The finding is still on its cell (★★★★ in H6: the second item).
    assert ws["H6"].comment is not None and ws["H6"].border.left.style == "medium"
    assert ws["D6"].value.startswith("已完成工程可行性研究报告批复")


def test_an_unformatted_xls_still_gives_a_plain_copy(tmp_path: Path) -> None:
    xls = build_xls(tmp_path / "in" / "综合部.xls", xls_rows(2))
    copy = write_annotated(validate_file(xls), xls, tmp_path / "out")
    ws = load_workbook(copy)["台账"]
    assert ws["H6"].comment is not None and ws["B5"].value == "内河航道整治第1项工程"


def _formatted_ledger(path: Path) -> Path:
    """A ledger laid out for printing as a clerk does it in Excel: widths, fonts, wrapped bordered
    cells, A4 landscape fitted to one page wide, the header row repeated on every page."""
    items = [item(f"内河航道整治第{i}项工程", colour="blue", stars="★★★★" if i == 2 else "★★", source="B",
                  target="完成年度投资计划，推进前期工作，确保年底前开工建设。" * 2,
                  progress="已完成工程可行性研究报告批复，正在开展初步设计及施工图设计。" * 3)
             for i in range(1, 16)]
    build_ledger(path, items, summary=None)
    wb = load_workbook(path)
    ws = wb.active
    thin = Side(style="thin")
    for c, width in enumerate(XLS_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    for row in ws.iter_rows(min_row=5, max_row=4 + len(items)):
        for cell in row:
            cell.font = Font(name="宋体", size=10)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "4:4"
    wb.save(path)
    return path


def _xls_font(path: Path, row: int, col: int) -> str:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True)
    return str(book.font_list[book.xf_list[book.sheet_by_index(0).cell_xf_index(row, col)].font_index].name)


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def _ledger_only(copy: Path, dst: Path) -> Path:
    """The copy without its 问题清单: what prints of the department's own sheet."""
    wb = load_workbook(copy)
    del wb[PROBLEM_SHEET]
    wb.active = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


@pytest.mark.libreoffice
def test_xls_copies_keep_their_looks_and_print_on_as_many_pages(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    # An .xls saved by LibreOffice from a formatted .xlsx, and one written by xlwt (as WPS does).
    lo_xls = soffice_convert(_formatted_ledger(tmp_path / "src" / "规划发展部.xlsx"), "xls", tmp_path / "in")
    xlwt_xls = build_xls(tmp_path / "in" / "综合部.xls", xls_rows(15), layout=True)
    out = tmp_path / "out"
    copies = {src: write_annotated(validate_file(src), src, out) for src in (lo_xls, xlwt_xls)}

    ws = load_workbook(copies[lo_xls])["Sheet1"]
    # LibreOffice writes its Western substitute (DejaVu Sans here) as an .xls font's name when the
    # CJK font is not installed: the copy carries what the .xls says.
    assert (ws["B5"].font.name, ws["A1"].font.name) == (_xls_font(lo_xls, 4, 1), _xls_font(lo_xls, 0, 0))
    assert ws["B5"].font.sz == 10 and ws["A1"].font.sz == 18
    assert ws["D6"].alignment.wrap_text and ws["D6"].border.left.style == "thin"
    assert ws.column_dimensions["D"].width == pytest.approx(XLS_WIDTHS[3], abs=0.6)
    assert ws.column_dimensions["B"].width == pytest.approx(XLS_WIDTHS[1], abs=0.6)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$4:$4"
    # LibreOffice stores these rows at the default height, not fixed: left unfixed, they fit their text.
    assert ws.row_dimensions[6].height is None

    ledgers = {src: _ledger_only(copy, tmp_path / "only" / f"{src.stem}-ledger.xlsx") for src, copy in copies.items()}
    pdfs = convert_many_with_soffice([lo_xls, xlwt_xls, *copies.values(), *ledgers.values()], "pdf",
                                     tmp_path / "pdf")
    for src in (lo_xls, xlwt_xls):
        original, ledger, whole = _pages(pdfs[src]), _pages(pdfs[ledgers[src]]), _pages(pdfs[copies[src]])
        assert ledger == original, (src.name, original, ledger)
        assert whole == original + 1, (src.name, original, whole)  # plus the one-page 问题清单


@pytest.mark.libreoffice
def test_the_copy_renders_through_libreoffice(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "in" / "规划发展部.xlsx", BROKEN, summary=None)
    copy = write_annotated(validate_file(path), path, tmp_path / "out")
    pdfs = convert_many_with_soffice([copy], "pdf", tmp_path / "pdf")
    assert _pages(pdfs[copy]) >= 2  # the 问题清单, then the ledger
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-l", "1", str(pdfs[copy]), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "问题清单" in text and "内河航道整治" in text and "H5" in text


def test_formatting_that_cannot_be_read_never_costs_the_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An .xls whose formatting xlrd cannot give a second time still gets its plain copy: the
    # looks are a bonus, the findings are the point.
    import taizhang.writing.xls_copy as xls_copy

    xls = build_xls(tmp_path / "in" / "综合部.xls", xls_rows(2), layout=True)
    report = validate_file(xls)

    def refuse(_src: Path) -> Workbook:
        raise RuntimeError("no")

    monkeypatch.setattr(xls_copy, "_open", refuse)
    ws = load_workbook(write_annotated(report, xls, tmp_path / "out"))["台账"]
    assert ws["H6"].comment is not None and ws["B5"].value == "内河航道整治第1项工程"


@pytest.mark.libreoffice
def test_an_xls_of_the_self_checking_template_keeps_its_colour_list_painting_and_formula_in_the_copy(
        tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    # A prepared (self-checking) ledger a clerk saved as .xls in LibreOffice: the copy sent back must
    # still paint 进度评价 from 评价颜色, offer the list, and compute its sentence.
    from builders import fill_template
    from taizhang.writing import template as tpl

    src = tmp_path / "src" / "规划发展部重点工作台账.xlsx"
    src.parent.mkdir()
    tpl.write_template(src, "规划发展部")
    fill_template(src, [
        item("港航建设投资", stars="★★", source="B", choice="blue", progress="完成年度计划50%"),
        item("对上争取资金", stars="★★★", source="D", choice="red", progress="争取资金到位率低"),
        item("港口货物吞吐量", stars="★★", source="A", choice="blue", progress="落后于时序进度"),  # a hint
    ], date="2022年6月3日")
    xls = soffice_convert(src, "xls", tmp_path / "xls")
    report = validate_file(xls)
    assert "rule.should_be_red" in [f.code for f in report.findings]
    out = write_annotated(report, xls, tmp_path / "ann")
    ws = load_workbook(out)[report.sheet or ""]
    header = next(c for row in ws.iter_rows(max_row=10) for c in row if c.value == "评价颜色")
    k = header.column_letter
    assert [ws[f"{k}{r}"].value for r in range(header.row + 1, header.row + 4)] == ["蓝色", "红色", "蓝色"]
    assert any(dv.type == "list" and "不标注" in (dv.formula1 or "") and f"{k}{header.row + 1}" in dv.sqref
               for dv in ws.data_validations.dataValidation)
    rules_on_e = [r for cf in ws.conditional_formatting for r in cf.rules if f"${k}" in (r.formula or [""])[0]]
    assert len(rules_on_e) == 3
    assert str(ws["A3"].value).startswith("=")  # the sentence agreed with the table: the formula again
    shown = soffice_convert(out, "xlsx", tmp_path / "shown")
    assert "蓝色2项，黄色0项，红色1项" in str(load_workbook(shown, data_only=True)[report.sheet or ""]["A3"].value)
