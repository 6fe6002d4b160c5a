"""The consolidated workbook as the 综合部 prints and reads it (issue 10): 台账 legible at 9 pt or more
on A4 landscape, colours said in words, closed items apart and unnumbered, problem cells marked
where they are, 问题清单 in Chinese first, a chart with its counts, and the sources note."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from builders import build_ledger, item
from taizhang.config import load_config
from taizhang.errors import ConfigError
from taizhang.merge import merge_inbox
from taizhang.models import Config, Finding, MergeResult, Severity
from taizhang.rules import STANDARD_FILLS
from taizhang.writing.consolidated import ConsolidatedWriter, consolidated_bytes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHART_NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
            "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
WORD_OF_FILL = {STANDARD_FILLS[c]: w for c, w in zip(STANDARD_FILLS, "蓝黄红", strict=True)}
PAPER_POINTS = {"9": (595.28, 841.89), "8": (841.89, 1190.55)}  # A4, A3 (portrait width, height)


@pytest.fixture(scope="module")
def may() -> MergeResult:
    """The shipped May inbox: closed items, findings, a department's extra column."""
    config = load_config(EXAMPLES / "taizhang.toml")
    return merge_inbox(EXAMPLES / "2022-05", config=config, month="2022-05", date=dt.date(2022, 5, 6))


def workbook(result: MergeResult, config: Config | None = None, *, prepared: bool = True) -> bytes:
    writer = ConsolidatedWriter(config or load_config(EXAMPLES / "taizhang.toml"))
    if prepared:
        for report in result.reports:
            writer.prepare(report)
    return writer.to_bytes(result)


def effective_body_points(ws: Worksheet, body_row: int, *, digit_pixels: float = 7) -> float:
    """The printed size of the body text: its font size times the scale fit-to-width prints at.

    Column widths are Excel units, the width of a digit of the workbook's default font: 7 pixels
    (Calibri 11 at 96 dpi) in Excel and WPS, 9.4–9.6 in LibreOffice without Calibri or Carlito
    (DejaVu Sans). A column of width w is w × digit pixels × 0.75 pt wide. The printable width is
    the paper's landscape width less the side margins (inches)."""
    setup = ws.page_setup
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert setup.orientation == "landscape"
    columns = sum(round(ws.column_dimensions[chr(64 + c)].width * digit_pixels) * 0.75
                  for c in range(1, ws.max_column + 1))
    printable = PAPER_POINTS[str(setup.paperSize)][1] - (ws.page_margins.left + ws.page_margins.right) * 72
    scale = min(1.0, int(printable / columns * 100) / 100)  # Excel and LibreOffice: a whole percent, down
    sizes = {ws.cell(body_row, c).font.sz for c in range(1, ws.max_column + 1)}
    assert len(sizes) == 1
    return float(sizes.pop()) * scale


def item_rows(ws: Worksheet) -> list[int]:
    """Rows of 台账 that hold an item (a sub-heading row has its text in column A only)."""
    return [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value is not None]


# ---------------------------------------------------------------------------------------------
# 1. print size
# ---------------------------------------------------------------------------------------------


def test_the_ledger_prints_its_body_text_at_9pt_or_more_on_a4_landscape_with_its_header_repeated(
        may: MergeResult) -> None:
    ws = load_workbook(io.BytesIO(workbook(may)))["台账"]
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.print_title_rows == "$4:$4"
    assert effective_body_points(ws, item_rows(ws)[0]) == 11  # Excel, WPS: the table fits at 100%
    assert effective_body_points(ws, item_rows(ws)[0], digit_pixels=9.6) >= 9  # LibreOffice without Calibri
    for r in item_rows(ws)[:5]:  # the long columns wrap instead of widening the table
        assert ws.cell(r, 4).alignment.wrap_text


def test_the_ledger_declaration_fits_a4_landscape_at_100_percent_and_at_9pt_in_a_fallback_font() -> None:
    from taizhang import tables
    from taizhang.writing.xlsx_common import FALLBACK_DIGIT_PIXELS, print_scale

    widths = tables.LEDGER.widths
    assert print_scale(widths) == 1.0
    assert 11 * print_scale(widths, digit_pixels=FALLBACK_DIGIT_PIXELS) >= 9
    assert 11 * print_scale([w * 1.4 for w in widths], "A3", digit_pixels=FALLBACK_DIGIT_PIXELS) >= 9


