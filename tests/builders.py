"""Build small 附件2-style ledger workbooks with openpyxl for tests (and the shipped examples).

The layout follows the template: title, 填报日期, summary sentence, header, item rows, footer.
Every knob a real department turns (column order, extra columns, broken labels, merged items,
fills, where the header sits) is a keyword.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color

LABELS = {
    "no": "序号", "name": "工作事项", "target": "任务目标", "progress": "推进情况", "judgement": "进度评价",
    "leader": "分管\n负责人", "owner": "责任科室\n责任人", "stars": "重要程度", "source": "任务来源", "note": "备注",
}
ORDER = ("no", "name", "target", "progress", "judgement", "leader", "owner", "stars", "source", "note")
FILLS = {"blue": "9BC2E6", "yellow": "FFFF00", "red": "FF0000"}


def item(name: str, *, colour: str | None = None, **fields: Any) -> dict[str, Any]:
    """One item with sensible defaults; ``colour`` (blue/yellow/red) becomes the 进度评价 fill.

    ``fills``/``fonts``: column key -> fill / text colour of that cell (e.g. ``{"name": "FF0000"}``);
    ``shown``: the colour a careful reader sees (blue/yellow/red/None), for the summary sentence,
    when it is not simply ``colour``."""
    base: dict[str, Any] = {
        "name": name,
        "target": f"{name}的年度目标",
        "progress": f"{name}按计划推进",
        "judgement": "",
        "leader": "张三",
        "owner": "规划科/李四",
        "stars": "★★",
        "source": "B",
        "note": "",
    }
    base.update(fields)
    if colour is not None:
        base["fill"] = FILLS.get(colour, colour)
    return base


def auto_summary(items: Sequence[dict[str, Any]], date: str, center: str = "市港航事业发展中心") -> str:
    """The summary sentence a careful clerk would write for these items (closed items left out)."""
    open_items = [i for i in items if "销号" not in (i.get("note", "") + i.get("judgement", ""))]
    stars = {n: sum(1 for i in open_items if i.get("stars") == "★" * n) for n in (3, 2, 1)}
    src = {c: sum(1 for i in open_items if c in (i.get("source") or "")) for c in "ABCD"}
    inv = {v: k for k, v in FILLS.items()}
    shown = [i["shown"] if "shown" in i else inv.get(i.get("fill", "")) for i in open_items]
    col = {k: shown.count(k) for k in ("blue", "yellow", "red")}
    none = len(open_items) - sum(col.values())
    return (
        f"截至{date}，{center}共梳理重点工作{len(open_items)}项，其中从星标看，三级星标{stars[3]}项、二级星标{stars[2]}项、"
        f"一级星标{stars[1]}项；从事项来源看，A级事项{src['A']}项、B级事项{src['B']}项、C级事项{src['C']}项、"
        f"D级事项{src['D']}项；从红黄蓝标注看，蓝色{col['blue']}项，黄色{col['yellow']}项，红色{col['red']}项，"
        f"未标注颜色{none}项。"
    )


def build_ledger(
    path: Path,
    items: Sequence[dict[str, Any]],
    *,
    department: str | None = "规划发展部",
    title: str | None = None,
    date: object = "填报日期：2022年4月3日",
    summary: str | None | bool = True,
    order: Sequence[str] = ORDER,
    labels: dict[str, str] | None = None,
    extra: dict[str, Sequence[Any]] | None = None,
    blank_rows_above: int = 0,
    footer: bool = True,
    merge_items: Sequence[tuple[int, int]] = (),
    sheet_title: str = "Sheet1",
    before_sheets: Sequence[tuple[str, bool]] = (),
    formatted_empty_rows: int = 0,
    number: bool = True,
    unit: str | Sequence[str] | None = None,
    conditional: Sequence[tuple[str, Any]] = (),
    table_fill: str | None = None,
) -> Path:
    """Write a ledger workbook to ``path`` and return it.

    ``merge_items``: (first_index, count) pairs — item ``first_index`` and the next ``count-1``
    items are drawn as one item whose 序号/工作事项/… cells are merged down over their rows.
    ``before_sheets``: (name, visible) sheets placed before the ledger (e.g. 填报说明, hidden).
    ``unit``: the 填报单位 on the 填报日期 row, from column A: one cell ("填报单位：党群工作部（盖章）")
    or several side by side (("填报单位：", "党群工作部")).
    ``conditional``: (range, openpyxl rule) conditional formats added to the ledger sheet.
    ``table_fill``: one fill over the header and every item cell (a decorated table).
    """
    wb = Workbook()
    first = wb.active
    for name, visible in before_sheets:
        ws = wb.create_sheet(name)
        ws["A1"] = "填报说明：请按附件2填写。"
        if not visible:
            ws.sheet_state = "hidden"
    ws = wb.create_sheet(sheet_title)
    wb.remove(first)
    cols = list(order) + list((extra or {}).keys())
    labels = {**LABELS, **(labels or {})}
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    r = 1 + blank_rows_above
    if title is None and department is not None:
        title = f"{department}重点工作台账"
    if title is not None:
        ws.cell(r, 1, title).font = Font(name="方正小标宋简体", size=18)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(cols))
    r += 1
    if date is not None:
        ws.cell(r, len(cols) - 2 if len(cols) > 3 else 1, date)
    for c, text in enumerate([unit] if isinstance(unit, str) else list(unit or ()), start=1):
        ws.cell(r, c, text)
    r += 1
    if summary is True:
        date_text = str(date).replace("填报日期：", "") if isinstance(date, str) else "2022年4月3日"
        summary = auto_summary(items, date_text)
    if summary:
        ws.cell(r, 1, summary).alignment = Alignment(wrap_text=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(cols))
    r += 1
    header_row = r
    for c, key in enumerate(cols, start=1):
        cell = ws.cell(header_row, c, labels.get(key, key))
        cell.font = Font(bold=True)
        cell.border = border
        if table_fill:
            cell.fill = PatternFill(fill_type="solid", fgColor=table_fill)
    r += 1

    merged_members: dict[int, tuple[int, int]] = {}
    for start, count in merge_items:
        for k in range(start, start + count):
            merged_members[k] = (start, count)
    no = 0
    for idx, it in enumerate(items):
        group = merged_members.get(idx)
        is_head = group is None or group[0] == idx
        if is_head:
            no += 1
        for c, key in enumerate(cols, start=1):
            if key in (extra or {}):
                value = list(extra[key])[idx] if idx < len(extra[key]) else None
            elif key == "no":
                value = it.get("no", no if number else None)
            else:
                value = it.get(key)
            if group is not None and not is_head and key in ("no", "name", "judgement", "leader", "owner",
                                                               "stars", "source", "note"):
                value = None
            cell = ws.cell(r, c, value)
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if table_fill:
                cell.fill = PatternFill(fill_type="solid", fgColor=table_fill)
            if key in it.get("fills", {}):
                cell.fill = PatternFill(fill_type="solid", fgColor=it["fills"][key])
            if key in it.get("fonts", {}):
                cell.font = Font(color=it["fonts"][key])
            if key == "judgement" and it.get("fill") and is_head:
                fill = it["fill"]
                cell.fill = PatternFill(fill_type="solid", fgColor=fill if isinstance(fill, Color | str) else fill)
            if key == "judgement" and it.get("font"):
                cell.font = Font(color=it["font"])
        if group is not None and is_head:
            last = r + group[1] - 1
            for c, key in enumerate(cols, start=1):
                if key in ("no", "name", "judgement", "leader", "owner", "stars", "source", "note"):
                    ws.merge_cells(start_row=r, start_column=c, end_row=last, end_column=c)
        if it.get("row_fill"):
            ws.row_dimensions[r].fill = PatternFill(fill_type="solid", fgColor=it["row_fill"])
        r += 1
    for _ in range(formatted_empty_rows):
        for c in range(1, len(cols) + 1):
            ws.cell(r, c).border = border
        r += 1
    for ref, rule in conditional:
        ws.conditional_formatting.add(ref, rule)
    if footer:
        ws.cell(r, 1, "中心分管领导：王五")
        ws.cell(r, 5, "台账联系人：赵六，2603969，15269418299")
        ws.cell(r + 2, 1, "说明：\n1、“重要程度”按由高到低分别为★★★、★★、★三级。")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


XLS_HEADER = ("序号", "工作事项", "任务目标", "推进情况", "进度评价", "分管\n负责人", "责任科室\n责任人", "重要程度",
              "任务来源", "备注")
XLS_WIDTHS = (6, 22, 28, 40, 12, 10, 12, 9, 9, 12)  # characters: a ledger laid out for A4 landscape


def build_xls(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "综合部重点工作台账",
              date: str = "填报日期：2022年4月3日", judgement_styles: Sequence[str] = (),
              summary: str | None = None, cell_styles: dict[tuple[int, int], str] | None = None,
              layout: bool = False) -> Path:
    """An Excel 97 ledger written by xlwt (as WPS and older Excel save them): title, date, the
    附件2 header on row 4, then ``rows``; ``judgement_styles[i]`` is an xlwt easyxf string for the
    进度评价 cell of row i (e.g. "pattern: pattern solid, fore_colour red;"); ``cell_styles[(i, col)]``
    one for any cell of row i (col 0-based); ``summary`` goes on row 3.

    ``layout``: formatted as a clerk formats it for printing — the title merged over A:J in
    方正小标宋简体 18pt, a bordered grey 黑体 header, wrapped 宋体 10pt body cells with borders, column
    widths (``XLS_WIDTHS``), taller rows, A4 landscape fitted to one page wide, 1.5 cm margins,
    centred, a page-number footer."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("台账")
    borders = "borders: left thin, right thin, top thin, bottom thin;"
    body = xlwt.easyxf(f"font: name 宋体, height 200; align: wrap on, vert centre; {borders}") if layout \
        else xlwt.Style.default_style
    if layout:
        ws.write_merge(0, 0, 0, len(XLS_HEADER) - 1, title,
                       xlwt.easyxf("font: name 方正小标宋简体, height 360, bold on; align: horiz centre, vert centre"))
        ws.row(0).height_mismatch, ws.row(0).height = True, 20 * 36
        header = xlwt.easyxf(f"font: name 黑体, height 220, bold on; align: wrap on, horiz centre, vert centre; "
                             f"pattern: pattern solid, fore_colour gray25; {borders}")
        for c, width in enumerate(XLS_WIDTHS):
            ws.col(c).width = int(256 * width)
        ws.portrait = False
        ws.paper_size_code = 9  # A4
        ws.fit_num_pages, ws.fit_width_to_pages, ws.fit_height_to_pages = 1, 1, 0
        ws.left_margin = ws.right_margin = 0.6
        ws.top_margin, ws.bottom_margin = 0.7, 0.8
        ws.print_centered_horz = True
        ws.footer_str = b"&C&P / &N"  # xlwt takes ASCII bytes here
    else:
        ws.write(0, 0, title)
        header = xlwt.Style.default_style
    ws.write(1, 6, date)
    if summary:
        ws.write(2, 0, summary)
    for c, label in enumerate(XLS_HEADER):
        ws.write(3, c, label, header)
    for r, row in enumerate(rows, start=4):
        style = judgement_styles[r - 4] if r - 4 < len(judgement_styles) else ""
        if layout:
            ws.row(r).height_mismatch, ws.row(r).height = True, 20 * 48
        for c, value in enumerate(row):
            own = (cell_styles or {}).get((r - 4, c))
            if own:
                ws.write(r, c, value, xlwt.easyxf(own))
            else:
                ws.write(r, c, value, xlwt.easyxf(style) if c == 4 and style else body)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def build_month_workbook(path: Path, months: Sequence[tuple[str, str, Sequence[dict[str, Any]]]], *,
                         active: str | None = None, department: str = "规划发展部") -> Path:
    """One workbook that keeps a ledger sheet per month, as clerks do (copy last month's sheet,
    rename it 4月, update it): ``months`` is (sheet name, 填报日期 text, items) in sheet order;
    ``active`` names the sheet left open (the last one otherwise)."""
    from copy import copy

    from openpyxl import load_workbook

    wb = Workbook()
    wb.remove(wb.active)
    for i, (name, date, items) in enumerate(months):
        one = build_ledger(path.with_name(f".{path.stem}-{i}.xlsx"), items, department=department,
                           date=f"填报日期：{date}", sheet_title=name)
        src = load_workbook(one).active
        ws = wb.create_sheet(name)
        for row in src.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                target = ws.cell(cell.row, cell.column, cell.value)
                if cell.has_style:
                    target.font, target.fill = copy(cell.font), copy(cell.fill)
                    target.border, target.alignment = copy(cell.border), copy(cell.alignment)
        for rng in src.merged_cells.ranges:
            ws.merge_cells(str(rng))
        one.unlink()
    if active is not None:
        wb.active = wb.sheetnames.index(active)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- Damaged and hand-made .xlsx: what a transfer, a zip tool or a script does to a workbook -------

