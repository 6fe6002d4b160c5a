"""The 督查通报 as an editable Word document (python-docx), in the look of a Chinese official document.

Layout after GB/T 9704 (党政机关公文格式): A4; margins 上37mm 下35mm 左28mm 右26mm; title in
方正小标宋简体 二号; 一级标题 (一、) in 黑体, 二级标题 (（一）) in 楷体_GB2312, body in 仿宋_GB2312 三号
(16pt) on a fixed 29pt line (22 lines a page); page numbers ``— 1 —`` in 宋体 四号 below the text,
right on odd pages and left on even pages. Every font is set for East-Asian text too
(``w:rFonts w:eastAsia``), and the font table names the font Word uses where one is missing
(仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体); LibreOffice substitutes through
fontconfig.

The document is built in memory and written with ``atomic_write_bytes``: never half-written,
never over an input.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .. import tables
from ..fileio import atomic_write_bytes
from ..models import (
    BulletinSection,
    Colour,
    MonthReport,
    ResponsibleItem,
    SectionKind,
    SectionRow,
)
from ..progress import BASIS_NAMES, format_share
from ..report import CHANGE_KINDS, NOT_LISTED, bulletin_sections, people_text
from ..rules import COLOUR_NAMES, STANDARD_FILLS, format_date_cn, iso_date_cn, month_cn, xml_text

# --------------------------------------------------------------------------------------------
# Fonts and sizes (公文: 二号 22pt, 三号 16pt, 四号 14pt, 五号 10.5pt)
# --------------------------------------------------------------------------------------------

TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
# What Word shows where the font is not installed (w:altName of the font table): Windows ships
# 仿宋, 楷体, 黑体 and 宋体, but not the GB2312 variants or 方正小标宋简体.
# Also each font's family (roman: with serifs, swiss: without), which guides substitution.
FALLBACKS = {TITLE_FONT: ("宋体", "roman"), H2_FONT: ("楷体", "roman"), BODY_FONT: ("仿宋", "roman"),
             H1_FONT: ("SimHei", "swiss"), PAGE_NUMBER_FONT: ("SimSun", "roman")}

SIZE_TITLE = Pt(22)
SIZE_BODY = Pt(16)
SIZE_PAGE_NUMBER = Pt(14)
SIZE_TABLE = Pt(10.5)
LINE = Pt(29)  # 22 lines on the 225mm of text height
INDENT = Pt(32)  # two characters of 三号

MAX_PROGRESS_CHARS = 120  # 推进情况 quoted in 三、 is cut here ("……"); the full text is in the ledgers

STYLE_TITLE = "通报标题"
STYLE_H1 = "通报一级标题"
STYLE_H2 = "通报二级标题"
STYLE_TABLE = "通报表格文字"


def _set_fonts(rpr_owner: ParagraphStyle | Run, name: str) -> None:
    """One font for Latin and East-Asian text alike (``w:ascii``, ``w:hAnsi``, ``w:eastAsia``)."""
    rpr_owner.font.name = name
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _outline(style: ParagraphStyle, level: int) -> None:
    """Headings show in Word's navigation pane (``w:outlineLvl``, the last of the style's pPr)."""
    ppr = style.element.get_or_add_pPr()
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    ppr.append(el)


def _paragraph_style(doc: DocxDocument, name: str, font: str, size: Pt, *, bold: bool = False,
                     align: WD_ALIGN_PARAGRAPH | None = None, indent: Pt | None = INDENT,
                     line: Pt | None = LINE, outline: int | None = None) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    _set_fonts(style, font)
    style.font.size = size
    style.font.bold = bold
    fmt = style.paragraph_format
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = indent
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    if outline is not None:
        fmt.keep_with_next = True
        _outline(style, outline)
    return style


def _setup_styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    _set_fonts(normal, BODY_FONT)
    normal.font.size = SIZE_BODY
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.first_line_indent = INDENT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    # Left, not justified: LibreOffice's justification drops a "、" ending a line before Latin text
    # ("B级事项7项、|C级事项"); with fixed-width Chinese characters the right edge barely differs.
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.widow_control = True
    # Chinese line breaking and proofing language for the whole document.
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    # Latin text (years, numbers) breaks as Latin: "2022" never splits across lines.
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    _paragraph_style(doc, STYLE_TITLE, TITLE_FONT, SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                     line=Pt(36), outline=None)
    _paragraph_style(doc, STYLE_H1, H1_FONT, SIZE_BODY, outline=0)
    _paragraph_style(doc, STYLE_H2, H2_FONT, SIZE_BODY, outline=1)
    _paragraph_style(doc, STYLE_TABLE, BODY_FONT, SIZE_TABLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                     line=None)


def _font_table_fallbacks(doc: DocxDocument) -> None:
    """Name a font Word can use instead of each one that may be missing (``w:altName``)."""
    part = next((p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None or not hasattr(part, "_blob"):
        return
    root = parse_xml(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family) in FALLBACKS.items():
        if name in have:
            continue
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family),
                           ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        root.append(font)
    part._blob = serialize_part_xml(root)


# --------------------------------------------------------------------------------------------
# Page setup and page numbers
# --------------------------------------------------------------------------------------------


def _page_number_field(paragraph: Paragraph) -> None:
    """``— PAGE —`` as a field Word and LibreOffice fill in."""

    def run(text: str | None = None) -> Run:
        r = paragraph.add_run(text)
        _set_fonts(r, PAGE_NUMBER_FONT)
        r.font.size = SIZE_PAGE_NUMBER
        return r

    run("— ")
    begin = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin._r.append(fld)
    instr = run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = " PAGE "
    instr._r.append(text)
    sep = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "separate")
    sep._r.append(fld)
    run("1")
    end = run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._r.append(fld)
    run(" —")


def _setup_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(24)  # the number's dash about 7mm below the text
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # 公文: one character in from the edge of the text block.
        if align is WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = SIZE_PAGE_NUMBER
        else:
            fmt.left_indent = SIZE_PAGE_NUMBER
        _page_number_field(p)


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

CN_ORDINALS = "一二三四五六七八九十"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (for （一）（二）…)."""
    if n <= 10:
        return CN_ORDINALS[n - 1]
    if n < 20:
        return "十" + CN_ORDINALS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_ORDINALS[tens - 1] + "十" + (CN_ORDINALS[ones - 1] if ones else "")


