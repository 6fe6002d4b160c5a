"""Differential test of two taizhang trees: same inputs, canonical outputs, compared byte for byte.

Usage:
    python benchmarks/difftest.py --old OLD_SRC --new NEW_SRC --out DIR [--quick] [--jobs 1]
        [--inputs INPUTS_DIR] [--trees old,new] [--what validate,merge] [--only gen|dump|compare]
        [--fuzz 4000] [--random 400] [--lo 40] [--xmlvar 1500] [--inboxes 60] [--start 0] [--regen]
        [--tests TESTS_DIR] [--python PY]

OLD_SRC / NEW_SRC are the trees' ``src`` folders (e.g. a `git worktree add ../old <commit>`'s
``../old/src`` and this tree's ``src``). Use it before merging any change meant to keep behaviour
(speed work above all): a difference it prints is a change of what users get.
Inputs are generated once into DIR/inputs (or --inputs; reused by later runs unless --regen), with the
tests/ folder next to NEW_SRC (or --tests):
  repo        examples/, tests/data, templates/ and fuzzing's good ledger;
  corpus      tests/corpus cases (the LibreOffice ones re-saved with soffice);
  random      random ledgers built with tests/builders.py (stars/sources spelt many ways, colours as
              fills/fonts/row fills/conditional formats/words, 销号, headings 一、（一）, merged items,
              multi-month workbooks, extra/renamed/reordered columns, right and wrong summary sentences,
              struck/hidden rows, formulas; a tenth as xlwt .xls);
  libreoffice --lo of the random .xlsx re-saved by LibreOffice as .xlsx and --lo/2 as .xls;
  xmlvar      random .xlsx of the kinds above with their sheet XML (and shared strings) respelt:
              namespace prefixes, attribute order/quotes/whitespace, no r=, CDATA, character
              references, inline/rich/str strings, formulas, odd t=/s=, hidden/filled rows, CRLF,
              BOM, UTF-16, comments, processing instructions (reading/xlsx.py's fast scanners' edges);
  fuzz-*      tests/fuzzing.py mutants (zip/xml/cell/xls levels), indexes START.. of seed 0 and of seed 8;
  inboxes     2 example inboxes (with examples/taizhang.toml) and --inboxes of 5-30 of the files above
              (unreadable mutants included); every fifth is merged again for the next month into the
              same store.
--start N makes another input set (other fuzz indexes, random ledgers, respellings and inboxes).
Each tree then writes DIR/old and DIR/new (--trees new: keep an existing DIR/old, e.g. a symlink):
  validate/<file>.json  validate_file(path) and validate_file(path, month="2022-04") model_dump JSON
                        (or the exception type and message; 3 GB address-space limit, 120 s alarm);
  merge/<inbox>/        `taizhang merge INBOX -o X --db D --month M --date D --json` exit code, stdout
                        and stderr, the consolidated .xlsx's parts (without docProps/core.xml) and
                        the store's sqlite3 iterdump;
  timings/              CPU seconds per validated file (not compared).
Then DIR/report.txt lists every differing file (see them with `diff -r DIR/old DIR/new`); the exit
status is 1 if anything differs. Both trees run with the same interpreter (--python, default
the interpreter running this script), niced, side by side (--jobs processes each for validate and for merge).
--quick: a tenth of the files and a fifth of the inboxes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve()
DEFAULT_PY = sys.executable


# ------------------------------------------------------------------------------------------------
# Input generation (runs with the tests folder on sys.path)
# ------------------------------------------------------------------------------------------------

STARS_WAYS = ["★★★", "★★", "★", "☆☆", "***", "★ ★", "★★☆", "3星", "三星", "二级", "2", "重要", "★★（重要）",
              "⭐", "", None, "四星", "★★★★"]
SOURCE_WAYS = ["A", "B", "C", "D", "AB", "BC", "A、B", "A/C", "ａ", "Ｂ", "b", "", None, "E", "A,B", "A级", "ABCD"]
COLOURS = ["blue", "yellow", "red", None, None]
COLOUR_WORDS = {"blue": "蓝色", "yellow": "黄色", "red": "红色"}
NAMES = ["推进港口船舶岸电设施建设", "加快航道整治工程", "开展船闸安全生产专项检查", "落实码头扬尘治理",
         "做好水运服务信息化平台建设", "完成锚地改造", "港口规划修编", "内河航道养护", "智慧港航一期",
         "港口危险货物监管", "水上服务区建设", "船舶污染物接收", "集装箱航线培育", "防汛防台准备", ""]
DEPTS = ["规划发展部", "综合部", "工程建设部", "智慧港航部", "水运服务部", "污染防治部", "党群工作部", "安全监督部"]
PROGRESS = ["按计划推进", "已完成年度计划37%，全市第2位", "排名全市后3位，进度滞后", "已完成", "进度滞后，正在协调",
            "本月完成设计招标\n下月开工", "已销号", ""]


def _random_items(rng: random.Random, n: int) -> list[dict]:
    from builders import FILLS, item

    items = []
    for k in range(n):
        name = rng.choice(NAMES) or ""
        if name and rng.random() < 0.7:
            name = f"{name}{k + 1}"
        colour = rng.choice(COLOURS)
        fields: dict = {"stars": rng.choice(STARS_WAYS), "source": rng.choice(SOURCE_WAYS),
                        "progress": rng.choice(PROGRESS) or f"{name}按计划推进"}
        way = rng.random()
        kw: dict = {}
        if colour and way < 0.5:
            kw["colour"] = colour  # fill on 进度评价
        elif colour and way < 0.65:
            fields["font"] = FILLS[colour]
            fields["shown"] = colour
        elif colour and way < 0.75:
            fields["judgement"] = COLOUR_WORDS[colour]
            fields["shown"] = colour
        elif colour and way < 0.85:
            fields["fills"] = {rng.choice(["name", "progress", "no"]): FILLS[colour]}
            fields["shown"] = colour
        elif colour and way < 0.9:
            fields["row_fill"] = FILLS[colour]
            fields["shown"] = colour
        elif colour:
            fields["fonts"] = {"name": FILLS[colour]}
            fields["shown"] = colour
        r = rng.random()
        if r < 0.08:
            fields["note"] = "已销号"
        elif r < 0.12:
            fields["judgement"] = "销号"
        elif r < 0.2:
            fields["note"] = rng.choice(["2022年6月底完成", "牵头", "配合工程建设部"])
        if rng.random() < 0.05:
            fields["no"] = rng.choice(["一、", "二、", "（一）", "①", "1.1", None])
        if rng.random() < 0.05:
            fields["stars"] = rng.choice(["特别重要", "★★★★★★", "✩✩"])
        if rng.random() < 0.06:  # a section heading before this item (only 序号 and/or 工作事项 filled)
            text, no = rng.choice([("一、港口建设", ""), ("航道建设", "二、"), ("（一）内河航道", ""), ("船舶检验", "（二）"),
                                   ("三、其他工作", "三、"), ("①岸电", "")])
            items.append(item(text, no=no, target="", progress="", leader="", owner="", stars="", source=""))
            if rng.random() < 0.5:
                fields["no"] = rng.choice(["①", "1", "（1）"])
        items.append(item(name, **kw, **fields))
    return items


def _touch_up(rng: random.Random, path: Path) -> None:
    """What clerks do afterwards: strike an item through, hide a row, merge a heading across, a formula."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    wb = load_workbook(path)
    ws = wb.active
    rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
    if not rows:
        return
    for _ in range(rng.randint(1, 3)):
        r = rng.choice(rows)
        what = rng.random()
        if what < 0.35:
            for c in range(1, 11):
                ws.cell(r, c).font = Font(strike=True)
        elif what < 0.6:
            ws.row_dimensions[r].hidden = True
        elif what < 0.8:
            if not any(r in rng_ for rng_ in (m.rows for m in ws.merged_cells.ranges)):
                try:
                    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=rng.randint(3, 5))
                except ValueError:
                    pass
        else:
            ws.cell(r, 1).value = f"=ROW()-{rng.randint(3, 5)}"
    wb.save(path)


