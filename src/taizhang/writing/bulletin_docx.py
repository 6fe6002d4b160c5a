"""The 督查通报 as an editable Word document (python-docx), in the look of a Chinese official document.

Layout after GB/T 9704 (党政机关公文格式): A4; margins 上37mm 下35mm 左28mm 右26mm; title in
方正小标宋简体 二号; 一级标题 (一、) in 黑体, 二级标题 (（一）) in 楷体_GB2312, body in 仿宋_GB2312 三号
(16pt), 22 lines of 28 characters (a 28.95pt exact line, characters condensed by a quarter point);
page numbers ``— 1 —`` in 宋体 四号 below the text, right on odd pages and left on even pages;
after the text the 附件说明, the 发文机关署名 and the 成文日期 (7.3.5.1: the date four characters in from
the right, the 署名 centred over it), then each 附件 on pages of its own (事项变动情况表, the table by
department). Draft text a person must rewrite is highlighted yellow. Every font is set for East-Asian text too
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
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length, Mm, Pt, RGBColor, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .. import tables
from ..fileio import atomic_write_bytes
from ..models import (
    ISSUER,
    BulletinSection,
    Colour,
    MonthReport,
    ResponsibleItem,
    SectionKind,
    SectionRow,
)
from ..report import bulletin_sections, people_text
from ..rules import STANDARD_FILLS, format_date_cn, iso_date_cn, month_cn, xml_escape, xml_text

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
# 22 lines on the 225mm (637.8pt) of text height: 28.95pt, not 29 (22 lines of 29pt are 638pt).
LINE_TWIPS = 579
LINE = Twips(LINE_TWIPS)
CHARS_PER_LINE = 28
# 28 characters on the 156mm (442.2pt) line: 三号 characters condensed by a quarter point (w:spacing
# -5 twips), 15.75pt each. Not a character grid (w:docGrid linesAndChars with a negative charSpace):
# Word compresses characters onto such a grid, but LibreOffice gives a 16pt character two 15.8pt
# cells and prints 14 characters a line.
CONDENSE_TWIPS = -5
GRID_CHAR_PT = 16 + CONDENSE_TWIPS / 20
INDENT = Pt(2 * GRID_CHAR_PT)  # two characters of 三号

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
                     align: WD_ALIGN_PARAGRAPH | None = None, indent: Length | None = INDENT,
                     line: Length | None = LINE, outline: int | None = None) -> ParagraphStyle:
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
    _condense(normal.element.get_or_add_rPr(), CONDENSE_TWIPS)
    _paragraph_style(doc, STYLE_TITLE, TITLE_FONT, SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                     line=Pt(36), outline=None)
    _paragraph_style(doc, STYLE_H1, H1_FONT, SIZE_BODY, outline=0)
    _paragraph_style(doc, STYLE_H2, H2_FONT, SIZE_BODY, outline=1)
    table = _paragraph_style(doc, STYLE_TABLE, BODY_FONT, SIZE_TABLE, align=WD_ALIGN_PARAGRAPH.CENTER,
                             indent=Pt(0), line=None)
    _condense(table.element.get_or_add_rPr(), 0)  # 五号 in the tables keeps its width


def _condense(rpr: Any, twips: int) -> None:
    """Character spacing (``w:spacing``, in twips; negative condenses), in the schema's place in rPr."""
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        # CT_RPr order: … w:color, w:spacing, w:w, w:kern, w:position, w:sz …
        after = next((rpr.find(qn(tag)) for tag in ("w:color", "w:vanish", "w:snapToGrid", "w:shadow", "w:emboss",
                                                    "w:imprint", "w:outline", "w:caps", "w:smallCaps", "w:strike",
                                                    "w:dstrike", "w:i", "w:iCs", "w:b", "w:bCs", "w:rFonts",
                                                    "w:rStyle") if rpr.find(qn(tag)) is not None), None)
        if after is not None:
            after.addnext(spacing)
        else:
            rpr.insert(0, spacing)
    spacing.set(qn("w:val"), str(twips))


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


def _grid(sect_pr: Any) -> None:
    """No document grid: 22 lines come from the exact line spacing, 28 characters from the condensed
    characters (a grid's snapping differs between Word and LibreOffice)."""
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "default")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _setup_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(24)  # the number's dash about 7mm below the text
    _grid(section._sectPr)
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


