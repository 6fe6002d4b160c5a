"""Write one corpus case as a clerk's workbook with openpyxl (LibreOffice re-saves happen elsewhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.theme import theme_xml

from builders import LABELS, ORDER

from .spec import Case, Heading, It, OldMonth, Shade, intended_counts, source_written, stars_written

FILL_SHADES = {"blue": Shade("9BC2E6"), "yellow": Shade("FFFF00"), "red": Shade("FF0000"), "other": Shade("92D050")}
FONT_SHADES = {"blue": Shade("0070C0"), "yellow": Shade("FFC000"), "red": Shade("FF0000")}
# The conditional formats' own fills (Excel's presets where it has one).
CF_FILLS = {"blue": "9BC2E6", "yellow": "FFEB9C", "red": "FFC7CE"}
CF_FONTS = {"blue": "0070C0", "yellow": "BF8F00", "red": "C00000"}
# Words in 进度评价 that a rule of each kind paints (never a colour's name: the text alone says nothing).
PLAIN_WORDS = {"blue": "进展较快", "yellow": "较好", "red": "进度缓慢", "other": "正常推进", None: "按计划推进"}
CF_WORDS = {
    "contains": {"blue": "总体进展较快", "yellow": "预计较好等次", "red": "推进缓慢"},
    "begins": {"blue": "进展较快，已超额完成", "yellow": "进展一般，预计较好", "red": "进展缓慢，需加快"},
}
CF_TRIGGER = {"contains": {"blue": "较快", "yellow": "较好", "red": "缓慢"},
              "begins": {"blue": "进展较快", "yellow": "进展一般", "red": "进展缓慢"}}
TEXT_WORDS = {"blue": "蓝色：进展较快", "yellow": "黄色", "red": "红色：进度缓慢"}
PROGRESS = {
    "blue": "进展顺利，已完成年度任务的45%，超过序时进度。",
    "yellow": "已完成阶段任务，预计年度考核为较好等次。",
    "red": "受疫情影响，施工单位进场推迟，进度滞后于计划。",
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Office 2013+ accents (accent 4 is gold FFC000) replacing openpyxl's built-in Office 2007 ones.
_OFFICE_2013 = {"1F497D": "44546A", "EEECE1": "E7E6E6", "4F81BD": "4472C4", "C0504D": "ED7D31",
                "9BBB59": "A5A5A5", "8064A2": "FFC000", "4BACC6": "5B9BD5", "F79646": "70AD47"}
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass
class Layout:
    """Where the writer put the current month's ledger: per item, column key -> A1 of its cell."""

    sheet: str
    cells: list[dict[str, str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # each item's first row
    summary_cell: str | None = None


def office_2013_theme() -> bytes:
    head, rest = theme_xml.split("<a:clrScheme", 1)
    scheme, tail = rest.split("</a:clrScheme>", 1)
    for old, new in _OFFICE_2013.items():
        scheme = scheme.replace(f'val="{old}"', f'val="{new}"')
    return f"{head}<a:clrScheme{scheme}</a:clrScheme>{tail}".encode()


def _color(shade: Shade) -> Color:
    if shade.theme is not None:
        return Color(theme=shade.theme, tint=shade.tint)
    if shade.indexed is not None:
        return Color(indexed=shade.indexed)
    return Color(rgb="FF" + (shade.rgb or "000000"))


def _solid(shade: Shade) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=_color(shade))


def date_cn(iso: str) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y}年{m}月{d}日"


def sentence(case: Case, items: list[It], date_iso: str, is_current: bool) -> str:
    """The sentence the clerk writes (with the numbers they got wrong, on the current sheet)."""
    n = intended_counts(items)
    if is_current:
        n.update(case.wrong)
    when = case.summary_date if case.summary_date is not None and is_current else date_cn(date_iso)
    return (f"截至{when}，{case.summary_who}共梳理重点工作{n['total']}项，其中从星标看，三级星标{n['3']}项、二级星标{n['2']}项、"
            f"一级星标{n['1']}项；从事项来源看，A级事项{n['A']}项、B级事项{n['B']}项、C级事项{n['C']}项、D级事项{n['D']}项；"
            f"从红黄蓝标注看，蓝色{n['blue']}项，黄色{n['yellow']}项，红色{n['red']}项，未标注颜色{n['none']}项。")