def _random_xls(rng: random.Random, path: Path) -> Path:
    from builders import auto_summary, build_xls

    items = _random_items(rng, rng.randint(1, 25))
    styles = {"blue": "pattern: pattern solid, fore_colour light_blue;", "yellow": "pattern: pattern solid, fore_colour yellow;",
              "red": "pattern: pattern solid, fore_colour red;"}
    inv = {"9BC2E6": "blue", "FFFF00": "yellow", "FF0000": "red"}
    rows = [[it.get("no", i + 1), it["name"], it["target"], it["progress"], it.get("judgement", ""), it["leader"],
             it["owner"], it["stars"] or "", it["source"] or "", it["note"]] for i, it in enumerate(items)]
    js = [styles.get(inv.get(it.get("fill", ""), ""), "") for it in items]
    summary = auto_summary(items, "2022年4月3日") if rng.random() < 0.6 else None
    dept = rng.choice(DEPTS)
    return build_xls(path, rows, title=f"{dept}重点工作台账", judgement_styles=js, summary=summary,
                     layout=rng.random() < 0.5, date=rng.choice(["填报日期：2022年4月3日", "2022.4.30", "填报日期：4月3日"]))


def _random_ledger(rng: random.Random, path: Path) -> Path:
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import PatternFill

    from builders import auto_summary, build_ledger, build_month_workbook

    n = rng.randint(1, 40)
    items = _random_items(rng, n)
    dept = rng.choice(DEPTS)
    if rng.random() < 0.12:
        months = []
        for m in sorted(rng.sample([2, 3, 4, 5], rng.randint(2, 3))):
            months.append((rng.choice([f"{m}月", f"2022.{m}", f"{m}月份台账", f"2022年{m}月"]),
                           f"2022年{m}月{rng.randint(1, 28)}日", _random_items(rng, rng.randint(1, 12))))
        active = rng.choice([None, months[0][0]])
        return build_month_workbook(path, months, active=active, department=dept)
    kw: dict = {"department": dept}
    if rng.random() < 0.2:
        kw["department"] = None
        kw["title"] = rng.choice([None, "重点工作台账", f"{dept}2022年重点工作台账"])
    day = rng.randint(1, 30)
    month = rng.choice([4, 4, 4, 5, 3])
    date_text = rng.choice([f"2022年{month}月{day}日", f"2022.{month}.{day}", f"2022-{month:02d}-{day:02d}",
                            f"{month}月{day}日"])
    kw["date"] = rng.choice([f"填报日期：{date_text}", date_text, None]) if rng.random() < 0.3 else f"填报日期：{date_text}"
    s = rng.random()
    if s < 0.5:
        kw["summary"] = True
    elif s < 0.75:
        wrong = list(items)
        if wrong:
            wrong = wrong[:-1] if rng.random() < 0.5 else wrong + [wrong[0]]
        kw["summary"] = auto_summary(wrong, date_text)
    elif s < 0.85:
        kw["summary"] = None
    else:
        kw["summary"] = rng.choice(["截至2022年4月3日，共梳理重点工作3项。",
                                    auto_summary(items, date_text).replace("项，其中", "项,其中"),
                                    auto_summary(items, date_text).replace("三级星标", "三星")])
    if rng.random() < 0.25:
        order = list(kw.get("order", ("no", "name", "target", "progress", "judgement", "leader", "owner",
                                      "stars", "source", "note")))
        a, b = rng.sample(range(1, len(order)), 2)
        order[a], order[b] = order[b], order[a]
        kw["order"] = order
    if rng.random() < 0.2:
        kw["extra"] = {rng.choice(["完成时限", "牵头领导", "配合部门"]): [rng.choice(["2022年6月", "", "张三"])
                                                                        for _ in items]}
    if rng.random() < 0.15:
        kw["labels"] = rng.choice([{"judgement": "进度\n评价"}, {"stars": "重要\n程度"}, {"name": "工作 事项"},
                                   {"source": "事项来源"}, {"no": "编号"}])
    if rng.random() < 0.1:
        kw["blank_rows_above"] = rng.randint(1, 3)
    if rng.random() < 0.1:
        kw["footer"] = False
    if n >= 3 and rng.random() < 0.2:
        start = rng.randrange(n - 1)
        kw["merge_items"] = [(start, rng.randint(2, min(3, n - start)))]
    if rng.random() < 0.1:
        kw["before_sheets"] = [("填报说明", rng.random() < 0.5)]
    if rng.random() < 0.1:
        kw["formatted_empty_rows"] = rng.randint(1, 8)
    if rng.random() < 0.05:
        kw["number"] = False
    if rng.random() < 0.1:
        kw["unit"] = rng.choice([f"填报单位：{dept}（盖章）", ("填报单位：", dept)])
    if rng.random() < 0.1:
        kw["table_fill"] = rng.choice(["DDEBF7", "F2F2F2", "FFFFFF"])
    if rng.random() < 0.12:
        last = 5 + n
        red, blue, yellow = (PatternFill(fill_type="solid", fgColor=c, bgColor=c) for c in ("FF0000", "9BC2E6", "FFFF00"))
        rule = rng.choice([
            [(f"E5:E{last}", CellIsRule(operator="equal", formula=['"红色"'], fill=red)),
             (f"E5:E{last}", CellIsRule(operator="equal", formula=['"蓝色"'], fill=blue))],
            [(f"A5:J{last}", FormulaRule(formula=['$E5="红色"'], fill=red))],
            [(f"A5:J{last}", FormulaRule(formula=['ISNUMBER(SEARCH("滞后",$D5))'], fill=yellow))],
            [(f"E5:E{last}", FormulaRule(formula=['INDIRECT("A1")=1'], fill=red))],
        ])
        kw["conditional"] = rule
    if rng.random() < 0.05:
        kw["sheet_title"] = rng.choice(["4月", "台账", "Sheet1 (2)"])
    return build_ledger(path, items, **kw)