# Each document part's paragraph style ids by style name (see ``_style``).
_STYLE_IDS: weakref.WeakKeyDictionary[Any, dict[str, str | None]] = weakref.WeakKeyDictionary()


def _style(paragraph: Paragraph, name: str) -> None:
    """``paragraph.style = name``, with the style's id looked up once per document: python-docx
    searches every style by name, and again for the default style, at each assignment, which took
    most of a long bulletin's time."""
    paragraph._p.style = _style_id(paragraph.part, name)


def _style_id(part: Any, name: str) -> str | None:
    """The id of paragraph style ``name`` in the document ``part`` (or a Document), looked up once."""
    part = getattr(part, "part", part)
    ids = _STYLE_IDS.setdefault(part, {})
    if name not in ids:
        ids[name] = part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    return ids[name]


def _add_paragraph(doc: DocxDocument, text: str = "", style: str | None = None) -> Paragraph:
    """``doc.add_paragraph(text, style)``: a paragraph at the end of the body, before its closing
    section properties. python-docx finds those by scanning the whole body at each paragraph,
    which made a bulletin of a few thousand paragraphs quadratic; they are the body's last child."""
    body = doc.element.body
    p = OxmlElement("w:p")
    try:
        last = body[-1]
    except IndexError:
        last = None
    if last is not None and last.tag == _SECT_PR:
        last.addprevious(p)
    else:
        body.append(p)
    paragraph = Paragraph(p, doc._body)
    if text:
        paragraph.add_run(text)
    if style is not None:
        _style(paragraph, style)
    return paragraph


_SECT_PR = qn("w:sectPr")


def _p(doc: DocxDocument, text: str = "", style: str | None = None, *, bold_lead: str = "") -> Paragraph:
    p = _add_paragraph(doc, style=style)
    if bold_lead:
        p.add_run(xml_text(bold_lead)).bold = True
    if text:
        p.add_run(xml_text(text))
    return p


def _h1(doc: DocxDocument, text: str) -> Paragraph:
    return _add_paragraph(doc, xml_text(text), style=STYLE_H1)


def _h2(doc: DocxDocument, text: str) -> Paragraph:
    return _add_paragraph(doc, xml_text(text), style=STYLE_H2)



def _people_line(entry: ResponsibleItem, change: str | None, *, people: bool = True) -> str:
    notes = []
    if entry.colour is Colour.RED and entry.months >= 2:
        notes.append(f"已连续{entry.months}个月标红")
    elif entry.colour is Colour.YELLOW and entry.months >= 2:
        notes.append(f"已连续{entry.months}个月标黄")
    if change:
        notes.append(f"由{change}")
    text = f"{entry.item}。"
    if entry.stated and not people:  # the others quote their 推进情况 below
        text += f"推进情况写明{entry.stated}。"
    if notes:
        text += "，".join(notes) + "。"
    if people:
        text += _end(people_text(entry))
    if entry.progress and entry.colour is not Colour.BLUE:
        text += "推进情况：" + _end(_short(entry.progress))
    return text


def _colour_items(doc: DocxDocument, rows: Sequence[SectionRow], *, people: bool = True) -> None:
    """One numbered department paragraph, then its items (with the people responsible)."""
    for number, (department, grouped) in enumerate(groupby(rows, key=lambda r: r.department), start=1):
        entries = list(grouped)
        lead = _p(doc, bold_lead=f"{number}.{department}（{len(entries)}项）")
        lead.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        for i, entry in enumerate(entries, start=1):
            shown = entry.responsible or ResponsibleItem(item=entry.item, colour=Colour.UNKNOWN)
            _p(doc, f"（{i}）" + _people_line(shown, entry.detail.replace("→", "转为") or None, people=people))


def _by_department(doc: DocxDocument, rows: Iterable[tuple[str, str]]) -> None:
    """``规划发展部：甲；乙。`` one paragraph per department, in the order given."""
    grouped: dict[str, list[str]] = {}
    for department, text in rows:
        grouped.setdefault(department, []).append(text.rstrip("。"))
    for department, texts in grouped.items():
        _p(doc, _end("；".join(texts)), bold_lead=f"{department}：")


