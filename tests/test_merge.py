"""``merge_inbox``: every department's workbook of an inbox → one centre-wide month."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import taizhang.merge as merge_module
from builders import build_ledger, item
from taizhang.errors import TaizhangError
from taizhang.merge import (
    default_month,
    merge_inbox,
    normalise_department,
    resolve_departments,
    same_department,
    snapshot_of,
)
from taizhang.models import Colour, Config, FileReport, Finding, Item, Severity
from taizhang.rules import require_month
from taizhang.store import Store
from taizhang.writing.consolidated import write_consolidated

ROSTER = Config(departments=["综合部", "规划发展部", "污染防治部", "工程建设部"], deadline_day=5)
APRIL_5 = dt.date(2022, 4, 5)

# The summary sentence of the issue, word for word.
ISSUE_SENTENCE = (
    "截至2022年4月5日，市港航事业发展中心共梳理重点工作36项，其中从星标看，三级星标12项、二级星标15项、"
    "一级星标9项；从事项来源看，A级事项14项、B级事项16项、C级事项10项、D级事项5项；从红黄蓝标注看，"
    "蓝色8项，黄色10项，红色6项，未标注颜色12项。"
)


def issue_items() -> list[dict[str, Any]]:
    """36 open items with exactly the issue's figures (9 of them with two source letters)."""
    stars = ["★★★"] * 12 + ["★★"] * 15 + ["★"] * 9
    colours: list[str | None] = ["blue"] * 8 + ["yellow"] * 10 + ["red"] * 6 + [None] * 12
    letters = "A" * 14 + "B" * 16 + "C" * 10 + "D" * 5
    sources = list(letters[:36])
    for k, extra in enumerate(letters[36:]):
        sources[k] += extra  # AC ×4, AD ×5: counted under each letter
    return [item(f"重点工作事项第{i + 1}号", stars=stars[i], source=sources[i], colour=colours[i])
            for i in range(36)]


def realistic_inbox(folder: Path) -> Path:
    """An inbox as it arrives: two good ledgers (one under a short name), a late one, and debris."""
    inbox = folder / "2022-04"
    build_ledger(inbox / "综合部2022.4.xlsx", [
        item("政务信息报送", colour="red", stars="★★★", source="AB"),
        item("公文运转提速", colour="blue"),
        item("一季度重点工作督查", note="已销号"),
    ], department="综合部", date="填报日期：2022年4月2日")
    build_ledger(inbox / "规划部-4月台账.xlsx", [
        item("对上争取资金", colour="yellow", stars="★★★", source="A"),
        item("港航发展规划编制", stars="★", source="C"),
    ], department="规划部", date="填报日期：2022年4月1日")
    build_ledger(inbox / "工程建设部重点工作台账.xlsx", [
        item("内河航道整治", colour="red", stars="★★★", source="A"),
    ], department="工程建设部", date="填报日期：2022年4月8日")
    (inbox / "~$综合部2022.4.xlsx").write_bytes(b"\x00lock")
    (inbox / ".hidden.xlsx").write_bytes(b"")
    (inbox / "说明.txt").write_text("四月份台账", encoding="utf-8")
    (inbox / "坏文件.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (inbox / "旧版本").mkdir()
    return inbox


# ---------------------------------------------------------------------------------------------
# the inbox
# ---------------------------------------------------------------------------------------------


def test_a_realistic_inbox_is_merged_with_every_file_accounted_for(tmp_path: Path) -> None:
    inbox = realistic_inbox(tmp_path)
    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5)

    assert result.month == "2022-04" and result.date == "2022-04-05"
    assert [d.department for d in result.departments] == ["综合部", "规划发展部", "工程建设部"]
    assert [d.file for d in result.departments] == ["综合部2022.4.xlsx", "规划部-4月台账.xlsx",
                                                   "工程建设部重点工作台账.xlsx"]
    assert result.missing == ["污染防治部"]
    assert result.late == ["工程建设部"]
    assert [d.late for d in result.departments] == [False, False, True]

    skipped = {s.file: s for s in result.skipped}
    assert set(skipped) == {"~$综合部2022.4.xlsx", ".hidden.xlsx", "说明.txt", "坏文件.xlsx", "旧版本"}
    assert "锁定文件" in skipped["~$综合部2022.4.xlsx"].reason
    assert "隐藏文件" in skipped[".hidden.xlsx"].reason
    assert "不是 Excel 工作簿" in skipped["说明.txt"].reason
    assert skipped["坏文件.xlsx"].code is not None and skipped["坏文件.xlsx"].code.startswith("file.")
    assert skipped["旧版本"].code is None

    # An unusable file is an error; nothing else here is.
    assert not result.ok and result.exit_code == 1
    assert all(d.ok for d in result.departments)

    c = result.counts
    assert c.total == 5 and c.closed == 1  # 销号 items are listed, not counted
    assert c.stars == {"3": 3, "2": 1, "1": 1}
    assert c.sources == {"A": 3, "B": 2, "C": 1, "D": 0}  # "AB" counts under A and under B
    assert c.colours == {"blue": 1, "yellow": 1, "red": 2, "none": 1}
    assert result.sentence.startswith("截至2022年4月5日，市港航事业发展中心共梳理重点工作5项")
    assert result.roster_checked