# --- Equivalent (or nearly) spellings of the same sheet XML: what other writers do, and the edges of
# reading/xlsx.py's fast scanners (which must read exactly as expat does, or decline).

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xv_prefix(rng, x):  # noqa: ANN001, ANN202
    x = re.sub(r"<(/?)(worksheet|sheetData|row|c|v|f|is|t|r|mergeCells|mergeCell)\b", r"<\1x:\2", x)
    return x.replace("<x:worksheet ", f'<x:worksheet xmlns:x="{_MAIN_NS}" ', 1)


def _xv_attr_order(rng, x):  # noqa: ANN001, ANN202
    return re.sub(r'<c r="([^"]*)"((?: [st]="[^"]*")+)', lambda m: f'<c{m.group(2)} r="{m.group(1)}"', x,
                  count=rng.randint(1, 50))


def _xv_quotes(rng, x):  # noqa: ANN001, ANN202
    return re.sub(r'<c r="([^"]*)"', r"<c r='\1'", x, count=rng.randint(1, 100))


def _xv_space(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["tag", "nl", "v", "row"])
    if how == "tag":
        return re.sub(r'(<c [^>]*?)(/?)>', r"\1 \2>", x, count=rng.randint(1, 100))
    if how == "nl":
        return x.replace("</c>", "</c>\n", rng.randint(1, 100))
    if how == "row":
        return x.replace("<row ", "<row  ", rng.randint(1, 20)).replace("</row>", "</row >", rng.randint(1, 20))
    return re.sub(r"<v>([^<]*)</v>", r"<v> \1 </v>", x, count=rng.randint(1, 20))


def _xv_no_refs(rng, x):  # noqa: ANN001, ANN202
    if rng.random() < 0.5:
        x = re.sub(r'(<c) r="[^"]*"', r"\1", x, count=rng.randint(1, 200))
    if rng.random() < 0.5:
        x = re.sub(r'(<row) r="[^"]*"', r"\1", x, count=rng.randint(1, 20))
    return x


def _xv_cdata(rng, x):  # noqa: ANN001, ANN202
    return re.sub(r"<v>([^<]*)</v>", r"<v><![CDATA[\1]]></v>", x, count=rng.randint(1, 10))


def _xv_charrefs(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["v", "attr", "named"])
    if how == "v":
        return re.sub(r"<v>([0-9])", lambda m: f"<v>&#{ord(m.group(1))};", x, count=rng.randint(1, 30))
    if how == "attr":
        return re.sub(r'<c r="([A-Z])', lambda m: f'<c r="&#{ord(m.group(1))};', x, count=rng.randint(1, 30))
    return re.sub(r'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', lambda m: f'<c r="{m.group(1)}" s="&#x{ord(m.group(2)[0]):x};'
                  f'{m.group(2)[1:]}"', x, count=rng.randint(1, 30))


def _xv_row_refs(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["zero", "lower", "colonly", "mismatch", "big"])
    if how == "zero":
        return re.sub(r'<row r="([0-9]+)"', r'<row r="0\1"', x, count=rng.randint(1, 10))
    if how == "lower":
        return re.sub(r'<c r="([A-Z]+)', lambda m: f'<c r="{m.group(1).lower()}', x, count=rng.randint(1, 10))
    if how == "colonly":
        return re.sub(r'<c r="([A-Z]+)[0-9]+"', r'<c r="\1"', x, count=rng.randint(1, 10))
    if how == "mismatch":
        return re.sub(r'<c r="([A-Z]+)([0-9]+)"', lambda m: f'<c r="{m.group(1)}{int(m.group(2)) + 1}"', x,
                      count=rng.randint(1, 10))
    return re.sub(r'<row r="([0-9]+)"', lambda m: f'<row r="{int(m.group(1)) + 1048000}"', x, count=1)


