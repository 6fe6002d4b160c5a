"""Saving a merged month from Python: ``taizhang.saving.merge_and_save``, on both of its paths.

Linux stores the month from a forked writer that holds its transaction while the workbook is
written; Windows and macOS (``FORK_WRITER`` off) store it after the workbook, in the merging
process. Both must give the same workbook bytes and the same store, and both must leave the
store as it was when the merge fails.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sys
from pathlib import Path

import pytest

from builders import build_ledger, item
from taizhang import merge, saving
from taizhang.config import Config, load_config
from taizhang.errors import TaizhangError
from taizhang.saving import MonthNotStored, NothingToMerge, merge_and_save
from taizhang.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
APRIL = dt.date(2022, 4, 6)


@pytest.fixture(params=[True, False], ids=["forked-writer", "no-fork"])
def fork(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Each test runs on both paths: the forked writer (Linux) and the one Windows users run."""
    if request.param and not sys.platform.startswith("linux"):
        pytest.skip("the forked writer is used on Linux only")
    monkeypatch.setattr(saving, "FORK_WRITER", request.param)
    return bool(request.param)


def example_inbox(tmp_path: Path, month: str = "2022-04") -> Path:
    inbox = tmp_path / month
    shutil.copytree(EXAMPLES / month, inbox)
    return inbox


def example_config() -> Config:
    return load_config(EXAMPLES / "taizhang.toml")


def test_a_month_is_merged_written_and_stored_from_python(tmp_path: Path, fork: bool) -> None:
    inbox = example_inbox(tmp_path)
    db = tmp_path / "history.db"
    seen: list[Path] = []
    result = merge_and_save(inbox, config=example_config(), date=APRIL, db=db, working_on=seen.append)
    out = tmp_path / "重点工作台账汇总-2022-04.xlsx"
    assert result.output == str(out) and out.is_file()
    assert seen == [inbox, out]  # the inbox while reading, then the workbook
    assert result.missing == ["水运服务部"] and result.late == ["工程建设部"]
    with Store(db) as store:
        assert store.months() == ["2022-04"]
        stored = store.load_month("2022-04")
    assert stored.sentence == result.sentence and len(stored.items) == 52
    # The forked writer took the items as they were read; without it they stay here until stored.
    assert all(not r.items for r in result.reports) is fork


def test_without_fork_the_store_and_the_workbook_are_those_of_the_forked_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    months = {"2022-04": APRIL, "2022-05": dt.date(2022, 5, 6)}
    inboxes = {month: example_inbox(tmp_path, month) for month in months}
    stores, workbooks = {}, {}
    paths = [False, True] if sys.platform.startswith("linux") else [False]
    for forked in paths:
        monkeypatch.setattr(saving, "FORK_WRITER", forked)
        db = tmp_path / f"fork-{forked}.db"
        for month, date in months.items():
            out = tmp_path / f"fork-{forked}" / "汇总.xlsx"
            out.parent.mkdir(exist_ok=True)
            merge_and_save(inboxes[month], config=example_config(), date=date, output=out, db=db)
            workbooks[forked, month] = out.read_bytes()
        with Store(db) as store:
            stores[forked] = {month: store.load_month(month) for month in store.months()}
    assert list(stores[False]) == ["2022-04", "2022-05"]
    assert len(stores[False]["2022-05"].items) == 64
    if len(paths) == 2:
        assert stores[False] == stores[True]
        for month in months:
            assert workbooks[False, month] == workbooks[True, month]


@pytest.mark.parametrize("failure", [TaizhangError("磁盘已满"), RuntimeError("unexpected")])
def test_a_workbook_that_cannot_be_written_leaves_the_store_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool, failure: Exception) -> None:
    inbox = example_inbox(tmp_path)
    db = tmp_path / "history.db"
    merge_and_save(inbox, config=example_config(), date=APRIL, db=db)
    with Store(db) as store:
        before = store.load_month("2022-04")
    build_ledger(inbox / "水运服务部.xlsx", [item("港航行政审批", colour="red")], department="水运服务部",
                 date="填报日期：2022年4月3日")

    from taizhang.writing.consolidated import ConsolidatedWriter

    def broken_write(*_args: object, **_kwargs: object) -> Path:
        raise failure

    monkeypatch.setattr(ConsolidatedWriter, "write", broken_write)
    with pytest.raises(type(failure)) as raised:
        merge_and_save(inbox, config=example_config(), date=dt.date(2022, 4, 7), db=db)
    if isinstance(failure, TaizhangError):
        assert "本月未记入历史库" in str(raised.value)
    with Store(db) as store:
        assert store.load_month("2022-04") == before


def test_a_store_that_refuses_the_month_is_said_after_the_workbook(tmp_path: Path, fork: bool) -> None:
    inbox = example_inbox(tmp_path)
    bad = tmp_path / "bad.db"
    bad.write_text("这不是数据库" * 100, encoding="utf-8")
    with pytest.raises(MonthNotStored) as raised:
        merge_and_save(inbox, config=example_config(), date=APRIL, db=bad)
    result = raised.value.result
    assert result.output is not None and Path(result.output).is_file()
    assert "汇总表已写出" in str(raised.value) and "不是 taizhang 的历史库" in str(raised.value)


def test_an_inbox_without_a_readable_workbook_writes_and_stores_nothing(tmp_path: Path, fork: bool) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "规划发展部.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    db = tmp_path / "history.db"
    with pytest.raises(NothingToMerge) as raised:
        merge_and_save(inbox, config=Config(), date=APRIL, db=db, output=tmp_path / "汇总.xlsx")
    assert [s.file for s in raised.value.result.skipped] == ["规划发展部.xlsx"]
    assert not (tmp_path / "汇总.xlsx").exists() and not db.exists()


def test_an_output_that_is_not_xlsx_is_refused_before_reading(tmp_path: Path) -> None:
    seen: list[Path] = []
    with pytest.raises(TaizhangError, match=r"\.xlsx"):
        merge_and_save(tmp_path / "无此文件夹", config=Config(), output=tmp_path / "汇总.csv",
                       db=tmp_path / "h.db", working_on=seen.append)
    assert seen == [] and not (tmp_path / "h.db").exists()


def test_the_collector_is_as_it_was_after_a_merge(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("公文运转")], department="综合部")
    assert gc.isenabled()
    merge_and_save(inbox, config=Config(), date=APRIL, db=tmp_path / "h.db")
    assert gc.isenabled()
    gc.disable()
    try:
        merge_and_save(inbox, config=Config(), date=APRIL, db=tmp_path / "h.db", output=tmp_path / "b.xlsx")
        assert not gc.isenabled()
    finally:
        gc.enable()


LEAN_CHECK = """
import datetime as dt, sys
from pathlib import Path
from taizhang.config import Config
from taizhang.saving import merge_and_save
tmp = Path(sys.argv[1])
merge_and_save(tmp / "inbox", config=Config(), date=dt.date(2022, 4, 6), db=tmp / "h.db",
               output=tmp / "out.xlsx", lean_openpyxl=sys.argv[2] == "lean")
import numpy
from openpyxl import Workbook
try:
    Workbook().active["A1"] = numpy.int64(3)
except ValueError:
    print("refused")
else:
    print("accepted")
"""


@pytest.mark.parametrize(("mode", "numpy_cells"), [("library", "accepted"), ("lean", "refused")])
def test_a_library_merge_leaves_openpyxl_as_it_is_for_the_caller(tmp_path: Path, mode: str,
                                                                  numpy_cells: str) -> None:
    """openpyxl loaded without numpy saves memory in ``taizhang merge``'s own process only: a program
    that merges and then writes numpy numbers with openpyxl keeps being able to."""
    import subprocess

    build_ledger(tmp_path / "inbox" / "综合部.xlsx", [item("督查督办")], department="综合部")
    run = subprocess.run([sys.executable, "-c", LEAN_CHECK, str(tmp_path), mode], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == numpy_cells


def test_the_history_writer_keeps_every_stored_field_of_the_items_handed_to_it(tmp_path: Path) -> None:
    # _WriterItem.of_pickled unpacks merge.pickle_items' tuples by position: each field in its place.
    build_ledger(tmp_path / "综合部.xlsx", [
        item("政务信息报送", colour="red", stars="★★★", source="AB", judgement="滞后"),
        item("公文运转提速", stars="☆", source="", note="已销号"),
    ], department="综合部", extra={"协办部门": ["规划发展部", ""]})
    report = merge.check_file(tmp_path / "综合部.xlsx")
    assert report is not None and len(report.items) == 2
    texts: dict[str, str] = {}
    kept = saving._WriterItem.of_pickled(merge.pickle_items(report.items), texts)
    for it, original in zip(kept, report.items, strict=True):
        assert (it.key, it.department) == ("", "")
        for name in saving._STORED_FIELDS[2:]:
            assert getattr(it, name) == getattr(original, name), name
    assert kept[0].leader is kept[1].leader  # a repeated short text held once