def test_a3_in_taizhang_toml_lays_the_ledger_out_wider_and_still_at_9pt_or_more(may: MergeResult,
                                                                              tmp_path: Path) -> None:
    toml = tmp_path / "taizhang.toml"
    toml.write_text((EXAMPLES / "taizhang.toml").read_text(encoding="utf-8") + 'paper = "A3"\n', encoding="utf-8")
    config = load_config(toml)
    assert config.paper == "A3"
    a3 = load_workbook(io.BytesIO(workbook(may, config)))
    a4 = load_workbook(io.BytesIO(workbook(may)))
    for name in ("汇总", "台账", "问题清单"):
        assert str(a3[name].page_setup.paperSize) == a3[name].PAPERSIZE_A3
    ws = a3["台账"]
    assert ws.column_dimensions["D"].width > a4["台账"].column_dimensions["D"].width
    assert effective_body_points(ws, item_rows(ws)[0]) == 11
    assert effective_body_points(ws, item_rows(ws)[0], digit_pixels=9.6) >= 9
    assert ws.max_row == a4["台账"].max_row


def test_a_paper_other_than_a4_or_a3_is_refused_naming_its_line(tmp_path: Path) -> None:
    toml = tmp_path / "taizhang.toml"
    toml.write_text('center = "市港航事业发展中心"\npaper = "B5"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"第 2 行.*paper.*A3"):
        load_config(toml)


# ---------------------------------------------------------------------------------------------
# 2. colour in words
# ---------------------------------------------------------------------------------------------


def test_every_coloured_judgement_also_says_its_colour_in_words(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [
        item("政务信息报送", colour="blue", judgement="进展较快"),
        item("公文运转提速", colour="yellow"),
        item("督查督办", colour="red", judgement="红色：进度缓慢"),
        item("档案数字化"),
    ], department="综合部")
    result = merge_inbox(inbox, config=Config(), date=dt.date(2022, 4, 6))
    ws = load_workbook(io.BytesIO(consolidated_bytes(result, config=Config())))["台账"]
    assert ws.cell(4, 5).value == "进度评价"
    cells = [ws.cell(r, 5) for r in item_rows(ws)]
    assert [c.value for c in cells] == ["【蓝】进展较快", "【黄】", "红色：进度缓慢", None]
    for cell in cells:  # greyscale: the fill's colour is in the text
        if cell.fill.fill_type == "solid":
            assert WORD_OF_FILL[cell.fill.fgColor.rgb[-6:]] in cell.value


def test_the_examples_ledger_says_every_colour_in_words(may: MergeResult) -> None:
    ws = load_workbook(io.BytesIO(workbook(may)))["台账"]
    coloured = [ws.cell(r, 5) for r in item_rows(ws) if ws.cell(r, 5).fill.fill_type is not None]
    assert len(coloured) >= may.counts.colours["blue"] + may.counts.colours["yellow"] + may.counts.colours["red"]
    for cell in coloured:
        fill = cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else cell.fill.bgColor.rgb[-6:]
        if fill in WORD_OF_FILL:
            assert WORD_OF_FILL[fill] in (cell.value or ""), cell.coordinate


# ---------------------------------------------------------------------------------------------
# 3. numbering: open items 1…N, closed ones apart
# ---------------------------------------------------------------------------------------------


def test_open_items_are_numbered_to_the_sentences_total_and_closed_ones_follow_unnumbered(may: MergeResult) -> None:
    assert may.counts.closed > 0
    ws = load_workbook(io.BytesIO(workbook(may)))["台账"]
    rows = item_rows(ws)
    numbers = [ws.cell(r, 1).value for r in rows]
    total = may.counts.total
    assert f"共梳理重点工作{total}项" in ws["A3"].value
    assert numbers[:total] == list(range(1, total + 1))
    assert numbers[total:] == [None] * may.counts.closed
    closed_heading = next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("已销号事项"))
    assert ws.cell(closed_heading, 1).value == f"已销号事项（{may.counts.closed}项，不编序号，不计入统计）"
    assert all(r > closed_heading for r in rows[total:]) and all(r < closed_heading for r in rows[:total])
    for r in rows[total:]:
        assert "已销号" in ws.cell(r, 10).value
    # Each department's items follow a merged sub-heading row naming it and its count.
    headings = {ws.cell(m.min_row, 1).value for m in ws.merged_cells.ranges if m.min_row > 4}
    for d in may.departments:
        assert f"{d.department}（{d.counts.total}项）" in headings


# ---------------------------------------------------------------------------------------------
# 4. problem cells marked in 台账
# ---------------------------------------------------------------------------------------------


