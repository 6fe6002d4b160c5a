"""The monthly cycle (issue 11): prepare next month's workbooks from the history, item identity
through the hidden 事项编号 column, and the 催报 reminder.

The acceptance test prepares May from the April examples, edits the prepared workbooks as clerks
do (a reworded item, one closed, one added, rows reordered), saves them through LibreOffice as
.xlsx and .xls, merges them and checks the report's new/closed/renamed lists exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from builders import build_ledger, item
from conftest import SOFFICE
from taizhang import rules, saving
from taizhang.cli import app
from taizhang.config import load_config
from taizhang.errors import TaizhangError
from taizhang.merge import merge_inbox, snapshot_of
from taizhang.models import Colour, Config, ItemRef, Renamed
from taizhang.prepare import next_file_name, prepare_month
from taizhang.remind import remind_month
from taizhang.report import build_report
from taizhang.saving import merge_and_save
from taizhang.store import Store
from taizhang.validate import validate_file
from taizhang.writing import template as tpl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CONFIG = load_config(EXAMPLES / "taizhang.toml")
Convert = Callable[[Path, str, Path], Path]

ID, NAME, JUDGEMENT, NOTE = tpl.ID_COL, tpl.COL["name"], tpl.COL["judgement"], tpl.COL["note"]


def april_store(folder: Path) -> Path:
    """examples/2022-04 merged into a new store."""
    db = folder / "taizhang.db"
    merge_and_save(EXAMPLES / "2022-04", config=CONFIG, month="2022-04", date=dt.date(2022, 4, 6),
                   output=folder / "汇总-2022-04.xlsx", db=db)
    return db


def prepare(db: Path, month: str, out: Path, config: Config = CONFIG, **kw: object):
    with Store(db) as store:
        return prepare_month(store, month, config=config, output=out, **kw)


def item_rows(ws: Worksheet) -> dict[str, int]:
    """ID -> row of the pre-filled items."""
    rows = {}
    for r in range(tpl.FIRST_ITEM_ROW, ws.max_row + 1):
        value = ws.cell(r, ID).value
        if value:
            rows[str(value)] = r
    return rows


def swap_rows(ws: Worksheet, a: int, b: int) -> None:
    """Move row a to b and b to a, every column (the ID too), as sorting does; 序号 stays in place."""
    for c in range(2, ID + 1):
        x, y = ws.cell(a, c), ws.cell(b, c)
        x.value, y.value = y.value, x.value


def first_blank_row(ws: Worksheet) -> int:
    return next(r for r in range(tpl.FIRST_ITEM_ROW, ws.max_row + 1)
                if isinstance(ws.cell(r, 1).value, int) and not ws.cell(r, NAME).value)


def add_item(ws: Worksheet, name: str) -> None:
    r = first_blank_row(ws)
    for key, value in item(name, leader="周志华", owner="新建科/王五").items():
        if key in tpl.COL and key != "judgement":
            ws.cell(r, tpl.COL[key]).value = value


def fill_date(ws: Worksheet, text: str = "填报日期：2022年5月4日") -> None:
    ws.cell(tpl.DATE_ROW, tpl.COL["owner"]).value = text


# --------------------------------------------------------------------------------------------
# The acceptance test
# --------------------------------------------------------------------------------------------


def test_prepare_edit_resave_merge_and_report_exact_changes(tmp_path: Path, soffice_convert: Convert) -> None:
    db = april_store(tmp_path)
    result = prepare(db, "2022-05", tmp_path / "prepared")
    files = {b.department: tmp_path / "prepared" / b.file for b in result.workbooks}
    with Store(db) as store:
        april = store.load_month("2022-04")
    names = {it.key: it.name for it in april.items}

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    clerk = tmp_path / "clerk"
    clerk.mkdir()
    expected_new: list[ItemRef] = []
    expected_closed: list[ItemRef] = []
    expected_renamed: list[Renamed] = []

    # 规划发展部: rewords its first item beyond recognition, closes its second, adds one, swaps two
    # rows; saved by LibreOffice as .xlsx.
    planning = files["规划发展部"]
    wb = load_workbook(planning)
    ws = wb.active
    ids = list(item_rows(ws))
    reworded, closed = ids[0], ids[1]
    ws.cell(item_rows(ws)[reworded], NAME).value = "全市港航重点项目谋划储备与要素保障"
    ws.cell(item_rows(ws)[closed], NOTE).value = "已完成，销号"
    swap_rows(ws, item_rows(ws)[ids[2]], item_rows(ws)[ids[5]])
    add_item(ws, "编制内河航运高质量发展三年行动方案")
    fill_date(ws)
    wb.save(clerk / planning.name)
    soffice_convert(clerk / planning.name, "xlsx", inbox)
    expected_renamed.append(Renamed(department="规划发展部", from_=names[reworded], to="全市港航重点项目谋划储备与要素保障"))
    expected_closed.append(ItemRef(department="规划发展部", item=names[closed]))
    expected_new.append(ItemRef(department="规划发展部", item="编制内河航运高质量发展三年行动方案"))

    # 工程建设部: rewords an item, reverses the order of its items, adds one; saved as .xls.
    works = files["工程建设部"]
    wb = load_workbook(works)
    ws = wb.active
    ids = list(item_rows(ws))
    target = ids[3]
    ws.cell(item_rows(ws)[target], NAME).value = "船闸扩能改造前期手续办理"
    rows = sorted(item_rows(ws).values())
    for a, b in zip(rows[: len(rows) // 2], reversed(rows[len(rows) // 2:]), strict=False):
        swap_rows(ws, a, b)
    add_item(ws, "组织开展汛期水上交通安全专项检查")
    fill_date(ws)
    wb.save(clerk / works.name)
    soffice_convert(clerk / works.name, "xls", inbox)
    expected_renamed.append(Renamed(department="工程建设部", from_=names[target], to="船闸扩能改造前期手续办理"))
    expected_new.append(ItemRef(department="工程建设部", item="组织开展汛期水上交通安全专项检查"))

    # The others hand in their prepared workbook with only the date filled (水运服务部 nothing).
    for department in ("综合部", "污染防治部", "智慧港航部"):
        wb = load_workbook(files[department])
        fill_date(wb.active)
        wb.save(inbox / files[department].name)

    assert sorted(p.suffix for p in inbox.iterdir()) == [".xls", ".xlsx", ".xlsx", ".xlsx", ".xlsx"]
    merged = merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 6),
                            output=tmp_path / "汇总-2022-05.xlsx", db=db)
    assert not [f for r in merged.reports for f in r.findings if f.code.startswith("item.id_")]
    with Store(db) as store:
        report = build_report(store, "2022-05", config=CONFIG)
        may = store.load_month("2022-05")

    def order(refs: list) -> list:
        return sorted(refs, key=lambda r: r.model_dump_json())

    assert order(report.new) == order(expected_new)
    assert order(report.closed) == order(expected_closed)
    assert order(report.renamed) == order(expected_renamed)
    assert report.missing == ["水运服务部"]
    # Every carried-over item kept its key: its ID.
    carried = [it for it in may.items if it.item_id]
    assert len(carried) == sum(b.items for b in result.workbooks)
    assert all(it.key == it.item_id for it in carried)

    # June: the closed item is left out, the added ones now carry IDs, the reworded one its old ID.
    june = prepare(db, "2022-06", tmp_path / "june")
    planning_june = next(b for b in june.workbooks if b.department == "规划发展部")
    assert planning_june.closed_left_out == 1
    ws = load_workbook(tmp_path / "june" / planning_june.file).active
    by_id = {i: ws.cell(r, NAME).value for i, r in item_rows(ws).items()}
    assert by_id[reworded] == "全市港航重点项目谋划储备与要素保障"
    assert closed not in by_id
    added = next(it for it in may.items if it.name == "编制内河航运高质量发展三年行动方案")
    assert by_id[added.key] == added.name
    assert planning_june.file == "规划发展部重点工作台账（2022年6月）.xlsx"


# --------------------------------------------------------------------------------------------
# The prepared workbook
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store, folder of May's prepared workbooks) from the April examples."""
    folder = tmp_path_factory.mktemp("prepared")
    db = april_store(folder)
    prepare(db, "2022-05", folder / "may")
    return db, folder / "may"