def _xv_inline(rng, shared: list[str]):  # noqa: ANN001, ANN202
    def run(r, x):  # noqa: ANN001, ANN202
        def one(m):  # noqa: ANN001, ANN202
            try:
                text = shared[int(m.group(3))]
            except (ValueError, IndexError):
                return m.group(0)
            t = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            way = r.random()
            if way < 0.5:
                body = f"<is><t>{t}</t></is>"
            elif way < 0.7:
                body = f'<is><t xml:space="preserve">{t}</t></is>'
            elif way < 0.85:
                h = len(t) // 2
                body = f"<is><r><t>{t[:h]}</t></r><r><rPr><b/></rPr><t>{t[h:]}</t></r></is>"
            else:
                body = f"<v>{t}</v>"
                return f'<c r="{m.group(1)}"{m.group(2)} t="str">{body}</c>'
            return f'<c r="{m.group(1)}"{m.group(2)} t="inlineStr">{body}</c>'
        return re.sub(r'<c r="([^"]*)"((?: s="[0-9]*")?) t="s"><v>([0-9]+)</v></c>', one, x, count=r.randint(1, 300))
    return run


def _xv_formula(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["shared", "plain", "nocache", "array"])
    if how == "nocache":
        return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>([0-9]+)</v></c>', r'<c r="\1"\2><f>ROW()-4</f></c>', x,
                      count=rng.randint(1, 5))
    if how == "shared":
        return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>([0-9]+)</v></c>',
                      r'<c r="\1"\2><f t="shared" ref="\1" si="0">ROW()-4</f><v>\3</v></c>', x, count=rng.randint(1, 5))
    if how == "array":
        return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>([0-9]+)</v></c>',
                      r'<c r="\1"\2><f t="array" ref="\1">ROW()-4&amp;""</f><v>\3</v></c>', x, count=rng.randint(1, 5))
    return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>([0-9]+)</v></c>',
                  r'<c r="\1"\2><f>1+\3-1</f><v>\3</v></c>', x, count=rng.randint(1, 5))


def _xv_types(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["n", "e", "b", "d", "s_pad", "empty_v", "selfclose", "dupattr", "sheetdata_attr"])
    if how == "n":
        return re.sub(r'<c r="([^"]*)"((?: s="[0-9]*")?)><v>', r'<c r="\1"\2 t="n"><v>', x, count=rng.randint(1, 20))
    if how == "e":
        return re.sub(r'<c r="([^"]*)"((?: s="[0-9]*")?)><v>[0-9.]+</v>', r'<c r="\1"\2 t="e"><v>#N/A</v>', x, count=1)
    if how == "b":
        return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>[0-9]+</v>', r'<c r="\1"\2 t="b"><v>1</v>', x, count=1)
    if how == "d":
        return re.sub(r'<c r="(A[0-9]+)"((?: s="[0-9]*")?)><v>[0-9]+</v>', r'<c r="\1"\2 t="d"><v>2022-04-03T00:00:00Z</v>',
                      x, count=2)
    if how == "s_pad":
        return re.sub(r' s="([0-9]+)"', r' s="0\1"', x, count=rng.randint(1, 50))
    if how == "empty_v":
        return re.sub(r"<v>[^<]*</v>", rng.choice(["<v/>", "<v></v>"]), x, count=rng.randint(1, 5))
    if how == "selfclose":
        return re.sub(r'<c r="([^"]*)" s="([0-9]+)"/>', r'<c r="\1" s="\2"></c>', x, count=rng.randint(1, 50))
    if how == "dupattr":
        return re.sub(r'<c r="([^"]*)"', r'<c r="\1" r="\1"', x, count=1)
    return x.replace("<sheetData>", '<sheetData >', 1)


def _xv_rows(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["hidden", "zeroht", "fill", "spans", "emptyrow"])
    if how == "hidden":
        return re.sub(r'<row r="([0-9]+)"', r'<row r="\1" hidden="' + rng.choice(["1", "true", "0", "false"]) + '"', x,
                      count=rng.randint(1, 3))
    if how == "zeroht":
        return re.sub(r'<row r="([0-9]+)"', r'<row r="\1" ht="0" customHeight="1"', x, count=rng.randint(1, 3))
    if how == "fill":
        return re.sub(r'<row r="([0-9]+)"', r'<row r="\1" s="' + str(rng.randint(0, 8)) + '" customFormat="1"', x,
                      count=rng.randint(1, 5))
    if how == "spans":
        return re.sub(r'<row r="([0-9]+)"', r'<row r="\1" spans="1:10" x14ac:dyDescent="0.25"', x, count=rng.randint(1, 5))
    return re.sub(r'(<row r="[0-9]+"[^>]*)>\s*</row>', r"\1/>", x)


def _xv_text(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["crlf", "bom", "utf16", "decl", "comment", "pi"])
    if how == "crlf":
        return x.replace("\n", "\r\n")
    if how == "bom":
        return "\ufeff" + x
    if how == "utf16":
        return "UTF16:" + x
    if how == "decl":
        return re.sub(r"^<\?xml[^>]*\?>", "", x)
    if how == "comment":
        return x.replace("</row>", "</row><!-- x -->", rng.randint(1, 5))
    return x.replace("</row>", "</row><?x y?>", rng.randint(1, 5))


