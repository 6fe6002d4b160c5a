"""Leaders' digests (``report --by-leader``) over six months built from the examples.

April and May are the shipped examples; June to September are May's workbooks carried forward the
way a clerk does it (new 填报日期, a few items recoloured, the summary sentence rewritten); the
.xls ledger of 污染防治部 is sent unchanged each month, and 水运服务部 does not report in June.
The footers name three centre leaders: 褚建华 (综合部, 智慧港航部), 孟庆军 (规划发展部, 工程建设部),
韩立新 (污染防治部, 水运服务部).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from typer.testing import CliRunner

from builders import next_month_ledger
from taizhang.cli import app
from taizhang.config import load_config
from taizhang.digest import digest_file_name, digests_of, leader_digests, safe_file_name
from taizhang.models import (
    Colour,
    Config,
    Counts,
    DepartmentReport,
    LeaderDigest,
    PersistentRed,
    ResponsibleItem,
)
from taizhang.saving import merge_and_save
from taizhang.store import Store
from taizhang.writing.digest_docx import MAX_ITEM_ROWS, write_digest_docx
from test_tasks import task_list

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CONFIG = EXAMPLES / "taizhang.toml"
runner = CliRunner()

# month -> the items recoloured that month (carried on to the next months)
RECOLOUR: dict[str, dict[str, str | None]] = {
    "2022-06": {"港口岸线利用规划修编": "red", "政务数据归集共享": "blue"},
    "2022-07": {"政务信息报送": "yellow", "招标文件备案审查": "red"},
    "2022-08": {"船闸扩能改造": "yellow"},
    "2022-09": {"对上争取资金": "blue"},
}
MISSING = {"2022-06": ("水运服务部",)}
LEADERS = {"褚建华": ["综合部", "智慧港航部"], "孟庆军": ["规划发展部", "工程建设部"], "韩立新": ["污染防治部", "水运服务部"]}


def build_history(folder: Path) -> Path:
    """Six months in a store: the examples' April and May, then June–September carried forward."""
    db = folder / "taizhang.db"
    config = load_config(CONFIG)
    latest: dict[str, Path] = {}
    for month in ("2022-04", "2022-05"):
        inbox = folder / month
        shutil.copytree(EXAMPLES / month, inbox)
        merge_and_save(inbox, config=config, month=month, date=dt.date(2022, int(month[-2:]), 6), db=db)
        latest.update({p.name.split("-")[0][:4]: p for p in sorted(inbox.iterdir())})
    for month, recolour in RECOLOUR.items():
        inbox = folder / month
        inbox.mkdir()
        when = dt.date(2022, int(month[-2:]), 3)
        for key, src in sorted(latest.items()):
            if any(key in name for name in MISSING.get(month, ())):
                continue
            dst = inbox / src.name.replace("5月", f"{when.month}月").replace("2022.5", f"2022.{when.month}")
            if src.suffix == ".xls":
                shutil.copyfile(src, dst)  # the .xls is sent again as it was
            else:
                next_month_ledger(src, dst, date=when, recolour=recolour)
            latest[key] = dst
        tasks = None
        if month == "2022-09":  # 综合部 checks the centre's task list this month: one task is in no ledger
            tasks = task_list(folder / "任务清单.xlsx", [("水路运输市场监管", "水运服务部", "市政府", ""),
                                                         ("内河航运安全隐患排查整治", "水运服务部", "市安委会", "9月底")])
        merge_and_save(inbox, config=config, month=month, date=when + dt.timedelta(days=3), db=db,
                       output=folder / f"汇总-{month}.xlsx", tasks=tasks)
    return db


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_history(tmp_path_factory.mktemp("history"))


def by_leader(db: Path, month: str, config: Config | None = None) -> dict[str, LeaderDigest]:
    with Store(db) as store:
        digests = leader_digests(store, month, config=config or load_config(CONFIG))
    return {d.leader: d for d in digests.leaders}


def test_the_history_has_six_months(history: Path) -> None:
    with Store(history) as store:
        assert store.months() == ["2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09"]


@pytest.mark.parametrize("month", ["2022-04", "2022-06", "2022-09"])
def test_each_leader_gets_the_departments_their_footers_name(history: Path, month: str) -> None:
    digests = by_leader(history, month)
    assert {leader: [d.department for d in digest.departments] for leader, digest in digests.items()} == LEADERS
    assert all(set(d.assigned_by.values()) == {"footer"} for d in digests.values())