def test_prepared_files_are_named_as_each_department_names_them(prepared: tuple[Path, Path]) -> None:
    _db, may = prepared
    expected = {p.stem + ".xlsx" for p in (EXAMPLES / "2022-05").iterdir() if not p.name.startswith("水运")}
    assert {p.name for p in may.iterdir()} == expected | {"水运服务部-2022年5月重点工作台账.xlsx"}


def test_prepared_workbook_carries_last_months_items_with_ids(prepared: tuple[Path, Path]) -> None:
    db, may = prepared
    with Store(db) as store:
        april = [it for it in store.load_month("2022-04").items if it.department == "规划发展部"]
    path = may / "规划发展部重点工作台账（2022年5月）.xlsx"
    ws = load_workbook(path).active
    assert ws["A1"].value == "规划发展部重点工作台账"
    assert ws.cell(tpl.HEADER_ROW, ID).value == "事项编号"
    assert ws.column_dimensions[tpl.ID_LETTER].hidden
    assert ws.protection.sheet and not ws.protection.password
    assert not ws.protection.sort and not ws.protection.insertRows and not ws.protection.formatCells
    assert ws.protection.formatColumns  # the ID column cannot be shown again
    rows = range(tpl.FIRST_ITEM_ROW, tpl.FIRST_ITEM_ROW + len(april))
    assert [ws.cell(r, 1).value for r in rows] == list(range(1, len(april) + 1))
    for r, it in zip(rows, april, strict=True):
        assert ws.cell(r, ID).value == it.key
        assert ws.cell(r, NAME).value == it.name
        assert ws.cell(r, tpl.COL["target"]).value == (it.target or None)
        assert ws.cell(r, tpl.COL["progress"]).value == (it.progress or None)
        assert ws.cell(r, tpl.COL["stars"]).value == it.stars
        assert ws.cell(r, tpl.COL["source"]).value == it.source
        assert ws.cell(r, JUDGEMENT).value is None and ws.cell(r, JUDGEMENT).fill.fill_type is None
        assert not ws.cell(r, NAME).protection.locked and not ws.cell(r, ID).protection.locked
    assert ws.cell(tpl.HEADER_ROW, NAME).protection.locked
    # blank numbered rows for 补录, unlocked
    blank = tpl.FIRST_ITEM_ROW + len(april)
    assert ws.cell(blank, 1).value == len(april) + 1 and ws.cell(blank, NAME).value is None
    assert not ws.cell(blank, NAME).protection.locked
    # 填报日期 left to fill in; the sentence is the self-checking formula (no value until Excel computes it)
    report = validate_file(path)
    assert report.date is None and {"date.unfilled", "summary.formula_uncached"} <= {f.code for f in report.findings}
    assert str(ws.cell(tpl.SUMMARY_ROW, 1).value).startswith("=")
    assert [i.item_id for i in report.items] == [it.key for it in april]
    assert report.extra_columns == [rules.CHOICE_LABEL]  # the ID column is not one of them