def test_every_item_of_every_readable_file_is_carried(tmp_path: Path) -> None:
    result = merge_inbox(realistic_inbox(tmp_path), config=ROSTER, date=APRIL_5)
    readable = [r for r in result.reports if r.usable]
    assert sum(len(r.items) for r in readable) == 6
    assert [r.department for r in readable] == ["综合部", "规划发展部", "工程建设部"]
    assert [r.usable for r in result.reports] == [True, True, True, False]  # the unreadable file last


def test_the_summary_sentence_is_the_templates_word_for_word(tmp_path: Path) -> None:
    items = issue_items()
    build_ledger(tmp_path / "inbox" / "综合部.xlsx", items[:20] + [item("已完成事项", note="已销号")],
                 department="综合部")
    build_ledger(tmp_path / "inbox" / "规划发展部.xlsx", items[20:], department="规划发展部")
    result = merge_inbox(tmp_path / "inbox", config=Config(), date=APRIL_5)
    assert result.sentence == ISSUE_SENTENCE
    assert result.counts.closed == 1
    assert result.ok


def test_unrecognised_stars_sources_and_colours_are_counted_apart(tmp_path: Path) -> None:
    build_ledger(tmp_path / "inbox" / "综合部.xlsx", [
        item("政务信息报送", stars="★★★★", source="E", colour="00B050"),
        item("公文运转提速", stars="★★", source="B", colour="blue"),
    ], department="综合部", summary=None)
    result = merge_inbox(tmp_path / "inbox", config=Config(), date=APRIL_5)
    c = result.counts
    assert c.total == 2
    assert (c.unrecognised.stars, c.unrecognised.sources, c.unrecognised.colours) == (1, 1, 1)
    assert sum(c.stars.values()) == 1 and sum(c.sources.values()) == 1 and sum(c.colours.values()) == 1
    assert not result.ok
    codes = {f.code for f in result.reports[0].findings}
    assert {"stars.invalid", "source.invalid", "colour.invalid"} <= codes


def test_a_clean_inbox_is_ok(tmp_path: Path) -> None:
    build_ledger(tmp_path / "inbox" / "综合部.xlsx", [item("政务信息报送", colour="blue")], department="综合部")
    result = merge_inbox(tmp_path / "inbox", config=Config(), date=APRIL_5)
    assert result.ok and result.exit_code == 0
    assert result.missing == [] and not result.roster_checked


def test_without_a_roster_nobody_is_missing(tmp_path: Path) -> None:
    result = merge_inbox(realistic_inbox(tmp_path), config=Config(), date=APRIL_5)
    assert result.missing == [] and not result.roster_checked
    assert [d.department for d in result.departments] == ["工程建设部", "综合部", "规划部"]


