"""The consolidated workbook's fast ways of writing its rows and comments give exactly the XML of the
careful ways they stand in for: a row of plain texts rendered in one go is the row rendered a cell
at a time, and a comment or comment shape filled into a template is openpyxl's own serialisation."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.xml.functions import tostring

from builders import build_ledger, item
from taizhang.merge import merge_inbox
from taizhang.models import Config
from taizhang.writing import consolidated
from taizhang.writing.consolidated import (
    _FIRST_SHAPE,
    ConsolidatedWriter,
    _Block,
    _LedgerSheet,
    _Rows,
    _Styles,
    consolidated_bytes,
    shape_alone,
)

# What clerks type into a cell, the awkward along with the usual: formulas' first characters, edge
# spaces (full-width too), XML specials, characters XML cannot hold, the separator the fast way
# joins texts with, line breaks, numbers, long text, empty cells.
TEXTS: list[object] = [
    "推进港口岸电设施建设", "完成年度目标的60%，（一）已完成{招标}", "=SUM(A1)", "+86", "-完成", "@某人", "#REF!",
    " 前导空格", "末尾空格 ", "全角空格\u3000", "\u3000全角", "A&B", "<b>", "a>b", "回车\r换行", "控制\x01字符",
    "私用\ue000区", "\ue000", "第一行\n第二行", "\n开头换行", "结尾换行\n", "\t制表", "多行\n\n空行", "emoji😀文字",
    12, 3.5, -4, 0, True, None, "", "长" * 120, "x" * 40000,
]


def _one_by_one(rows: _Rows, styles: _Styles, values: list[object], looks: tuple[tuple[str, str | None, str], ...],
                row: str) -> tuple[str, int]:
    sids = [styles.get(*look) for look in looks]
    return rows._cells_one_by_one(styles, sids, values, looks, 0, row)


def test_rows_rendered_in_one_go_are_the_rows_rendered_a_cell_at_a_time() -> None:
    styles = _Styles(Workbook())
    widths = [5, 17, 22, 10]
    rows = _Rows(None, 0, widths)
    looks = (("center", None, "body"), ("left", "FFFF00", "body"), ("left", None, "grey"), ("center", None, "body"))
    plain_rows = 0
    for values in itertools.product(TEXTS, ["推进", "=1+1", "", None, 7, "末尾 ", "a&b", "十个字以上的一段文字" * 3],
                                    ["第一行\n第二行", "私用\ue000", "x"], [None, "备注"]):
        for row in ("\x00", "17"):
            got = rows.cells(styles, list(values), looks, first=0, row=row)
            assert got == _one_by_one(rows, styles, list(values), looks, row), values
        plain_rows += rows._plain_cells([styles.get(*look) for look in looks], list(values), 0, "1") is not None
    assert plain_rows > 100  # the fast way was taken, not only the careful one


def test_the_lines_of_rows_rendered_in_one_go_are_those_counted_a_cell_at_a_time() -> None:
    # Row heights: texts of every width (CJK, Latin, accented, emoji, line breaks) in columns of
    # every width, the tallest anywhere in the row.
    styles = _Styles(Workbook())
    widths = [5, 17, 22, 27, 10, 8, 7]
    rows = _Rows(None, 0, widths)
    looks = tuple(("left", None, "body") for _ in widths)
    pieces = ["港", "a", "é", "😀", "推进港口岸电", "x1", "\n"]
    rng = random.Random(13)
    for _ in range(3000):
        values: list[object] = ["".join(rng.choice(pieces) for _ in range(rng.choice([0, 1, 3, 8, 20, 45, 90])))
                                .strip() for _ in widths]
        got = rows.cells(styles, values, looks, first=0, row="\x00")
        assert got == _one_by_one(rows, styles, values, looks, "\x00"), values


def _package(ws: _LedgerSheet) -> dict[str, bytes]:
    buffer = io.BytesIO()
    ws.parent.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        return {name: b"".join(chunks) for name, chunks in ws.streamed_parts(zf.read).items()}


def test_streamed_comments_and_their_shapes_are_those_openpyxl_writes() -> None:
    wb = Workbook()
    ws = _LedgerSheet(wb, "台账")
    wb._add_sheet(ws)
    texts = [t for t in TEXTS if isinstance(t, str) and t and "\x01" not in t and "\r" not in t]
    comments = [(f"{'BCDEFGHIJ'[i % 9]}{5 + i}", text) for i, text in enumerate(texts * 12)]
    comments.insert(0, ("C5", "任务来源含 A 但重要程度只有 ★，请核对星级或来源。\n第二条提示"))
    for ref, text in comments:
        ws.add_streamed_comment(ref, text)
    parts = _package(ws)
    comment_part = next(v for k, v in parts.items() if k.startswith("xl/comments/"))
    drawing = next(v for k, v in parts.items() if k.endswith(".vml"))
    # openpyxl's own serialisation of each comment and shape, one at a time
    records = b"".join(tostring(ws._record(c).to_tree()) for c in ws._streamed_comments)
    at = [coordinate_to_tuple(c[0]) for c in ws._streamed_comments]
    shapes = b"".join(shape_alone(row, col, c[2], _FIRST_SHAPE + i, minus=1)
                      for i, ((row, col), c) in enumerate(zip(at, ws._streamed_comments, strict=True)))
    assert records in comment_part and comment_part.count(b"<comment ") == len(comments)
    assert shapes in drawing and drawing.count(b"_x0000_s") == len(comments)


def test_closed_items_of_the_last_department_are_written_after_the_closed_headings(tmp_path: Path) -> None:
    # The last department's rows are still unpacked when the closed items' sub-headings are
    # written: its closed row must be its own, not made of the sub-headings' text.
    inbox = tmp_path / "inbox"
    for name, closed in (("综合部", []), ("规划发展部", [item("规划发展部已办结事项", note="已销号")])):
        build_ledger(inbox / f"{name}.xlsx", [item(f"{name}在办事项{i}") for i in range(3)] + closed, department=name)
    config = Config()
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    ws = load_workbook(io.BytesIO(consolidated_bytes(result, config=config)))["台账"]
    rows = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(5, ws.max_row + 1)]
    assert rows == [("综合部（3项）", None), *((i + 1, f"综合部在办事项{i}") for i in range(3)),
                    ("规划发展部（3项）", None), *((i + 4, f"规划发展部在办事项{i}") for i in range(3)),
                    ("已销号事项（1项，不编序号，不计入统计）", None), ("规划发展部（已销号1项）", None),
                    (None, "规划发展部已办结事项")]


def test_rows_kept_compressed_beyond_the_budget_make_the_same_workbook(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    for d in range(3):
        build_ledger(inbox / f"第{d + 1}业务部.xlsx", [item(f"第{d + 1}业务部事项{i}", colour="red" if i % 3 else None,
                                                          note="已销号" if i % 5 == 0 else "")
                                                     for i in range(40)], department=f"第{d + 1}业务部")
    config = Config()
    kept = consolidated_bytes(merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6)), config=config)
    monkeypatch.setattr(_Block, "RAW_BUDGET", 30_000)  # the first department's rows only
    writer = ConsolidatedWriter(config)
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    for report in result.reports:
        writer.prepare(report)
    assert [p[0].block.raw for p in writer._prepared.values()] == [True, False, False]
    assert writer.to_bytes(result) == kept


def test_findings_rendered_a_batch_at_a_time_make_the_same_workbook(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # 问题清单's rows are rendered together a batch at a time (memory); where the batches end, and
    # a batch holding an awkward text (rendered a row at a time), change nothing.
    inbox = tmp_path / "inbox"
    for d in range(3):
        build_ledger(inbox / f"第{d + 1}业务部.xlsx",
                     [item(f"第{d + 1}业务部事项{i}" + ("<&>" if i == 7 else ""), colour="red" if i % 3 else None,
                           stars="★★★★" if i % 2 else "★", source="AE" if i % 4 == 0 else "A") for i in range(60)],
                     department=f"第{d + 1}业务部")
    config = Config()
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    assert sum(len(r.findings) for r in result.reports) > 100
    books = []
    for batch in (10**9, 37, 1):
        monkeypatch.setattr(consolidated, "_FINDINGS_BATCH", batch)
        books.append(consolidated_bytes(merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6)), config=config))
    assert books[0] == books[1] == books[2]


def test_numbered_rows_are_the_rows_rendered_a_cell_at_a_time() -> None:
    # 问题清单's rows: a 序号, then texts (the awkward ones too), rendered by add_numbered, and by
    # add_numbered_rows (a batch at once), as add renders them, their lines counted once a text and
    # column width; the styles registered in the same order (an error's 序号 look is new here).
    widths = [5, 10, 18, 6, 41, 7]
    plain = (("center", None, "body"), ("center", None, "body"), ("left", None, "body"), ("center", None, "body"),
             ("left", None, "body"), ("center", None, "code"))
    alert = (("right", None, "error"), *plain[1:3], ("center", None, "error"), *plain[4:])
    made = [_Rows(None, 3, widths, _Styles(Workbook())) for _ in range(3)]
    alone, together, slow = made
    alone.wraps = together.wraps = {}
    rng = random.Random(5)
    awkward = [t for t in TEXTS if not isinstance(t, str) or len(t) < 200]
    usual = ["第1业务部", "提示", "H7", "", "推进港口岸电设施建设", "任务来源含 A 但重要程度只有 ★，请核对星级或来源。", "长" * 60]
    batches = 0
    for number in [1, 2, 17, 1500, True, 3.5, "12", None]:
        for texts in (awkward, usual, usual):
            entries: list[tuple[Any, list[object], Any]] = []
            for _ in range(30):
                row: list[object] = [rng.choice(texts) for _ in widths[1:]]
                looks = alert if rng.random() < 0.3 else plain
                alone.add_numbered(number, row, looks)  # type: ignore[arg-type]
                slow.add([number, *row], looks)
                entries.append((number, row, looks))
            together.add_numbered_rows(entries)
            batches += together.plain_texts([e[1] for e in entries]) is not None and type(number) is int
    assert alone.parts == slow.parts == together.parts
    assert [list(r.styles._ids.items()) for r in made[1:]] == [list(alone.styles._ids.items())] * 2  # type: ignore[union-attr]
    assert sum(p.count('<c r="A') for p in alone.parts) == len(alone.parts)
    assert batches >= 8  # rows were rendered together


def _merged_books(ranges: list[tuple[int, int, int, int]], seed: int) -> list[bytes]:
    """Two workbooks made alike, one merged by openpyxl's ws.merge_cells, one by xlsx_common.merge_cells."""
    from openpyxl.styles import Border, Font, PatternFill, Protection, Side

    from taizhang.writing.xlsx_common import THIN_BORDER, merge_cells

    sides = [None, Side(), Side(style="thin"), Side(style="medium", color="FF0000"), Side(style="thin", color="000000")]
    out = []
    for merge in ("openpyxl", "fast"):
        rng = random.Random(seed)
        wb = Workbook()
        ws = wb.active
        for r in range(1, 9):
            for c in range(1, 8):
                if rng.random() < 0.5:
                    cell = ws.cell(r, c, rng.choice([None, "x", 3]))
                    if rng.random() < 0.6:
                        cell.border = rng.choice([THIN_BORDER, Border(), Border(**{
                            k: rng.choice(sides) for k in ("left", "right", "top", "bottom")})])
                    if rng.random() < 0.3:
                        cell.protection = Protection(locked=rng.random() < 0.5, hidden=rng.random() < 0.5)
                    if rng.random() < 0.3:
                        cell.font = Font(bold=True)
                        cell.fill = PatternFill(fill_type="solid", fgColor="FFFF00")
        for r1, c1, r2, c2 in ranges:
            if merge == "openpyxl":
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
            else:
                merge_cells(ws, r1, c1, r2, c2)
        styled = {k: (type(v).__name__, tuple(v._style) if v._style is not None else None) for k, v in ws._cells.items()}
        lists = [list(getattr(wb, name)) for name in ("_borders", "_protections", "_fonts", "_fills")]
        wb.properties.created = wb.properties.modified = dt.datetime(2022, 4, 5)
        buffer = io.BytesIO()
        wb.save(buffer)
        with zipfile.ZipFile(buffer) as zf:
            parts = b"".join(zf.read(name) for name in sorted(zf.namelist()) if name != "docProps/core.xml")
        out.append(repr((sorted(styled.items()), lists)).encode() + parts)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_cells_merged_fast_are_those_openpyxl_merges(seed: int) -> None:
    # Ranges of every shape (one cell, a row, a column, a block), over cells styled or not, bordered
    # on some sides, protected or not, some merged ranges next to or inside others.
    rng = random.Random(100 + seed)
    ranges = []
    for _ in range(6):
        r1, c1 = rng.randint(1, 8), rng.randint(1, 7)
        ranges.append((r1, c1, rng.randint(r1, 9), rng.randint(c1, 8)))
    ranges += [(1, 1, 1, 7), (2, 2, 2, 2), (3, 1, 5, 1)]
    openpyxl_made, fast_made = _merged_books(ranges, seed)
    assert fast_made == openpyxl_made


