"""The bulletin files: the .docx 督查通报 and the .xlsx with one sheet per section."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from taizhang.errors import TaizhangError
from taizhang.models import Colour, Config, Counts, DepartmentEntry, MonthReport, MonthSnapshot, StoredItem
from taizhang.report import build_report, compare
from taizhang.rules import STANDARD_FILLS
from taizhang.store import Store
from taizhang.writing.bulletin_docx import build_bulletin, cn_ordinal, write_bulletin_docx
from taizhang.writing.bulletin_xlsx import SHEETS, write_bulletin_xlsx
from test_report import CONFIG, build_history

ISSUED = dt.date(2022, 4, 12)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MonthReport]:
    db = build_history(tmp_path_factory.mktemp("bulletin-history"))
    with Store(db) as store:
        return {m: build_report(store, m, config=CONFIG) for m in ("2022-02", "2022-04")}


@pytest.fixture(scope="module")
def april_docx(reports: dict[str, MonthReport], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docx") / "督查通报-2022-04.docx"
    return write_bulletin_docx(reports["2022-04"], out, issued=ISSUED)


def texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


# --------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------


SECTION_TITLES = ["一、总体情况", "二、报送情况", "三、进展较快事项", "四、进展缓慢事项", "五、中间位次及预计较好事项",
                  "六、账实不符、应纳未纳和应标未标情况", "七、事项变动", "八、下步工作要求"]


def test_docx_has_the_title_and_the_sections_in_order(april_docx: Path) -> None:
    paragraphs = texts(april_docx)
    assert paragraphs[0] == "重点工作台账督查通报（2022年4月）"
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、")]
    assert headings == SECTION_TITLES  # issue 10: blue, red, yellow, checks, changes, requirements
    assert "附件1" in paragraphs and "附件2" in paragraphs


def test_docx_content_follows_the_report(april_docx: Path, reports: dict[str, MonthReport]) -> None:
    report = reports["2022-04"]
    body = "\n".join(texts(april_docx))
    assert report.sentence in body
    assert report.comparison in body
    assert report.submission in body
    assert "财务部（填报日期2022年4月8日）" in body  # late, by name and date
    assert "未报送的部室（单位）：海事服务部" in body
    # 四: the red items by department, with the people responsible
    assert "本月标红色事项3项，其中连续两个月及以上标红2项" in body
    assert "编制港航发展规划。已连续3个月标红。分管负责人：李建华；责任科室/责任人：规划科/吴昊。" in body
    assert "由黄色转为红色（转差）" in body
    # 六: the 对标对表 flags under 应标未标
    assert "（三）应标未标" in body and "财务部“推进资金绩效评价”" in body
    # 七: 补录, 销号, renamed, colour changes: counted in the text, listed in 附件1
    assert "本月补录事项3项、销号2项、调整表述1项、颜色变化2项" in body and "逐项情况见附件1" in body
    changes = [[c.text for c in row.cells] for row in Document(str(april_docx)).tables[0].rows]
    assert ["补录", "规划发展部", "推进内河航道养护", "本月新增"] in [r[1:] for r in changes]
    assert ["销号", "规划发展部", "开展水运课题研究", "已标注销号"] in [r[1:] for r in changes]
    assert ["销号", "财务部", "做好年度预算编制", "本月台账未再列入，请核实是否已完成"] in [r[1:] for r in changes]
    assert ["调整表述", "规划发展部", "推进港口船舶岸电设施建设和使用", "原为“推进港口船舶岸电设施建设”"] in [
        r[1:] for r in changes]
    assert ["颜色变化", "财务部", "规范财务报销", "黄色→蓝色（好转）"] in [r[1:] for r in changes]
    # 八: an editable placeholder, the deadline from the config
    assert "此段为草稿" in body and "每月5日前" in body
    assert "2022年4月12日" in body


def test_docx_appendix_table_by_department(april_docx: Path) -> None:
    table = Document(str(april_docx)).tables[-1]  # 附件2, after 附件1 事项变动情况表
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:3] == ["部室（单位）", "报送情况", "事项数"]
    assert [r[0] for r in rows[1:]] == ["规划发展部", "财务部", "工程建设部", "海事服务部", "合计"]
    assert rows[1][1:] == ["按时", "4", "1", "0", "2", "1", "1", "1", "1"]
    assert rows[2][1] == "逾期\n4月8日"
    assert rows[4][1] == "未报送"
    assert rows[5][2] == "8"
    header = table.rows[0]._tr
    assert header.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None  # repeated on each page


def test_docx_is_an_official_document_page(april_docx: Path) -> None:
    doc = Document(str(april_docx))
    for section in doc.sections:
        sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                 section.left_margin, section.right_margin)
        assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]  # A4, 公文 margins
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.styles["通报标题"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert doc.styles["通报一级标题"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.styles["通报二级标题"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    # page numbers: a PAGE field in the odd and the even footers
    first = doc.sections[0]
    for footer in (first.footer, first.even_page_footer):
        instr = [el.text for el in footer._element.iter(qn("w:instrText"))]
        assert instr == [" PAGE "]
    # fallbacks named in the font table
    font_table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    assert "仿宋_GB2312".encode() in font_table.blob and b"w:altName" in font_table.blob


def test_docx_for_the_first_month_says_there_is_no_comparison(reports: dict[str, MonthReport]) -> None:
    doc = build_bulletin(reports["2022-02"], issued=ISSUED)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "重点工作台账督查通报（2022年2月）" in body
    assert "没有上月台账可供比较" in body
    assert "本月不统计补录、销号和颜色变化" in body
    assert "本月标红色事项1项" in body  # the month itself is still reported
    assert "附件：各部室（单位）重点工作台账情况表" in body and "附件1" in body  # the only 附件


def test_docx_refuses_to_overwrite_an_input(reports: dict[str, MonthReport], tmp_path: Path) -> None:
    precious = tmp_path / "通报.docx"
    precious.write_bytes(b"input")
    with pytest.raises(TaizhangError, match="拒绝写入"):
        write_bulletin_docx(reports["2022-04"], precious, refuse=[precious])
    assert precious.read_bytes() == b"input"
    assert list(tmp_path.iterdir()) == [precious]  # no temporary file left behind


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (4, "四"), (10, "十"), (12, "十二"), (21, "二十一")])
def test_cn_ordinal(n: int, text: str) -> None:
    assert cn_ordinal(n) == text


@pytest.mark.libreoffice
def test_docx_renders_with_libreoffice(april_docx: Path, tmp_path: Path,
                                       soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    pdf = soffice_convert(april_docx, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return
    text = "".join(subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    for words in ("重点工作台账督查通报（2022年4月）", "一、总体情况", "八、下步工作要求",
                  "各部室（单位）重点工作台账情况表", "—1—", "—2—"):
        assert words in text
    # every "、" survives line breaking (LibreOffice drops one at a justified line's end)
    assert "B级事项7项、C级事项0项" in text


# --------------------------------------------------------------------------------------------
# .xlsx
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def april_xlsx(reports: dict[str, MonthReport], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bulletin_xlsx(reports["2022-04"], tmp_path_factory.mktemp("xlsx") / "督查通报-2022-04.xlsx")


def column(ws, col: int, first: int) -> list[object]:
    return [ws.cell(r, col).value for r in range(first, ws.max_row + 1)]


def test_xlsx_has_one_sheet_per_section(april_xlsx: Path) -> None:
    wb = load_workbook(april_xlsx)
    assert wb.sheetnames == list(SHEETS)
    assert wb.sheetnames == ["总体情况", "报送情况", "进展较快事项", "进展缓慢事项", "中间位次及预计较好事项",
                             "账实不符、应纳未纳和应标未标", "事项变动", "下步工作要求", "分部室"]
    for ws in wb:
        assert ws["A1"].value == "重点工作台账督查通报（2022年4月）"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.oddFooter.center.text  # page numbers


def test_xlsx_slow_items_are_colour_highlighted(april_xlsx: Path) -> None:
    ws = load_workbook(april_xlsx)["进展缓慢事项"]
    assert ws.print_title_rows == "$3:$3"
    assert [ws.cell(3, c).value for c in (2, 3, 4)] == ["颜色", "部室", "工作事项"]
    rows = [[ws.cell(r, c).value for c in range(1, 9)] for r in range(4, ws.max_row + 1)]
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("红色", "规划发展部", "推进港口船舶岸电设施建设和使用", 1, "钱卫东"),
        ("红色", "规划发展部", "编制港航发展规划", 3, "李建华"),
        ("红色", "工程建设部", "推进航道工程建设", 2, "张明建"),
    ]
    assert all(ws.cell(r, 2).fill.fgColor.rgb.endswith(STANDARD_FILLS[Colour.RED]) for r in range(4, 7))


def test_xlsx_changes_and_submission(april_xlsx: Path) -> None:
    wb = load_workbook(april_xlsx)
    changes = wb["事项变动"]
    kinds = column(changes, 2, 5)
    assert kinds.count("补录") == 3 and kinds.count("销号") == 2 and kinds.count("调整表述") == 1
    assert kinds.count("颜色变化") == 2 and kinds.count("连续标红") == 2
    submission = wb["报送情况"]
    statuses = dict(zip(column(submission, 2, 6), column(submission, 3, 6), strict=True))
    assert statuses == {"规划发展部": "按时报送", "财务部": "逾期报送", "工程建设部": "按时报送", "海事服务部": "未报送"}
    by_department = wb["分部室"]
    assert column(by_department, 1, 4)[-2] == "合计"


def test_xlsx_never_writes_a_formula(tmp_path: Path) -> None:
    evil = "=HYPERLINK(\"http://x\",\"点我\")"
    items = [StoredItem(row=5, key="a", department="综合部", name=evil, colour=Colour.RED, leader="@SUM(A1)",
                        owner="-1+1", progress="+cmd|' /C calc'!A0")]
    month = MonthSnapshot(month="2022-04", date="2022-04-10", center="市港航事业发展中心", sentence="=1+1",
                          counts=Counts(), departments=[DepartmentEntry(department="综合部", file="a.xlsx",
                                                                        date="2022-04-03")], items=items)
    before = month.model_copy(update={"month": "2022-03", "items": [items[0].model_copy(update={"colour": Colour.YELLOW})]})
    report = compare(month, before, config=Config())
    out = write_bulletin_xlsx(report, tmp_path / "通报.xlsx")
    wb = load_workbook(out)
    seen = set()
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    assert evil in seen and "=1+1" in seen
    write_bulletin_docx(report, tmp_path / "通报.docx")  # and the .docx takes the same text as text
    assert evil in "\n".join(texts(tmp_path / "通报.docx"))


@pytest.mark.libreoffice
def test_xlsx_renders_with_libreoffice(april_xlsx: Path, tmp_path: Path,
                                       soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    pdf = soffice_convert(april_xlsx, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
