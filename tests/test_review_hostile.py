"""Review of issues 11 and 12 under hostile and messy input: the new commands never crash, one bad
department or task never costs the others, and text typed by a clerk never becomes a formula."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from builders import build_xls, rewrite_members
from taizhang.cli import app
from taizhang.models import Config
from taizhang.saving import merge_and_save
from taizhang.tasks import check_tasks, read_tasks
from test_cli_validate import main_run
from test_tasks import task_list

runner = CliRunner()
FORMULA_LIKE = ('=HYPERLINK("http://x","点我")', "+拨款到位", "-负面清单", "@提及事项")
LONG_DEPARTMENT = "超长" * 60 + "部"


def typed_text_stays_text(path: Path) -> set[str]:
    """The texts of the workbook at ``path``, having checked that none of its formulas (a
    self-checking ledger has its own) is made of a clerk's text: a cell holding one of
    ``FORMULA_LIKE`` is a string cell."""
    wb = load_workbook(path)
    texts: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    if c.data_type == "f":
                        assert not any(t in c.value for t in FORMULA_LIKE), (path.name, c.coordinate, c.value)
                    else:
                        texts.add(c.value)
    return texts


def hostile_history(folder: Path, departments: tuple[str, ...]) -> Path:
    """An April history of .xls ledgers (text stays text in .xls) for ``departments``, each with
    items whose names start with = + - @."""
    inbox = folder / "inbox"
    for i, department in enumerate(departments):
        rows = [[n, name, f"{name}的目标", "按计划推进", "", "王五", "综合科/赵六", "★★", "B", ""]
                for n, name in enumerate((*FORMULA_LIKE, f"正常事项{i}"), start=1)]
        build_xls(inbox / f"{i}.xls", rows, title=f"{department}重点工作台账")
    db = folder / "h.db"
    merge_and_save(inbox, config=Config(), month="2022-04", date=dt.date(2022, 4, 6),
                   output=folder / "汇总.xlsx", db=db)
    return db


def test_prepare_writes_every_department_whatever_its_name(tmp_path: Path) -> None:
    departments = (LONG_DEPARTMENT, "a/b部", "🚢港航部", "综合部")
    db = hostile_history(tmp_path, departments)
    # The roster adds a department named like a Windows device, which has no history (a blank workbook).
    roster = ", ".join(f'"{d}"' for d in (*departments, "CON"))
    (tmp_path / "taizhang.toml").write_text(f"departments = [{roster}]\n", encoding="utf-8")
    result = runner.invoke(app, ["prepare", "--month", "2022-05", "--db", str(db), "-o", str(tmp_path / "out"),
                                 "--config", str(tmp_path / "taizhang.toml")])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "out").iterdir())
    assert len(written) == len(departments) + 1
    for path in written:
        if path.name.startswith("_CON-"):
            continue  # the blank one (CON alone is a device on Windows: _ keeps it a file)
        # A name every system accepts: short enough for Windows' paths, no separators, no device name.
        assert len(path.name) <= 100 and "/" not in path.name and not path.name.upper().startswith("CON.")
        assert set(FORMULA_LIKE) <= typed_text_stays_text(path), path.name


def test_a_task_written_twice_for_one_department_is_looked_for_once(tmp_path: Path) -> None:
    # 规划部 is 规划发展部's short name: the clerk named one department twice (and once more verbatim).
    check = read_tasks(task_list(tmp_path / "任务清单.xlsx", [("内河航运安全隐患排查整治", "规划部、规划发展部、规划部", "", "")]))
    checked = check_tasks(check, {"规划发展部": [("港口岸线利用规划修编", "")]}, roster=["规划发展部"])
    assert [(m.department, m.status) for m in checked.matches] == [("规划发展部", "not_listed")]
    assert [f.code for f in checked.findings] == ["task.not_listed"]


@pytest.mark.parametrize(("written", "departments"), [
    ("规划发展部 综合部", ["规划发展部", "综合部"]),  # one space typed between two names: both
    ("牵头：规划发展部", ["规划发展部"]),  # the role written before the name
    ("牵头单位: 规划发展部；配合：综合部", ["规划发展部", "综合部"]),
    ("规划 发展部", ["规划发展部"]),  # a space inside one name stays one department
])
def test_a_tasks_departments_are_read_as_clerks_type_them(tmp_path: Path, written: str,
                                                          departments: list[str]) -> None:
    check = read_tasks(task_list(tmp_path / "任务清单.xlsx", [("港口岸线利用规划修编", written, "", "")]))
    checked = check_tasks(check, {"规划发展部": [("港口岸线利用规划修编", "")], "综合部": [("机关安全生产", "")]},
                          roster=["规划发展部", "综合部"])
    assert [m.department for m in checked.matches] == departments


def test_a_task_written_as_a_formula_without_its_value_is_said_not_dropped(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["事项", "责任部室"])
    ws.append(['=CONCATENATE("推进","岸电")', "综合部"])  # a program's list: no value kept for the formula
    ws.append(["机关安全生产", "综合部"])
    wb.save(tmp_path / "任务清单.xlsx")
    checked = check_tasks(read_tasks(tmp_path / "任务清单.xlsx"), {"综合部": [("机关安全生产", "")]})
    assert [t.name for t in checked.tasks] == ["机关安全生产"]
    assert [(f.code, f.cell, f.file) for f in checked.findings] == [("task.formula_uncached", "A2", "任务清单.xlsx")]


@pytest.mark.parametrize(("argv", "expected"), [
    (["stats", "--year", "abc"], "应为 2000—2100 之间的整数"),
    (["stats", "--year", "20222"], "应为 2000—2100 之间的整数"),
    (["stats", "--year", "2022", "--red-streak", "0"], "应为不小于 1 的整数"),
])
def test_a_bad_number_option_is_explained_in_chinese(argv: list[str], expected: str, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, err = main_run(argv, monkeypatch, capsys)
    assert code == 2
    assert "用法错误" in err and expected in err and "Input should" not in err


def test_the_leaders_table_is_named_in_by_leader_help_and_messages(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert "taizhang.toml 的 [leaders]" in runner.invoke(app, ["report", "--help"]).output
    # A history whose ledgers name no 中心分管领导 and no [leaders]: the message says where to write them.
    db = hostile_history(tmp_path, ("综合部",))
    monkeypatch.chdir(tmp_path)  # no taizhang.toml here
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--by-leader", "-o", "digests"])
    assert result.exit_code == 2
    assert "[leaders]" in result.output.replace("\n", "")


def test_a_task_list_with_overlapping_merged_ranges_is_read_at_once(tmp_path: Path) -> None:
    # 40,000 overlapping ranges of 10,000 cells each over the 责任部室 column: a 20 KB file that took a
    # minute and a half to read when every covered cell was listed.
    plain = task_list(tmp_path / "plain.xlsx", [("机关安全生产", "综合部", "", "")], title=False)
    ws = load_workbook(plain).active
    ws["CV1000"] = "x"  # the sheet's extent, so the ranges are not clipped away
    ws.parent.save(plain)
    ranges = "".join(f'<mergeCell ref="C{3 + i % 800}:CV{102 + i % 800}"/>' for i in range(40_000))

    def add_ranges(xml: bytes) -> bytes:
        xml = re.sub(rb"<mergeCells.*?</mergeCells>", b"", xml)
        return xml.replace(b"</sheetData>", f'</sheetData><mergeCells count="40000">{ranges}</mergeCells>'.encode(), 1)

    hostile = rewrite_members(plain, tmp_path / "任务清单.xlsx", {"xl/worksheets/sheet1.xml": add_ranges})
    start = time.perf_counter()
    check = read_tasks(hostile)
    assert time.perf_counter() - start < 10
    assert [(t.name, t.departments) for t in check.tasks] == [("机关安全生产", ["综合部"])]


def test_by_leader_refuses_a_document_name_for_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = hostile_history(tmp_path, ("综合部",))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taizhang.toml").write_text('[leaders]\n"褚建华" = ["综合部"]\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--by-leader", "-o", "摘要.docx"])
    assert result.exit_code == 2 and "应为文件夹" in result.output
    assert not (tmp_path / "摘要.docx").exists()


def test_a_leader_named_at_length_leaves_the_digest_tables_figures_readable(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db = hostile_history(tmp_path, ("综合部",))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    leader = "褚" * 120
    (tmp_path / "taizhang.toml").write_text(f'[leaders]\n"{leader}" = ["综合部"]\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--by-leader", "-o", "摘要"])
    assert result.exit_code == 0, result.output
    assert "应纳未纳" in result.output and "账实不符" in result.output  # the headers, not squeezed to nothing
    assert len(list((tmp_path / "摘要").glob("*.docx"))) == 1


def test_the_years_statistics_take_no_task_list_finding_for_a_ledgers_or_an_unreadable_file(tmp_path: Path) -> None:
    from taizhang.config import load_config
    from taizhang.stats import build_stats
    from taizhang.store import Store

    examples = Path(__file__).resolve().parents[1] / "examples"
    config = load_config(examples / "taizhang.toml")
    tasks = task_list(tmp_path / "任务清单.xlsx", [("没有写部室的任务", "", "", ""), ("机关安全生产", "综合部", "", "")])
    centre = {}
    for name, task_file in (("plain", None), ("tasks", tasks)):
        db = tmp_path / f"{name}.db"
        merge_and_save(examples / "2022-05", config=config, month="2022-05", date=dt.date(2022, 5, 6),
                       output=tmp_path / f"{name}.xlsx", db=db, tasks=task_file)
        with Store(db) as store:
            month = build_stats(store, 2022, config=config).centre[0]
        centre[name] = (month.errors, month.warnings, month.unreadable)
    assert centre["tasks"] == centre["plain"]
    assert centre["plain"][2] == 0


def test_a_department_named_at_length_leaves_the_years_figures_readable(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    db = hostile_history(tmp_path, (LONG_DEPARTMENT, "综合部"))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)  # no taizhang.toml here
    result = runner.invoke(app, ["stats", "--year", "2022", "--db", str(db)])
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("考核汇总"):]
    assert "综合部" in table and "按时" in table and "销号" in table  # every figure's column is still there