def _highlight(paragraph: Paragraph) -> Paragraph:
    """Draft text: every run on a yellow highlight, so it cannot be issued unnoticed."""
    for run in paragraph.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


# --------------------------------------------------------------------------------------------
# The bulletin
# --------------------------------------------------------------------------------------------


def build_bulletin(report: MonthReport, *, issued: dt.date | None = None, issuer: str = ISSUER) -> DocxDocument:
    """The 督查通报 of ``report`` as a python-docx Document (not yet saved).

    ``issued``: the 成文日期 (default today); ``issuer``: the 发文机关署名 (taizhang.toml ``issuer``).
    """
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
    props.author = issuer
    props.language = "zh-CN"

    _add_paragraph(doc, title, style=STYLE_TITLE)
    _add_paragraph(doc, "", style=STYLE_TITLE)
    _p(doc, "各部室（单位）：").paragraph_format.first_line_indent = Pt(0)
    _p(doc, f"根据《关于建立健全重点工作台账制度的通知》（济航〔2022〕13号）要求，中心综合部对各部室（单位）"
            f"{month}重点工作台账进行了督查，用序时进度、目标名次衡量实际进度、实际名次。现将有关情况通报如下：")

    state = _State(issued, issuer)
    for section in bulletin_sections(report):
        _SECTIONS[section.kind](doc, report, section, state)
    return doc


@dataclass
class _State:
    """What the sections share: the date of issue, the signer, and the sections whose tables are 附件."""

    issued: dt.date
    issuer: str
    attachments: list[BulletinSection] = field(default_factory=list)


