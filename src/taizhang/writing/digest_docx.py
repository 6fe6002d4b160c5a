"""A 中心分管领导's digest as a Word document of one or two A4 pages (python-docx).

What a leader reads before the monthly 调度 (通知 四): their departments at a glance, the red and
yellow items with the people responsible, what changed since last month, and what needs them
(persistent reds, 账实不符, 应纳未纳). Two pages at most whatever the month: the tables keep the
red items first and stop at ``MAX_ITEM_ROWS`` (the rest counted, the bulletin has them all), the
推进情况 is cut to ``PROGRESS_CHARS``, and each department's changes to ``MAX_CHANGES`` names.

Written with ``atomic_write_bytes``: never half-written, never over an input.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..fileio import atomic_write_bytes
from ..models import STATUS_NAMES, Colour, Counts, DepartmentReport, LeaderDigest, ResponsibleItem
from ..report import colour_change_text
from ..rules import COLOUR_NAMES, STANDARD_FILLS, month_cn, xml_text

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
SIZE_TITLE = Pt(18)
SIZE_BODY = Pt(12)
SIZE_TABLE = Pt(9)

MAX_ITEM_ROWS = 16  # red and yellow rows together, red first
PROGRESS_CHARS = 40
ITEM_CHARS = 30
MAX_CHANGES = 4  # names listed per kind of change and department
# The table's columns (label, width in mm): 170mm of text width.
COLUMNS = (("序号", 9), ("部室", 22), ("工作事项", 36), ("连续", 13), ("分管负责人", 15),
           ("责任科室/责任人", 24), ("推进情况", 51))


def _fonts(run: Run, name: str, size: Pt, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.bold = bold or None
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _para(doc: DocxDocument | _Cell, text: str = "", *, font: str = BODY_FONT, size: Pt = SIZE_BODY,
          bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = True,
          lead: str = "") -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(2)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    if align is not None:
        p.alignment = align
    if lead:
        _fonts(p.add_run(xml_text(lead)), HEADING_FONT if font == BODY_FONT else font, size, bold=True)
    if text:
        _fonts(p.add_run(xml_text(text)), font, size, bold=bold)
    return p


def _heading(doc: DocxDocument, text: str) -> None:
    p = _para(doc, text, font=HEADING_FONT, indent=False)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.keep_with_next = True


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip("，,；;。 ") + "……"


def _shade(cell: _Cell, rgb: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), rgb)
    cell._tc.get_or_add_tcPr().append(shd)


def _cell(cell: _Cell, text: object, *, bold: bool = False, centre: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = Pt(0)
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run(xml_text(str(text))), TABLE_FONT, SIZE_TABLE, bold=bold)


def _repeat_header(row_element: object) -> None:
    trpr = row_element.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _change(label: str, before: int, now: int) -> str:
    if before == now:
        return f"{label}{now}项（与上月持平）"
    return f"{label}{now}项（上月{before}项）"


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------


def build_digest(digest: LeaderDigest, *, center: str = "") -> DocxDocument:
    """The digest of one 中心分管领导 as a python-docx Document (not yet saved)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    month = month_cn(digest.month)
    props = doc.core_properties
    props.title = f"重点工作台账分管部室摘要（{month}，{digest.leader}）"
    props.author = f"{center}综合部" if center else "综合部"
    props.language = "zh-CN"

    _para(doc, "重点工作台账分管部室摘要", font=TITLE_FONT, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER,
          indent=False)
    _para(doc, f"（{month}　呈{digest.leader}同志）", font="楷体_GB2312", size=Pt(14),
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False).paragraph_format.space_after = Pt(6)

    _overview(doc, digest)
    rows = [(d, entry) for d in digest.departments for entry in d.red] + \
           [(d, entry) for d in digest.departments for entry in d.yellow]
    _items(doc, digest, rows)
    _changes(doc, digest)
    _attention(doc, digest)
    note = _para(doc, f"注：据{month}各部室（单位）报送的重点工作台账整理；事项数不含已销号事项，"
                      "完整情况见当月督查通报。", size=Pt(9), indent=False)
    note.paragraph_format.space_before = Pt(6)
    return doc