def test_a_departments_own_column_is_kept_in_the_prepared_note(prepared: tuple[Path, Path]) -> None:
    # 规划发展部 keeps a 完成时限 column after 备注; the prepared ledger has 附件2's columns only, so the
    # deadline goes into 备注 (as in the consolidated workbook) rather than being lost.
    db, may = prepared
    with Store(db) as store:
        april = [it for it in store.load_month("2022-04").items if it.department == "规划发展部"]
    assert all(it.extra.get("完成时限") for it in april)
    ws = load_workbook(may / "规划发展部重点工作台账（2022年5月）.xlsx").active
    for offset, it in enumerate(april):
        note = str(ws.cell(tpl.FIRST_ITEM_ROW + offset, NOTE).value)
        assert f"完成时限：{it.extra['完成时限']}" in note.split("\n")
        assert (it.note or "") in note
    others = load_workbook(may / "综合部2022.5.xlsx").active
    assert not any("评价颜色" in str(others.cell(r, NOTE).value or "") or "事项编号" in str(others.cell(r, NOTE).value or "")
                   for r in range(tpl.FIRST_ITEM_ROW, tpl.FIRST_ITEM_ROW + 12))


def test_prepare_again_gives_the_same_ids_and_refuses_to_overwrite(prepared: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    db, may = prepared
    again = prepare(db, "2022-05", tmp_path / "again")
    for book in again.workbooks:
        first = [i.item_id for i in validate_file(may / book.file).items]
        assert [i.item_id for i in validate_file(tmp_path / "again" / book.file).items] == first
    before = sorted(p.stat().st_mtime_ns for p in (tmp_path / "again").iterdir())
    with pytest.raises(TaizhangError, match="已有"):
        prepare(db, "2022-05", tmp_path / "again")
    assert sorted(p.stat().st_mtime_ns for p in (tmp_path / "again").iterdir()) == before


def test_item_ids_survive_libreoffice_resave_as_xlsx_and_xls(prepared: tuple[Path, Path], tmp_path: Path,
                                                             soffice_convert: Convert) -> None:
    _db, may = prepared
    path = may / "智慧港航部-台账（5月）.xlsx"
    ids = [i.item_id for i in validate_file(path).items]
    assert all(ids) and len(set(ids)) == len(ids)
    for fmt in ("xlsx", "xls"):
        again = soffice_convert(path, fmt, tmp_path / fmt)
        report = validate_file(again)
        assert [i.item_id for i in report.items] == ids
        assert not any(f.code.startswith("item.id_") for f in report.findings)
    ws = load_workbook(tmp_path / "xlsx" / path.name).active
    assert ws.column_dimensions[tpl.ID_LETTER].hidden and ws.protection.sheet


def test_keep_colours_carries_the_judgement_and_its_colour_choice(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    result = prepare(db, "2022-05", tmp_path / "kept", config=CONFIG.model_copy(update={"prepare_keep_colours": True}))
    assert result.keep_colours
    with Store(db) as store:
        april = store.load_month("2022-04")
    coloured = [it for it in april.items if it.colour in (Colour.BLUE, Colour.YELLOW, Colour.RED)]
    assert coloured
    for book in result.workbooks:
        if book.from_month:
            report = validate_file(tmp_path / "kept" / book.file)
            before = {it.key: it.colour for it in april.items if it.department == book.department}
            assert {i.item_id: i.colour for i in report.items} == before
            # kept as the 评价颜色 choice (painted and counted by the template's formulas), not a hand fill
            ws = load_workbook(tmp_path / "kept" / book.file).active
            for offset, item in enumerate(report.items):
                choice = ws.cell(tpl.FIRST_ITEM_ROW + offset, tpl.CHOICE_COL).value
                assert choice == (rules.CHOICE_NAMES.get(item.colour) if item.colour in rules.CHOICE_NAMES else None)
                assert ws.cell(tpl.FIRST_ITEM_ROW + offset, tpl.COL["judgement"]).fill.fill_type is None


def test_department_missing_last_month_gets_its_latest_items(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    inbox = tmp_path / "may-inbox"
    shutil.copytree(EXAMPLES / "2022-04", inbox)
    (inbox / "工程建设部2022年4月重点工作台账.xlsx").unlink()
    merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 6),
                   output=tmp_path / "汇总-2022-05.xlsx", db=db)
    result = prepare(db, "2022-06", tmp_path / "june", zip_file=True)
    works = next(b for b in result.workbooks if b.department == "工程建设部")
    assert (works.from_month, works.items) == ("2022-04", 10)
    assert works.note == "2022年5月未报送，按2022年4月台账预填。"
    assert works.file == "工程建设部2022年6月重点工作台账.xlsx"
    assert result.zipped and result.output.endswith(".zip")
    with zipfile.ZipFile(result.output) as zf:
        assert sorted(zf.namelist()) == sorted(b.file for b in result.workbooks)
    assert not (tmp_path / "june").exists()


def test_prepare_needs_an_earlier_month(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    with pytest.raises(TaizhangError, match="2022-04 之前的月份"):
        prepare(db, "2022-04", tmp_path / "x")


@pytest.mark.parametrize(("previous", "from_month", "month", "expected"), [
    ("工程建设部2022年4月重点工作台账.xlsx", "2022-04", "2022-05", "工程建设部2022年5月重点工作台账.xlsx"),
    ("综合部2022.4.xlsx", "2022-04", "2022-05", "综合部2022.5.xlsx"),
    ("污染防治部-4月台账.xls", "2022-04", "2022-05", "污染防治部-5月台账.xlsx"),
    ("智慧港航部-台账（4月）.xlsx", "2022-04", "2022-05", "智慧港航部-台账（5月）.xlsx"),
    ("规划发展部重点工作台账（2022年4月）.xlsx", "2022-04", "2022-05", "规划发展部重点工作台账（2022年5月）.xlsx"),
    ("水运服务部重点工作台账(5月份).xlsx", "2022-05", "2022-06", "水运服务部重点工作台账(6月份).xlsx"),
    ("财务部2022-04台账.xlsx", "2022-04", "2022-05", "财务部2022-05台账.xlsx"),
    ("海事服务部2022年12月台账.xlsx", "2022-12", "2023-01", "海事服务部2023年1月台账.xlsx"),
    ("党群工作部-12月台账（2022）.xlsx", "2022-12", "2023-01", "党群工作部-1月台账（2023）.xlsx"),
    ("人力资源部四月台账.xlsx", "2022-04", "2022-05", "人力资源部五月台账.xlsx"),
    ("财务部台账.xlsx", "2022-04", "2022-05", None),
])
def test_next_file_name_moves_the_month_as_written(previous: str, from_month: str, month: str,
                                                   expected: str | None) -> None:
    assert next_file_name(previous, from_month, month) == expected


# --------------------------------------------------------------------------------------------
# Identity: IDs first, copied and duplicated IDs
# --------------------------------------------------------------------------------------------


def _ids_cleared(src: Path, dst: Path) -> Path:
    wb = load_workbook(src)
    ws = wb.active
    for r in range(tpl.FIRST_ITEM_ROW, ws.max_row + 1):
        ws.cell(r, ID).value = None
    wb.save(dst)
    return dst


def test_reworded_item_is_the_same_only_through_its_id(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    prepare(db, "2022-05", tmp_path / "may")
    src = tmp_path / "may" / "综合部2022.5.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    first = min(item_rows(ws).values())
    old = ws.cell(first, NAME).value
    ws.cell(first, NAME).value = "机关效能建设与督查督办闭环管理"
    fill_date(ws)
    with_id, without = tmp_path / "with", tmp_path / "without"
    with_id.mkdir()
    without.mkdir()
    wb.save(with_id / src.name)
    _ids_cleared(with_id / src.name, without / src.name)
    for inbox, renamed in ((with_id, True), (without, False)):
        store_db = tmp_path / f"{inbox.name}.db"
        shutil.copy(db, store_db)
        merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 4),
                       output=tmp_path / f"{inbox.name}.xlsx", db=store_db)
        with Store(store_db) as store:
            report = build_report(store, "2022-05", config=CONFIG)
        if renamed:
            assert report.renamed == [Renamed(department="综合部", from_=old, to="机关效能建设与督查督办闭环管理")]
            assert report.new == [] and report.closed == []
        else:  # worded too differently to be followed without the ID: one new, one closed
            assert report.renamed == []
            assert report.new == [ItemRef(department="综合部", item="机关效能建设与督查督办闭环管理")]
            assert report.closed == [ItemRef(department="综合部", item=old)]


def test_copied_row_keeps_the_id_once_and_is_warned(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    prepare(db, "2022-05", tmp_path / "may")
    src = tmp_path / "may" / "综合部2022.5.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    first = min(item_rows(ws).values())
    original = ws.cell(first, NAME).value
    blank = first_blank_row(ws)
    for c in range(2, ID + 1):  # the clerk copies a whole row to start a new item from it
        ws.cell(blank, c).value = ws.cell(first, c).value
    ws.cell(blank, NAME).value = "新增：机关食堂管理制度修订"
    fill_date(ws)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb.save(inbox / src.name)

    report = validate_file(inbox / src.name)
    dup = [f for f in report.findings if f.code == "item.id_duplicate"]
    assert len(dup) == 1 and dup[0].cell == f"{tpl.ID_LETTER}{blank}" and f"第{first}行" in dup[0].message
    merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 4),
                   output=tmp_path / "m.xlsx", db=db)
    with Store(db) as store:
        month_report = build_report(store, "2022-05", config=CONFIG)
        may = store.load_month("2022-05")
    kept = next(it for it in may.items if it.name == original)
    assert kept.key == kept.item_id
    assert month_report.new == [ItemRef(department="综合部", item="新增：机关食堂管理制度修订")]
    assert month_report.renamed == [] and month_report.closed == []