def test_cells_with_a_problem_are_hatched_in_the_ledger_with_the_message_in_a_comment(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "工程建设部.xlsx", [
        item("内河航道整治", stars="★★★★", source="A"),
        item("港口岸电建设", colour="blue", judgement="红色：进度缓慢"),
        item("航道养护", target=""),
        item("船闸维护"),
    ], department="工程建设部", summary=None)
    result = merge_inbox(inbox, config=Config(), date=dt.date(2022, 4, 6))
    report = result.reports[0]
    codes = {f.code for f in report.findings}
    assert {"stars.invalid", "colour.conflict", "item.required"} <= codes
    ws = load_workbook(io.BytesIO(consolidated_bytes(result, config=Config())))["台账"]
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    rows = dict(zip([ws.cell(r, 2).value for r in item_rows(ws)], item_rows(ws), strict=True))

    def cell(name: str, label: str) -> Cell:
        return ws.cell(rows[name], header.index(label) + 1)

    marked = {(name, label) for name in rows for label in header
              if cell(name, label).fill.fill_type not in (None, "solid")}
    assert marked == {("内河航道整治", "重要\n程度"), ("港口岸电建设", "进度评价"), ("航道养护", "任务目标")}
    for name, label in marked:
        c = cell(name, label)
        assert c.fill.fill_type == "lightUp" and c.fill.fgColor.rgb.endswith("595959")  # grey: never read as a red mark
        assert c.comment is not None
    messages = {f.code: f.message for f in report.findings}
    assert messages["stars.invalid"] in cell("内河航道整治", "重要\n程度").comment.text
    assert messages["colour.conflict"] in cell("港口岸电建设", "进度评价").comment.text
    # The hatch is over the item's own colour fill (white when it has none).
    under = STANDARD_FILLS.get(report.items[1].colour, "FFFFFF")
    assert cell("港口岸电建设", "进度评价").fill.bgColor.rgb.endswith(under)
    assert cell("船闸维护", "工作事项").comment is None


# ---------------------------------------------------------------------------------------------
# 5. 问题清单
# ---------------------------------------------------------------------------------------------


def findings_header(data: bytes) -> tuple[Worksheet, list[str]]:
    ws = load_workbook(io.BytesIO(data))["问题清单"]
    return ws, [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]


def test_the_findings_sheet_is_chinese_first_names_the_item_and_keeps_the_code_last_and_narrow(
        may: MergeResult) -> None:
    ws, header = findings_header(workbook(may))
    assert header == ["序号", "部室", "工作事项", "级别", "问题与改法", "单元格", "文件", "代码"]
    widths = {label: ws.column_dimensions[chr(65 + i)].width for i, label in enumerate(header)}
    assert widths["代码"] < widths["问题与改法"] / 2
    rows = [[ws.cell(r, c).value for c in range(1, len(header) + 1)] for r in range(3, ws.max_row + 1)]
    findings = [f for r in may.reports for f in r.findings]
    assert len(rows) >= len(findings)
    names = {it.name for r in may.reports for it in r.items}
    about_items = [r for r in rows if r[7] and r[7].split(".")[0] in ("stars", "source", "colour", "rule", "item")]
    assert about_items and all(r[2] in names for r in about_items)
    assert all(re.search("[\u4e00-\u9fff]", r[4]) for r in rows)


def test_a_finding_the_merge_adds_after_a_report_was_prepared_is_listed_too(may: MergeResult) -> None:
    other = may.model_copy(deep=True)
    writer = ConsolidatedWriter(load_config(EXAMPLES / "taizhang.toml"))
    for report in other.reports:
        writer.prepare(report)
    added = Finding(severity=Severity.ERROR, code="file.duplicate_department", message="综合部报送了两份台账。")
    other.reports[0].findings.insert(0, added)
    ws, header = findings_header(writer.to_bytes(other))
    rows = [[ws.cell(r, c).value for c in range(1, len(header) + 1)] for r in range(3, ws.max_row + 1)]
    assert rows[0][4] == added.message and rows[0][2] is None
    assert sum(1 for r in rows if r[2]) == sum(1 for r in findings_header(workbook(may))[0].iter_rows(min_row=3)
                                               if r[2].value)  # the others keep their 工作事项


def test_the_sheet_column_appears_only_when_a_finding_is_on_another_sheet(may: MergeResult) -> None:
    other = may.model_copy(deep=True)
    report = next(r for r in other.reports if r.usable)
    report.findings.append(Finding(severity=Severity.WARNING, code="sheet.another_ledger", sheet="5月（修订）",
                                   cell="A1", message="工作簿中还有一张台账工作表“5月（修订）”，只读取了第一张。"))
    ws, header = findings_header(workbook(other))
    assert header[-2:] == ["工作表", "代码"]
    column = header.index("工作表") + 1
    sheets = [ws.cell(r, column).value for r in range(3, ws.max_row + 1)]
    assert [s for s in sheets if s] == ["5月（修订）"]  # findings on the sheet that was read leave it blank


# ---------------------------------------------------------------------------------------------
# 6. the chart and the note on 汇总
# ---------------------------------------------------------------------------------------------