def _overview(doc: DocxDocument, digest: LeaderDigest) -> None:
    _heading(doc, "一、总体情况")
    names = [d.department for d in digest.departments]
    status = {kind: [d.department for d in digest.departments if d.status == kind]
              for kind in ("on_time", "late", "missing")}
    if not status["late"] and not status["missing"]:
        handed = "本月均按时报送台账"
    else:
        parts = [f"{STATUS_NAMES[k]}{len(v)}个（{'、'.join(v)}）" for k, v in status.items() if v]
        handed = "本月" + "，".join(parts)
    c = digest.counts
    text = (f"分管部室（单位）{len(names)}个：{'、'.join(names)}。{handed}。共梳理重点工作{c.total}项，"
            f"其中红色{c.colours.get('red', 0)}项、黄色{c.colours.get('yellow', 0)}项、蓝色{c.colours.get('blue', 0)}项、"
            f"未标注颜色{c.colours.get('none', 0)}项")
    before = digest.previous_counts
    if before is not None and digest.previous:
        text += (f"；与{month_cn(digest.previous)}相比，" + "、".join(
            _change(COLOUR_NAMES[k], before.colours.get(k.value, 0), c.colours.get(k.value, 0))
            for k in (Colour.RED, Colour.YELLOW, Colour.BLUE)))
    elif digest.previous is None:
        text += "（历史库中没有更早的月份，不作比较）"
    _para(doc, text + "。")
    alerts = []
    if digest.persistent_red:
        alerts.append(f"连续两个月及以上标红{len(digest.persistent_red)}项")
    if digest.mismatches:
        alerts.append(f"账实不符{len({f.department for f in digest.mismatches})}个部室")
    missing = [n for n in digest.not_listed if n.missing]
    if missing:
        alerts.append(f"应纳未纳{len(missing)}项")
    if alerts:
        _para(doc, "需要关注：" + "，".join(alerts) + "（详见第四部分）。")


def _items(doc: DocxDocument, digest: LeaderDigest, rows: Sequence[tuple[DepartmentReport, ResponsibleItem]]) -> None:
    red, yellow = digest.red, digest.yellow
    _heading(doc, f"二、红色、黄色事项（红色{red}项、黄色{yellow}项）")
    if not rows:
        _para(doc, "分管部室（单位）本月没有标红色、黄色的事项。")
        return
    shown = rows[:MAX_ITEM_ROWS]
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(w) for _, w in COLUMNS]
    for i, (label, _) in enumerate(COLUMNS):
        table.columns[i].width = widths[i]  # the grid: LibreOffice sizes columns by it, Word by the cells
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        _cell(cell, label, bold=True, centre=True)
        _shade(cell, "D9D9D9")
    _repeat_header(table.rows[0]._tr)
    for number, (dept, entry) in enumerate(shown, start=1):
        row = table.add_row()
        months = f"{entry.months}个月" if entry.months > 1 else ""
        values = (number, dept.department, _short(entry.item, ITEM_CHARS), months, entry.leader, entry.owner,
                  _short(entry.progress, PROGRESS_CHARS))
        for i, value in enumerate(values):
            row.cells[i].width = widths[i]
            _cell(row.cells[i], value, centre=i in (0, 3))
        # The item's colour on its 序号 and 连续 cells: the table reads at a glance, and in grey print
        # the 颜色 word of the heading row above still says which is which.
        _shade(row.cells[0], STANDARD_FILLS.get(entry.colour, "FFFFFF"))
    if len(rows) > len(shown):
        rest = rows[len(shown):]
        reds = sum(1 for _, e in rest if e.colour is Colour.RED)
        _para(doc, f"另有{'红色' + str(reds) + '项、' if reds else ''}黄色{len(rest) - reds}项未列出，"
                   "详见当月督查通报。", size=Pt(9), indent=False)
    _para(doc, "序号底色为事项的标注颜色（红色、黄色）；“连续”为连续标注该颜色的月数。", size=Pt(9), indent=False)


def _names(items: Iterable[str]) -> str:
    names = [f"“{_short(n, ITEM_CHARS)}”" for n in items]
    if len(names) > MAX_CHANGES:
        return "、".join(names[:MAX_CHANGES]) + f"等{len(names)}项"
    return "、".join(names)