def inbox_with_a_copied_id(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """The store of April, and May's inbox in which 规划发展部 copied a row of 综合部 with its 事项编号:
    (store, inbox, the copied 工作事项, its 事项编号)."""
    db = april_store(tmp_path)
    prepare(db, "2022-05", tmp_path / "may")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    zh = load_workbook(tmp_path / "may" / "综合部2022.5.xlsx")
    zh_ws = zh.active
    zh_first = min(item_rows(zh_ws).values())
    foreign_id, foreign_name = zh_ws.cell(zh_first, ID).value, zh_ws.cell(zh_first, NAME).value
    fill_date(zh_ws)
    zh.save(inbox / "综合部2022.5.xlsx")
    gh = load_workbook(tmp_path / "may" / "规划发展部重点工作台账（2022年5月）.xlsx")
    gh_ws = gh.active
    blank = first_blank_row(gh_ws)
    for c in range(2, ID + 1):  # a row copied from 综合部's workbook
        gh_ws.cell(blank, c).value = zh_ws.cell(zh_first, c).value
    fill_date(gh_ws)
    gh.save(inbox / "规划发展部重点工作台账（2022年5月）.xlsx")
    return db, inbox, foreign_name, foreign_id


def test_id_copied_into_another_departments_ledger_is_warned_and_not_followed(tmp_path: Path) -> None:
    db, inbox, foreign_name, foreign_id = inbox_with_a_copied_id(tmp_path)
    result = merge_inbox(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 4))
    warned = {r.department: [f for f in r.findings if f.code == "item.id_elsewhere"] for r in result.reports}
    assert len(warned["规划发展部"]) == 1 and "综合部" in warned["规划发展部"][0].message
    assert len(warned["综合部"]) == 1 and "规划发展部" in warned["综合部"][0].message
    with Store(db) as store:
        store.save_month(snapshot_of(result, CONFIG))
        report = build_report(store, "2022-05", config=CONFIG)
        may = store.load_month("2022-05")
    copy = next(it for it in may.items if it.department == "规划发展部" and it.name == foreign_name)
    assert copy.key != foreign_id  # an ID counts only for its own department
    assert ItemRef(department="规划发展部", item=foreign_name) in report.new
    assert report.renamed == []