@pytest.mark.libreoffice
def test_an_xls_and_a_libreoffice_saved_workbook_are_read(tmp_path: Path,
                                                        soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    inbox = tmp_path / "inbox"
    made = tmp_path / "made"
    xls_src = build_ledger(made / "污染防治部-4月台账.xlsx", [
        item("船舶污染物接收转运处置", colour="red", stars="★★★", source="A"),
        item("港口岸电设施建设", colour="blue", stars="★★", source="BC"),
    ], department="污染防治部", date="填报日期：2022年4月2日")
    soffice_convert(xls_src, "xls", inbox)
    lo_src = build_ledger(made / "lo" / "综合部2022.4.xlsx", [
        item("政务信息报送", colour="yellow", stars="★★★", source="A"),
        item("公文运转提速", stars="★", source="C"),
    ], department="综合部", date="填报日期：2022年4月3日")
    soffice_convert(lo_src, "xlsx", inbox)
    assert sorted(p.name for p in inbox.iterdir()) == ["污染防治部-4月台账.xls", "综合部2022.4.xlsx"]

    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5)
    assert [d.department for d in result.departments] == ["综合部", "污染防治部"]
    assert result.counts.total == 4
    assert result.counts.colours == {"blue": 1, "yellow": 1, "red": 1, "none": 1}
    assert result.counts.sources == {"A": 2, "B": 1, "C": 2, "D": 0}
    assert result.missing == ["规划发展部", "工程建设部"] and result.late == []
    assert result.ok, [f for r in result.reports for f in r.findings]


def test_an_inbox_that_is_not_a_folder_or_has_no_workbook_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TaizhangError, match="找不到收件文件夹"):
        merge_inbox(tmp_path / "nope", config=Config())
    (tmp_path / "a.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(TaizhangError, match="不是文件夹"):
        merge_inbox(tmp_path / "a.xlsx", config=Config())
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "说明.txt").write_text("x", encoding="utf-8")
    with pytest.raises(TaizhangError, match="没有 .xlsx/.xls 工作簿"):
        merge_inbox(tmp_path / "empty", config=Config())


def test_a_merged_workbook_in_the_inbox_is_not_read_back(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("政务信息报送")], department="综合部")
    first = merge_inbox(inbox, config=Config(), date=APRIL_5)
    write_consolidated(first, inbox / "汇总.xlsx", config=Config(), refuse=[])
    again = merge_inbox(inbox, config=Config(), date=APRIL_5)
    assert [d.file for d in again.departments] == ["综合部.xlsx"]
    assert again.skipped[0].file == "汇总.xlsx" and "汇总表" in again.skipped[0].reason


# ---------------------------------------------------------------------------------------------
# departments
# ---------------------------------------------------------------------------------------------


def test_two_workbooks_for_one_department_are_an_error_naming_both(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "规划发展部.xlsx", [item("对上争取资金")], department="规划发展部（单位）")
    build_ledger(inbox / "规划部台账.xlsx", [item("港航发展规划编制")], department="规划部")
    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5)
    assert not result.ok
    assert [d.department for d in result.departments] == ["规划发展部", "规划发展部"]
    assert [d.errors for d in result.departments] == [1, 1]
    for report in result.reports:
        dup = [f for f in report.findings if f.code == "file.duplicate_department"]
        assert len(dup) == 1 and dup[0].severity is Severity.ERROR
        assert "“规划发展部.xlsx”" in dup[0].message and "“规划部台账.xlsx”" in dup[0].message
    assert result.counts.total == 2  # both are still carried: nothing silently dropped
    assert "规划发展部" not in result.missing


def test_two_spellings_are_one_department_even_without_a_roster(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "a.xlsx", [item("对上争取资金")], department="规划发展部")
    build_ledger(inbox / "b.xlsx", [item("港航发展规划编制")], department="规划部")
    result = merge_inbox(inbox, config=Config(), date=APRIL_5)
    assert [d.department for d in result.departments] == ["规划发展部", "规划发展部"]
    assert not result.ok


