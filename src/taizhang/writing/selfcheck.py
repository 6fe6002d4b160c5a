"""The self-checking ledger (issue 11): the colour chosen from a list paints 进度评价, and the
summary sentence computes itself from the table, so a department's sentence cannot disagree
with its table.

``add_self_checks(ws, first_item_row, last_item_row)`` adds to a sheet laid out as 附件2 (the
template, and ``prepare``'s pre-filled workbooks):

* column K ``评价颜色`` (after 备注) with a drop-down list 蓝色/黄色/红色/不标注;
* conditional formats that fill the 进度评价 cell blue/yellow/red from K, or from the colour word
  the 进度评价 text starts with when K is empty (the notice's 蓝色/黄色/红色 written there);
* the summary sentence as one formula over the table, word for word the sentence of 附件2
  (``rules.summary_sentence``), its date taken from the 填报日期 cell.

The formula counts as the validator does (``summary.count_items``): an item is a row with its
工作事项 and a numeric 序号 or something else written (a section heading ``一、港口建设`` alone, or
beside 序号 ``一``, is not an item); a row
whose 进度评价 or 备注 says 销号 (but not 未销号/不销号/拟销号/申请销号) is closed and not counted;
an item with several source letters counts once under each; the colour is K's choice, else the
colour word 进度评价 starts with. With no item the figures stay ``×``, so a blank ledger still
reads as unfilled. The formula is plain SUMPRODUCT/SEARCH/SUBSTITUTE (no names, no newer
functions), so Excel, WPS and LibreOffice compute it alike, and a copied month sheet counts its
own table.

The ranges run over ``SPARE_ROWS`` rows from the first item row, well past the template's rows:
rows a clerk adds anywhere above the footer are counted without touching the formula (the footer,
说明 and legend below have no 工作事项, so they never count).
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import rules
from ..models import Colour, Counts
from .xlsx_common import HEADER_FILL, HEADER_FONT, set_text, style_cell

CHOICE_LABEL = rules.CHOICE_LABEL  # 评价颜色
CHOICE_WIDTH = 10
SPARE_ROWS = 500  # rows from the first item row that the formulas, list and colours cover
# The list's words; the reader takes the same words (rules.CHOICE_COLOURS).
CHOICES = tuple(rules.CHOICE_COLOURS)  # 蓝色, 黄色, 红色, 不标注
# Words that keep an item open although they contain 销号 (rules.is_closed).
_NOT_CLOSED = ("未销号", "不销号", "拟销号", "申请销号")
_COLOUR_CHAR = {Colour.BLUE: "蓝", Colour.YELLOW: "黄", Colour.RED: "红"}


def add_self_checks(ws: Worksheet, first_item_row: int, last_item_row: int) -> None:
    """Add the 评价颜色 list, the colours it paints and the summary formula to a 附件2 sheet whose
    header is the row above ``first_item_row``; ``last_item_row`` is the last row drawn for items."""
    header_row = first_item_row - 1
    cols = _columns(ws, header_row)
    last = max(last_item_row, first_item_row + SPARE_ROWS - 1)
    k = cols.get("choice") or max(cols.values()) + 1
    cols["choice"] = k
    letter = get_column_letter(k)

    # The column: header as the others, bordered cells over the drawn item rows.
    cell = set_text(ws.cell(header_row, k), CHOICE_LABEL)
    style_cell(cell, font=HEADER_FONT, align="center", fill=HEADER_FILL)
    for row in range(first_item_row, last_item_row + 1):
        style_cell(ws.cell(row, k), align="center")
    ws.column_dimensions[letter].width = CHOICE_WIDTH

    choice = DataValidation(
        type="list", formula1='"' + ",".join(CHOICES) + '"', allow_blank=True,
        showInputMessage=True, promptTitle="评价颜色",
        prompt="按说明第3条选择蓝色、黄色或红色，其他事项选“不标注”；“进度评价”单元格会自动着色，汇总句自动计数。",
        showErrorMessage=True, errorStyle="stop", errorTitle="评价颜色填写有误",
        error="评价颜色只能是蓝色、黄色、红色或不标注，请从下拉列表中选择。",
    )
    choice.add(f"{letter}{first_item_row}:{letter}{last}")
    ws.add_data_validation(choice)

    if "judgement" in cols:
        e = get_column_letter(cols["judgement"])
        for colour, char in _COLOUR_CHAR.items():
            rgb = rules.STANDARD_FILLS[colour]
            # In a conditional format Excel and LibreOffice paint a solid fill's bgColor.
            fill = PatternFill(fill_type="solid", fgColor=rgb, bgColor=rgb)
            test = (f'OR(${letter}{first_item_row}="{rules.COLOUR_NAMES[colour]}",'
                    f'AND(${letter}{first_item_row}="",LEFT(TRIM(${e}{first_item_row}),1)="{char}"))')
            ws.conditional_formatting.add(f"{e}{first_item_row}:{e}{last}",
                                          FormulaRule(formula=[test], fill=fill, stopIfTrue=False))

    summary = _find_text(ws, header_row, rules.SUMMARY_MARK)
    if summary is not None:
        date = _find_text(ws, header_row, rules.DATE_LABEL)
        subject = _subject(str(summary.value))
        summary.value = summary_formula(cols, first_item_row, last, date.coordinate if date else None, subject)


def summary_formula(cols: dict[str, int], first: int, last: int, date_ref: str | None, subject: str) -> str:
    """The formula that writes 附件2's summary sentence for the table in rows ``first..last``.

    ``cols`` maps column keys (name, target, …, note, choice) to column numbers; ``date_ref`` is the
    cell holding ``填报日期：…`` (or the date itself); ``subject`` is who 共梳理 (市港航事业发展中心).
    """

    def rng(key: str) -> str:
        letter = get_column_letter(cols[key])
        return f"${letter}${first}:${letter}${last}"

    written = "&".join(rng(key) for key in ("target", "progress", "judgement", "leader", "owner", "stars",
                                            "source", "note", "choice") if key in cols)
    # A numbered row is an item even with only its name (the validator counts it, and asks for the
    # rest); an unnumbered one needs more than a name: 一、港口建设 alone, or under 序号 一, is a heading.
    numbered = f'ISNUMBER({rng("no")})+' if "no" in cols else ""
    closing = f'{rng("judgement")}&"|"&{rng("note")}' if "note" in cols else rng("judgement")
    for words in _NOT_CLOSED:
        closing = f'SUBSTITUTE({closing},"{words}","")'
    # An item: 工作事项 and something else written, not closed (销号 in 进度评价 or 备注).
    counted = f'({rng("name")}<>"")*(({numbered}(LEN({written})>0))>0)*ISERROR(SEARCH("销号",{closing}))'

    def count(condition: str | None = None) -> str:
        return f"SUMPRODUCT({counted}*{condition})" if condition else f"SUMPRODUCT({counted})"

    choice, judgement = rng("choice"), rng("judgement")

    def coloured(colour: Colour) -> str:
        return (f'(({choice}="{rules.COLOUR_NAMES[colour]}")'
                f'+({choice}="")*(LEFT(TRIM({judgement}),1)="{_COLOUR_CHAR[colour]}"))')

    stars = rng("stars")
    figures = {
        "total": count(),
        **{str(level): count(f'(TRIM({stars})="{rules.STAR_LEVELS[level]}")') for level in (3, 2, 1)},
        **{letter: count(f'ISNUMBER(SEARCH("{letter}",{rng("source")}))') for letter in "ABCD"},
        "blue": count(coloured(Colour.BLUE)),
        "yellow": count(coloured(Colour.YELLOW)),
        "red": count(coloured(Colour.RED)),
        "none": count(f"(1-{coloured(Colour.BLUE)}-{coloured(Colour.YELLOW)}-{coloured(Colour.RED)})"),
    }
    if date_ref is None:
        date = '"20××年×月×日"'
    else:
        d = date_ref if "$" in date_ref else _absolute(date_ref)
        colon = f'SUBSTITUTE({d},":","：")'
        after = f'IFERROR(TRIM(MID({colon},FIND("：",{colon})+1,99)),{d})'
        # A date typed into the cell (Excel turns 2022/4/3 into one), or the text after 填报日期：
        # (the label itself is not spelled out: the formula is not the 填报日期 cell).
        date = f'IF(ISNUMBER({d}),YEAR({d})&"年"&MONTH({d})&"月"&DAY({d})&"日",{after})'

    def sentence(values: dict[str, str]) -> str:
        return _concatenate(rules.summary_sentence(subject, "\x00date\x00", _counts_of(values)),
                            {"date": date, **figures})

    filled = sentence({key: f"\x00{key}\x00" for key in figures})
    blank = sentence(dict.fromkeys(figures, "×"))
    return f"=IF({figures['total']}=0,{blank},{filled})"


def _concatenate(text: str, exprs: dict[str, str]) -> str:
    """``text`` with ``\x00key\x00`` placeholders as a formula: quoted pieces joined by ``&`` to
    the expressions of the placeholders."""
    pieces = []
    for i, part in enumerate(text.split("\x00")):
        if i % 2:
            pieces.append(exprs[part])
        elif part:
            pieces.append('"' + part.replace('"', '""') + '"')
    return "&".join(pieces)


def _counts_of(values: dict[str, str]) -> Counts:
    return Counts.model_construct(  # model_construct: the figures are placeholders, not numbers
        total=values["total"], stars={k: values[k] for k in ("3", "2", "1")},
        sources={k: values[k] for k in "ABCD"},
        colours={k: values[k] for k in ("blue", "yellow", "red", "none")},
    )


def _absolute(ref: str) -> str:
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters):]}"


def _columns(ws: Worksheet, header_row: int) -> dict[str, int]:
    """Column keys of the header row (rules.match_column), with ``choice`` for 评价颜色."""
    cols: dict[str, int] = {}
    for cell in ws[header_row]:
        if cell.value is None:
            continue
        if rules.normalise_label(cell.value) == CHOICE_LABEL:
            cols["choice"] = cell.column
            continue
        col = rules.match_column(cell.value)
        if col is not None:
            cols.setdefault(col.key, cell.column)
    return cols


def _find_text(ws: Worksheet, before_row: int, mark: str) -> Cell | None:
    """The first cell above ``before_row`` whose text (not a formula) contains ``mark``."""
    for row in ws.iter_rows(min_row=1, max_row=before_row - 1):
        for cell in row:
            if isinstance(cell, Cell) and isinstance(cell.value, str) and not cell.value.startswith("=") \
                    and mark in cell.value:
                return cell
    return None


def _subject(text: str) -> str:
    """Who 共梳理 in the sentence as written: ``截至…，市港航事业发展中心共梳理…`` → 市港航事业发展中心."""
    head = text.split(rules.SUMMARY_MARK, 1)[0]
    return head.rsplit("，", 1)[-1] if "，" in head else "市港航事业发展中心"