@pytest.mark.parametrize("forked", [True, False])
def test_id_copied_into_another_departments_ledger_is_warned_by_merge_and_save(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool) -> None:
    # taizhang merge on Linux hands each ledger's items to the history writer as soon as it is
    # read: the IDs must be compared all the same (they were not, before 2026-12).
    if forked and not sys.platform.startswith("linux"):
        pytest.skip("the history writer is forked on Linux only")
    monkeypatch.setattr(saving, "FORK_WRITER", forked)
    db, inbox, _, _ = inbox_with_a_copied_id(tmp_path)
    result = merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 4),
                            output=tmp_path / "汇总.xlsx", db=db)
    warned = {r.department: [f for f in r.findings if f.code == "item.id_elsewhere"] for r in result.reports}
    assert len(warned["规划发展部"]) == 1 and "综合部" in warned["规划发展部"][0].message
    assert len(warned["综合部"]) == 1 and "规划发展部" in warned["综合部"][0].message
    with Store(db) as store:
        stored = [f for f in store.load_month("2022-05").findings if f.code == "item.id_elsewhere"]
    assert sorted(f.department for f in stored) == ["综合部", "规划发展部"]
    listed = load_workbook(tmp_path / "汇总.xlsx")["问题清单"]
    assert sum("事项编号" in str(c.value) for row in listed.iter_rows() for c in row if c.value) >= 2


def test_store_keeps_item_ids_and_rederives_keys_by_them(tmp_path: Path) -> None:
    """Merging April again after May: May's keys are derived again, by their IDs first."""
    db = april_store(tmp_path)
    prepare(db, "2022-05", tmp_path / "may")
    src = tmp_path / "may" / "综合部2022.5.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    first = min(item_rows(ws).values())
    ws.cell(first, NAME).value = "机关效能建设与督查督办闭环管理"
    fill_date(ws)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb.save(inbox / src.name)
    merge_and_save(inbox, config=CONFIG, month="2022-05", date=dt.date(2022, 5, 4), output=tmp_path / "m.xlsx", db=db)
    april_store_again = merge_and_save(EXAMPLES / "2022-04", config=CONFIG, month="2022-04",
                                       date=dt.date(2022, 4, 6), output=tmp_path / "a.xlsx", db=db)
    assert april_store_again.ok is not None
    with Store(db) as store:
        may = store.load_month("2022-05")
        report = build_report(store, "2022-05", config=CONFIG)
    assert all(it.key == it.item_id for it in may.items if it.item_id)
    assert len(report.renamed) == 1 and report.new == []


def test_ledger_without_the_id_column_reads_as_before(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "a.xlsx", [item("推进港口岸电建设"), item("编制发展规划")])
    report = validate_file(path)
    assert [i.item_id for i in report.items] == [None, None]