def write_case(case: Case, path: Path) -> Layout:
    """Write ``case`` to ``path`` (an .xlsx) and say where its cells are."""
    wb = Workbook()
    if case.theme_2013:
        wb.loaded_theme = office_2013_theme()
    first = wb.active
    if case.instructions_sheet:
        notes = wb.create_sheet("填报说明")
        notes["A1"] = "填报说明"
        notes["A2"] = "1.请按附件2格式填报，每月5日前报综合部。2.进度评价按说明第3条标注蓝、黄、红色。"
    sheets: list[tuple[str, list[It | Heading], str, object, bool]] = []
    for old in case.old_months:
        sheets.append((old.sheet, _older(case, old), old.date, None, False))
    current = (case.sheet, list(case.rows), case.date, case.date_text, True)
    sheets = [current, *reversed(sheets)] if case.newest_first else [*sheets, current]
    layout = Layout(sheet=case.sheet)
    for name, rows, date_iso, date_text, is_current in sheets:
        ws = wb.create_sheet(name)
        got = _write_sheet(ws, case, rows, date_iso, date_text, is_current)
        if is_current:
            layout = got
    if case.cf and "unevaluable" in case.cf:
        ref = wb.create_sheet("重点督办")
        ref["A1"] = "中心重点督办事项"
        for i, it in enumerate(case.items, start=2):
            if it.mark == "cf" and it.colour == "red":
                ref.cell(i, 1, it.name)
    wb.remove(first)
    wb.active = case.active if case.active is not None else len(wb.sheetnames) - 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return layout


def _older(case: Case, old: OldMonth) -> list[It | Heading]:
    """Last month's sheet: fewer items, none coloured yet, nothing struck."""
    rows = list(case.rows)
    kept = 0
    out: list[It | Heading] = []
    for r in rows:
        if isinstance(r, It):
            kept += 1
            if kept > len(case.items) - old.drop:
                continue
            r = replace(r, colour=None, mark="judgement", judgement="按计划推进", struck=False, hidden=False)
        out.append(r)
    return out


def _columns(case: Case) -> list[str]:
    cols = list(case.order or ORDER)
    if case.two_row_header:
        cols.insert(cols.index("owner") + 1, "owner_person")
    return cols + list(case.extra)


def _write_sheet(ws: Worksheet, case: Case, rows: list[It | Heading], date_iso: str, date_text: object,
                 is_current: bool) -> Layout:
    cols = _columns(case)
    ncols = len(cols)
    col = {key: i for i, key in enumerate(cols, start=1)}
    for key, c in col.items():
        ws.column_dimensions[get_column_letter(c)].width = {"name": 24, "target": 30, "progress": 36}.get(key, 11)
    layout = Layout(sheet=ws.title)
    items = [r for r in rows if isinstance(r, It)]

    r = 1 + case.blank_rows_above
    title = case.title if case.title is not None else f"{case.department}重点工作台账"
    if title:
        ws.cell(r, 1, title).font = Font(name="方正小标宋简体", size=18)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    r += 1
    if case.unit_line:
        ws.cell(r, 1, case.unit_line)
    if date_text is None:
        date_text = f"填报日期：{date_cn(date_iso)}"
    if isinstance(date_text, tuple):
        ws.cell(r, ncols - 3, date_text[0])
        value = ws.cell(r, ncols - 2, date_text[1])
        if isinstance(date_text[1], dt.date):
            value.number_format = "yyyy年m月d日"
    else:
        cell = ws.cell(r, ncols - 2, date_text)
        if isinstance(date_text, dt.date):
            cell.number_format = "yyyy年m月d日"
    r += 1
    summary_row = r
    r += 1

    header = r
    header_rows = 2 if case.two_row_header else 1
    labels = {**LABELS, **case.labels}
    for key, c in col.items():
        if key == "owner_person":
            continue
        label = labels.get(key, key)
        if case.two_row_header and key == "owner":
            ws.cell(header, c, labels.get("owner", "责任科室及责任人").replace("\n", ""))
            ws.merge_cells(start_row=header, start_column=c, end_row=header, end_column=c + 1)
            ws.cell(header + 1, c, "科室")
            ws.cell(header + 1, c + 1, "责任人")
        else:
            ws.cell(header, c, label)
            if case.two_row_header:
                ws.merge_cells(start_row=header, start_column=c, end_row=header + 1, end_column=c)
    for rr in range(header, header + header_rows):
        for c in range(1, ncols + 1):
            cell = ws.cell(rr, c)
            cell.font = Font(bold=True)
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = header + header_rows
    first_item_row = r

    no = 0
    for row in rows:
        if isinstance(row, Heading):
            _write_heading(ws, row, r, col, ncols)
            if case.restart_numbering:
                no = 0
            r += 1
            continue
        no += 1
        where = _write_item(ws, case, row, r, col, no, first_item_row, is_current)
        layout.cells.append(where)
        layout.rows.append(r)
        r += row.sub_rows
    last_item_row = r - 1

    if case.merge_leader and items:
        ws.merge_cells(start_row=first_item_row, start_column=col["leader"], end_row=last_item_row,
                       end_column=col["leader"])
        for where in layout.cells:
            where["leader"] = f"{get_column_letter(col['leader'])}{first_item_row}"
    if case.summary != "none":
        text = sentence(case, items, date_iso, is_current)
        if case.summary == "formula" and is_current:
            text = _formula_sentence(text, case, col, first_item_row, last_item_row)
        ws.cell(summary_row, 1, text).alignment = Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(start_row=summary_row, start_column=1, end_row=summary_row, end_column=ncols)
        ws.row_dimensions[summary_row].height = 48
        layout.summary_cell = f"A{summary_row}"
    if is_current and case.cf:
        _conditional_formats(ws, case, col, first_item_row, last_item_row, ncols)

    r += 1
    ws.cell(r, 1, "中心分管领导：王建国")
    ws.cell(r, col["judgement"], "台账联系人：赵敏，2603969")
    ws.cell(r + 2, 1, "说明：1.“重要程度”按由高到低分别为★★★、★★、★三级。2.“任务来源”分为A、B、C、D四类。")
    ws.freeze_panes = ws.cell(first_item_row, 1)
    ws.print_title_rows = f"{header}:{header + header_rows - 1}"
    return layout


def _write_heading(ws: Worksheet, h: Heading, r: int, col: dict[str, int], ncols: int) -> None:
    bold = Font(bold=True)
    if h.style == "split":
        ws.cell(r, col["no"], h.no).font = bold
        ws.cell(r, col["name"], h.text).font = bold
    else:
        ws.cell(r, 1, f"{h.no}{h.text}").font = bold
        if h.style == "merged":
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
    for c in range(1, ncols + 1):
        ws.cell(r, c).border = BORDER


def _write_item(ws: Worksheet, case: Case, it: It, r: int, col: dict[str, int], no: int, first_item_row: int,
                is_current: bool) -> dict[str, str]:
    k = it.sub_rows
    number: object
    if it.no is not None:
        number = it.no
    elif case.numerals == "circled":
        number = CIRCLED[no - 1]
    elif case.numerals == "formula":
        number = f"=ROW()-{first_item_row - 1}"
    else:
        number = no
    judgement = it.judgement if it.judgement is not None else _judgement_words(case, it)
    target = it.target if it.target is not None else f"{it.name}：年底前全面完成，通过上级验收"
    progress = it.progress if it.progress is not None else PROGRESS.get(it.colour or "", f"{it.name}工作按计划推进。")
    owner_unit, _, owner_person = it.owner.partition("/")
    values: dict[str, object] = {
        "no": number, "name": it.name, "target": target, "progress": progress, "judgement": judgement,
        "leader": it.leader, "owner": it.owner, "stars": stars_written(it), "source": source_written(it),
        "note": "已销号" if it.closed else it.note,
    }
    if "owner_person" in col:
        values["owner"], values["owner_person"] = owner_unit, owner_person
    split_keys = ("target", "progress")
    where: dict[str, str] = {}
    for key, c in col.items():
        letter = get_column_letter(c)
        where[key] = f"{letter}{r}"
        if key in split_keys and k > 1:
            text = str(values[key])
            for i in range(k):
                ws.cell(r + i, c, text if i == 0 else f"（{i + 1}）{text}")
        elif key in values:
            if key == "leader" and case.merge_leader and r != first_item_row:
                continue
            ws.cell(r, c, values[key] or None)
        else:  # an extra column
            ws.cell(r, c, "2022年12月底" if "时限" in key else "无")
        if k > 1 and key not in split_keys:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + k - 1, end_column=c)
    for rr in range(r, r + k):
        for c in col.values():
            cell = ws.cell(rr, c)
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    if is_current:
        _mark(ws, it, r, col)
    if it.struck:
        for rr in range(r, r + k):
            for c in col.values():
                ws.cell(rr, c).font = Font(strike=True)
    if it.hidden:
        for rr in range(r, r + k):
            ws.row_dimensions[rr].hidden = True
    return where