def rewrite_members(src: Path, dst: Path, change: dict[str, Any], *, compression: int | None = None) -> Path:
    """Copy the zip ``src`` to ``dst`` with members replaced: ``change[name]`` is new bytes or a
    function of the old bytes. ``compression`` (a zipfile constant) re-packs every member."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression or zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            new = change.get(info.filename, data)
            zout.writestr(info.filename, new(data) if callable(new) else new)
    return dst


def patch_member_header(path: Path, member: str, *, flag_bits: int | None = None, method: int | None = None,
                        crc: int | None = None) -> Path:
    """Overwrite fields of ``member``'s local header and central directory entry in place (what
    zipfile itself refuses to write): the general-purpose flags, the compression method, the CRC."""
    import struct
    import zipfile

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    local = info.header_offset
    end = data.rindex(b"PK\x05\x06")
    central = struct.unpack_from("<I", data, end + 16)[0]  # the central directory's first entry
    name = member.encode()
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    for offset, (flag_at, method_at, crc_at) in ((local, (6, 8, 14)), (central, (8, 10, 16))):
        if flag_bits is not None:
            struct.pack_into("<H", data, offset + flag_at, flag_bits)
        if method is not None:
            struct.pack_into("<H", data, offset + method_at, method)
        if crc is not None:
            struct.pack_into("<I", data, offset + crc_at, crc)
    path.write_bytes(bytes(data))
    return path


def damage_member_data(path: Path, member: str, *, at: float = 0.0, length: int = 16) -> Path:
    """Overwrite ``length`` bytes of ``member``'s compressed data, ``at`` a fraction of the way in."""
    import zipfile

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    pos = start + int(info.compress_size * at)
    length = min(length, start + info.compress_size - pos)
    data[pos:pos + length] = b"\xff" * length
    path.write_bytes(bytes(data))
    return path


