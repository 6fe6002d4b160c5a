"""应纳未纳 (通知 五): ``merge --tasks 任务清单.xlsx`` against the example ledgers, the way 综合部 keeps its list."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from taizhang.cli import app
from taizhang.config import load_config
from taizhang.errors import TaizhangError
from taizhang.models import Severity
from taizhang.report import build_report
from taizhang.saving import merge_and_save
from taizhang.store import Store
from taizhang.tasks import LISTED, UNCERTAIN, read_tasks, similarity

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CONFIG = EXAMPLES / "taizhang.toml"
runner = CliRunner()

# (事项, 责任部室, 来源, 时限) as 综合部 writes its list; the ledgers are the May examples.
TASKS: list[tuple[Any, ...]] = [
    ("推进港口船舶岸电设施建设", "污染防治部", "市政府", "12月底"),  # reworded: the ledger adds 和使用
    ("做好船舶污染物接收、转运、处置工作", "污染防治部", "省交通运输厅", ""),  # boilerplate and punctuation
    ("争取港航领域专项债券", "规划部", "中心", ""),  # a short department name, words left out
    ("港口经营许可一网通办", "水运服务部", "市政府", "6月底"),  # quotes dropped
    ("内河航运安全隐患排查整治", "水运服务部", "市安委会", "6月底"),  # in no ledger: 应纳未纳
    ("港航领域专项债券申报", "综合部", "中心", ""),  # carried by 规划发展部, listed for 综合部
    ("按月印发重点工作督查通报", "综合部", "中心", "每月10日前"),  # middling: shown with its closest item
]


def task_list(path: Path, rows: list[tuple[Any, ...]] = TASKS, *, title: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    if title:
        ws.append(["2022年中心重点任务清单"])
        ws.append([])
    ws.append(["序号", "事项", "责任部室", "来源", "时限"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tasks")
    inbox = folder / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    tasks = task_list(folder / "任务清单.xlsx")
    db = folder / "taizhang.db"
    result = merge_and_save(inbox, config=load_config(CONFIG), month="2022-05", date=dt.date(2022, 5, 6),
                            db=db, tasks=tasks)
    return {"folder": folder, "inbox": inbox, "tasks": tasks, "db": db, "result": result}


def status_of(result: Any) -> dict[str, tuple[str, str]]:
    return {m.task: (m.status, m.department) for m in result.tasks.matches}


def test_reworded_tasks_are_found_in_their_departments_ledger(merged: dict[str, Any]) -> None:
    found = status_of(merged["result"])
    assert found["推进港口船舶岸电设施建设"] == ("listed", "污染防治部")
    assert found["做好船舶污染物接收、转运、处置工作"] == ("listed", "污染防治部")
    assert found["争取港航领域专项债券"] == ("listed", "规划发展部")  # 规划部 read as the roster's name
    assert found["港口经营许可一网通办"] == ("listed", "水运服务部")
    pair = next(m for m in merged["result"].tasks.matches if m.task == "推进港口船舶岸电设施建设")
    assert pair.item == "推进港口船舶岸电设施建设和使用"


def test_a_task_in_no_ledger_is_an_error_naming_the_task_and_the_department(merged: dict[str, Any]) -> None:
    result = merged["result"]
    assert status_of(result)["内河航运安全隐患排查整治"] == ("not_listed", "水运服务部")
    f = next(f for f in result.tasks.findings if f.value == "内河航运安全隐患排查整治")
    assert (f.code, f.severity, f.department, f.cell) == ("task.not_listed", Severity.ERROR, "水运服务部", "B8")
    assert "市安委会" in f.message and "6月底" in f.message and "请补录" in f.message
    assert not result.ok and result.exit_code == 1


def test_a_task_in_another_departments_ledger_is_not_listed_and_says_where_it_is(merged: dict[str, Any]) -> None:
    match = next(m for m in merged["result"].tasks.matches if m.task == "港航领域专项债券申报")
    assert (match.status, match.department) == ("not_listed", "综合部")
    assert (match.elsewhere, match.elsewhere_item) == ("规划发展部", "港航领域专项债券申报")
    f = next(f for f in merged["result"].tasks.findings if f.value == "港航领域专项债券申报")
    assert "规划发展部" in f.message and "请核对责任部室" in f.message


def test_a_middling_match_is_a_warning_showing_the_pair(merged: dict[str, Any]) -> None:
    match = next(m for m in merged["result"].tasks.matches if m.task == "按月印发重点工作督查通报")
    assert match.status == "uncertain" and UNCERTAIN <= match.similarity < LISTED
    assert match.item == "建立重点工作台账制度并按月督查通报"
    f = next(f for f in merged["result"].tasks.findings if f.value == "按月印发重点工作督查通报")
    assert f.code == "task.uncertain_match" and f.severity is Severity.WARNING
    assert "建立重点工作台账制度并按月督查通报" in f.message


def test_the_workbooks_findings_sheet_lists_them(merged: dict[str, Any]) -> None:
    ws = load_workbook(merged["result"].output)["问题清单"]
    labels = [c.value for c in ws[2]]
    rows = [dict(zip(labels, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=3)]
    tasks = [r for r in rows if r["文件"] == "任务清单.xlsx"]
    assert {(r["部室"], r["代码"]) for r in tasks} == {("水运服务部", "task.not_listed"), ("综合部", "task.not_listed"),
                                                     ("综合部", "task.uncertain_match")}
    # the task is what the row is about (the 工作事项 column), with the list's cell to find it
    assert {r["工作事项"] for r in tasks} == {"内河航运安全隐患排查整治", "港航领域专项债券申报", "按月印发重点工作督查通报"}
    assert all(r["单元格"] for r in tasks)


def test_the_store_keeps_them_for_the_report_and_the_bulletin(merged: dict[str, Any], tmp_path: Path) -> None:
    with Store(merged["db"]) as store:
        report = build_report(store, "2022-05", config=load_config(CONFIG))
    assert [(n.department, n.task, n.severity) for n in report.not_listed] == [
        ("水运服务部", "内河航运安全隐患排查整治", Severity.ERROR),
        ("综合部", "港航领域专项债券申报", Severity.ERROR),
        ("综合部", "按月印发重点工作督查通报", Severity.WARNING),
    ]
    docx, xlsx = tmp_path / "通报.docx", tmp_path / "通报.xlsx"
    for out in (docx, xlsx):
        cli = runner.invoke(app, ["report", "--month", "2022-05", "--db", str(merged["db"]), "--config", str(CONFIG),
                                  "-o", str(out)])
        assert cli.exit_code == 0, cli.output
    # 通知 第五条: 应纳未纳 is a part of the 账实不符 section, after 账实不符; matches to review stay in 问题清单
    assert "应纳未纳" in cli.output and "内河航运安全隐患排查整治" in cli.output
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "账实不符、应纳未纳和应标未标情况" in text and "（二）应纳未纳" in text
    assert "水运服务部“内河航运安全隐患排查整治”" in text and "综合部“港航领域专项债券申报”" in text
    assert "按月印发重点工作督查通报" not in text
    wb = load_workbook(xlsx)
    listed = [(r[1], r[2], r[3]) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)
              if len(r) > 3 and r[1] == "应纳未纳"]
    # in the roster's order of departments, as every part of the section
    assert listed == [("应纳未纳", "综合部", "港航领域专项债券申报"), ("应纳未纳", "水运服务部", "内河航运安全隐患排查整治")]


def test_cli_json_carries_the_check_and_the_exit_code_says_so(merged: dict[str, Any], tmp_path: Path) -> None:
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    cli = runner.invoke(app, ["merge", str(inbox), "--month", "2022-05", "--date", "2022-05-06", "--config",
                              str(CONFIG), "--db", str(tmp_path / "t.db"), "--tasks", str(merged["tasks"]), "--json"])
    assert cli.exit_code == 1, cli.output
    data = json.loads(cli.stdout)
    assert data["tasks"] == json.loads(merged["result"].tasks.model_dump_json())
    terminal = runner.invoke(app, ["merge", str(inbox), "--month", "2022-05", "--date", "2022-05-06", "--config",
                                   str(CONFIG), "--db", str(tmp_path / "t.db"), "--tasks", str(merged["tasks"])])
    assert "应纳未纳 2 项" in terminal.output and "待人工核对 1 项" in terminal.output


def test_every_task_carried_leaves_the_merge_clean_of_task_findings(tmp_path: Path) -> None:
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    tasks = task_list(tmp_path / "清单.xlsx", TASKS[:4], title=False)
    result = merge_and_save(inbox, config=load_config(CONFIG), month="2022-05", date=dt.date(2022, 5, 6),
                            db=tmp_path / "t.db", tasks=tasks)
    assert result.tasks is not None and result.tasks.findings == []
    assert {m.status for m in result.tasks.matches} == {"listed"}


def test_an_xls_list_with_other_labels_a_merged_department_and_kept_in_the_inbox(tmp_path: Path) -> None:
    import xlwt

    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("清单")
    ws.write(0, 0, "中心交办任务")
    for c, label in enumerate(["序号", "任务名称", "牵头部门（单位）", "事项来源", "完成时限"]):
        ws.write(2, c, label)
    rows = [("一、污染防治", None), ("船舶污染物接收转运处置", "污染防治部"), ("新能源船舶推广", None),
            ("港口码头粉尘监测", None), ("地方海事执法规范化", "")]
    for r, (name, dept) in enumerate(rows, start=3):
        ws.write(r, 1, name)
        if dept is not None:
            ws.write(r, 2, dept)
    ws.merge(4, 6, 2, 2)  # one 牵头部门 cell drawn over three tasks
    path = inbox / "任务清单.xls"  # kept among the ledgers
    book.save(str(path))
    result = merge_and_save(inbox, config=load_config(CONFIG), month="2022-05", date=dt.date(2022, 5, 6),
                            db=tmp_path / "t.db", tasks=path)
    assert result.tasks is not None
    assert [(t.name, t.departments) for t in result.tasks.tasks] == [
        ("船舶污染物接收转运处置", ["污染防治部"]), ("新能源船舶推广", ["污染防治部"]), ("港口码头粉尘监测", ["污染防治部"])]
    assert {m.status for m in result.tasks.matches} == {"listed"}
    assert [f.code for f in result.tasks.findings] == ["task.no_department"]  # 地方海事执法规范化
    assert any(s.file == "任务清单.xls" and "任务清单" in s.reason for s in result.skipped)
    assert "任务清单.xls" not in [d.file for d in result.departments]


def test_a_task_shared_by_two_departments_must_be_in_both(tmp_path: Path) -> None:
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    tasks = task_list(tmp_path / "清单.xlsx", [("船舶防污染联合检查", "污染防治部、工程建设部", "中心", "")])
    result = merge_and_save(inbox, config=load_config(CONFIG), month="2022-05", date=dt.date(2022, 5, 6),
                            db=tmp_path / "t.db", tasks=tasks)
    assert result.tasks is not None
    assert [(m.department, m.status) for m in result.tasks.matches] == [("污染防治部", "listed"),
                                                                       ("工程建设部", "not_listed")]


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", b"PK\x03\x04broken zip"])
def test_an_unreadable_list_stops_the_merge_before_anything_is_written(tmp_path: Path, content: bytes) -> None:
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    bad = tmp_path / "任务清单.xlsx"
    bad.write_bytes(content)
    with pytest.raises(TaizhangError, match="任务清单 任务清单.xlsx 无法读取"):
        merge_and_save(inbox, config=load_config(CONFIG), month="2022-05", db=tmp_path / "t.db", tasks=bad)
    cli = runner.invoke(app, ["merge", str(inbox), "--config", str(CONFIG), "--db", str(tmp_path / "t.db"),
                              "--tasks", str(bad)])
    assert cli.exit_code == 2 and "任务清单" in cli.output
    assert not (tmp_path / "t.db").exists() and not list(tmp_path.glob("重点工作台账汇总*"))


def test_a_list_without_the_two_columns_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["序号", "名称", "备注"])
    wb.active.append([1, "港口码头建设", ""])
    wb.save(tmp_path / "清单.xlsx")
    with pytest.raises(TaizhangError, match="没有找到表头.*事项.*责任部室"):
        read_tasks(tmp_path / "清单.xlsx")


@pytest.mark.parametrize(("task", "item", "carried"), [
    ("推进港口船舶岸电设施建设", "推进港口船舶岸电设施建设和使用", True),
    ("政务信息报送工作", "政务信息报送", True),
    ("新能源船舶推广", "新能源船舶推广应用", True),
    ("港航专项债券申报", "港航领域专项债券申报", True),
    ("老旧船舶淘汰", "老旧运输船舶淘汰更新", True),
    ("《港口法》执法检查", "港口法执法检查", True),
    ("内河航运安全隐患排查整治", "机关安全生产", False),
    ("船舶过闸智能调度", "船闸扩能改造", False),
    ("港口安全生产", "机关安全生产", False),
    ("港口码头粉尘在线监测", "港口码头建设", False),  # a general item does not carry a specific task
    ("对上争取中央和省级资金", "对上争取资金", False),  # …so it is left to review
])
def test_similarity_of_rewordings_and_of_other_tasks(task: str, item: str, carried: bool) -> None:
    assert (similarity(task, item) >= LISTED) is carried


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_a_list_saved_by_libreoffice_reads_the_same(tmp_path: Path, fmt: str,
                                                    soffice_convert: Any) -> None:
    original = task_list(tmp_path / "src" / "任务清单.xlsx")
    saved = soffice_convert(original, fmt, tmp_path / "saved")
    again = read_tasks(saved)
    assert [(t.name, t.departments, t.source, t.deadline, t.cell) for t in again.tasks] == [
        (t.name, t.departments, t.source, t.deadline, t.cell) for t in read_tasks(original).tasks]


def test_a_department_that_did_not_report_or_does_not_exist_is_said_so(tmp_path: Path) -> None:
    inbox = tmp_path / "2022-04"
    shutil.copytree(EXAMPLES / "2022-04", inbox)  # 水运服务部 did not report in April
    tasks = task_list(tmp_path / "清单.xlsx", [("水路运输市场监管", "水运服务部", "市政府", ""),
                                                ("船舶检验质量提升", "船检部", "中心", "")])
    result = merge_and_save(inbox, config=load_config(CONFIG), month="2022-04", date=dt.date(2022, 4, 6),
                            db=tmp_path / "t.db", tasks=tasks)
    assert result.tasks is not None
    messages = {f.department: f.message for f in result.tasks.findings}
    assert "该部室本月未报送台账" in messages["水运服务部"]
    assert "没有这个部室的台账，请核对部室名称" in messages["船检部"]


def test_rules_can_make_not_listed_a_warning(tmp_path: Path) -> None:
    inbox = tmp_path / "2022-05"
    shutil.copytree(EXAMPLES / "2022-05", inbox)
    config = load_config(CONFIG).model_copy(update={"rules": {"task.not_listed": "warning"}})
    tasks = task_list(tmp_path / "清单.xlsx", [("内河航运安全隐患排查整治", "水运服务部", "市安委会", "")])
    result = merge_and_save(inbox, config=config, month="2022-05", date=dt.date(2022, 5, 6), db=tmp_path / "t.db",
                            tasks=tasks)
    assert result.tasks is not None
    assert [(f.code, f.severity) for f in result.tasks.findings] == [("task.not_listed", Severity.WARNING)]
    with Store(tmp_path / "t.db") as store:
        report = build_report(store, "2022-05", config=config)
    assert [(n.task, n.missing) for n in report.not_listed] == [("内河航运安全隐患排查整治", True)]