def _judgement_words(case: Case, it: It) -> str:
    """What the clerk writes in 进度评价: words that go with the colour (the words a rule paints, when
    a conditional format colours the item), or the colour's name when the text is the marking."""
    if it.mark == "text" and it.colour in TEXT_WORDS:
        return TEXT_WORDS[it.colour]
    if it.mark == "cf":
        kind = case.cf[0]
        if kind == "unevaluable":  # the rule looks the item up elsewhere; the text says nothing
            return PLAIN_WORDS[None]
        if kind in CF_WORDS:
            return CF_WORDS[kind][it.colour or ""]
    return PLAIN_WORDS.get(it.colour, PLAIN_WORDS[None])


def _mark(ws: Worksheet, it: It, r: int, col: dict[str, int]) -> None:
    """Put the item's colour where the clerk puts it."""
    if it.colour is None or it.mark in ("text", "cf"):
        return
    k = it.sub_rows
    if it.mark.startswith("font"):
        font = Font(color=_color(it.shade or FONT_SHADES[it.colour]))
        keys = {"font": ["judgement"], "font_name": ["name"]}.get(it.mark, list(col))
        for key in keys:
            for rr in range(r, r + (k if key in ("target", "progress") or it.mark == "font_row" else 1)):
                ws.cell(rr, col[key]).font = font
        return
    fill = _solid(it.shade or FILL_SHADES[it.colour])
    if it.stray is not None:
        ws.cell(r, col[it.stray[0]]).fill = _solid(FILL_SHADES[it.stray[1]])
    if it.mark == "row_format":
        for rr in range(r, r + k):
            ws.row_dimensions[rr].fill = fill
    keys = {"judgement": ["judgement"], "name": ["name"], "progress": ["progress"],
            "cells": list(it.cells)}.get(it.mark, list(col))
    for key in keys:
        for rr in range(r, r + (k if key in ("target", "progress") or it.mark in ("row", "row_format") else 1)):
            ws.cell(rr, col[key]).fill = fill


def _formula_sentence(text: str, case: Case, col: dict[str, int], first: int, last: int) -> str:
    """The sentence as a clerk's formula: total and 三级星标 counted by COUNTA/COUNTIF, the rest typed."""
    name = get_column_letter(col["name"])
    stars = get_column_letter(col["stars"])
    n = intended_counts(case.items)
    head, rest = text.split(f"共梳理重点工作{n['total']}项", 1)
    mid, tail = rest.split(f"三级星标{n['3']}项", 1)
    q = '"'
    return (f'="{head}共梳理重点工作"&COUNTA({name}{first}:{name}{last})&"项{mid.replace(q, q + q)}三级星标"'
            f'&COUNTIF({stars}{first}:{stars}{last},"★★★")&"项{tail}"')


def _conditional_formats(ws: Worksheet, case: Case, col: dict[str, int], first: int, last: int, ncols: int) -> None:
    j = get_column_letter(col["judgement"])
    judgement_range = f"{j}{first}:{j}{last}"
    row_range = f"A{first}:{get_column_letter(ncols)}{last}"
    for kind in case.cf:
        for colour in ("blue", "yellow", "red"):
            word = PLAIN_WORDS[colour]
            bg = PatternFill(bgColor=CF_FILLS[colour])  # how Excel writes a rule's fill
            if kind == "equal":
                ws.conditional_formatting.add(judgement_range, CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                                          fill=bg))
            elif kind == "equal_font":
                ws.conditional_formatting.add(judgement_range, CellIsRule(
                    operator="equal", formula=[f'"{word}"'], font=Font(color=CF_FONTS[colour])))
            elif kind == "contains":
                t = CF_TRIGGER["contains"][colour]
                solid = PatternFill(fill_type="solid", fgColor=CF_FILLS[colour], bgColor=CF_FILLS[colour])
                rule = Rule(type="containsText", operator="containsText", text=t,
                            dxf=DifferentialStyle(fill=solid))
                rule.formula = [f'NOT(ISERROR(SEARCH("{t}",{j}{first})))']
                ws.conditional_formatting.add(judgement_range, rule)
            elif kind == "begins":
                t = CF_TRIGGER["begins"][colour]
                rule = Rule(type="beginsWith", operator="beginsWith", text=t, dxf=DifferentialStyle(fill=bg))
                rule.formula = [f'LEFT({j}{first},LEN("{t}"))="{t}"']
                ws.conditional_formatting.add(judgement_range, rule)
            elif kind == "expr_row":
                ws.conditional_formatting.add(row_range, FormulaRule(formula=[f'${j}{first}="{word}"'], fill=bg))
        if kind == "unevaluable":
            name = get_column_letter(col["name"])
            ws.conditional_formatting.add(row_range, FormulaRule(
                formula=[f"COUNTIF(重点督办!$A:$A,${name}{first})>0"], fill=PatternFill(bgColor=CF_FILLS["red"])))