CHOICE_WORDS = {"blue": "蓝色", "yellow": "黄色", "red": "红色", "none": "不标注"}


def fill_template(path: Path, items: Sequence[dict[str, Any]], *, date: Any = "2022年4月3日",
                  first_row: int = 5) -> Path:
    """What a clerk does with a ``taizhang template`` workbook in Excel: the 填报日期 (text after
    the label, or a real date), then one row per item from ``first_row``. An item's ``choice``
    (blue/yellow/red/none) is picked in the 评价颜色 list; ``fill`` paints 进度评价 by hand; the
    summary sentence is left alone (it is a formula)."""
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = {str(c.value).replace("\n", ""): c.column for c in ws[first_row - 1] if c.value}
    cols = {key: header[LABELS[key].replace("\n", "")] for key in ORDER[1:]}
    for row in ws.iter_rows(max_row=first_row - 2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("填报日期"):
                cell.value = f"填报日期：{date}" if isinstance(date, str) else date
    for r, it in enumerate(items, start=first_row):
        for key, c in cols.items():
            if it.get(key) is not None:
                ws.cell(r, c).value = it[key] or None
        if it.get("choice"):
            ws.cell(r, header["评价颜色"]).value = CHOICE_WORDS[it["choice"]]
        if it.get("fill"):
            ws.cell(r, cols["judgement"]).fill = PatternFill(fill_type="solid", fgColor=it["fill"])
    wb.save(path)
    return path


# --- A later month of a ledger: what a clerk does each month to last month's workbook -------------

def next_month_ledger(src: Path, dst: Path, *, date: Any, recolour: dict[str, str | None] | None = None,
                      center: str = "市港航事业发展中心") -> Path:
    """Copy the .xlsx ledger ``src`` to ``dst`` as next month's: the 填报日期 set to ``date`` (a
    ``datetime.date``), the items named in ``recolour`` given a new 进度评价 (blue/yellow/red: the
    standard fill and the colour word; None: neither), and the summary sentence written again from
    what the ledger then holds (as a careful clerk keeps it). Everything else is kept as it was."""
    import datetime as dt
    import re

    from openpyxl import load_workbook

    from taizhang import rules
    from taizhang.validate import validate_file

    words = {"blue": "蓝色", "yellow": "黄色", "red": "红色"}
    wb = load_workbook(src)
    ws = next(s for s in wb.worksheets if s.sheet_state == "visible" and any(
        rules.match_column(c.value) is not None and rules.match_column(c.value).key == "judgement"  # type: ignore[union-attr]
        for row in s.iter_rows(max_row=30) for c in row))
    header = next(r for r in range(1, 31) if sum(rules.match_column(ws.cell(r, c).value) is not None
                                                 for c in range(1, ws.max_column + 1)) >= 6)
    cols = {col.key: c for c in range(1, ws.max_column + 1) if (col := rules.match_column(ws.cell(header, c).value))}
    date_cn = rules.format_date_cn(date.year, date.month, date.day)
    summary_cell = None
    for row in ws.iter_rows(max_row=header - 1):
        for cell in row:
            if isinstance(cell.value, str) and "填报日期" in cell.value and len(cell.value) < 30:
                cell.value = f"填报日期：{date_cn}" if re.search(r"\d", cell.value) else cell.value
            elif isinstance(cell.value, dt.datetime | dt.date):
                cell.value = dt.datetime(date.year, date.month, date.day)
            elif isinstance(cell.value, str) and cell.value.startswith("截至"):
                summary_cell = cell
    for r in range(header + 1, ws.max_row + 1):
        name = ws.cell(r, cols["name"]).value
        if not isinstance(name, str) or name.strip() not in (recolour or {}):
            continue
        colour = (recolour or {})[name.strip()]
        cell = ws.cell(r, cols["judgement"])
        cell.value = f"{words[colour]}：按月调度" if colour else None
        cell.fill = PatternFill(fill_type="solid", fgColor=FILLS[colour]) if colour else PatternFill(fill_type=None)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    if summary_cell is not None:
        counts = validate_file(dst).counts
        wb = load_workbook(dst)
        wb[ws.title][summary_cell.coordinate].value = rules.summary_sentence(center, date_cn, counts)
        wb.save(dst)
    return dst


def with_shared_strings(src: Path, dst: Path) -> Path:
    """Copy the openpyxl-written ``src`` to ``dst`` with its text moved from inline strings into a
    shared string table (xl/sharedStrings.xml), the way Excel and WPS save every text cell."""
    import re
    import zipfile

    table: dict[bytes, int] = {}

    def share(m: re.Match[bytes]) -> bytes:
        index = table.setdefault(m.group(2), len(table))
        return m.group(1) + b't="s"><v>' + str(index).encode() + b"</v></c>"

    with zipfile.ZipFile(src) as zin:
        members = {info.filename: zin.read(info) for info in zin.infolist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            members[name] = re.sub(rb'(<c [^>]*?)t="inlineStr"><is><t>(.*?)</t></is></c>', share, data, flags=re.S)
    strings = b"".join(b"<si><t>" + text + b"</t></si>" for text in table)
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (len(table), len(table)) + strings + b"</sst>")
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst
