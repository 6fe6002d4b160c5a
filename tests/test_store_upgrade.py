"""Upgrading the history store: a file written by an earlier release opens with this one.

``tests/data/history_v1_two_months.db`` was written by taizhang 0.1.0 (schema version 1):
``taizhang merge examples/2022-04 --month 2022-04 --date 2022-04-06`` then the same for
2022-05 (``--date 2022-05-06``), with ``examples/taizhang.toml``. Keep it as it is: it is what
a user's store looks like, and every later schema must upgrade it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

import taizhang.store as store_module
from taizhang.config import load_config
from taizhang.errors import StoreError
from taizhang.models import MonthSnapshot
from taizhang.report import build_report
from taizhang.saving import merge_and_save
from taizhang.store import Store

ROOT = Path(__file__).resolve().parents[1]
V1_STORE = ROOT / "tests" / "data" / "history_v1_two_months.db"
EXAMPLES = ROOT / "examples"
MONTHS = {"2022-04": dt.date(2022, 4, 6), "2022-05": dt.date(2022, 5, 6)}


@pytest.fixture(scope="module")
def fresh_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by this code from the examples the v1 store was built from."""
    folder = tmp_path_factory.mktemp("fresh")
    db = folder / "fresh.db"
    config = load_config(EXAMPLES / "taizhang.toml")
    for month, date in MONTHS.items():
        inbox = folder / month
        shutil.copytree(EXAMPLES / month, inbox)
        merge_and_save(inbox, config=config, month=month, date=date, db=db)
    return db


@pytest.fixture
def v1_store(tmp_path: Path) -> Path:
    path = tmp_path / "taizhang.db"
    shutil.copyfile(V1_STORE, path)
    return path


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute("PRAGMA user_version").fetchone()[0])


def comparable(snapshot: MonthSnapshot) -> dict[str, object]:
    """The month as stored, findings by code and cell (later releases may word them better)."""
    data = snapshot.model_dump(mode="json", exclude={"findings"})
    data["findings"] = [(f.file, f.severity.value, f.code, f.sheet, f.cell) for f in snapshot.findings]
    return data


def test_the_kept_store_is_one_written_by_schema_version_1() -> None:
    assert user_version(V1_STORE) == 1


def test_a_store_of_the_previous_release_opens_with_its_months_items_and_reports(
        v1_store: Path, fresh_store: Path) -> None:
    config = load_config(EXAMPLES / "taizhang.toml")
    with Store(v1_store) as old, Store(fresh_store) as new:
        assert old.months() == new.months() == ["2022-04", "2022-05"]
        for month in MONTHS:
            upgraded, fresh = old.load_month(month), new.load_month(month)
            assert len(upgraded.items) == len(fresh.items) > 50
            assert [it.key for it in upgraded.items] == [it.key for it in fresh.items]
            assert comparable(upgraded) == comparable(fresh)
            assert build_report(old, month, config=config) == build_report(new, month, config=config)
    assert user_version(v1_store) == store_module.SCHEMA_VERSION


def test_an_upgraded_store_takes_the_next_month_and_follows_its_items(v1_store: Path, tmp_path: Path) -> None:
    config = load_config(EXAMPLES / "taizhang.toml")
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    with Store(v1_store) as store:
        may_before = store.load_month("2022-05")
    # May merged again into the upgraded store: its items keep the keys the old release gave them.
    merge_and_save(inbox, config=config, month="2022-05", date=dt.date(2022, 5, 7), db=v1_store,
                   output=tmp_path / "汇总.xlsx")
    with Store(v1_store) as store:
        may = store.load_month("2022-05")
    assert may.date == "2022-05-07"
    assert [it.key for it in may.items] == [it.key for it in may_before.items]


def test_a_new_step_runs_once_in_order_and_bumps_the_version(v1_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[int] = []

    def add_due_date(db: sqlite3.Connection) -> None:  # a hypothetical version 2
        ran.append(2)
        db.execute("ALTER TABLE items ADD COLUMN due TEXT")

    def fill_due_date(db: sqlite3.Connection) -> None:  # and 3, which needs 2's column
        ran.append(3)
        db.execute("UPDATE items SET due = month || '-28'")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, (2, add_due_date), (3, fill_due_date)])
    with Store(v1_store) as store:
        assert len(store.load_month("2022-04").items) == 52
    assert ran == [2, 3] and user_version(v1_store) == 3
    with sqlite3.connect(v1_store) as con:
        assert con.execute("SELECT DISTINCT due FROM items WHERE month = '2022-04'").fetchall() == [("2022-04-28",)]
    Store(v1_store).close()  # opened again: nothing left to run
    assert ran == [2, 3]


def test_a_new_store_is_built_by_every_step_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[int] = []
    monkeypatch.setattr(store_module, "MIGRATIONS", [
        *store_module.MIGRATIONS, (2, lambda db: ran.append(2)), (3, lambda db: ran.append(3))])
    Store(tmp_path / "new.db").close()
    assert ran == [2, 3] and user_version(tmp_path / "new.db") == 3


def test_a_failed_step_leaves_the_store_as_it_was(v1_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_done(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE items ADD COLUMN due TEXT")
        db.execute("DELETE FROM items")
        raise sqlite3.OperationalError("disk I/O error")

    before = V1_STORE.read_bytes()
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, (2, half_done)])
    with pytest.raises(StoreError, match="无法把历史库.*从格式版本 1 升级到 2.*历史库未改动"):
        Store(v1_store)
    assert v1_store.read_bytes() == before and user_version(v1_store) == 1
    monkeypatch.undo()
    with Store(v1_store) as store:
        assert len(store.load_month("2022-04").items) == 52


def test_a_store_newer_than_the_code_says_to_upgrade_taizhang(v1_store: Path) -> None:
    with sqlite3.connect(v1_store) as con:
        con.execute(f"PRAGMA user_version = {store_module.SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="由更新版本的 taizhang 创建.*请升级 taizhang"):
        Store(v1_store)


@pytest.mark.parametrize("version", [store_module.SCHEMA_VERSION, store_module.SCHEMA_VERSION + 6])
def test_another_programs_database_with_a_version_is_not_taken_for_a_store(tmp_path: Path, version: int) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE contacts (name TEXT)")
        con.execute(f"PRAGMA user_version = {version}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="别的程序的 SQLite 数据库，不是 taizhang 的历史库"):
        Store(path)
    assert path.read_bytes() == before