def _changes(doc: DocxDocument, digest: LeaderDigest) -> None:
    _heading(doc, "三、较上月变化")
    if digest.previous is None:
        _para(doc, f"{month_cn(digest.month)}是历史库中最早的月份，没有上月台账可供比较。")
        return
    any_change = False
    for dept in digest.departments:
        if dept.status == "missing" or dept.compared_with is None:
            _para(doc, dept.note or "本月未报送台账，事项无法比较。", lead=f"{dept.department}：")
            any_change = True
            continue
        parts = []
        worse = [c for c in dept.colour_changes if c.direction == "worsened"]
        better = [c for c in dept.colour_changes if c.direction == "improved"]
        other = [c for c in dept.colour_changes if c.direction is None]
        for label, changes in (("转差", worse), ("好转", better), ("颜色变化", other)):
            if changes:
                listed = "、".join(f"“{_short(c.item, ITEM_CHARS)}”（{colour_change_text(c)}）"
                                   for c in changes[:MAX_CHANGES])
                more = f"等{len(changes)}项" if len(changes) > MAX_CHANGES else ""
                parts.append(f"{label}{len(changes)}项：{listed}{more}")
        if dept.new:
            parts.append(f"补录{len(dept.new)}项：{_names(dept.new)}")
        if dept.closed:
            parts.append(f"销号{len(dept.closed)}项：{_names(c.item for c in dept.closed)}")
        if dept.renamed:
            parts.append(f"调整表述{len(dept.renamed)}项")
        if parts:
            any_change = True
            _para(doc, "；".join(parts) + "。", lead=f"{dept.department}：")
    if not any_change:
        _para(doc, f"与{month_cn(digest.previous)}相比，分管部室（单位）没有补录、销号和颜色变化的事项。")


def _attention(doc: DocxDocument, digest: LeaderDigest) -> None:
    _heading(doc, "四、需要调度的事项")
    lines: list[tuple[str, str]] = []
    if digest.persistent_red:
        listed = "；".join(f"{p.department}“{_short(p.item, ITEM_CHARS)}”（连续{p.months}个月）"
                          for p in digest.persistent_red[:MAX_ITEM_ROWS // 2])
        more = f"等{len(digest.persistent_red)}项" if len(digest.persistent_red) > MAX_ITEM_ROWS // 2 else ""
        lines.append(("连续标红：", f"{listed}{more}。建议靠上调度，指路子、教法子，力促尽快改变被动局面。"))
    if digest.mismatches:
        by_dept: dict[str, int] = {}
        for f in digest.mismatches:
            by_dept[f.department or ""] = by_dept.get(f.department or "", 0) + 1
        listed = "、".join(f"{d}（{n}处）" for d, n in by_dept.items())
        lines.append(("账实不符：", f"{listed}的汇总句与台账不一致。通知第五条将账实不符列为通报批评的情形，请督促更正。"))
    missing = [n for n in digest.not_listed if n.missing]
    if missing:
        listed = "；".join(f"{n.department}“{_short(n.task, ITEM_CHARS)}”" for n in missing[:MAX_ITEM_ROWS // 2])
        more = f"等{len(missing)}项" if len(missing) > MAX_ITEM_ROWS // 2 else ""
        lines.append(("应纳未纳：", f"中心任务清单中的{listed}{more}未纳入台账。通知第五条将应纳未纳列为通报批评的情形，"
                                   "请督促补录。"))
    review = [n for n in digest.not_listed if not n.missing]
    if review:
        lines.append(("待核对：", f"{len(review)}项任务与台账事项只是相近，请有关部室（单位）核实。"))
    late = [d for d in digest.departments if d.status != "on_time"]
    if late:
        lines.append(("报送：", "、".join(f"{d.department}{STATUS_NAMES[d.status]}" for d in late) + "。"))
    if not lines:
        _para(doc, "分管部室（单位）本月没有连续标红、账实不符或应纳未纳的情况。")
    for lead, text in lines:
        _para(doc, text, lead=lead)


def digest_bytes(digest: LeaderDigest, *, center: str = "") -> bytes:
    buffer = io.BytesIO()
    build_digest(digest, center=center).save(buffer)
    return buffer.getvalue()


def write_digest_docx(digest: LeaderDigest, path: Path, *, center: str = "",
                      refuse: Iterable[Path | str] = ()) -> Path:
    """Write ``digest`` to ``path`` (.docx) atomically; refuses to write over any path in ``refuse``."""
    return atomic_write_bytes(digest_bytes(digest, center=center), Path(path), refuse=refuse)


def counts_line(counts: Counts) -> str:
    """``红2 黄3 蓝5`` for the terminal's list of digests."""
    return " ".join(f"{COLOUR_NAMES[c][0]}{counts.colours.get(c.value, 0)}"
                    for c in (Colour.RED, Colour.YELLOW, Colour.BLUE))