def _sst_variants(rng, x):  # noqa: ANN001, ANN202
    how = rng.choice(["rich", "preserve", "phonetic", "cdata", "charref", "strike", "crlf", "prefix"])
    if how == "rich":
        return re.sub(r"<si><t>([^<]{2,})</t></si>", lambda m: f"<si><r><t>{m.group(1)[:1]}</t></r><r><rPr><sz val=\"11\"/>"
                      f"</rPr><t>{m.group(1)[1:]}</t></r></si>", x, count=rng.randint(1, 50))
    if how == "preserve":
        return re.sub(r"<si><t>", '<si><t xml:space="preserve">', x, count=rng.randint(1, 50))
    if how == "phonetic":
        return re.sub(r"</t></si>", "</t><rPh sb=\"0\" eb=\"1\"><t>ガ</t></rPh></si>", x, count=rng.randint(1, 10))
    if how == "cdata":
        return re.sub(r"<si><t>([^<&]+)</t>", r"<si><t><![CDATA[\1]]></t>", x, count=rng.randint(1, 10))
    if how == "charref":
        return re.sub(r"<si><t>([^<&])", lambda m: f"<si><t>&#{ord(m.group(1))};", x, count=rng.randint(1, 20))
    if how == "strike":
        return re.sub(r"<si><t>([^<]{2,})</t></si>", lambda m: f"<si><r><rPr><strike/></rPr><t>{m.group(1)}</t></r></si>",
                      x, count=rng.randint(1, 3))
    if how == "crlf":
        return x.replace("&#10;", "&#13;&#10;").replace("\n", "\r\n")
    x = re.sub(r"<(/?)(sst|si|t|r|rPr)\b", r"<\1x:\2", x)
    return x.replace("<x:sst ", f'<x:sst xmlns:x="{_MAIN_NS}" ', 1)


_XV = [_xv_prefix, _xv_attr_order, _xv_quotes, _xv_space, _xv_no_refs, _xv_cdata, _xv_charrefs, _xv_row_refs,
       _xv_formula, _xv_types, _xv_rows, _xv_text]


def _encode(x: str) -> bytes:
    if x.startswith("UTF16:"):
        x = re.sub(r"^<\?xml[^>]*\?>", "", x[6:])
        return ('<?xml version="1.0" encoding="UTF-16"?>' + x).encode("utf-16")
    return x.encode("utf-8")