def test_a_department_missing_this_month_keeps_its_leader_from_last_month(history: Path) -> None:
    june = by_leader(history, "2022-06")["韩立新"]
    water = next(d for d in june.departments if d.department == "水运服务部")
    assert water.status == "missing"
    assert june.counts.total == next(d for d in june.departments if d.department == "污染防治部").counts.total


def test_red_and_yellow_items_and_persistent_reds_follow_the_store(history: Path) -> None:
    with Store(history) as store:
        september = store.load_month("2022-09")
    digests = by_leader(history, "2022-09")
    for leader, departments in LEADERS.items():
        digest = digests[leader]
        for colour, attr in ((Colour.RED, "red"), (Colour.YELLOW, "yellow")):
            stored = sorted(i.name for i in september.items
                            if i.department in departments and i.colour is colour and not i.closed)
            shown = sorted(e.item for d in digest.departments for e in getattr(d, attr))
            assert shown == stored, (leader, colour)
    # 污染防治部's .xls is sent unchanged: its red item has been red all six months.
    assert PersistentRed(department="污染防治部", item="船舶污染物接收转运处置", months=6) in digests["韩立新"].persistent_red
    # 规划发展部's 港口岸线利用规划修编 turned red in June: four months by September.
    assert PersistentRed(department="规划发展部", item="港口岸线利用规划修编", months=4) in digests["孟庆军"].persistent_red
    assert not any(p.department in LEADERS["褚建华"] for p in digests["孟庆军"].persistent_red)


def test_changes_since_last_month_are_the_months_recolouring(history: Path) -> None:
    july = by_leader(history, "2022-07")
    zonghe = next(d for d in july["褚建华"].departments if d.department == "综合部")
    assert [(c.item, c.from_, c.to, c.direction) for c in zonghe.colour_changes] == [
        ("政务信息报送", Colour.RED, Colour.YELLOW, "improved")]
    gongcheng = next(d for d in july["孟庆军"].departments if d.department == "工程建设部")
    assert [(c.item, c.to, c.direction) for c in gongcheng.colour_changes] == [("招标文件备案审查", Colour.RED, "worsened")]
    assert july["孟庆军"].previous == "2022-06" and july["孟庆军"].previous_counts is not None


def test_the_toml_table_wins_over_the_footers_and_the_conflict_is_warned(history: Path) -> None:
    config = load_config(CONFIG).model_copy(update={"leaders": {"孟庆军": ["规划部", "工程建设部", "智慧港航部"]}})
    with Store(history) as store:
        digests = leader_digests(store, "2022-09", config=config)
    found = {d.leader: d for d in digests.leaders}
    assert [d.department for d in found["孟庆军"].departments] == ["规划发展部", "工程建设部", "智慧港航部"]
    assert set(found["孟庆军"].assigned_by.values()) == {"config"}
    assert [d.department for d in found["褚建华"].departments] == ["综合部"]  # its footer fills the gap
    assert found["褚建华"].assigned_by == {"综合部": "footer"}
    assert any("智慧港航部台账底部写中心分管领导为“褚建华”" in w and "按 taizhang.toml" in w for w in digests.warnings)


def test_a_toml_department_that_does_not_exist_is_warned(history: Path) -> None:
    config = load_config(CONFIG).model_copy(update={"leaders": {"王五": ["海事服务部"]}})
    with Store(history) as store:
        digests = leader_digests(store, "2022-09", config=config)
    assert "王五" not in {d.leader for d in digests.leaders}
    assert any("海事服务部" in w for w in digests.warnings)


