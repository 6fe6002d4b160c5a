"""The blank 附件2 ledger that departments fill in: ``taizhang template``.

The sheet is laid out as the notice (济航〔2022〕13号) lays out 附件2 — title, 填报日期, summary
sentence, header, item rows, footer, 说明 — with what a handed-out Excel form needs on top:
drop-down lists, A4 printing with the header on every page, and a 填报说明 sheet.

Choices that matter to the validator:

* the title, 填报日期 and summary sentence keep the notice's ``×`` placeholders, so an unfilled
  template reads as unfilled (no department, no date, ``×`` figures) instead of a wrong year;
  the sentence is a formula (``selfcheck.py``) that shows ``×`` until the first item is written
  and counts the table from then on, its colours chosen in column K 评价颜色;
* the notice's three example rows are left out — a clerk forgets to delete them; the item rows
  are pre-numbered but otherwise empty, and a row whose only content is its 序号 is not an item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import rules
from ..models import Colour, Counts, Item
from ..rules import (
    COLOUR_MEANING,
    COLOUR_NAMES,
    COLUMNS,
    ITEM_ID_LABEL,
    SOURCE_MEANING,
    STAR_LEVELS,
    STAR_MEANING,
    TITLE_MARK,
    summary_sentence,
)
from ..tables import note_with_extras
from .selfcheck import add_self_checks
from .xlsx_common import (
    BOLD_BODY_FONT,
    HEADER_FILL,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    atomic_save,
    column_width,
    fill_for,
    freeze_below,
    merged_text,
    row_height_for,
    set_text,
    set_widths,
    setup_print,
    style_cell,
    write_header,
)

SHEET_TITLE = "重点工作台账"
GUIDE_SHEET_TITLE = "填报说明"
DEFAULT_FILENAME = "重点工作台账模板.xlsx"

PLACEHOLDER_DEPARTMENT = "XX部室（单位）"
CENTER = "市港航事业发展中心"
# The notice prints 2022年×月×日; a fixed year would be wrong every other year, and digits would
# make the placeholder parse as a real date. "20××" keeps the notice's look and stays unfilled.
PLACEHOLDER_DATE = "20××年×月×日"
DATE_TEXT = f"填报日期：{PLACEHOLDER_DATE}"
FOOTER_LEADER = "中心分管领导：×××"
FOOTER_CONTACT = "台账联系人：×××，260××，152×××"

# 附件2's 说明, word for word.
NOTES = (
    "说明：",
    "1、“重要程度”按由高到低分别为★★★、★★、★三级。★★★（特别重要）：市领导及以上层级领导安排部署事项，"
    "市级及以上督查检查反馈的问题，市对中心考核指标，纳入市级层面每月通报的事项，中心纳入市级及以上创新类、"
    "对上争取、创建荣誉类事项等；★★（重要）：中心领导安排事项，中心重要会议安排部署事项，中心督查检查反馈的问题，"
    "中心对部室（单位）考核指标等，纳入中心层面创新类及对上争取、创建荣誉类事项等；★（一般）：常态化推进的重要事项，"
    "部室（单位）内部创新类、创建荣誉类事项等。",
    "2、“任务来源”代码。A：国家及省市级层面安排事项；B：中心层面安排部署事项；C：部室（单位）安排重点工作；"
    "D：创新类及对上争取、创建荣誉类事项。",
    "3、“蓝黄红”标注。领先时序进度的进展较快事项、排名全市前3位事项、对上争取成效显著事项等标蓝色；"
    "排名全市中间位次事项、预计为“较好”等次事项等标黄色；排名全市后3位位次事项、落后于时序进度的缓慢类事项、"
    "存在失分扣分风险的事项、被上级通报批评或曝光约谈类事项等标红色；其他事项不标颜色。",
)
# ★★★ → "市领导及以上层级领导安排部署事项，…等", taken from 说明 第1条 above.
STAR_DETAIL: dict[str, str] = dict(re.findall(r"(★+)（[^）]+）：([^；。]+)", NOTES[1]))

# The notice's own words on when and how to report.
DUE_TEXT = "自4月起，重点工作台账要每月5日前上报中心综合部。"
HONESTY_TEXT = ("台账内容务必应纳尽纳，台账数据务必实事求是，严禁弄虚作假、瞒报漏报，特别对于进展缓慢事项、"
                "未完成事项，务必如实、全面、及时报告。")
CONTACT_TEXT = rules.CONTACT_TEXT

# Layout of the ledger sheet (1-based rows).
TITLE_ROW = 1
DATE_ROW = 2
SUMMARY_ROW = 3
HEADER_ROW = 4
FIRST_ITEM_ROW = 5
ITEM_ROWS = 15
LAST_ITEM_ROW = FIRST_ITEM_ROW + ITEM_ROWS - 1
FOOTER_ROW = LAST_ITEM_ROW + 1
NOTES_ROW = FOOTER_ROW + 2
LEGEND_ROW = NOTES_ROW + len(NOTES) + 1
N_COLS = len(COLUMNS)
COL = {c.key: i for i, c in enumerate(COLUMNS, start=1)}  # column key → 1-based column number
# After 备注 (J): K 评价颜色 (the colour chosen from a list, the self-checking template's) and L 事项编号,
# the stable ID of a pre-filled item — hidden, and kept from being shown or resized by the sheet's
# protection. Its cells stay unlocked, so that sorting, inserting and moving rows carry the ID along.
CHOICE_COL = N_COLS + 1  # K 评价颜色
ID_COL = N_COLS + 2
ID_LETTER = get_column_letter(ID_COL)
# Blank numbered rows left under a prepared month's items, for the items the clerk adds (补录).
BLANK_ROWS_AFTER_ITEMS = 5
# Short values read best centred; paragraphs read best left-aligned.
CENTRED_KEYS = {"no", "judgement", "leader", "stars", "source"}

STAR_LIST = ",".join(STAR_LEVELS[level] for level in (3, 2, 1))  # ★★★,★★,★
JUDGEMENT_LIST = ",".join(COLOUR_NAMES[c] for c in (Colour.BLUE, Colour.YELLOW, Colour.RED))  # 蓝色,黄色,红色
LEGEND_COLOURS = (Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE)


def _department(department: str | None) -> str | None:
    """The department name as given, without a trailing 重点工作台账 someone typed along with it."""
    if department is None:
        return None
    name = department.strip()
    if name.endswith(TITLE_MARK):
        name = name[: -len(TITLE_MARK)].strip()
    return name or None


def placeholder_summary(subject: str = CENTER) -> str:
    """The summary sentence of 附件2 with ``×`` for the date and every figure."""
    x = "×"
    counts = Counts.model_construct(  # model_construct: placeholders are not numbers
        total=x, stars=dict.fromkeys(("3", "2", "1"), x), sources=dict.fromkeys("ABCD", x),
        colours=dict.fromkeys(("blue", "yellow", "red", "none"), x),
    )
    return summary_sentence(subject, PLACEHOLDER_DATE, counts)


def default_filename(department: str | None = None) -> str:
    """``重点工作台账模板.xlsx``, or ``规划发展部重点工作台账.xlsx`` for a department."""
    name = _department(department)
    return f"{name}{TITLE_MARK}.xlsx" if name else DEFAULT_FILENAME


@dataclass(frozen=True)
class _Layout:
    """Where the parts of the ledger sheet go (1-based rows), for a number of item rows."""

    item_rows: int = ITEM_ROWS

    @property
    def last_item_row(self) -> int:
        return FIRST_ITEM_ROW + self.item_rows - 1

    @property
    def footer_row(self) -> int:
        return self.last_item_row + 1

    @property
    def notes_row(self) -> int:
        return self.footer_row + 2

    @property
    def legend_row(self) -> int:
        return self.notes_row + len(NOTES) + 1


def build_template(department: str | None = None, items: Sequence[Item] | None = None, *,
                   keep_colours: bool = False) -> Workbook:
    """The 附件2 workbook: the ledger sheet first, then the 填报说明 sheet.

    Without ``items``, the blank template (15 numbered empty rows). With ``items`` (``prepare``),
    one row per item, renumbered from 1, then a few blank rows for new items: 工作事项, 任务目标,
    推进情况, 分管负责人, 责任科室责任人, 重要程度, 任务来源 and 备注 as given, each item's ``item_id``
    in the hidden column 事项编号, and the 进度评价 (text and fill) only when ``keep_colours``.
    Such a sheet is protected (no password) with every cell a clerk fills in unlocked.
    """
    name = _department(department)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    layout = _Layout() if items is None else _Layout(len(items) + BLANK_ROWS_AFTER_ITEMS)
    _ledger_sheet(ws, name, layout)
    if items is not None:
        _item_rows(ws, items, keep_colours=keep_colours)
        _protect(ws, layout)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET_TITLE))
    wb.active = 0
    wb.properties.creator = "taizhang"
    wb.properties.title = f"{name or PLACEHOLDER_DEPARTMENT}{TITLE_MARK}"
    return wb


def write_template(path: Path, department: str | None = None, items: Sequence[Item] | None = None, *,
                   keep_colours: bool = False) -> Path:
    """Build the template (pre-filled with ``items`` when given) and save it atomically to ``path``."""
    return atomic_save(build_template(department, items, keep_colours=keep_colours), Path(path))


def _ledger_sheet(ws: Worksheet, department: str | None, layout: _Layout) -> None:
    set_widths(ws, [c.width for c in COLUMNS])

    merged_text(ws, TITLE_ROW, 1, N_COLS, f"{department or PLACEHOLDER_DEPARTMENT}{TITLE_MARK}",
                font=TITLE_FONT, align="center", height=40)
    # The notice puts 填报日期 at the right, above the last columns.
    merged_text(ws, DATE_ROW, COL["owner"], N_COLS, DATE_TEXT, align="right", height=22)
    merged_text(ws, SUMMARY_ROW, 1, N_COLS, placeholder_summary(department or CENTER))

    write_header(ws, HEADER_ROW, [c.label for c in COLUMNS])
    for row in range(FIRST_ITEM_ROW, layout.last_item_row + 1):
        for col in COLUMNS:
            cell = ws.cell(row, COL[col.key])
            style_cell(cell, align="center" if col.key in CENTRED_KEYS else "left")
        # Pre-numbered: a row whose only content is its 序号 counts as empty, not as an item.
        ws.cell(row, COL["no"]).value = row - FIRST_ITEM_ROW + 1
    _validations(ws, layout)
    # Issue 11: 评价颜色 list, the colours it paints, the summary sentence as a formula.
    add_self_checks(ws, FIRST_ITEM_ROW, layout.last_item_row)

    merged_text(ws, layout.footer_row, 1, COL["progress"] - 1, FOOTER_LEADER, height=24)
    merged_text(ws, layout.footer_row, COL["judgement"], N_COLS, FOOTER_CONTACT, height=24)

    for offset, text in enumerate(NOTES):
        merged_text(ws, layout.notes_row + offset, 1, N_COLS, text,
                    font=BOLD_BODY_FONT if offset == 0 else NOTE_FONT)

    legend_row = layout.legend_row
    merged_text(ws, legend_row, 1, N_COLS, "进度评价颜色标注（在“评价颜色”列选择，“进度评价”单元格自动着色）：",
                font=BOLD_BODY_FONT)
    for offset, colour in enumerate(LEGEND_COLOURS, start=1):
        row = legend_row + offset
        label = "不标颜色" if colour is Colour.NONE else COLOUR_NAMES[colour]
        meaning = COLOUR_MEANING[colour] + ("" if colour is Colour.NONE else f"标{COLOUR_NAMES[colour]}")
        merged_text(ws, row, 1, COL["name"], label, align="center", border=True, fill=fill_for(colour))
        merged_text(ws, row, COL["target"], N_COLS, meaning, font=NOTE_FONT, border=True)

    freeze_below(ws, HEADER_ROW)
    setup_print(ws, f"{HEADER_ROW}:{HEADER_ROW}")


# What a pre-filled row carries over from last month, by column key (序号 is renumbered; 进度评价
# only when the colours are kept).
_CARRIED = ("name", "target", "progress", "leader", "owner", "stars", "source", "note")


def _item_rows(ws: Worksheet, items: Sequence[Item], *, keep_colours: bool) -> None:
    """Fill the first rows with ``items``: texts, the ID, and a height that shows the texts."""
    # The ID column: its header so the reader finds it, hidden from the clerk.
    style_cell(set_text(ws.cell(HEADER_ROW, ID_COL), ITEM_ID_LABEL), font=HEADER_FONT, align="center")
    ws.column_dimensions[ID_LETTER].width = 16
    ws.column_dimensions[ID_LETTER].hidden = True
    widths = {key: column_width(ws, col) for key, col in COL.items()}
    for offset, item in enumerate(items):
        row = FIRST_ITEM_ROW + offset
        texts = {key: getattr(item, key) or "" for key in _CARRIED}
        # what the department kept in a column of its own must not be lost next month
        texts["note"] = note_with_extras(item.note, item.extra, leave_out=(rules.CHOICE_LABEL, rules.ITEM_ID_LABEL))
        if keep_colours:
            texts["judgement"] = item.judgement
            # The colour goes in as the 评价颜色 choice: its conditional format paints 进度评价 and the
            # summary formula counts it (a fill of its own would not be counted).
            if item.colour in rules.CHOICE_NAMES:
                set_text(ws.cell(row, CHOICE_COL), rules.CHOICE_NAMES[item.colour])
        for key, text in texts.items():
            set_text(ws.cell(row, COL[key]), text)
        if item.item_id:
            cell = set_text(ws.cell(row, ID_COL), item.item_id)
            cell.number_format = "@"  # text: an ID of digits and an e is never read as a number
        height = max((row_height_for(str(text), widths[key]) for key, text in texts.items() if text), default=0)
        if height:
            ws.row_dimensions[row].height = min(height, 409)  # Excel's largest row height


def _protect(ws: Worksheet, layout: _Layout) -> None:
    """Protect the sheet (no password: against accidents, not people) so that the hidden ID column
    cannot be shown, resized or deleted, with everything a clerk writes unlocked: the title, date
    and sentence, the item rows (A–K, and L so that sorted or moved rows take their ID along),
    the footer and 说明. The header row stays locked. Rows may be inserted, deleted, formatted
    (the 进度评价 fill) and sorted."""
    unlocked = Protection(locked=False)
    for row in range(TITLE_ROW, layout.legend_row + len(LEGEND_COLOURS) + 1):
        if row == HEADER_ROW:
            continue
        for col in range(1, ID_COL + 1):
            ws.cell(row, col).protection = unlocked
    p = ws.protection
    p.sheet = True
    # In OOXML each flag says what is *protected*: False allows it.
    p.formatCells = p.formatRows = p.insertRows = p.deleteRows = p.sort = p.autoFilter = False
    p.insertHyperlinks = False
    p.formatColumns = p.insertColumns = p.deleteColumns = True
    p.selectLockedCells = p.selectUnlockedCells = False


def _validations(ws: Worksheet, layout: _Layout) -> None:
    """Drop-down lists for 重要程度 and 进度评价, an input prompt for 任务来源."""

    def column_range(key: str) -> str:
        letter = ws.cell(FIRST_ITEM_ROW, COL[key]).column_letter
        return f"{letter}{FIRST_ITEM_ROW}:{letter}{layout.last_item_row}"

    # Excel limits: list ≤ 255 characters, titles ≤ 32, messages ≤ 255.
    stars = DataValidation(
        type="list", formula1=f'"{STAR_LIST}"', allow_blank=True,
        showInputMessage=True, promptTitle="重要程度",
        prompt="★★★ 特别重要；★★ 重要；★ 一般（见说明第1条）。请从下拉列表中选择。",
        showErrorMessage=True, errorStyle="stop", errorTitle="重要程度填写有误",
        error="重要程度只能是 ★★★、★★ 或 ★ 三级之一，请从下拉列表中选择。",
    )
    stars.add(column_range("stars"))
    # "warning", not "stop": a clerk may add words after the colour (红色：由黄转红).
    judgement = DataValidation(
        type="list", formula1=f'"{JUDGEMENT_LIST}"', allow_blank=True,
        showInputMessage=True, promptTitle="进度评价",
        prompt="颜色请在右侧“评价颜色”列选择，本单元格会自动着色；这里也可写评价文字（见说明第3条）。",
        showErrorMessage=True, errorStyle="warning", errorTitle="进度评价",
        error="进度评价应为蓝色、黄色或红色（其他事项留空）。确实要保留这段文字吗？",
    )
    judgement.add(column_range("judgement"))
    source_prompt = "；".join(f"{code}：{text}" for code, text in SOURCE_MEANING.items())
    source = DataValidation(
        allow_blank=True, showInputMessage=True, promptTitle="任务来源（可多选）",
        prompt=f"{source_prompt}。可填多个代码，如 ABC。",
    )
    source.add(column_range("source"))
    for dv in (stars, judgement, source):
        ws.add_data_validation(dv)


def _guide_sheet(ws: Worksheet) -> None:
    """The rules a clerk needs while filling in, on a sheet after the ledger."""
    set_widths(ws, [12, 12, 76])
    last = 3
    row = 1
    merged_text(ws, row, 1, last, "重点工作台账填报说明", font=TITLE_FONT, align="center", height=36)
    row += 1
    merged_text(ws, row, 1, last, "依据：济航〔2022〕13号《关于建立健全重点工作台账制度的通知》附件2", align="center")

    def section(title: str) -> None:
        nonlocal row
        row += 2
        merged_text(ws, row, 1, last, title, font=HEADER_FONT)

    def table_header(*labels: str) -> None:
        nonlocal row
        row += 1
        for col, label in enumerate(labels, start=1):
            cell = set_text(ws.cell(row, col), label)
            style_cell(cell, font=HEADER_FONT, align="center", fill=HEADER_FILL)
        if len(labels) < last:
            ws.merge_cells(start_row=row, start_column=len(labels), end_row=row, end_column=last)
            for col in range(len(labels) + 1, last + 1):
                style_cell(ws.cell(row, col), font=HEADER_FONT, fill=HEADER_FILL)

    def line(text: str) -> None:
        nonlocal row
        row += 1
        merged_text(ws, row, 1, last, text)

    section("一、重要程度（说明第1条）：按由高到低分为三级")
    table_header("填写", "等级", "包括")
    for level in (3, 2, 1):
        row += 1
        stars = STAR_LEVELS[level]
        for col, value in ((1, stars), (2, STAR_MEANING[level])):
            style_cell(set_text(ws.cell(row, col), value), align="center")
        merged_text(ws, row, 3, last, STAR_DETAIL[stars], border=True)

    section("二、任务来源（说明第2条）：填代码，可填多个（如 ABC）")
    table_header("代码", "含义")
    for code, text in SOURCE_MEANING.items():
        row += 1
        style_cell(set_text(ws.cell(row, 1), code), align="center")
        merged_text(ws, row, 2, last, text, border=True)

    section("三、进度评价（说明第3条）：在“评价颜色”列选择颜色，“进度评价”单元格自动着色")
    table_header("颜色", "包括")
    for colour in LEGEND_COLOURS:
        row += 1
        label = "不标颜色" if colour is Colour.NONE else COLOUR_NAMES[colour]
        style_cell(set_text(ws.cell(row, 1), label), align="center", fill=fill_for(colour))
        merged_text(ws, row, 2, last, COLOUR_MEANING[colour], border=True)

    section("四、填写要求")
    for text in (
        "1. 把标题中的“XX部室（单位）”改为本部室（单位）名称。",
        "2. 把“填报日期”中的“×”改为实际日期。第3行汇总句是公式，按下方事项自动计数（已销号事项不计入），"
        "不要改写它。",
        "3. 每个事项填一行。工作事项、任务目标、分管负责人、责任科室责任人必须填写（通知第三条：逐一明确责任领导、"
        "责任人员、任务目标）；任务目标要具体、可量化。",
        "4. 已完成的事项在“备注”中注明“销号”；新增事项及时补录（通知第二条）。",
        "5. 事项行不够时，在已有事项行之间插入行，下拉列表和边框会随之扩展；多余的空行可以保留。",
        "6. 不要改动表头文字，不要删除“中心分管领导”一行和“说明”。单元格内容不要以“=”“+”“-”开头，"
        "否则 Excel 会当作公式；确需时先输入英文单引号（'）。",
    ):
        line(text)

    section("五、报送")
    for text in (
        f"报送时间：{DUE_TEXT}",
        "报送方式：报送电子版 Excel 文件（.xlsx），不要转成 PDF 或图片；文件名写明部室和月份，"
        "如“规划发展部-2022年4月重点工作台账.xlsx”。",
        f"{CONTACT_TEXT}（见通知；如有变动，以中心综合部最新通知为准）",
        HONESTY_TEXT,
    ):
        line(text)

    # Nothing here needs freezing; it prints portrait, one page wide.
    ws.sheet_view.showGridLines = False
    setup_print(ws, None, landscape=False)