def _plain(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """一、总体情况: the heading and the paragraphs."""
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


def _coloured(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """三、进展较快事项 (blue), 四、进展缓慢事项 (red), 五、中间位次及预计较好事项 (yellow)."""
    _h1(doc, section.title)
    for text in section.paragraphs or [section.empty]:
        _p(doc, text)
    # Blue items are many and need no one called to account: the item and what it states.
    _colour_items(doc, section.rows, people=section.kind is not SectionKind.FAST)


def _checks(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """六、账实不符、应纳未纳和应标未标情况: a （一） per part, its entries by department or numbered by item."""
    _h1(doc, section.title)
    for text in section.paragraphs:
        _p(doc, text)
    for number, part in enumerate(section.parts, start=1):
        rows = section.of_kind(part.name)
        _h2(doc, f"（{cn_ordinal(number)}）{part.name}")
        if not rows:
            _p(doc, part.empty)
            continue
        _p(doc, part.intro)
        items = [r for r in rows if r.item]
        for i, row in enumerate(items, start=1):
            _p(doc, f"{i}.{row.department}“{row.item}”：{_end(row.detail)}")
        _by_department(doc, ((r.department, r.detail) for r in rows if not r.item))


def _changes(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """七、事项变动: the counts in one paragraph; the items are the table of its 附件."""
    _plain(doc, report, section, state)
    if section.attachment and section.rows:
        state.attachments.append(section)


def _requirements(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """八、下步工作要求: a draft, highlighted with its note until a person rewrites it."""
    _h1(doc, section.title)
    if section.draft and section.note:
        _highlight(_p(doc, section.note))
    for text in section.paragraphs:
        p = _p(doc, text)
        if section.draft:
            _highlight(p)


def _attachment(doc: DocxDocument, report: MonthReport, section: BulletinSection, state: _State) -> None:
    """附件说明, the signature and date, then each 附件 on pages of its own."""
    tables_ = [*state.attachments, section]
    if len(tables_) == 1:
        names = [f"附件：{section.name}"]
    else:
        names = [f"附件：1.{tables_[0].attachment_name}",
                 *(f"{i}.{t.attachment_name or t.name}" for i, t in enumerate(tables_[1:], start=2))]
    # GB/T 9704 7.3.5.4: the 署名 and date never stand alone on a page: the last paragraph of the
    # text, the 附件说明 and the seal's room go with them.
    last = doc.paragraphs[-1]
    last.paragraph_format.keep_with_next = True
    last.paragraph_format.keep_together = True
    for i, text in enumerate(names):
        p = _p(doc, text)
        p.paragraph_format.keep_with_next = True
        if i == 0:
            p.paragraph_format.space_before = LINE  # 正文下空一行
        else:  # 1. and 2. aligned: 附件： is three characters
            p.paragraph_format.first_line_indent = INDENT + Pt(3 * GRID_CHAR_PT)
    for _ in range(SEAL_LINES):
        _p(doc).paragraph_format.keep_with_next = True
    issued = state.issued
    signature(doc, state.issuer, format_date_cn(issued.year, issued.month, issued.day))
    for number, changes in enumerate(state.attachments, start=1):
        _changes_table(doc, report, changes, f"附件{number}")
    _appendix(doc, report, section)


_SECTIONS: dict[SectionKind, Callable[[DocxDocument, MonthReport, BulletinSection, _State], None]] = {
    SectionKind.OVERVIEW: _plain, SectionKind.SUBMISSION: _submission, SectionKind.FAST: _coloured,
    SectionKind.SLOW: _coloured, SectionKind.MIDDLE: _coloured, SectionKind.CHECKS: _checks,
    SectionKind.CHANGES: _changes, SectionKind.REQUIREMENTS: _requirements, SectionKind.DEPARTMENTS: _attachment,
}


def _width_chars(text: str) -> float:
    """Width in characters of 三号: a Chinese character is one, a digit or Latin letter half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


# GB/T 9704 7.3.5.1 (加盖印章的公文): 成文日期右空四字; the 署名 centred over the date; the seal
# presses on both, its top within a line of the text: room for it above the 署名.
DATE_RIGHT_CHARS = 4
SEAL_LINES = 2


def issuer_lines(issuer: str, date: str) -> list[str]:
    """The 署名 in lines that can be centred over the date without passing the right margin.

    A long name breaks after the organisation (``济宁市港航事业发展中心`` / ``重点工作督查考核领导小组``)
    where that fits, else into even pieces.
    """
    room = 2 * (DATE_RIGHT_CHARS + _width_chars(date) / 2)  # widest line centred on the date
    if _width_chars(issuer) <= room:
        return [issuer]
    ends = ("中心", "委员会", "办公室", "局", "厅", "院", "委", "部", "处", "站")
    cuts = [i for i in range(1, len(issuer)) if issuer[:i].endswith(ends)
            and max(_width_chars(issuer[:i]), _width_chars(issuer[i:])) <= room]
    if cuts:
        cut = min(cuts, key=lambda i: abs(_width_chars(issuer[:i]) - _width_chars(issuer[i:])))
        return [issuer[:cut], issuer[cut:]]
    size = int(room)
    return [issuer[i:i + size] for i in range(0, len(issuer), size)]


def signature(doc: DocxDocument, issuer: str, date: str) -> None:
    """公文 (GB/T 9704 7.3.5.1): the date four characters in from the right, the 署名 centred over it.

    The date is right-aligned four characters in; each line of the 署名 is centred in a box around
    the date's centre (digits counted as half a character, as Word sets them).
    """
    axis = DATE_RIGHT_CHARS + _width_chars(date) / 2  # the date's centre, from the right edge, in characters
    for text in issuer_lines(issuer, date):
        half = min(axis, _width_chars(text) / 2 + 2)  # room to spare on both sides, within the margin
        p = _signature_line(doc, text, WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.right_indent = Pt(GRID_CHAR_PT * (axis - half))
        p.paragraph_format.left_indent = Pt(GRID_CHAR_PT * (CHARS_PER_LINE - axis - half))
    p = _signature_line(doc, date, WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(GRID_CHAR_PT * DATE_RIGHT_CHARS)


def _signature_line(doc: DocxDocument, text: str, align: WD_ALIGN_PARAGRAPH) -> Paragraph:
    p = _p(doc, text)
    p.alignment = align
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.keep_with_next = True
    _no_autospace(p)
    return p


def _no_autospace(paragraph: Paragraph) -> None:
    """No extra space between Chinese and digits (``w:autoSpaceDN``, ``w:autoSpaceDE``): the date
    keeps the width it is centred by."""
    ppr = paragraph._p.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.append(el)


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
    _style(p, STYLE_TABLE)
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


def _add_row(table: Table, grid: Sequence[Length | None]) -> _Row:
    """``table.add_row()`` with the columns' widths ``grid`` read once: python-docx looks up the
    table's grid for each row it adds, a scan that grows with the table."""
    tr = table._tbl.add_tr()
    for width in grid:
        tc = tr.add_tc()
        if width is not None:
            tc.width = width
    return _Row(tr, table)


def _grid_widths(table: Table) -> list[Length | None]:
    return [col.w for col in table._tbl.tblGrid.gridCol_lst]


class _Rows:
    """A table's body rows written as XML, each parsed at once: python-docx's cell by cell calls
    (width, vertical alignment, style, alignment, runs) cost a fifth of a millisecond a cell, and a
    year's 事项变动 has thousands of rows. The rows are exactly what ``_min_height`` and ``_cell``
    make of them (tests/test_report_fast_paths.py compares the documents); a row whose text holds
    what a run writes as more than text (a tab, a carriage return) is made by those calls."""

    def __init__(self, doc: DocxDocument, table: Table, widths: Sequence[Length]) -> None:
        self.table = table
        self.widths = widths
        self.grid = _grid_widths(table)
        header = table._tbl.tr_lst[0]
        self.height = str(header.xpath("string(w:trPr/w:trHeight/@w:val)"))
        self.twips = [str(tc.xpath("string(w:tcPr/w:tcW/@w:w)")) for tc in header.tc_lst]
        self.style = _xml_attr(_style_id(doc, STYLE_TABLE) or "")

    def add(self, values: Sequence[object], aligns: Sequence[WD_ALIGN_PARAGRAPH | None], *, bold: bool = False,
            fills: Sequence[str | None] = ()) -> None:
        lines = [xml_text(str(value)).split("\n") for value in values]
        if any("\t" in line or "\r" in line for cell in lines for line in cell):
            self._slow(values, aligns, bold, fills)
            return
        run_pr = "<w:rPr><w:b/></w:rPr>" if bold else "<w:rPr/>"
        out = [f'<w:tr {nsdecls("w")}><w:trPr><w:trHeight w:hRule="atLeast" w:val="{self.height}"/></w:trPr>']
        for i, cell in enumerate(lines):
            fill = fills[i] if i < len(fills) else None
            out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{self.twips[i]}"/><w:vAlign w:val="center"/>'
                       + (f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else "")
                       + f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{self.style}"/>'
                       + ('<w:jc w:val="left"/>' if aligns[i] is WD_ALIGN_PARAGRAPH.LEFT else "") + "</w:pPr>")
            for j, line in enumerate(cell):
                out.append("<w:r>" + run_pr)
                if line:
                    space = ' xml:space="preserve"' if len(line.strip()) < len(line) else ""
                    out.append(f"<w:t{space}>{xml_escape(line)}</w:t>")
                if j < len(cell) - 1:
                    out.append("<w:br/>")
                out.append("</w:r>")
            out.append("</w:p></w:tc>")
        out.append("</w:tr>")
        self.table._tbl.append(parse_xml("".join(out)))

    def _slow(self, values: Sequence[object], aligns: Sequence[WD_ALIGN_PARAGRAPH | None], bold: bool,
              fills: Sequence[str | None]) -> None:
        row = _add_row(self.table, self.grid)
        _min_height(row)
        cells = row.cells
        for i, value in enumerate(values):
            cells[i].width = self.widths[i]
            _cell(cells[i], value, bold=bold, align=aligns[i])
            fill = fills[i] if i < len(fills) else None
            if fill:
                _shade(cells[i], fill)


def _xml_attr(text: str) -> str:
    return xml_escape(text).replace('"', "&quot;")


def _min_height(row: _Row) -> None:
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    row.height = Mm(8)


def _repeat_header(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _attachment_page(doc: DocxDocument, report: MonthReport, number: str, name: str) -> None:
    """A 附件 on a new page (GB/T 9704 8): 附件N in 黑体 at the top left, its title on the third line."""
    doc.add_section(WD_SECTION.NEW_PAGE)
    head = _p(doc, number)
    _style(head, STYLE_H1)
    head.paragraph_format.first_line_indent = Pt(0)
    _add_paragraph(doc, "", style=STYLE_TITLE)
    p = _add_paragraph(doc, name, style=STYLE_TITLE)
    p.paragraph_format.keep_with_next = True
    sub = _p(doc, f"（{month_cn(report.month)}）")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.first_line_indent = Pt(0)
    sub.paragraph_format.space_after = Pt(6)


def _table(doc: DocxDocument, labels: Sequence[str], widths_mm: Sequence[float],
           fills: Sequence[str | None] = ()) -> tuple[Table, list[Mm]]:
    """A bordered table over the text block's width, its header row shaded (grey, or ``fills``) and
    repeated on each page."""
    scale = 156 / sum(widths_mm)
    widths = [Mm(w * scale) for w in widths_mm]
    table = doc.add_table(rows=1, cols=len(labels))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, label in enumerate(labels):
        table.columns[i].width = widths[i]
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        _cell(cell, label, font=H1_FONT)
        _shade(cell, (fills[i] if i < len(fills) else None) or "D9D9D9")
    _repeat_header(table)
    _min_height(table.rows[0])
    return table, widths


# 类别 fits 调整表述 and 颜色变化 on one line (four characters of 五号 and the padding).
CHANGE_COLUMNS = (("序号", 11.5), ("类别", 20), ("部室（单位）", 25), ("工作事项", 55), ("变动情况", 44.5))


def _changes_table(doc: DocxDocument, report: MonthReport, section: BulletinSection, number: str) -> None:
    """附件: 事项变动情况表, a row per change (补录, 销号, 调整表述, 颜色变化, 连续标红)."""
    _attachment_page(doc, report, number, section.attachment_name)
    table, widths = _table(doc, [label for label, _ in CHANGE_COLUMNS], [w for _, w in CHANGE_COLUMNS])
    rows = _Rows(doc, table, widths)
    aligns = [WD_ALIGN_PARAGRAPH.LEFT if j >= 3 else None for j in range(len(CHANGE_COLUMNS))]
    for i, row in enumerate(section.rows, start=1):
        fill = STANDARD_FILLS.get(row.colour, "FFFFFF") if row.colour is not None and row.kind != "连续标红" else None
        rows.add((i, row.kind, row.department, row.item, row.detail), aligns, fills=(None, None, None, None, fill))
    note = _p(doc, f"注：与{month_cn(report.previous or '')}台账比较；调整表述的事项按同一事项跟踪，不计为补录或销号；"
                   "颜色变化一栏的底色为本月颜色。")
    _style(note, STYLE_TABLE)
    note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    note.paragraph_format.space_before = Pt(6)


def _appendix(doc: DocxDocument, report: MonthReport, section: BulletinSection) -> None:
    _attachment_page(doc, report, section.number, section.name)

    columns = [c for c in tables.APPENDIX.columns if c.mm is not None]
    table, widths = _table(doc, [c.label for c in columns], [c.mm or 0 for c in columns],
                           [STANDARD_FILLS.get(c.colour) if c.colour else None for c in columns])

    rows = _Rows(doc, table, widths)
    aligns = [WD_ALIGN_PARAGRAPH.LEFT if column.align == "left" else None for column in columns]
    for dept in report.departments:
        missing = dept.status == "missing"
        rows.add(["—" if missing and column.reported else (column.brief or column.value)(dept) for column in columns],
                 aligns)
    rows.add(tables.appendix_total_row(report, columns), [None] * len(columns), bold=True)
    note = _p(doc, "注：事项数不含已销号事项；补录、销号、颜色变化与上月台账比较"
                   + ("（本月为首个入库月份，不作比较）。" if report.first_month else "。"))
    _style(note, STYLE_TABLE)
    note.alignment = WD_ALIGN_PARAGRAPH.LEFT
    note.paragraph_format.space_before = Pt(6)


def bulletin_bytes(report: MonthReport, *, issued: dt.date | None = None, issuer: str = ISSUER) -> bytes:
    buffer = io.BytesIO()
    build_bulletin(report, issued=issued, issuer=issuer).save(buffer)
    return buffer.getvalue()


def write_bulletin_docx(report: MonthReport, path: Path, *, refuse: Iterable[Path | str] = (),
                        issued: dt.date | None = None, issuer: str = ISSUER) -> Path:
    """Write the 督查通报 to ``path`` (.docx) atomically; refuses to write over any path in ``refuse``.

    ``issued``: the 成文日期 (default today); ``issuer``: the 发文机关署名."""
    return atomic_write_bytes(bulletin_bytes(report, issued=issued, issuer=issuer), Path(path), refuse=refuse)