def xml_variant(rng: random.Random, src: Path, dst: Path) -> str:
    """``src`` with its sheets' (and shared strings') XML respelled by 1-4 random transformations."""
    with zipfile.ZipFile(src) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    shared: list[str] = []
    for info, data in members:
        if info.filename.endswith("sharedStrings.xml"):
            from xml.etree import ElementTree as ET

            try:
                root = ET.fromstring(data)
                shared = ["".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")) for si in root]
            except ET.ParseError:
                pass
    ops = rng.sample(_XV + [_xv_inline(rng, shared)] * 2, rng.randint(1, 4))
    sst_op = rng.random() < 0.4
    done = []
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            name = info.filename
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                x = data.decode("utf-8")
                for op in ops:
                    x = op(rng, x)
                data = _encode(x)
            elif sst_op and name.endswith("sharedStrings.xml"):
                data = _sst_variants(rng, data.decode("utf-8")).encode("utf-8")
            z.writestr(name, data)
    done = [getattr(op, "__name__", "inline") for op in ops] + (["sst"] if sst_op else [])
    return ",".join(done)


def _soffice(srcs: list[Path], fmt: str, outdir: Path) -> dict[Path, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not srcs:
        return {}
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / f".lo-profile-{fmt}"
    filt = {"xls": "xls:MS Excel 97", "xlsx": "xlsx:Calc MS Excel 2007 XML"}[fmt]
    try:
        subprocess.run(["nice", soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
                        "--convert-to", filt, "--outdir", str(outdir), *map(str, srcs)],
                       capture_output=True, text=True, timeout=120 + 10 * len(srcs))
    except subprocess.TimeoutExpired:
        pass
    shutil.rmtree(profile, ignore_errors=True)
    return {s: outdir / f"{s.stem}.{fmt}" for s in srcs if (outdir / f"{s.stem}.{fmt}").exists()}


def generate(tests: Path, inputs: Path, *, fuzz: int, nrandom: int, ninboxes: int, lo: int, start: int = 0,
             xmlvar: int = 0) -> None:
    sys.path.insert(0, str(tests))
    import fuzzing  # noqa: E402

    root = tests.parent
    files: dict[str, list[str]] = {}  # kind -> file paths (relative to inputs)
    tmp = inputs / "_tmp"
    tmp.mkdir(parents=True, exist_ok=True)

    def add(kind: str, path: Path) -> None:
        files.setdefault(kind, []).append(str(path.relative_to(inputs)))

    t0 = time.monotonic()
    # 1. repository files
    d = inputs / "repo"
    d.mkdir(exist_ok=True)
    for i, src in enumerate(sorted((root / "examples").glob("*/*.xls*")) + sorted((root / "tests" / "data").glob("*.xls*"))
                            + sorted((root / "templates").glob("*.xls*"))):
        dst = d / f"{i:03d}-{src.name}"
        shutil.copyfile(src, dst)
        add("repo", dst)
    # 2. corpus
    try:
        from corpus.cases import CASES
        from corpus.writer import write_case

        d = inputs / "corpus"
        staged: dict[str, list[tuple[Path, Path]]] = {"xlsx": [], "xls": []}
        for n, case in enumerate(CASES):
            target = d / f"{n:03d}-{case.file}{case.suffix}"
            src = target if case.save == "openpyxl" else tmp / f"corpus-src-{case.save}" / f"c{n:03d}.xlsx"
            src.parent.mkdir(parents=True, exist_ok=True)
            write_case(case, src)
            if case.save == "openpyxl":
                add("corpus", target)
            else:
                staged[case.save].append((src, target))
        for fmt, pairs in staged.items():
            done = _soffice([s for s, _ in pairs], fmt, tmp / f"corpus-lo-{fmt}")
            for s, target in pairs:
                if s in done:
                    shutil.move(done[s], target)
                    add("corpus", target)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
    print(f"  repo+corpus {time.monotonic() - t0:.0f} s", flush=True)
    # 3. random ledgers
    d = inputs / "random"
    rng = random.Random(20261201)
    for i in range(start, start + nrandom):
        p = d / f"r{i:05d}-{rng.choice(DEPTS)}台账.xlsx"
        try:
            r_ = random.Random(f"rl:{i}")
            if r_.random() < 0.1:
                p = _random_xls(r_, p.with_suffix(".xls"))
            else:
                _random_ledger(r_, p)
                if r_.random() < 0.15:
                    _touch_up(r_, p)
            add("random", p)
        except Exception:  # noqa: BLE001
            print(f"random ledger {i} failed:", traceback.format_exc(limit=2), flush=True)
    print(f"  random {time.monotonic() - t0:.0f} s", flush=True)
    # 4. LibreOffice re-saves of some random ledgers
    rand = [inputs / f for f in files.get("random", []) if f.endswith(".xlsx")]
    for fmt in ("xlsx", "xls"):
        pick = rand[: lo] if fmt == "xlsx" else rand[lo: lo + lo // 2]
        done = _soffice(pick, fmt, tmp / f"lo-{fmt}")
        for s, out in done.items():
            dst = inputs / "libreoffice" / f"lo-{s.stem}.{fmt}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(out, dst)
            add("libreoffice", dst)
    print(f"  libreoffice {time.monotonic() - t0:.0f} s", flush=True)
    # 4b. XML respellings of readable .xlsx (the fast scanners' edges)
    xrng = random.Random(f"xv:{start}")
    xlsx_pool = [inputs / f for k in ("repo", "corpus", "random", "libreoffice") for f in files.get(k, [])
                 if f.endswith(".xlsx")]
    for i in range(xmlvar if xlsx_pool else 0):
        src = xrng.choice(xlsx_pool)
        dst = inputs / "xmlvar" / f"{i // 500:03d}" / f"v{start + i:05d}-{src.name}"
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            xml_variant(random.Random(f"xv:{start + i}"), src, dst)
            add("xmlvar", dst)
        except Exception:  # noqa: BLE001
            print(f"xml variant {i} of {src} failed:", traceback.format_exc(limit=2), flush=True)
    print(f"  xmlvar {time.monotonic() - t0:.0f} s", flush=True)
    # 5. fuzz mutants
    seeds = fuzzing.build_seeds(tmp / "seeds")
    good = fuzzing.good_ledger(inputs / "good")
    add("repo", good)
    for fseed, count in ((0, fuzz - fuzz // 4), (8, fuzz // 4)):
        for index in range(start, start + count):
            try:
                m = fuzzing.mutant(seeds, index, seed=fseed)
            except Exception:  # noqa: BLE001
                continue
            folder = inputs / "fuzz" / f"s{fseed}" / f"{index // 500:03d}"
            p = fuzzing.write_mutant(m, folder)
            add(f"fuzz-{m.level}", p)
    print(f"  fuzz {time.monotonic() - t0:.0f} s", flush=True)
    # 6. inboxes (merged later): 5-30 files each, a mix of kinds
    irng = random.Random(4242 + start)
    readable = [f for k in ("repo", "corpus", "random", "libreoffice", "xmlvar") for f in files.get(k, [])]
    fuzzy = [f for k, v in files.items() if k.startswith("fuzz") for f in v]
    inboxes: list[dict] = []
    for sub, month, date in (("2022-04", "2022-04", "2022-04-06"), ("2022-05", "2022-05", "2022-05-06")):
        inboxes.append({"name": f"ex{sub}", "files": [str(p) for p in sorted((root / "examples" / sub).iterdir())],
                        "abs": True, "month": month, "date": date, "config": str(root / "examples" / "taizhang.toml")})
    for k in range(ninboxes):
        n = irng.randint(5, 30)
        share_fuzz = irng.choice([0.0, 0.2, 0.5])
        chosen = []
        for _ in range(n):
            src = irng.choice(fuzzy if (fuzzy and irng.random() < share_fuzz) else readable)
            chosen.append(src)
        month, date = irng.choice([("2022-04", "2022-04-06"), ("2022-04", "2022-04-30"), ("2022-05", "2022-05-06")])
        inboxes.append({"name": f"in{k:03d}", "files": sorted(set(chosen)), "abs": False, "month": month, "date": date,
                        "then": k % 5 == 0})  # every fifth: a second merge of the next month into the same store
    # Big merges (the consolidated writer keeps the first 8 MiB of 台账 rows uncompressed, then spills)
    # and an inbox with what else lands in a shared folder (symlink loop, FIFO, /dev/zero…).
    from builders import build_ledger, item

    for b in range(2 if ninboxes else 0):
        folder = inputs / "inboxes" / f"big{b}"
        n_files = 0
        for k in range(12 + 6 * b):
            brng = random.Random(f"big:{start}:{b}:{k}")
            items = [item(f"重点事项{k}-{j}", colour=brng.choice(COLOURS), stars=brng.choice(["★★★", "★★", "★"]),
                          source=brng.choice("ABCD"), progress=("推进情况" + "很长的说明，" * brng.randint(100, 5000))[:32000],
                          target="目标" * brng.randint(1, 3000), note=brng.choice(["", "已销号", "备注" * 500]))
                     for j in range(brng.randint(10, 30))]
            build_ledger(folder / f"{DEPTS[k % len(DEPTS)]}{k}重点工作台账.xlsx", items,
                         department=f"{DEPTS[k % len(DEPTS)]}{k}" if k >= len(DEPTS) else DEPTS[k])
            n_files += 1
        inboxes.append({"name": f"big{b}", "files": [], "abs": False, "month": "2022-04", "date": "2022-04-06",
                        "then": b == 1, "n": n_files})
    if ninboxes:
        folder = inputs / "inboxes" / "special"
        fs = irng.sample(readable, min(8, len(readable))) + irng.sample(fuzzy, min(4, len(fuzzy)))
        inboxes.append({"name": "special", "files": fs, "abs": False, "month": "2022-04", "date": "2022-04-06"})
    # Materialise the inboxes (copies: the file name decides the department when the title does not).
    for box in inboxes:
        folder = inputs / "inboxes" / box["name"]
        folder.mkdir(parents=True, exist_ok=True)
        for f in box["files"]:
            src = Path(f) if box["abs"] else inputs / f
            name = src.name
            if (folder / name).exists():
                name = f"x{len(list(folder.iterdir()))}-{name}"
            shutil.copyfile(src, folder / name)
        box["files"] = box.pop("n", len(box["files"]))
    if ninboxes:
        fuzzing.add_special_entries(inputs / "inboxes" / "special")
    (inputs / "manifest.json").write_text(json.dumps({"files": files, "inboxes": inboxes}, ensure_ascii=False,
                                                     indent=1), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"  inputs done {time.monotonic() - t0:.0f} s: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(files.items()))
          + f", inboxes {len(inboxes)}", flush=True)


# ------------------------------------------------------------------------------------------------
# Dumping one tree's outputs (runs with PYTHONPATH = the tree's src)
# ------------------------------------------------------------------------------------------------

class _Timeout(Exception):
    pass


def _alarm(_sig, _frame):  # noqa: ANN001
    raise _Timeout()


def _canon(obj) -> str:  # noqa: ANN001
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, default=str)


def _key(rel: str) -> str:
    """A short unique output name for an input (hostile file names can be longer than a name may be)."""
    import hashlib

    flat = rel.replace("/", "__")
    if len(flat.encode()) <= 120:
        return flat + ".json"
    return flat[:40] + "~" + hashlib.sha1(rel.encode()).hexdigest()[:10] + ".json"


def dump_validate(inputs: Path, out: Path, shard: int, shards: int, quick: bool) -> None:
    import resource

    from taizhang import validate_file

    try:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    except (ValueError, OSError):
        pass
    manifest = json.loads((inputs / "manifest.json").read_text(encoding="utf-8"))
    todo = [f for kind, fs in sorted(manifest["files"].items()) for f in fs]
    if quick:
        todo = todo[::10]
    todo = todo[shard::shards]
    signal.signal(signal.SIGALRM, _alarm)
    (out / "validate").mkdir(parents=True, exist_ok=True)
    (out / "timings").mkdir(parents=True, exist_ok=True)
    tfh = open(out / "timings" / f"validate-{shard}.tsv", "w", encoding="utf-8")  # not compared
    for rel in todo:
        t_start = time.process_time()
        path = inputs / rel
        res = {}
        for key, kw in (("plain", {}), ("month-2022-04", {"month": "2022-04"})):
            signal.alarm(120)
            try:
                rep = validate_file(path, **kw)
                d = rep.model_dump(mode="json")
                res[key] = d
            except _Timeout:
                res[key] = "TIMEOUT"
            except BaseException as exc:  # noqa: BLE001
                res[key] = f"EXCEPTION {type(exc).__name__}: {str(exc)[:500]}"
            finally:
                signal.alarm(0)
        text = _canon(res).replace(str(inputs), "INPUTS")
        (out / "validate" / _key(rel)).write_text(text, encoding="utf-8")
        tfh.write(f"{time.process_time() - t_start:.4f}\t{rel}\n")
    tfh.close()


def dump_merge(inputs: Path, out: Path, shard: int, shards: int, quick: bool) -> None:
    manifest = json.loads((inputs / "manifest.json").read_text(encoding="utf-8"))
    boxes = manifest["inboxes"]
    if quick:
        boxes = boxes[:2] + boxes[2::8]
    boxes = boxes[shard::shards]
    tmp = out / "_tmp"
    env = dict(os.environ, COLUMNS="160")
    for box in boxes:
        name = box["name"]
        d = out / "merge" / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        work = tmp / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        db = work / "store.db"
        runs = [(inputs / "inboxes" / name, box["month"], box["date"], "1")]
        if box.get("then"):
            nm = "2022-05" if box["month"] == "2022-04" else "2022-06"
            runs.append((inputs / "inboxes" / name, nm, f"{nm}-06", "2"))
        for inbox, month, date, tag in runs:
            o = work / f"汇总-{tag}.xlsx"
            args = [sys.executable, "-m", "taizhang", "merge", str(inbox), "-o", str(o), "--db", str(db),
                    "--month", month, "--date", date, "--json"]
            if box.get("config"):
                args += ["--config", box["config"]]
            try:
                p = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env, cwd=str(work))
                text = f"exit {p.returncode}\n{p.stdout}\n--- stderr\n{p.stderr}"
            except subprocess.TimeoutExpired:
                text = "TIMEOUT"
            text = text.replace(str(work), "WORK").replace(str(inputs), "INPUTS")
            (d / f"run{tag}.txt").write_text(text, encoding="utf-8")
            if o.exists():
                x = d / f"xlsx{tag}"
                x.mkdir()
                try:
                    with zipfile.ZipFile(o) as z:
                        for n in z.namelist():
                            if n == "docProps/core.xml":
                                continue
                            (x / n.replace("/", "__")).write_bytes(z.read(n))
                except Exception as exc:  # noqa: BLE001
                    (x / "ERROR").write_text(repr(exc))
            if db.exists():
                con = sqlite3.connect(db)
                try:
                    with open(d / f"db{tag}.sql", "w", encoding="utf-8") as fh:
                        for line in con.iterdump():
                            fh.write(line.replace(str(work), "WORK").replace(str(inputs), "INPUTS") + "\n")
                finally:
                    con.close()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# Driver
# ------------------------------------------------------------------------------------------------

def _run_tree(py: str, src: Path, inputs: Path, out: Path, quick: bool, jobs: int, what: list[str]) -> float:
    for w in what:
        shutil.rmtree(out / w, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1", COLUMNS="160")
    procs = []
    for w in what:
        for shard in range(jobs):
            args = ["nice", py, str(HERE), "--_dump", w, "--_src", str(src), "--_inputs", str(inputs),
                    "--_to", str(out), "--_shard", f"{shard}/{jobs}"] + (["--quick"] if quick else [])
            procs.append(subprocess.Popen(args, env=env, cwd=str(out)))
    t0 = time.monotonic()
    for p in procs:
        p.wait()
    shutil.rmtree(out / "_tmp", ignore_errors=True)
    return time.monotonic() - t0


def compare(a: Path, b: Path) -> list[str]:
    diffs = []
    for root, dirs, fs in os.walk(a):
        dirs.sort()
        if Path(root).name == "timings":
            continue
        for f in sorted(fs):
            pa = Path(root) / f
            rel = pa.relative_to(a)
            pb = b / rel
            if not pb.exists():
                diffs.append(f"only in old: {rel}")
            elif pa.read_bytes() != pb.read_bytes():
                diffs.append(f"differs: {rel}")
    for root, _dirs, fs in os.walk(b):
        if Path(root).name == "timings":
            continue
        for f in fs:
            rel = (Path(root) / f).relative_to(b)
            if not (a / rel).exists():
                diffs.append(f"only in new: {rel}")
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", type=Path)
    ap.add_argument("--new", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--quick", action="store_true", help="a tenth of the files, a fifth of the inboxes")
    ap.add_argument("--jobs", type=int, default=1, help="processes per tree (old and new run side by side)")
    ap.add_argument("--python", default=DEFAULT_PY)
    ap.add_argument("--tests", type=Path, help="tests folder for the input builders (default: NEW/../tests)")
    ap.add_argument("--regen", action="store_true", help="rebuild DIR/inputs")
    ap.add_argument("--fuzz", type=int, default=4000)
    ap.add_argument("--random", type=int, default=400)
    ap.add_argument("--lo", type=int, default=40, help="random ledgers re-saved by LibreOffice as xlsx (half as many xls)")
    ap.add_argument("--inboxes", type=int, default=60)
    ap.add_argument("--xmlvar", type=int, default=1500, help="XML respellings of readable .xlsx")
    ap.add_argument("--start", type=int, default=0, help="first fuzz index / random ledger number (another input set)")
    ap.add_argument("--what", default="validate,merge", help="which outputs to (re)make: validate,merge")
    ap.add_argument("--trees", default="old,new", help="which trees to dump (e.g. new: keep OUT/old from a run before)")
    ap.add_argument("--inputs", type=Path, help="inputs folder (default OUT/inputs): share one between runs")
    ap.add_argument("--only", choices=["gen", "dump", "compare"], help="run one phase")
    ap.add_argument("--_dump")
    ap.add_argument("--_src")
    ap.add_argument("--_inputs", type=Path)
    ap.add_argument("--_to", type=Path)
    ap.add_argument("--_shard", default="0/1")
    ap.add_argument("--_gen", action="store_true")
    args = ap.parse_args()

    if args._gen:
        generate(args.tests, args._inputs, fuzz=args.fuzz, nrandom=args.random, ninboxes=args.inboxes, lo=args.lo,
                 start=args.start, xmlvar=args.xmlvar)
        return 0
    if args._dump:
        shard, shards = map(int, args._shard.split("/"))
        fn = dump_validate if args._dump == "validate" else dump_merge
        fn(args._inputs, args._to, shard, shards, args.quick)
        return 0

    out = args.out.resolve()
    inputs = (args.inputs or out / "inputs").resolve()
    t0 = time.monotonic()
    if args.only in (None, "gen") and (args.regen or not (inputs / "manifest.json").exists()):
        shutil.rmtree(inputs, ignore_errors=True)
        inputs.mkdir(parents=True)
        tests = (args.tests or args.new.resolve().parent / "tests").resolve()
        print(f"generating inputs with {tests}", flush=True)
        env = dict(os.environ, PYTHONPATH=f"{tests}:{args.new.resolve()}", PYTHONDONTWRITEBYTECODE="1")
        subprocess.run(["nice", args.python, str(HERE), "--_gen", "--tests", str(tests), "--_inputs", str(inputs),
                        "--fuzz", str(args.fuzz), "--random", str(args.random), "--inboxes", str(args.inboxes),
                        "--lo", str(args.lo), "--start", str(args.start), "--xmlvar", str(args.xmlvar)], env=env, check=True, cwd=str(tests))
    t_gen = time.monotonic() - t0
    if args.only in (None, "dump"):
        import threading

        times = {}

        def go(label: str, src: Path) -> None:
            times[label] = _run_tree(args.python, src.resolve(), inputs, out / label, args.quick, args.jobs,
                                     args.what.split(","))

        trees = [(lbl, s) for lbl, s in (("old", args.old), ("new", args.new)) if lbl in args.trees.split(",")]
        threads = [threading.Thread(target=go, args=(lbl, s)) for lbl, s in trees]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("dumped: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()) + " (wall, side by side)", flush=True)
    diffs = compare(out / "old", out / "new")
    manifest = json.loads((inputs / "manifest.json").read_text(encoding="utf-8"))
    nval = len(list((out / "old" / "validate").glob("*.json")))
    nmerge = len(list((out / "old" / "merge").iterdir())) if (out / "old" / "merge").exists() else 0
    counts = {k: len(v) for k, v in manifest["files"].items()}
    lines = [f"old {args.old}  new {args.new}  quick={args.quick}",
             "inputs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f"; inboxes {len(manifest['inboxes'])}",
             f"compared: {nval} files (validate_file twice each), {nmerge} inboxes merged",
             f"generation {t_gen:.0f} s, total {time.monotonic() - t0:.0f} s",
             f"{len(diffs)} differing output files", *diffs]
    (out / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:60]))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