def test_a_departments_own_numbering_column_is_not_taken_for_ids(tmp_path: Path) -> None:
    own = build_ledger(tmp_path / "own.xlsx", [item("推进港口岸电建设"), item("编制发展规划")],
                       extra={"事项编号": ["GH-01", "GH-02"]})
    report = validate_file(own)
    assert [i.item_id for i in report.items] == [None, None]
    assert [i.extra for i in report.items] == [{"事项编号": "GH-01"}, {"事项编号": "GH-02"}]
    assert report.extra_columns == ["事项编号"]
    merged_twice = tmp_path / "inbox"
    merged_twice.mkdir()
    shutil.copy(own, merged_twice / "规划发展部.xlsx")
    build_ledger(merged_twice / "工程建设部.xlsx", [item("推进航道工程")], department="工程建设部",
                 extra={"事项编号": ["GH-01"]})
    result = merge_inbox(merged_twice, config=CONFIG, month="2022-04", date=dt.date(2022, 4, 3))
    assert not [f for r in result.reports for f in r.findings if f.code.startswith("item.id_")]


def test_emptied_row_with_only_its_hidden_id_is_not_an_item(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    prepare(db, "2022-05", tmp_path / "may")
    src = tmp_path / "may" / "智慧港航部-台账（5月）.xlsx"
    wb = load_workbook(src)
    ws = wb.active
    first = min(item_rows(ws).values())
    for c in range(2, ID):  # the clerk clears the row's texts to drop the item
        ws.cell(first, c).value = None
    wb.save(tmp_path / "edited.xlsx")
    before, after = validate_file(src), validate_file(tmp_path / "edited.xlsx")
    assert len(after.items) == len(before.items) - 1


# --------------------------------------------------------------------------------------------
# remind
# --------------------------------------------------------------------------------------------


def test_remind_after_the_deadline_names_the_missing_with_a_text(tmp_path: Path) -> None:
    result = remind_month(EXAMPLES / "2022-05", "2022-05", config=CONFIG.model_copy(
        update={"departments": [*CONFIG.departments, "海事服务部"]}), today=dt.date(2022, 5, 6))
    assert result.late and result.missing == ["海事服务部"]
    assert len(result.received) == 6
    assert result.text is not None
    assert result.text.splitlines()[2] == "海事服务部："
    assert "每月5日前上报中心综合部" in result.text and "应于2022年5月5日前报送" in result.text
    assert "截至2022年5月6日" in result.text and "已逾期1天" in result.text
    assert "jngh2603869@163.com" in result.text


def test_remind_on_or_before_the_deadline_is_not_late(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    for f in inbox.glob("水运服务部*"):
        f.unlink()
    result = remind_month(inbox, "2022-05", config=CONFIG, today=dt.date(2022, 5, 5))
    assert not result.late and result.missing == ["水运服务部"] and result.text is None


def test_remind_does_not_count_last_months_ledgers_left_in_the_inbox(tmp_path: Path) -> None:
    """April's ledgers (dated by April's deadline) in May's inbox are not May's: those departments
    are still to report; 工程建设部's, dated 4月8日 after April's deadline, may be May's."""
    result = remind_month(EXAMPLES / "2022-04", "2022-05", config=CONFIG, today=dt.date(2022, 5, 6))
    assert result.received == ["工程建设部"]
    assert set(result.missing) == set(CONFIG.departments) - {"工程建设部"}
    assert len(result.stale) == 4 and all(Path(f).name in {p.name for p in (EXAMPLES / "2022-04").iterdir()}
                                          for f in result.stale)
    assert result.text is not None and "规划发展部" in result.text


def test_remind_counts_an_unreadable_file_as_handed_in(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "水运服务部-5月台账.xlsx").write_bytes(b"not a workbook")
    result = remind_month(inbox, "2022-05", config=CONFIG, today=dt.date(2022, 5, 9))
    assert "水运服务部" in result.received and "水运服务部" not in result.missing
    assert result.unreadable == ["水运服务部-5月台账.xlsx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert remind_month(empty, "2022-05", config=CONFIG, today=dt.date(2022, 5, 9)).missing == CONFIG.departments


# --------------------------------------------------------------------------------------------
# Command line and rendering
# --------------------------------------------------------------------------------------------


def test_cli_prepare_and_remind(tmp_path: Path) -> None:
    db = april_store(tmp_path)
    runner = CliRunner()
    config = str(EXAMPLES / "taizhang.toml")
    out = runner.invoke(app, ["prepare", "--month", "2022-05", "--db", str(db), "--config", config,
                              "-o", str(tmp_path / "may.zip"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["zipped"] and len(data["workbooks"]) == 6
    again = runner.invoke(app, ["prepare", "--month", "2022-05", "--db", str(db), "--config", config,
                                "-o", str(tmp_path / "may.zip")])
    assert again.exit_code == 2 and "已存在" in again.output
    out = runner.invoke(app, ["remind", str(EXAMPLES / "2022-04"), "--month", "2022-05", "--today", "2022-05-08",
                              "--config", config])
    assert out.exit_code == 0, out.output
    assert "水运服务部" in out.stdout and "催报通知" in out.stdout
    out = runner.invoke(app, ["remind", str(EXAMPLES / "2022-04"), "--month", "2022-05", "--today", "2022-05-02",
                              "--config", config])
    assert out.exit_code == 0 and "尚未逾期" in out.stdout


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_prepared_workbook_renders_to_pdf(prepared: tuple[Path, Path], tmp_path: Path,
                                          soffice_convert: Convert) -> None:
    _db, may = prepared
    pdf = soffice_convert(may / "规划发展部重点工作台账（2022年5月）.xlsx", "pdf", tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else ""
    assert pdf.stat().st_size > 1000
    if text:
        assert "规划发展部重点工作台账" in text and "事项编号" not in text