def _saved(wb: Workbook) -> bytes:
    wb.properties.created = wb.properties.modified = dt.datetime(2022, 4, 5)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        return b"".join(zf.read(name) for name in sorted(zf.namelist()) if name != "docProps/core.xml")


def test_house_styles_kept_by_workbook_style_cells_as_openpyxl_looks_them_up(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # The writers' workbooks (the template, blank and pre-filled; the consolidated workbook, its merges
    # and header styles) are the same bytes whether a house style's index is kept or looked up each time.
    from taizhang.writing import xlsx_common
    from taizhang.writing.template import build_template

    inbox = tmp_path / "inbox"
    for d in range(2):
        build_ledger(inbox / f"第{d + 1}业务部.xlsx", [item(f"事项{i}", colour="red" if i % 2 else None)
                                                     for i in range(4)], department=f"第{d + 1}业务部")
    config = Config()
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    items = [it for r in result.reports for it in r.items]

    def made() -> list[bytes]:
        return [_saved(build_template()), _saved(build_template("综合部", items, keep_colours=True)),
                consolidated_bytes(result, config=config)]

    taken: list[object] = []
    set_index = xlsx_common._set_index

    def counted(*args: Any) -> None:
        taken.append(args)
        set_index(*args)

    monkeypatch.setattr(xlsx_common, "_set_index", counted)
    kept = made()
    assert len(taken) > 100  # the fast way was taken
    monkeypatch.setattr(xlsx_common, "_HOUSE_STYLES", frozenset())
    monkeypatch.setattr(xlsx_common, "_known", lambda cell, attr: None)
    assert made() == kept


def test_the_package_saved_stored_in_memory_has_the_parts_openpyxl_saves(tmp_path: Path) -> None:
    # The consolidated workbook's openpyxl parts (its three sheets, the chart, the comments, the
    # styles), saved by _save_stored, are openpyxl's own wb.save parts, only not compressed.
    from taizhang.writing.consolidated import _save_stored

    inbox = tmp_path / "inbox"
    for d in range(2):
        build_ledger(inbox / f"第{d + 1}业务部.xlsx", [item(f"事项{i}", colour="red" if i % 2 else None, stars="★★★★")
                                                     for i in range(4)], department=f"第{d + 1}业务部")
    config = Config()
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    packages = []
    for save in (_save_stored, Workbook.save):
        writer = ConsolidatedWriter(config)
        writer.to_bytes(result)  # fills its workbook
        buffer = io.BytesIO()
        save(writer.wb, buffer)
        with zipfile.ZipFile(buffer) as zf:
            packages.append({i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()})
    stored, saved = packages
    assert list(stored) == list(saved) and "xl/comments/comment1.xml" in stored and "xl/charts/chart1.xml" in stored
    for name, (data, kind) in stored.items():
        assert kind == zipfile.ZIP_STORED
        assert data == saved[name][0] or name == "docProps/core.xml", name


@pytest.mark.parametrize(("names", "spliced"), [
    (["综合部", "规划发展部", "Port Ops 2", "工程建设部"], True),  # every value plain: the rows are spliced
    (["综合部", "规划&发展部", "工程建设部", "污染防治部"], False),  # an XML special: openpyxl writes them all
    (["综合部", " 规划发展部", "=工程建设部", "港航😀部"], False),  # edge space, formula trigger, beyond the BMP
])
@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_summary_rows_spliced_are_the_rows_openpyxl_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           names: list[str], spliced: bool, paper: str) -> None:
    # 汇总's rows by department (on time, late, missing: the 逾期 and 未报送 looks, empty cells), with the
    # chart placed by the rows' heights, are the same bytes rendered by _SummaryRows as written by openpyxl.
    from taizhang.writing.consolidated import _SummaryRows

    inbox = tmp_path / "inbox"
    for d, name in enumerate(names[:3]):
        build_ledger(inbox / f"{d}.xlsx", [item(f"事项{d}-{i}", colour=("red", "blue", None)[i % 3])
                                           for i in range(3 + d)], department=name,
                     date="填报日期：2022年4月9日" if d == 1 else "填报日期：2022年4月3日")
    config = Config(departments=[*names, "财务部", *(f"第{i}部" for i in range(30))], paper=paper)
    result = merge_inbox(inbox, config=config, month="2022-04", date=dt.date(2022, 4, 6))
    made, taken = [], []
    of = _SummaryRows.of
    for splice in (True, False):
        def chosen(*args: Any, splice: bool = splice) -> _SummaryRows | None:
            rows = of(*args) if splice else None
            taken.append(rows is not None)
            return rows

        monkeypatch.setattr(_SummaryRows, "of", chosen)
        made.append(consolidated_bytes(result, config=config))
    assert taken == [spliced, False]
    assert made[0] == made[1]


