"""``taizhang report`` as the 综合部 and a script use it."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from taizhang.cli import app
from taizhang.models import Config, MonthReport
from taizhang.report import build_report
from taizhang.store import Store
from test_report import CONFIG, ROSTER, build_history

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_history(tmp_path_factory.mktemp("cli-history"))


@pytest.fixture(autouse=True)
def _no_config_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without --config the command reads ./taizhang.toml: run where there is none.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAIZHANG_DB", raising=False)


def flat(text: str) -> str:
    """Terminal output without the line breaks rich adds at the console's width."""
    return "".join(text.split())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_terminal_view_shows_every_section(db: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    for heading in ("重点工作台账督查通报（2022年4月）", "一、总体情况", "二、报送情况", "三、进展较快事项",
                    "四、进展缓慢事项", "五、中间位次及预计较好事项", "六、账实不符、应纳未纳和应标未标情况", "七、事项变动",
                    "八、下步工作要求", "分部室情况"):
        assert heading in out
    assert "逾期报送1个（财务部），未报送1个（海事服务部）" in out
    assert "编制港航发展规划" in out and "3个月" in out and "李建华" in out
    assert "原为“推进港口船舶岸电设施建设”" in out
    assert "黄色→红色（转差）" in out
    assert "排名全市后3位却未标红" in out


def test_json_equals_the_library_call(db: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # only JSON on stdout
    with Store(db) as store:
        assert data == build_report(store, "2022-04", config=Config()).model_dump(mode="json")
    assert data["missing"] == ["海事服务部"] and data["late"] == ["财务部"]
    assert data["renamed"] == [{"department": "规划发展部", "from": "推进港口船舶岸电设施建设",
                                "to": "推进港口船舶岸电设施建设和使用"}]


def test_first_stored_month_says_there_is_no_comparison(db: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2022-02", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "没有上月台账可供比较" in flat(result.stdout)
    assert "是历史库中最早的月份" in flat(result.stdout)
    data = json.loads(runner.invoke(app, ["report", "--month", "2022-2", "--db", str(db), "--json"]).stdout)
    assert data["previous"] is None and data["first_month"] is True and data["new"] == []


def test_unknown_month_exits_2_and_lists_the_stored_months(db: Path) -> None:
    result = runner.invoke(app, ["report", "--month", "2022-05", "--db", str(db)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = flat(result.stderr)
    assert "没有2022-05的汇总" in err
    assert "已有的月份：2022-02、2022-03、2022-04" in err


@pytest.mark.parametrize("month", ["2022-13", "四月", "2022"])
def test_unreadable_month_exits_2(db: Path, month: str) -> None:
    result = runner.invoke(app, ["report", "--month", month, "--db", str(db)])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.stderr


def test_month_is_required() -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2


def test_missing_store_exits_2_without_creating_one(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(missing)])
    assert result.exit_code == 2
    assert "找不到历史库" in flat(result.stderr)
    assert not missing.exists()


@pytest.mark.parametrize("name", ["通报.pdf", "通报.doc", "通报"])
def test_output_with_another_suffix_exits_2(db: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 2
    assert ".docx" in result.stderr and ".xlsx" in result.stderr
    assert not out.exists()


def test_writes_the_docx_and_keeps_stdout_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "督查通报-2022-04.docx"
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["month"] == "2022-04"
    assert "已写出督查通报" in result.stderr
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "重点工作台账督查通报（2022年4月）" in texts


def test_writes_the_xlsx(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "督查通报-2022-04.XLSX"
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[:5] == ["总体情况", "报送情况", "进展较快事项", "进展缓慢事项",
                                                 "中间位次及预计较好事项"]


def test_refuses_to_overwrite_the_store(db: Path, tmp_path: Path) -> None:
    store = tmp_path / "历史库.xlsx"  # a store with a workbook's suffix, given as the output too
    shutil.copy(db, store)
    before = sha(store)
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(store), "-o", str(store), "--force"])
    assert result.exit_code == 2
    assert "拒绝写入" in flat(result.stderr)
    assert sha(store) == before


def test_refuses_to_overwrite_a_department_ledger(db: Path) -> None:
    ledger = db.parent / "inbox" / "2022-04" / "规划发展部-2022-04.xlsx"
    before = sha(ledger)
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(ledger), "--force"])
    assert result.exit_code == 2
    assert "部室台账" in flat(result.stderr)
    assert sha(ledger) == before


def test_config_file_sets_basis_and_finds_the_store_beside_it(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copy(db, folder / "taizhang.db")
    roster = ", ".join(f'"{name}"' for name in ROSTER)
    (folder / "taizhang.toml").write_text(f'departments = [{roster}]\nprogress_basis = "day"\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--month", "2022-04", "--config", str(folder / "taizhang.toml"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["progress_basis"] == "day"
    assert data["schedule"] == pytest.approx(100 / 365)  # 截至 2022-04-10
    assert [d["department"] for d in data["departments"]] == ROSTER
    with Store(folder / "taizhang.db") as store:
        expected = build_report(store, "2022-04", config=CONFIG.model_copy(update={"progress_basis": "day"}))
    assert data == expected.model_dump(mode="json")


def test_bad_config_exits_2(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "taizhang.toml"
    config.write_text('progress_basis = "week"\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--config", str(config)])
    assert result.exit_code == 2
    assert "progress_basis" in result.stderr


def test_an_existing_bulletin_is_not_overwritten_without_force(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    assert runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out)]).exit_code == 0
    out.write_bytes(b"edited by hand")
    again = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in flat(again.stderr)
    assert out.read_bytes() == b"edited by hand"
    forced = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "-o", str(out), "--force"])
    assert forced.exit_code == 0 and out.read_bytes() != b"edited by hand"


def test_may_reads_the_same_whichever_month_was_merged_first(tmp_path: Path) -> None:
    from builders import build_ledger, item

    inboxes = {}
    for month, names in (("2022-04", ["推进港口船舶岸电设施建设", "做好部门预算编制"]),
                         ("2022-05", ["推进港口船舶岸电设施建设和使用", "船舶污染物接收转运处置"])):
        inboxes[month] = tmp_path / month
        build_ledger(inboxes[month] / "污染防治部.xlsx", [item(n, colour="red") for n in names],
                     department="污染防治部", date=f"填报日期：2022年{int(month[-2:])}月3日")

    def may_after(order: tuple[str, ...], db: Path) -> MonthReport:
        for month in order:
            run = runner.invoke(app, ["merge", str(inboxes[month]), "-o", str(tmp_path / f"{db.stem}-{month}.xlsx"),
                                      "--db", str(db), "--month", month, "--date", f"{month}-05"])
            assert run.exit_code == 0, run.output
        with Store(db) as store:
            return build_report(store, "2022-05", config=Config())

    in_order = may_after(("2022-04", "2022-05"), tmp_path / "a.db")
    assert may_after(("2022-05", "2022-04"), tmp_path / "b.db") == in_order
    assert may_after(("2022-04", "2022-05", "2022-04"), tmp_path / "c.db") == in_order
    assert [(r.from_, r.to) for r in in_order.renamed] == [("推进港口船舶岸电设施建设", "推进港口船舶岸电设施建设和使用")]
    assert [r.item for r in in_order.new] == ["船舶污染物接收转运处置"]
    assert [r.item for r in in_order.closed] == ["做好部门预算编制"]
