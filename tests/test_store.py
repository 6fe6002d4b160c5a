"""The SQLite history: months stored and replaced whole, items followed across months."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import taizhang.store as store_module
from taizhang.errors import StoreError
from taizhang.models import (
    Colour,
    Config,
    Counts,
    DepartmentEntry,
    MonthReport,
    MonthSnapshot,
    Severity,
    StoredFinding,
    StoredItem,
)
from taizhang.report import build_report
from taizhang.store import Store, default_db_path, match_items, similarity


def it(name: str, department: str = "污染防治部", *, target: str = "", colour: Colour = Colour.NONE,
       row: int = 5, **fields: object) -> StoredItem:
    return StoredItem(row=row, name=name, target=target, colour=colour, key="", department=department,
                      **fields)


def snapshot(month: str, items: list[StoredItem], **fields: object) -> MonthSnapshot:
    departments = sorted({i.department for i in items})
    data: dict[str, object] = {
        "month": month,
        "date": f"{month}-05",
        "center": "市港航事业发展中心",
        "sentence": f"截至{month}…",
        "counts": Counts(total=len(items)),
        "departments": [DepartmentEntry(department=d, file=f"{d}.xlsx") for d in departments],
        "items": items,
    }
    data.update(fields)
    return MonthSnapshot.model_validate(data)


def keys_by_name(snap: MonthSnapshot) -> dict[str, str]:
    return {i.name: i.key for i in snap.items}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "taizhang.db") as s:
        yield s


# ---------------------------------------------------------------------------------------------
# where the store lives
# ---------------------------------------------------------------------------------------------


def test_db_option_then_environment_then_beside_the_config_then_cwd(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAIZHANG_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    config = Config(path=tmp_path / "conf" / "taizhang.toml")
    assert default_db_path(Path("x.db"), config) == Path("x.db")
    assert default_db_path(None, config) == tmp_path / "conf" / "taizhang.db"
    assert default_db_path(None, Config()) == tmp_path / "taizhang.db"
    monkeypatch.setenv("TAIZHANG_DB", str(tmp_path / "env.db"))
    assert default_db_path(None, config) == tmp_path / "env.db"
    assert default_db_path(Path("x.db"), config) == Path("x.db")


# ---------------------------------------------------------------------------------------------
# months
# ---------------------------------------------------------------------------------------------


def test_a_month_round_trips_with_departments_items_findings_and_hashes(db: Store) -> None:
    items = [
        it("推进港口船舶岸电设施建设", colour=Colour.RED, stars="★★★", source="AB", no=1,
           extra={"完成时限": "12月底"}),
        it("港口危险货物安全专项整治", colour=Colour.BLUE, no="一", closed=True, note="已销号"),
        it("政务信息报送", department="综合部", no=None),
    ]
    snap = snapshot("2022-04", items, missing=["水运服务部"], late=["工程建设部"],
                    file_hashes={"污染防治部.xlsx": "a" * 64, "综合部.xlsx": "b" * 64},
                    findings=[StoredFinding(severity=Severity.ERROR, code="stars.invalid", sheet="Sheet1",
                                            cell="H5", message="重要程度……", value="★★★★",
                                            department="污染防治部", file="污染防治部.xlsx")])
    saved = db.save_month(snap)
    loaded = db.load_month("2022-04")
    assert loaded == saved
    assert loaded.items[0].extra == {"完成时限": "12月底"} and loaded.items[0].colour is Colour.RED
    assert loaded.items[1].no == "一" and loaded.items[1].closed
    assert loaded.findings[0].cell == "H5" and loaded.findings[0].severity is Severity.ERROR
    assert loaded.missing == ["水运服务部"] and loaded.late == ["工程建设部"]
    assert loaded.file_hashes["综合部.xlsx"] == "b" * 64
    assert all(i.key for i in loaded.items) and len({i.key for i in loaded.items}) == 3


def test_months_are_listed_in_order_and_the_previous_one_found(db: Store) -> None:
    for month in ("2022-05", "2022-03", "2022-04"):
        db.save_month(snapshot(month, [it("政务信息报送")]))
    assert db.months() == ["2022-03", "2022-04", "2022-05"]
    assert db.previous_month("2022-05") == "2022-04"
    assert db.previous_month("2022-06") == "2022-05"
    assert db.previous_month("2022-03") is None


def test_a_month_not_stored_is_an_error_listing_the_stored_months(db: Store) -> None:
    db.save_month(snapshot("2022-04", [it("政务信息报送")]))
    with pytest.raises(StoreError, match="2022-04") as info:
        db.load_month("2022-05")
    assert "2022-05" in str(info.value)


def test_merging_a_month_again_replaces_it(db: Store) -> None:
    db.save_month(snapshot("2022-04", [it("甲事项"), it("乙事项")]))
    db.save_month(snapshot("2022-04", [it("丙事项")]))
    assert db.months() == ["2022-04"]
    assert [i.name for i in db.load_month("2022-04").items] == ["丙事项"]


def test_an_interrupted_save_leaves_the_store_as_it_was(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    before = db.save_month(snapshot("2022-04", [it("甲事项"), it("乙事项"), it("丙事项")]))
    real = store_module._item_row
    calls = 0

    def failing(*args: object) -> tuple[object, ...]:
        nonlocal calls
        calls += 1
        if calls == 3:  # the month's old rows are deleted and new ones half inserted by now
            raise KeyboardInterrupt
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "_item_row", failing)
    with pytest.raises(KeyboardInterrupt):
        db.save_month(snapshot("2022-04", [it("丁事项"), it("戊事项"), it("己事项"), it("庚事项")]))
    calls = 0  # a new month interrupted the same way is not stored at all
    with pytest.raises(KeyboardInterrupt):
        db.save_month(snapshot("2022-05", [it("丁事项"), it("戊事项"), it("己事项")]))
    monkeypatch.setattr(store_module, "_item_row", real)
    assert db.months() == ["2022-04"]
    assert db.load_month("2022-04") == before
    # and the store still works
    db.save_month(snapshot("2022-05", [it("甲事项")]))
    assert db.months() == ["2022-04", "2022-05"]


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "taizhang.db"
    path.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="不是 taizhang 的历史库"):
        Store(path)


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "taizhang.db"
    Store(path).close()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="更新版本"):
        Store(path)


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="别的程序"):
        Store(path)


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    Store(tmp_path / "taizhang.db").close()
    with sqlite3.connect(tmp_path / "taizhang.db") as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"months", "departments", "items", "findings", "files"} <= tables


# ---------------------------------------------------------------------------------------------
# item identity across months
# ---------------------------------------------------------------------------------------------


def test_an_item_keeps_its_key_from_month_to_month(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("政务信息报送", "综合部"), it("船舶污染物接收转运处置")]))
    may = db.save_month(snapshot("2022-05", [it("船舶污染物接收转运处置"), it("政务信息报送", "综合部")]))
    assert keys_by_name(april) == keys_by_name(may)


def test_a_small_rewording_keeps_the_key(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("推进港口船舶岸电设施建设"), it("开展港口危险货物安全专项整治")]))
    may = db.save_month(snapshot("2022-05", [it("推进港口船舶岸电设施建设和使用"),
                                             it("开展港口危险货物安全专项整治行动")]))
    assert may.items[0].key == april.items[0].key
    assert may.items[1].key == april.items[1].key


def test_the_same_name_in_another_department_is_another_item(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("安全生产", "综合部")]))
    may = db.save_month(snapshot("2022-05", [it("安全生产", "综合部"), it("安全生产", "工程建设部")]))
    assert may.items[0].key == april.items[0].key
    assert may.items[1].key != april.items[0].key


def test_unrelated_items_sharing_boilerplate_get_new_keys(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("推进港口岸电设施建设"), it("做好部门预算编制")]))
    may = db.save_month(snapshot("2022-05", [it("推进港口集疏运体系建设"), it("做好部门决算编制")]))
    assert not set(keys_by_name(april).values()) & set(keys_by_name(may).values())


def test_new_items_get_new_keys_and_duplicates_in_a_month_stay_distinct(db: Store) -> None:
    may = db.save_month(snapshot("2022-05", [it("政务信息报送", row=5), it("政务信息报送", row=6)]))
    assert len({i.key for i in may.items}) == 2


def test_matching_is_one_to_one_best_pair_first(db: Store) -> None:
    db.save_month(snapshot("2022-04", [it("推进港口船舶岸电设施建设")]))
    may = db.save_month(snapshot("2022-05", [it("推进港口船舶岸电设施建设和使用管理"),
                                             it("推进港口船舶岸电设施建设和使用")]))
    april_key = db.load_month("2022-04").items[0].key
    assert may.items[1].key == april_key  # the closer rewording wins
    assert may.items[0].key != april_key


def test_a_department_that_skipped_a_month_is_followed_from_its_last_month(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("水路运输市场监管", "水运服务部")]))
    db.save_month(snapshot("2022-05", [it("政务信息报送", "综合部")]))  # 水运服务部 missing in May
    june = db.save_month(snapshot("2022-06", [it("水路运输市场监管", "水运服务部")]))
    assert june.items[0].key == april.items[0].key


def test_merging_a_month_again_keeps_the_keys_later_months_use(db: Store) -> None:
    april = db.save_month(snapshot("2022-04", [it("推进港口船舶岸电设施建设")]))
    db.save_month(snapshot("2022-05", [it("推进港口船舶岸电设施建设")]))
    again = db.save_month(snapshot("2022-04", [it("推进港口船舶岸电设施建设（一期）")]))
    assert again.items[0].key == april.items[0].key


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("推进港口船舶岸电设施建设", "推进港口船舶岸电设施建设和使用"),
        ("京杭运河主航道绿色现代航运示范区建设", "京杭运河绿色现代航运示范区建设"),
        ("做好2022年度全国文明单位复审工作", "做好全国文明单位复审工作"),
        ("完成梁济运河航道升级改造工程", "加快梁济运河航道升级改造工程建设"),
        ("智慧港航平台建设", "智慧港航综合服务平台建设"),
        ("船舶污染物接收转运处置", "船舶水污染物接收、转运、处置联合监管"),
        ("推进济宁港主枢纽港建设", "加快济宁主枢纽港建设"),
        ("党史学习教育", "深入开展党史学习教育"),
    ],
)
def test_realistic_rewordings_are_the_same_item(old: str, new: str) -> None:
    assert similarity(it(old), it(new)) is not None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("推进港口船舶岸电设施建设", "推进内河航道整治工程建设"),
        ("推进港口岸电设施建设", "推进港口集疏运设施建设"),
        ("做好安全生产工作", "做好疫情防控工作"),
        ("开展港口危险货物安全专项整治", "开展船舶碰撞桥梁隐患专项整治"),
        ("推进航道养护工程建设", "推进航道疏浚工程建设"),
        ("做好部门预算编制", "做好部门决算编制"),
        ("推进京杭运河航道建设", "推进京杭运河船闸建设"),
        ("船舶污染物接收转运处置", "港口污染物接收转运处置"),
    ],
)
def test_items_sharing_boilerplate_are_not_the_same_item(old: str, new: str) -> None:
    assert similarity(it(old), it(new)) is None


def test_a_replaced_character_needs_a_similar_target() -> None:
    old = it("全国文明单位复审", target="年内通过全国文明单位复审，保持荣誉称号")
    same = it("全国文明单位复查", target="年内通过全国文明单位复查，保持荣誉称号")
    other = it("全国文明单位复查", target="完成机关党建述职评议")
    assert similarity(old, same) is not None
    assert similarity(old, other) is None


def test_match_items_pairs_exact_names_before_rewordings() -> None:
    old = [it("政务信息报送"), it("政务信息报送工作")]
    new = [it("政务信息报送工作"), it("政务信息报送")]
    pairs = {n.name: o.name for n, o in match_items(old, new)}
    assert pairs == {"政务信息报送": "政务信息报送", "政务信息报送工作": "政务信息报送工作"}


# ---------------------------------------------------------------------------------------------
# the order months are merged in
# ---------------------------------------------------------------------------------------------


def months_of_a_spring() -> dict[str, MonthSnapshot]:
    """April to June of two departments: a rewording, a new item, a closed one, colours moving."""
    return {
        "2022-04": snapshot("2022-04", [
            it("推进港口船舶岸电设施建设", colour=Colour.RED), it("开展港口危险货物安全专项整治"),
            it("做好部门预算编制", colour=Colour.YELLOW), it("政务信息报送", "综合部", colour=Colour.BLUE)]),
        "2022-05": snapshot("2022-05", [
            it("推进港口船舶岸电设施建设和使用", colour=Colour.RED), it("开展港口危险货物安全专项整治行动"),
            it("船舶污染物接收转运处置"), it("政务信息报送", "综合部", colour=Colour.YELLOW)]),
        "2022-06": snapshot("2022-06", [
            it("推进港口船舶岸电设施建设和使用", colour=Colour.RED), it("船舶水污染物接收、转运、处置联合监管"),
            it("政务信息报送工作", "综合部", colour=Colour.RED)]),
    }


def reports_after(path: Path, order: Sequence[str]) -> dict[str, MonthReport]:
    spring = months_of_a_spring()
    config = Config(departments=["综合部", "污染防治部"])
    with Store(path) as store:
        for month in order:
            store.save_month(spring[month].model_copy(deep=True))
        return {month: build_report(store, month, config=config) for month in store.months()}


@pytest.mark.parametrize("order", [
    ("2022-05", "2022-04"),
    ("2022-04", "2022-05", "2022-04"),
    ("2022-06", "2022-05", "2022-04"),
    ("2022-05", "2022-06", "2022-04", "2022-05"),
    ("2022-04", "2022-06", "2022-05", "2022-06"),
])
def test_the_reports_do_not_depend_on_the_order_months_were_merged(tmp_path: Path, order: tuple[str, ...]) -> None:
    in_order = reports_after(tmp_path / "in-order.db", sorted(set(order)))
    assert reports_after(tmp_path / "shuffled.db", order) == in_order
    if "2022-04" in order and "2022-05" in order:
        may = in_order["2022-05"]
        assert [(r.from_, r.to) for r in may.renamed] == [
            ("推进港口船舶岸电设施建设", "推进港口船舶岸电设施建设和使用"),
            ("开展港口危险货物安全专项整治", "开展港口危险货物安全专项整治行动")]
        assert [r.item for r in may.new] == ["船舶污染物接收转运处置"]
        assert [r.item for r in may.closed] == ["做好部门预算编制"]


def test_may_merged_before_april_keeps_a_reworded_item_as_one_item(db: Store) -> None:
    spring = months_of_a_spring()
    db.save_month(spring["2022-05"])
    db.save_month(spring["2022-04"])
    april, may = db.load_month("2022-04"), db.load_month("2022-05")
    assert may.items[0].key == april.items[0].key  # 岸电设施建设 → 岸电设施建设和使用
    assert may.items[2].key not in {i.key for i in april.items}  # 船舶污染物接收转运处置 is new


def test_a_month_merged_while_another_is_being_saved_sees_it(tmp_path: Path) -> None:
    spring = months_of_a_spring()
    path = tmp_path / "taizhang.db"
    saved: list[MonthSnapshot] = []

    def meanwhile() -> bool:
        # May's merge starts while April's transaction is open; it must wait and see April.
        def may() -> None:
            with Store(path) as other:
                saved.append(other.save_month(spring["2022-05"]))

        thread.append(threading.Thread(target=may))
        thread[0].start()
        time.sleep(0.3)
        return True

    thread: list[threading.Thread] = []
    with Store(path) as store:
        april = store.save_month(spring["2022-04"], before_commit=meanwhile)
    thread[0].join(10)
    assert saved and saved[0].items[0].key == april.items[0].key