@pytest.mark.parametrize(
    ("written", "normal"),
    [("规划发展部（单位）", "规划发展部"), ("市港航事业发展中心 规划发展部", "规划发展部"),
     ("济宁市港航事业发展中心综合部", "综合部"), ("综合部(办公室)", "综合部"), (" 财务部　", "财务部")],
)
def test_department_spellings_are_normalised(written: str, normal: str) -> None:
    assert normalise_department(written) == normal


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("规划部", "规划发展部", True),
        ("船检部", "船舶检验服务部", True),
        ("污染防控部", "污染防治部", True),
        ("应急部", "应急救援服务部", True),
        ("水运服务部", "海事服务部", False),
        ("第十业务部", "第十四业务部", False),
        ("第一服务站", "第二服务站", False),
        ("水运服务站", "水运服务部", False),
        ("服务部", "水运服务部", False),
    ],
)
def test_which_spellings_are_one_department(a: str, b: str, same: bool) -> None:
    assert same_department(a, b) is same


def test_spellings_map_onto_the_roster() -> None:
    roster = ["综合部", "规划发展部", "应急救援服务部", "财务部"]
    written = ["规划部", "应急部", "综合服务部", "财务部", None, "人事部"]
    assert resolve_departments(written, roster) == ["规划发展部", "应急救援服务部", "综合服务部", "财务部", None,
                                                     "人事部"]


# ---------------------------------------------------------------------------------------------
# month and deadline
# ---------------------------------------------------------------------------------------------


def report(date: str | None) -> FileReport:
    return FileReport(file="x.xlsx", date=date)


def test_the_month_is_the_one_most_dates_fall_in() -> None:
    today = dt.date(2022, 6, 1)
    assert default_month([report("2022-04-02"), report("2022-04-08"), report("2022-05-01")], today) == "2022-04"
    assert default_month([report("2022-04-30"), report("2022-05-02")], today) == "2022-05"  # a tie: the later
    assert default_month([report(None)], today) == "2022-06"


def test_month_option_overrides_and_late_follows_it(tmp_path: Path) -> None:
    result = merge_inbox(realistic_inbox(tmp_path), config=ROSTER, month="2022-5", date=APRIL_5)
    assert result.month == "2022-05" and result.late == []
    tight = merge_inbox(realistic_inbox(tmp_path / "again"), config=Config(departments=["综合部"],
                                                                          deadline_day=1), date=APRIL_5)
    assert tight.late == ["综合部", "工程建设部"]  # 规划部 handed in on the 1st: on time


@pytest.mark.parametrize("text", ["2022", "2022-13", "四月", "2022-04-01"])
def test_a_wrong_month_is_an_error(text: str) -> None:
    with pytest.raises(TaizhangError, match="YYYY-MM"):
        require_month(text)


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