def test_the_chart_stacks_each_departments_colours_in_the_legends_fills_with_data_labels(may: MergeResult) -> None:
    data = workbook(may)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ET.fromstring(zf.read(charts[0]))
    bar = root.find(".//c:barChart", CHART_NS)
    assert bar is not None
    assert bar.find("c:barDir", CHART_NS).get("val") == "col"
    assert bar.find("c:grouping", CHART_NS).get("val") == "stacked"
    assert bar.find("c:overlap", CHART_NS).get("val") == "100"
    series = bar.findall("c:ser", CHART_NS)
    fills = [s.find("c:spPr/a:solidFill/a:srgbClr", CHART_NS).get("val") for s in series]
    assert fills[:3] == [STANDARD_FILLS[c] for c in STANDARD_FILLS] and len(fills) == 4
    ws = load_workbook(io.BytesIO(data))["汇总"]
    titles = [ws[s.find("c:tx/c:strRef/c:f", CHART_NS).text.split("!")[1]].value for s in series]
    assert titles == ["蓝色", "黄色", "红色", "未标注"]
    for s in series:
        labels = s.find("c:dLbls", CHART_NS)
        assert labels is not None and labels.find("c:showVal", CHART_NS).get("val") == "1"
        assert labels.find("c:numFmt", CHART_NS).get("formatCode") == "0;;;"  # a zero is not labelled


def test_a_note_under_the_summary_table_says_items_with_several_sources_count_under_each(
        may: MergeResult) -> None:
    ws = load_workbook(io.BytesIO(workbook(may)))["汇总"]
    total_row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    below = [ws.cell(r, 1).value or "" for r in range(total_row + 1, total_row + 4)]
    assert any("在每个字母下各计一次" in text and "A、B、C、D四栏之和可以大于事项数" in text for text in below)
    counts = may.counts
    assert sum(counts.sources.values()) > counts.total  # the note is needed for these very figures


# ---------------------------------------------------------------------------------------------
# determinism and the printed PDF
# ---------------------------------------------------------------------------------------------


def test_the_marked_workbook_is_the_same_bytes_rendered_while_read_or_at_the_end(may: MergeResult) -> None:
    assert workbook(may, prepared=True) == workbook(may, prepared=False)


@pytest.mark.libreoffice
def test_libreoffice_prints_the_ledger_at_9pt_or_more_on_a_sane_number_of_pages(
        may: MergeResult, tmp_path: Path, soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    xlsx = tmp_path / "汇总.xlsx"
    xlsx.write_bytes(workbook(may))
    pdf = soffice_convert(xlsx, "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 3 <= pages <= 20  # 汇总 (and its chart), 台账 of 61 items, 问题清单
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "已销号事项" in text and "【蓝】" in text and "问题与改法" in text
    # The scale LibreOffice printed 台账 at: the distance between two consecutive numbered rows
    # on a page over the height the workbook sets for the first of them. Body text is 11 pt.
    ws = load_workbook(xlsx)["台账"]
    row_of = {ws.cell(r, 1).value: r for r in item_rows(ws) if isinstance(ws.cell(r, 1).value, int)}
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    scales = []
    for page in boxes.split("<page ")[1:]:
        if "工作事项" not in page or "问题与改法" in page:
            continue
        numbers = {int(n): float(y) for x, y, n in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(\d+)</word>', page)
                   if float(x) < 80 and int(n) in row_of}
        for n, y in numbers.items():
            if n + 1 in numbers and row_of[n + 1] == row_of[n] + 1:
                scales.append((numbers[n + 1] - y) / ws.row_dimensions[row_of[n]].height)
    assert len(scales) > 20
    scale = sorted(scales)[len(scales) // 2]
    assert 11 * scale >= 9, f"台账 printed at {scale:.0%}: body text {11 * scale:.1f} pt"


def test_a_self_checking_ledgers_colour_choice_shows_as_the_judgements_colour_not_as_a_note(tmp_path: Path) -> None:
    from builders import fill_template
    from taizhang.writing.template import write_template

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = write_template(inbox / "综合部.xlsx", department="综合部")
    fill_template(path, [
        {"name": "政务信息报送", "target": "全年报送100篇", "leader": "王某", "owner": "综合科/李某",
         "stars": "★★", "source": "A", "choice": "red", "note": "按月报送"},
        {"name": "档案数字化", "target": "年底完成", "leader": "王某", "owner": "档案室/赵某",
         "stars": "★", "source": "B", "choice": "none"},
    ])
    result = merge_inbox(inbox, config=Config(), date=dt.date(2022, 4, 6))
    ws = load_workbook(io.BytesIO(consolidated_bytes(result, config=Config())))["台账"]
    rows = item_rows(ws)
    assert [ws.cell(r, 5).value for r in rows] == ["【红】", None]
    notes = [ws.cell(r, c).value for r in rows for c in range(1, ws.max_column + 1)]
    assert "按月报送" in notes and not any("评价颜色" in str(v) for v in notes if v)