def test_the_toml_leaders_table_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "taizhang.toml"
    path.write_text('center = "市港航事业发展中心"\n[leaders]\n"褚 建华" = ["综合部", "智慧港航部", "综合部"]\n',
                    encoding="utf-8")
    assert load_config(path).leaders == {"褚建华": ["综合部", "智慧港航部"]}
    path.write_text('[leaders]\n"褚建华" = "综合部"\n', encoding="utf-8")
    from taizhang.errors import ConfigError

    with pytest.raises(ConfigError, match="(?s)第 1 行.*leaders.*\\[leaders\\]"):
        load_config(path)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_cli_writes_one_docx_per_leader_with_their_items(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "摘要"
    result = runner.invoke(app, ["report", "--month", "2022-09", "--by-leader", "-o", str(out), "--db", str(history),
                                 "--config", str(CONFIG), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["leader"] for d in data["leaders"]] == list(LEADERS)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{leader}-重点工作台账摘要-2022-09.docx" for leader in LEADERS)
    text = docx_text(out / "韩立新-重点工作台账摘要-2022-09.docx")
    assert "重点工作台账分管部室摘要" in text and "呈韩立新同志" in text
    assert "污染防治部、水运服务部" in text and "船舶污染物接收转运处置" in text and "连续标红" in text
    assert "应纳未纳：中心任务清单中的水运服务部“内河航运安全隐患排查整治”未纳入台账" in text
    assert data["leaders"][2]["not_listed"][0]["task"] == "内河航运安全隐患排查整治"
    assert data["leaders"][0]["not_listed"] == []
    assert "综合部" not in text  # another leader's department is not in it
    meng = docx_text(out / "孟庆军-重点工作台账摘要-2022-09.docx")
    assert "对上争取资金" in meng and "红色→蓝色" in meng  # September's change
    # Not overwritten without --force; the terminal lists the digests.
    again = runner.invoke(app, ["report", "--month", "2022-09", "--by-leader", "-o", str(out), "--db", str(history),
                                "--config", str(CONFIG)])
    assert again.exit_code == 2 and "已存在" in again.output
    forced = runner.invoke(app, ["report", "--month", "2022-09", "--by-leader", "-o", str(out), "--db", str(history),
                                 "--config", str(CONFIG), "--force"])
    assert forced.exit_code == 0 and "褚建华" in forced.output and "已写出 3 份分管领导摘要" in forced.output


def test_cli_json_equals_the_library_call(history: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2022-08", "--by-leader", "-o", str(tmp_path), "--db",
                                 str(history), "--config", str(CONFIG), "--json"])
    data = json.loads(result.stdout)
    with Store(history) as store:
        library = leader_digests(store, "2022-08", config=load_config(CONFIG))
    for digest in library.leaders:
        digest.file = str(tmp_path / digest_file_name(digest))
    assert data == library.model_dump(mode="json")


@pytest.mark.parametrize(("name", "safe"), [
    ("褚建华", "褚建华"), ("王五/赵六", "王五_赵六"), ('张三:"李四"?', "张三_李四_"), ("CON", "_CON"),
    ("  ", "未署名"), ("刘娜.", "刘娜"), ("nul.txt", "_nul.txt"),
])
def test_file_names_are_safe_on_windows(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def heavy_digest() -> LeaderDigest:
    """A leader of six departments in a bad month: 40 red and yellow items with long texts."""
    long = "按照年度计划推进，已完成前期调研、方案编制和专家论证，正在履行审批程序，受资金和征地因素影响进度滞后于序时进度" * 2
    departments = []
    for d in range(6):
        name = f"第{'一二三四五六'[d]}业务部"
        red = [ResponsibleItem(item=f"{name}重点事项{i}：推进港口集疏运体系和多式联运示范工程建设", colour=Colour.RED,
                               leader="张三", owner="规划科/李四", progress=long, months=i + 1) for i in range(4)]
        yellow = [ResponsibleItem(item=f"{name}一般事项{i}", colour=Colour.YELLOW, leader="张三", owner="综合科/王五",
                                  progress=long) for i in range(3)]
        departments.append(DepartmentReport(department=name, status="on_time", red=red, yellow=yellow,
                                            compared_with="2022-08", new=[f"新增事项{i}" for i in range(9)],
                                            counts=Counts(total=20)))
    return LeaderDigest(leader="张三", month="2022-09", previous="2022-08", departments=departments,
                        assigned_by={d.department: "config" for d in departments},
                        persistent_red=[PersistentRed(department=d.department, item=r.item, months=r.months)
                                        for d in departments for r in d.red if r.months > 1])


def test_a_heavy_month_keeps_the_reds_and_counts_what_is_left_out(tmp_path: Path) -> None:
    path = write_digest_docx(heavy_digest(), tmp_path / "张三.docx")
    doc = Document(str(path))
    rows = doc.tables[0].rows[1:]
    assert len(rows) == MAX_ITEM_ROWS
    text = docx_text(path)
    assert "另有红色8项、黄色18项未列出" in text
    assert "等9项" in text  # 补录 names cut to a few per department


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if info.returncode == 0:
        return int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))
    return pdf.read_bytes().count(b"/Type /Page\n") or pdf.read_bytes().count(b"/Type/Page")