def _short(text: str, limit: int = MAX_PROGRESS_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip("，,；;。 ") + "……"


def _end(text: str) -> str:
    """End a sentence with 。 unless it already ends with punctuation."""
    text = text.rstrip()
    return text if not text or text[-1] in "。！？；…" else text + "。"


def _p(doc: DocxDocument, text: str = "", style: str | None = None, *, bold_lead: str = "") -> Paragraph:
    p = doc.add_paragraph(style=style)
    if bold_lead:
        p.add_run(xml_text(bold_lead)).bold = True
    if text:
        p.add_run(xml_text(text))
    return p


def _h1(doc: DocxDocument, text: str) -> Paragraph:
    return doc.add_paragraph(xml_text(text), style=STYLE_H1)


def _h2(doc: DocxDocument, text: str) -> Paragraph:
    return doc.add_paragraph(xml_text(text), style=STYLE_H2)


def _people_line(entry: ResponsibleItem, change: str | None) -> str:
    notes = []
    if entry.colour is Colour.RED and entry.months >= 2:
        notes.append(f"已连续{entry.months}个月标红")
    elif entry.colour is Colour.YELLOW and entry.months >= 2:
        notes.append(f"已连续{entry.months}个月标黄")
    if change:
        notes.append(f"由{change}")
    text = f"{entry.item}。"
    if notes:
        text += "，".join(notes) + "。"
    text += _end(people_text(entry))
    if entry.progress:
        text += "推进情况：" + _end(_short(entry.progress))
    return text


def _slow_items(doc: DocxDocument, rows: Sequence[SectionRow]) -> None:
    """One numbered department paragraph, then its items with the people responsible."""
    for number, (department, grouped) in enumerate(groupby(rows, key=lambda r: r.department), start=1):
        entries = list(grouped)
        lead = _p(doc, bold_lead=f"{number}.{department}（{len(entries)}项）")
        lead.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        for i, entry in enumerate(entries, start=1):
            people = entry.responsible or ResponsibleItem(item=entry.item, colour=Colour.UNKNOWN)
            _p(doc, f"（{i}）" + _people_line(people, entry.detail.replace("→", "转为") or None))


def _list_by_department(doc: DocxDocument, rows: Iterable[tuple[str, str]], empty: str) -> None:
    """``规划发展部：甲、乙。`` one paragraph per department, in the order given."""
    grouped: dict[str, list[str]] = {}
    for department, text in rows:
        grouped.setdefault(department, []).append(text)
    if not grouped:
        _p(doc, empty)
        return
    for department, texts in grouped.items():
        _p(doc, _end("；".join(texts)), bold_lead=f"{department}：")


# --------------------------------------------------------------------------------------------
# The bulletin
# --------------------------------------------------------------------------------------------


def build_bulletin(report: MonthReport, *, issued: dt.date | None = None) -> DocxDocument:
    """The 督查通报 of ``report`` as a python-docx Document (not yet saved)."""
    issued = issued or dt.date.today()
    doc = Document()
    _setup_styles(doc)
    _font_table_fallbacks(doc)
    _setup_page(doc)
    month = month_cn(report.month)
    title = f"重点工作台账督查通报（{month}）"
    props = doc.core_properties
    props.title = title
    props.subject = f"{report.center}重点工作台账督查通报"
    props.author = f"{report.center}综合部"
    props.language = "zh-CN"

    doc.add_paragraph(title, style=STYLE_TITLE)
    doc.add_paragraph("", style=STYLE_TITLE)
    _p(doc, "各部室（单位）：").paragraph_format.first_line_indent = Pt(0)
    _p(doc, f"根据《关于建立健全重点工作台账制度的通知》（济航〔2022〕13号）要求，中心综合部对各部室（单位）"
            f"{month}重点工作台账进行了督查，用序时进度、目标名次衡量实际进度、实际名次。现将有关情况通报如下：")

    state = _State(issued)
    for section in bulletin_sections(report):
        _SECTIONS[section.kind](doc, report, section, state)
    return doc


@dataclass
class _State:
    """What the sections share: the date of issue, and the number of the last （一） of 三."""

    issued: dt.date
    subsection: int = 0


def _plain(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """一、总体情况 and 五、下一步工作要求: the heading and the paragraphs."""
    _h1(doc, section.title)
    for text in section.paragraphs:
        _p(doc, text)


def _submission(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    _plain(doc, report, section, state)
    late = [d for d in report.departments if d.status == "late"]
    if late:
        dates = "、".join(f"{d.department}（填报日期{_date_cn(d.date)}）" for d in late)
        _p(doc, f"逾期报送的部室（单位）：{dates}。请严格按照每月{report.deadline_day}日前报送台账的要求，按时报送。")
    if report.missing:
        _p(doc, f"未报送的部室（单位）：{'、'.join(report.missing)}。请尽快补报，督查组将视情进行督导。")


def _slow(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    _h1(doc, section.title)
    by_colour = {colour: [r for r in section.rows if r.colour is colour] for colour in (Colour.RED, Colour.YELLOW)}
    red, yellow = len(by_colour[Colour.RED]), len(by_colour[Colour.YELLOW])
    if red or yellow:
        _p(doc, f"本月标红色事项{red}项、黄色事项{yellow}项。按照通知要求，对落后时序进度的缓慢事项进行黄、红色标识，"
                "现将事项及其分管负责人、责任人通报如下：")
    else:
        _p(doc, section.empty)
    for colour, rows in by_colour.items():
        if not rows:
            continue
        state.subsection += 1
        _h2(doc, f"（{cn_ordinal(state.subsection)}）{COLOUR_NAMES[colour]}事项（{len(rows)}项）")
        _slow_items(doc, rows)


def _flags(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """The last （…） of 三."""
    if not report.progress_flags:
        return
    state.subsection += 1
    _h2(doc, f"（{cn_ordinal(state.subsection)}）{section.name}（{len(report.progress_flags)}项）")
    _p(doc, f"按序时进度{format_share(report.schedule)}（{BASIS_NAMES[report.progress_basis]}）和全市名次，"
            "对照说明第3条核对推进情况中写明的完成比例和名次，以下事项的颜色标注与之不一致，请有关部室核实并更正：")
    for i, flag in enumerate(report.progress_flags, start=1):
        _p(doc, f"{i}.{flag.department}“{flag.item}”：{flag.message}")


def _not_listed(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """应纳未纳 (通知 五), after the 对标对表 check: only when the centre's task list found some."""
    if not section.rows:
        return
    state.subsection += 1
    missing = len(section.of_kind(NOT_LISTED))
    _h2(doc, f"（{cn_ordinal(state.subsection)}）{section.name}（{missing}项）")
    _p(doc, "对照中心任务清单，以下任务未纳入责任部室（单位）的台账。通知第五条要求各条工作线安排部署的工作任务"
            "全部纳入台账管理，请有关部室（单位）补录；列为待核对的，请核实是否为同一事项：")
    for i, row in enumerate(section.rows, start=1):
        _p(doc, f"{i}.{'（待核对）' if row.kind != NOT_LISTED else ''}{row.detail}")


def _changes(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    _h1(doc, section.title)
    if report.first_month:
        for text in section.paragraphs:
            _p(doc, text)
        return
    new, closed, renamed, changed, red = (section.of_kind(kind) for kind in CHANGE_KINDS)
    when = month_cn(report.previous or "")
    _p(doc, f"与{when}台账相比，本月补录事项{len(new)}项、销号{len(closed)}项、"
            f"调整表述{len(renamed)}项、颜色变化{len(changed)}项。")
    _h2(doc, f"（一）补录事项（{len(new)}项）")
    _list_by_department(doc, ((r.department, r.item) for r in new), "本月没有补录事项。")
    _h2(doc, f"（二）销号事项（{len(closed)}项）")
    _list_by_department(doc, ((r.department, f"{r.item}（{r.detail}）") for r in closed), "本月没有销号事项。")
    _h2(doc, f"（三）调整表述的事项（{len(renamed)}项）")
    _list_by_department(doc, ((r.department, f"“{r.previous}”调整为“{r.item}”") for r in renamed),
                        "本月没有调整表述的事项。")
    if renamed:
        _p(doc, "以上事项按同一事项跟踪，不计为补录或销号。")
    worse, better = len(report.worsened), len(report.improved)
    _h2(doc, f"（四）颜色变化的事项（{len(changed)}项，转差{worse}项、好转{better}项）")
    _list_by_department(doc, ((r.department, f"{r.item}，{r.detail}") for r in changed),
                        "本月没有颜色发生变化的事项。")
    if red:
        listed = "；".join(f"{r.department}“{r.item}”（连续{r.months}个月）" for r in red)
        _p(doc, f"连续两个月及以上标红的事项：{listed}。请分管负责同志靠上调度，力促尽快改变被动局面。")


def _attachment(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """The line naming the 附件, the signature, then the 附件 on a page of its own."""
    _p(doc, section.title).paragraph_format.space_before = LINE
    _p(doc)
    _p(doc)
    issued = state.issued
    _signature(doc, f"{report.center}重点工作督查考核领导小组办公室",
               format_date_cn(issued.year, issued.month, issued.day))
    _appendix(doc, report, section)


_SECTIONS: dict[SectionKind, Callable[[DocxDocument, MonthReport, BulletinSection, _State], None]] = {
    SectionKind.OVERVIEW: _plain, SectionKind.SUBMISSION: _submission, SectionKind.SLOW: _slow,
    SectionKind.FLAGS: _flags, SectionKind.CHANGES: _changes, SectionKind.REQUIREMENTS: _plain,
    SectionKind.DEPARTMENTS: _attachment, SectionKind.NOT_LISTED: _not_listed,
}


def _width_chars(text: str) -> float:
    """Width in characters of 三号: a Chinese character is one, a digit or Latin letter half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


def _signature(doc: DocxDocument, signer: str, date: str) -> None:
    """公文: the signer two characters in from the right, the date centred under it."""
    right = 2.0
    for text, indent in ((signer, right),
                         (date, right + max(0.0, (_width_chars(signer) - _width_chars(date)) / 2))):
        p = _p(doc, text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(16 * indent)
        p.paragraph_format.keep_with_next = True


def _date_cn(date: str | None) -> str:
    return iso_date_cn(date, "未填")


# --------------------------------------------------------------------------------------------
# 附件: the table by department
# --------------------------------------------------------------------------------------------

# The columns are tables.APPENDIX's that have a width in mm (``Column.mm``), scaled to the 156mm of
# the text block. A character of 五号 is 3.7mm and a cell's padding about 4mm, so a two-character
# label needs 11.5mm and three 15mm.


def _shade(cell: _Cell, rgb: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), rgb)
    tcpr.append(shd)


def _cell(cell: _Cell, text: object, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None,
          font: str | None = None) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.style = STYLE_TABLE
    if align is not None:
        p.alignment = align
    lines = xml_text(str(text)).split("\n")
    for i, line in enumerate(lines):
        r = p.add_run(line)
        r.bold = bold or None
        if font:
            _set_fonts(r, font)
        if i < len(lines) - 1:
            r.add_break(WD_BREAK.LINE)


def _min_height(row: _Row) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = Mm(8)


def _repeat_header(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _appendix(doc: DocxDocument, report: MonthReport, section: BulletinSection) -> None:
    doc.add_section(WD_SECTION.NEW_PAGE)
    head = _p(doc, section.number)
    head.style = STYLE_H1
    head.paragraph_format.first_line_indent = Pt(0)
    doc.add_paragraph("", style=STYLE_TITLE)
    p = doc.add_paragraph(section.name, style=STYLE_TITLE)
    p.paragraph_format.keep_with_next = True
    sub = _p(doc, f"（{month_cn(report.month)}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.first_line_indent = Pt(0)
    sub.paragraph_format.space_after = Pt(6)

    columns = [c for c in tables.APPENDIX.columns if c.mm is not None]
    width_scale = 156 / sum(c.mm or 0 for c in columns)
    widths = [Mm((c.mm or 0) * width_scale) for c in columns]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, column in enumerate(columns):
        table.columns[i].width = widths[i]
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        _cell(cell, column.label, font=H1_FONT)
        _shade(cell, STANDARD_FILLS.get(column.colour, "D9D9D9") if column.colour else "D9D9D9")
    _repeat_header(table)
    _min_height(table.rows[0])

    for dept in report.departments:
        missing = dept.status == "missing"
        row = table.add_row()
        _min_height(row)
        for i, column in enumerate(columns):
            value = "—" if missing and column.reported else (column.brief or column.value)(dept)
            row.cells[i].width = widths[i]
            _cell(row.cells[i], value, align=WD_ALIGN_PARAGRAPH.LEFT if column.align == "left" else None)
    row = table.add_row()
    _min_height(row)
    for i, total in enumerate(tables.appendix_total_row(report, columns)):
        row.cells[i].width = widths[i]
        _cell(row.cells[i], total, bold=True)
    note = _p(doc, "注：事项数不含已销号事项；补录、销号、颜色变化与上月台账比较"
                   + ("（本月为首个入库月份，不作比较）。" if report.first_month else "。"))
    note.style = STYLE_TABLE
    note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    note.paragraph_format.space_before = Pt(6)


def bulletin_bytes(report: MonthReport, *, issued: dt.date | None = None) -> bytes:
    buffer = io.BytesIO()
    build_bulletin(report, issued=issued).save(buffer)
    return buffer.getvalue()


def write_bulletin_docx(report: MonthReport, path: Path, *, refuse: Iterable[Path | str] = (),
                        issued: dt.date | None = None) -> Path:
    """Write the 督查通报 to ``path`` (.docx) atomically; refuses to write over any path in ``refuse``."""
    return atomic_write_bytes(bulletin_bytes(report, issued=issued), Path(path), refuse=refuse)