def test_rows_of_texts_rendered_together_are_the_rows_rendered_one_at_a_time() -> None:
    # A department's rows rendered by text_rows (one join, one search, one % for them all) are those
    # cells renders a row at a time; any batch with a value not a text, an awkward text, or the
    # separator in a text is declined (its rows then go a row at a time).
    styles = _Styles(Workbook())
    widths = [5, 17, 22, 27, 10, 8, 7, 12, 9]
    rows = _Rows(None, 0, widths)
    looks = [tuple(("left", fill, font) for _ in widths[1:]) for fill in (None, "FFFF00") for font in ("body", "grey")]
    sids = [rows.sids(styles, look) for look in looks]
    plain = ["港", "推进港口岸电设施建设", "完成年度目标的60%", "x1", "", "", "第一行\n第二行", "长" * 90, "a b", "★★"]
    awkward = [t for t in TEXTS if not isinstance(t, str) or t not in plain] + ["\ue000", "a\ue000b"]
    rng = random.Random(21)
    together = declined = 0
    for size in [0, 1, 2, 5, 40] * 30:
        batch = [[rng.choice(plain) for _ in widths[1:]] for _ in range(size)]
        if size and rng.random() < 0.4:
            batch[rng.randrange(size)][rng.randrange(len(widths) - 1)] = rng.choice(awkward)
        chosen = [rng.randrange(len(looks)) for _ in batch]
        got = rows.text_rows([sids[c] for c in chosen], batch, 1, "\x00")  # type: ignore[arg-type]
        if got is None:
            declined += 1
            assert any(rows._plain_cells(sids[c], r, 1, "\x00") is None
                       or any(not isinstance(v, str) or "\ue000" in v for v in r)
                       for c, r in zip(chosen, batch, strict=True))
            continue
        together += 1
        assert got == [rows.cells(styles, r, looks[c], first=1, row="\x00", sids=sids[c])
                       for c, r in zip(chosen, batch, strict=True)]
    # Rows whose texts add up to more than Excel's limit (none of them over it): rendered together too.
    long_rows = [["推" * 5000, "进" * 5000, "x" * 4000, "", "a", "b", "c", "d"] for _ in range(3)]
    got = rows.text_rows([sids[0]] * 3, long_rows, 1, "7")
    assert got == [rows.cells(styles, r, looks[0], first=1, row="7", sids=sids[0]) for r in long_rows]
    assert together > 50 and declined > 20