@pytest.mark.libreoffice
def test_digests_render_with_libreoffice_on_at_most_two_pages(history: Path, tmp_path: Path,
                                                              soffice_convert: Callable[[Path, str, Path], Any]
                                                              ) -> None:
    # A leader of every department (the toml table), in the month with the most red and yellow items.
    config = load_config(CONFIG).model_copy(update={"leaders": {"赵得园": list(load_config(CONFIG).departments)}})
    with Store(history) as store:
        everyone = leader_digests(store, "2022-07", config=config).leaders[0]
    files = [write_digest_docx(everyone, tmp_path / "全部.docx"), write_digest_docx(heavy_digest(), tmp_path / "重.docx")]
    for docx in files:
        pdf = soffice_convert(docx, "pdf", tmp_path / "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert 1 <= pages(pdf) <= 2, docx.name
    if shutil.which("pdftotext"):
        text = "".join(subprocess.run(["pdftotext", str(tmp_path / "pdf" / "全部.pdf"), "-"], capture_output=True,
                                      text=True, check=True).stdout.split())
        assert "重点工作台账分管部室摘要" in text and "呈赵得园同志" in text and "政务信息报送" in text


def test_digests_of_a_month_without_footers_or_table_name_the_unassigned(history: Path) -> None:
    with Store(history) as store:
        month = store.load_month("2022-09")
        from taizhang.report import build_report

        report = build_report(store, "2022-09", config=load_config(CONFIG))
    digests = digests_of(report, month, footers={}, config=load_config(CONFIG))
    assert digests.leaders == [] and digests.unassigned == list(LEADERS["褚建华"][:1]) + [
        "规划发展部", "污染防治部", "工程建设部", "智慧港航部", "水运服务部"]


# --------------------------------------------------------------------------------------------
# The footer's 中心分管领导, as clerks write it
# --------------------------------------------------------------------------------------------


def _footer_ledger(path: Path, cells: dict[tuple[int, int], str]) -> Path:
    from openpyxl import load_workbook

    from builders import build_ledger, item

    build_ledger(path, [item("港口岸线利用规划修编"), item("对上争取资金")], footer=False)
    wb = load_workbook(path)
    for (r, c), text in cells.items():
        wb.active.cell(7 + r, c, text)  # the footer below the two items (header on row 4)
    wb.save(path)
    return path


@pytest.mark.parametrize(("cells", "leader"), [
    ({(0, 1): "中心分管领导：孟庆军", (0, 5): "台账联系人：曹文博，2603547"}, "孟庆军"),
    ({(0, 1): "中心分管领导：", (0, 2): "孟庆军"}, "孟庆军"),  # the name in the next cell
    ({(0, 1): "中心分管领导:孟庆军          台账联系人：曹文博"}, "孟庆军"),  # one cell for the whole line
    ({(0, 1): "中心分管领导：褚建华、孟庆军"}, "褚建华、孟庆军"),
    ({(0, 1): "中心分管领导：×××", (0, 5): "台账联系人：×××，260××"}, None),  # the template left as it was
    ({(0, 1): "台账联系人：曹文博", (1, 1): "中心分管领导：孟庆军"}, "孟庆军"),
    ({}, None),
])
def test_the_footer_names_the_center_leader(tmp_path: Path, cells: dict[tuple[int, int], str],
                                            leader: str | None) -> None:
    from taizhang.validate import validate_file

    report = validate_file(_footer_ledger(tmp_path / "规划发展部台账.xlsx", cells))
    assert report.center_leader == leader
    assert len(report.items) == 2  # the footer is not read as an item


def test_the_xls_example_footer_is_read() -> None:
    from taizhang.validate import validate_file

    assert validate_file(EXAMPLES / "2022-04" / "污染防治部-4月台账.xls").center_leader == "韩立新"


def test_a_store_of_schema_1_has_no_footers_and_its_departments_are_unassigned(tmp_path: Path) -> None:
    store_path = tmp_path / "v1.db"
    shutil.copyfile(ROOT / "tests" / "data" / "history_v1_two_months.db", store_path)
    with Store(store_path) as store:
        assert store.center_leaders("2022-05") == {}
        digests = leader_digests(store, "2022-05", config=load_config(CONFIG))
    assert digests.leaders == [] and len(digests.unassigned) == 6
    # With the [leaders] table the upgraded store gives digests all the same.
    config = load_config(CONFIG).model_copy(update={"leaders": LEADERS})
    with Store(store_path) as store:
        digests = leader_digests(store, "2022-05", config=config)
    assert [d.leader for d in digests.leaders] == list(LEADERS) and digests.unassigned == []