def test_files_are_read_one_by_one_where_processes_are_unavailable(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class NoProcesses:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("no /dev/shm")

    monkeypatch.setattr(merge_module, "_Readers", NoProcesses)
    calls: list[tuple[int, int, str]] = []
    seen: list[str] = []
    result = merge_inbox(realistic_inbox(tmp_path), config=ROSTER, date=APRIL_5,
                         progress=lambda done, total, name: calls.append((done, total, name)),
                         on_report=lambda r: seen.append(Path(r.file).name))
    assert [d.department for d in result.departments] == ["综合部", "规划发展部", "工程建设部"]
    assert [c[0] for c in calls] == [1, 2, 3, 4] and {c[1] for c in calls} == {4}
    assert sorted(seen) == sorted(c[2] for c in calls)


def test_a_merge_allowed_one_processor_reads_in_its_own_process(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # taskset -c 0, a container limited to one CPU: os.cpu_count() still says 2, the affinity says 1.
    started: list[object] = []

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            started.append(args)  # check_files would fall back quietly: recorded, then refused
            raise OSError("no workers here")

    monkeypatch.setattr(merge_module, "_Readers", NoPool)
    monkeypatch.setattr(merge_module.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    result = merge_inbox(realistic_inbox(tmp_path), config=ROSTER, date=APRIL_5)
    assert [d.department for d in result.departments] == ["综合部", "规划发展部", "工程建设部"]
    assert started == [] and merge_module.usable_cpus() == 1


def test_usable_processors_fall_back_to_the_cpu_count_without_an_affinity_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(merge_module.os, "sched_getaffinity", raising=False)  # Windows, macOS
    monkeypatch.setattr(merge_module.os, "cpu_count", lambda: 3)
    assert merge_module.usable_cpus() == 3


def test_progress_is_reported_for_every_file_when_read_in_parallel(tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    merge_inbox(realistic_inbox(tmp_path), config=ROSTER, date=APRIL_5,
                progress=lambda done, total, name: calls.append((done, total, name)))
    assert sorted(c[0] for c in calls) == [1, 2, 3, 4]
    assert sorted(c[2] for c in calls) == ["坏文件.xlsx", "工程建设部重点工作台账.xlsx", "综合部2022.4.xlsx",
                                           "规划部-4月台账.xlsx"]


def worker_read_ledger(folder: Path) -> Path:
    """A ledger with what an item can carry: extra columns, stars and a source as written, doubts."""
    return build_ledger(folder / "规划发展部.xlsx", [
        item("对上争取资金", colour="yellow", stars="★★★", source="A"),
        item("港航发展规划编制", stars="☆☆☆", source="C", note="已销号"),  # hollow stars: read with doubt
        item("航道养护", stars="", source="Z", judgement="正常推进"),
    ], extra={"协办部门": ["综合部", "", "工程建设部"]})


def test_a_report_handed_over_by_a_worker_is_made_again_as_pickle_would(tmp_path: Path) -> None:
    # The fast hand-over (items as tuples) against pickling the report itself, pydantic's way.
    report = merge_module.check_file(worker_read_ledger(tmp_path))
    assert report is not None and len(report.items) == 3
    assert any(it.doubts for it in report.items) and any(it.written for it in report.items)
    assert any(it.extra.get("协办部门") for it in report.items)
    assert merge_module.ITEM_FIELDS == tuple(Item.model_fields) and report.findings
    expected = pickle.loads(pickle.dumps(report))
    got = merge_module._taken_over(pickle.loads(pickle.dumps(merge_module._hand_over(report))))
    assert got.model_dump() == expected.model_dump() and got.model_fields_set == expected.model_fields_set
    for it, want in zip(got.items, expected.items, strict=True):
        assert type(it) is Item and list(it.__dict__.items()) == list(want.__dict__.items())
        assert it.model_fields_set == want.model_fields_set and it == want
    for f, want_f in zip(got.findings, expected.findings, strict=True):
        assert type(f) is Finding and list(f.__dict__.items()) == list(want_f.__dict__.items())
        assert f.model_fields_set == want_f.model_fields_set and f == want_f
    # The worker's pickle is passed on as it is, and is what would be made of the items here.
    pickled = merge_module.pickle_items(got.items)
    assert pickled is merge_module.pickle_items(got.items)
    assert pickle.loads(pickled) == pickle.loads(merge_module.pickle_items(list(got.items)))


def test_reports_read_in_parallel_keep_no_pickle_once_handled(tmp_path: Path) -> None:
    worker_read_ledger(tmp_path)
    build_ledger(tmp_path / "综合部.xlsx", [item("政务信息报送")], department="综合部")
    seen: list[type] = []
    reports = merge_module.check_files(sorted(tmp_path.iterdir()), on_report=lambda r: seen.append(type(r.items)))
    if merge_module.usable_cpus() > 1:  # handed over by the workers: with their pickle while handled
        assert seen == [merge_module._PickledItems] * 2
    assert [type(r.items) for r in reports if r is not None] == [list, list]
    assert [len(r.items) for r in reports if r is not None] == [1, 3]  # 综合部 sorts first


def test_a_reading_worker_that_dies_once_costs_the_merge_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if multiprocessing.get_start_method() != "fork" or merge_module.usable_cpus() < 2:
        pytest.skip("the workers see the patched reader only when forked, and there are workers only on 2 CPUs")
    inbox = realistic_inbox(tmp_path)
    real = merge_module._check_one
    died = tmp_path / "died"

    def dies_once(path: str, month: str | None = None) -> Any:
        if "规划部" in path and not died.exists():
            died.touch()
            os._exit(1)  # killed while reading (out of memory, kill -9): another worker reads it again
        return real(path, month)

    monkeypatch.setattr(merge_module, "_check_one", dies_once)
    seen: list[str] = []
    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5, on_report=lambda r: seen.append(Path(r.file).name))
    assert died.exists()
    assert [d.department for d in result.departments] == ["综合部", "规划发展部", "工程建设部"]
    assert seen == sorted(seen) and len(seen) == 4  # each report once, in the inbox's order


def test_a_file_that_ends_two_reading_workers_is_unreadable_and_costs_no_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read again in the merge's own process: what killed two workers would kill the merge.
    if multiprocessing.get_start_method() != "fork" or merge_module.usable_cpus() < 2:
        pytest.skip("the workers see the patched reader only when forked, and there are workers only on 2 CPUs")
    inbox = realistic_inbox(tmp_path)
    real = merge_module._check_one
    merge_pid = os.getpid()

    def kills_its_reader(path: str, month: str | None = None) -> Any:
        assert os.getpid() != merge_pid
        if "规划部" in path:
            os._exit(1)
        return real(path, month)

    monkeypatch.setattr(merge_module, "_check_one", kills_its_reader)
    seen: list[str] = []
    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5, on_report=lambda r: seen.append(Path(r.file).name))
    assert [d.department for d in result.departments] == ["综合部", "工程建设部"]
    assert "规划发展部" in result.missing
    lost = next(s for s in result.skipped if s.file == "规划部-4月台账.xlsx")
    assert lost.code == "file.unreadable" and "两次意外结束" in lost.reason
    assert seen == sorted(seen) and len(seen) == 4  # each report once, in the inbox's order


def test_what_on_report_raises_stops_the_merge_instead_of_being_passed_over(tmp_path: Path) -> None:
    # An error rendering one department's rows must not leave a month stored without it.
    inbox = realistic_inbox(tmp_path)

    def fails_on_planning(report: FileReport) -> None:
        if "规划部" in report.file:
            raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError, match="rendering failed"):
        merge_inbox(inbox, config=ROSTER, date=APRIL_5, on_report=fails_on_planning)


def test_reading_workers_started_afresh_hand_back_the_same_reports(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows and macOS start each worker as a new interpreter ("spawn"), not as a copy of this one.
    inbox = realistic_inbox(tmp_path)
    files, _ = merge_module.scan_inbox(inbox)
    forked = merge_module.check_files(files, month="2022-04")
    get_context = multiprocessing.get_context
    monkeypatch.setattr(merge_module.multiprocessing, "get_context", lambda method=None: get_context("spawn"))
    monkeypatch.setattr(merge_module, "usable_cpus", lambda: 2)
    started: list[int] = []
    readers = merge_module._Readers

    def counted(*args: Any) -> Any:
        made = readers(*args)
        started.append(len(made.processes))
        return made

    monkeypatch.setattr(merge_module, "_Readers", counted)
    kinds: list[type] = []
    spawned = merge_module.check_files(files, month="2022-04", on_report=lambda r: kinds.append(type(r.items)))
    assert started == [2] and kinds == [merge_module._PickledItems] * len(files)  # all read by the workers
    assert [r.model_dump() if r else None for r in spawned] == [r.model_dump() if r else None for r in forked]


# ---------------------------------------------------------------------------------------------
# what the store keeps
# ---------------------------------------------------------------------------------------------


def test_the_snapshot_holds_every_item_finding_and_file_hash(tmp_path: Path) -> None:
    result = merge_inbox(realistic_inbox(tmp_path), config=ROSTER, date=APRIL_5)
    snap = snapshot_of(result, ROSTER)
    assert snap.month == "2022-04" and snap.center == ROSTER.center and snap.sentence == result.sentence
    assert len(snap.items) == 6
    assert {i.department for i in snap.items} == {"综合部", "规划发展部", "工程建设部"}
    assert [i.colour for i in snap.items[:2]] == [Colour.RED, Colour.BLUE]
    assert set(snap.file_hashes) == {"综合部2022.4.xlsx", "规划部-4月台账.xlsx", "工程建设部重点工作台账.xlsx",
                                     "坏文件.xlsx"}
    assert any(f.file == "坏文件.xlsx" and f.department is None for f in snap.findings)
    assert snap.missing == ["污染防治部"] and snap.late == ["工程建设部"]


# ---------------------------------------------------------------------------------------------
# damaged zips: that file is unusable, every other file is merged
# ---------------------------------------------------------------------------------------------


def damage_zip(src: Path, dst: Path, member: str, how: str) -> Path:
    """A copy of ``src`` whose ``member`` is damaged the way mail gateways and disks do it:
    ``deflate`` (a corrupt deflate stream), ``encrypted`` (the member flagged as encrypted),
    ``lzma`` (a deflated member labelled LZMA), ``method`` (an unknown compression method)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(member)
    local = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(member.encode())] != member.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    if how == "deflate":
        data[local + 30 + name_len + extra_len] = 0xFF  # block type 3: reserved, "invalid block type"
    elif how == "encrypted":
        for at in (local + 6, central + 8):
            data[at] |= 0x01
    else:
        method = 14 if how == "lzma" else 99
        for at in (local + 8, central + 10):
            struct.pack_into("<H", data, at, method)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(bytes(data))
    return dst


DAMAGES = ("deflate", "encrypted", "lzma", "method")


@pytest.mark.parametrize("member", ["xl/workbook.xml", "docProps/core.xml", "xl/worksheets/sheet1.xml"])
def test_a_damaged_zip_is_unusable_and_every_other_file_is_merged(tmp_path: Path, member: str) -> None:
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("政务信息报送", colour="red"), item("公文运转提速")],
                 department="综合部")
    good = build_ledger(tmp_path / "good.xlsx", [item("对上争取资金")], department="规划发展部")
    for how in DAMAGES:
        damage_zip(good, inbox / f"坏-{how}.xlsx", member, how)
    result = merge_inbox(inbox, config=ROSTER, date=APRIL_5)
    assert [d.department for d in result.departments] == ["综合部"]
    assert sum(r.counts.total for r in result.reports if r.usable) == 2
    skipped = {s.file: s.code for s in result.skipped}
    assert skipped == {f"坏-{how}.xlsx": "file.corrupt" for how in DAMAGES}
    assert all("损坏" in s.reason for s in result.skipped)


def test_a_damaged_zip_does_not_cost_the_merge_its_workbook_or_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from taizhang.cli import app

    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("政务信息报送")], department="综合部")
    good = build_ledger(tmp_path / "good.xlsx", [item("对上争取资金")], department="规划发展部")
    for how in DAMAGES:
        damage_zip(good, inbox / f"坏-{how}.xlsx", "xl/workbook.xml", how)
    out, db = tmp_path / "汇总.xlsx", tmp_path / "taizhang.db"
    run = CliRunner().invoke(app, ["merge", str(inbox), "-o", str(out), "--db", str(db), "--date", "2022-04-05"])
    assert run.exit_code == 1, run.output
    assert out.is_file()
    with Store(db) as store:
        month = store.load_month("2022-04")
    assert [i.name for i in month.items] == ["政务信息报送"]
    assert sorted(f.file for f in month.findings if f.code == "file.corrupt") == [
        f"坏-{how}.xlsx" for how in sorted(DAMAGES)]


def test_a_report_sent_back_by_a_reading_worker_arrives_whole_and_light(tmp_path: Path) -> None:
    import pickle

    report = merge_module.check_file(build_ledger(tmp_path / "综合部.xlsx", [
        item("政务信息报送", colour="red", stars="★★★★"), item("公文运转提速", note="已销号")], department="综合部"))
    assert report is not None and report.items and report.findings
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert again.items[1].closed and again.items[0].colour is Colour.RED
    assert again.items[0].written == report.items[0].written  # kept, though never dumped
    assert again.model_dump() == report.model_dump()
    again.items[0].name = "政务信息报送工作"  # still an ordinary model
    assert again.items[0].name != report.items[0].name
    # Field values only: a field-name set per item is not sent (nor rebuilt) for every item.
    assert len(pickle.dumps(report.items[0])) < len(pickle.dumps(report.items[0].__getstate__()))
