"""``taizhang merge`` and ``taizhang init`` as a clerk and a script use them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang.cli import app
from taizhang.config import NOTICE_DEPARTMENTS, load_config
from taizhang.errors import TaizhangError
from taizhang.merge import merge_inbox
from taizhang.models import Colour, Config
from taizhang.rules import STANDARD_FILLS
from taizhang.store import Store

runner = CliRunner()

ROSTER_TOML = 'center = "市港航事业发展中心"\ndeadline_day = 5\ndepartments = ["综合部", "规划发展部", "污染防治部", "工程建设部"]\n'
FORMULA_TEXT = '=HYPERLINK("http://x","y")'


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_text_cell(path: Path, row: int, col: int, text: str) -> None:
    """Make a cell hold text starting with '=' (as a clerk's typed ' prefix does), not a formula."""
    wb = load_workbook(path)
    cell = wb.active.cell(row, col)
    cell.value = text
    cell.data_type = "s"
    wb.save(path)


def make_inbox(folder: Path, *, broken: bool = True) -> Path:
    """综合部 (with an =HYPERLINK text, a closed item, an extra column), 规划发展部 under a short
    name, a late 工程建设部 with an error, 污染防治部 missing, and the usual debris."""
    inbox = folder / "2022-04"
    zonghe = build_ledger(inbox / "综合部2022.4.xlsx", [
        item("政务信息报送", colour="red", stars="★★★", source="AB"),
        item("公文运转提速", colour="blue", progress="按计划推进"),
        item("一季度重点工作督查", colour="yellow", note="已销号"),
    ], department="综合部", date="填报日期：2022年4月2日", extra={"完成时限": ["6月底", "", "3月底"]})
    set_text_cell(zonghe, 6, 4, FORMULA_TEXT)  # 公文运转提速's 推进情况
    build_ledger(inbox / "规划部-4月台账.xlsx", [
        item("对上争取资金", colour="yellow", stars="★★★", source="A"),
        item("港航发展规划编制", stars="★", source="C"),
    ], department="规划部", date="填报日期：2022年4月1日")
    build_ledger(inbox / "工程建设部重点工作台账.xlsx", [
        item("内河航道整治", colour="red", stars="★★★★" if broken else "★★★", source="A"),
    ], department="工程建设部", date="填报日期：2022年4月8日", summary=None if broken else True)
    (inbox / "~$综合部2022.4.xlsx").write_bytes(b"\x00lock")
    (inbox / "说明.txt").write_text("四月份台账", encoding="utf-8")
    return inbox


def merge(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, ["merge", *args], env=env)


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TAIZHANG_DB", raising=False)
    (tmp_path / "taizhang.toml").write_text(ROSTER_TOML, encoding="utf-8")
    return make_inbox(tmp_path)


# ---------------------------------------------------------------------------------------------
# exit codes and what is printed
# ---------------------------------------------------------------------------------------------


def test_merge_writes_the_workbook_and_the_store_and_exits_1_on_a_ledger_error(inbox: Path) -> None:
    result = merge(str(inbox), "--date", "2022-04-06")
    assert result.exit_code == 1, result.output
    out = inbox.parent / "重点工作台账汇总-2022-04.xlsx"
    assert out.is_file()
    assert (inbox.parent / "taizhang.db").is_file()
    text = result.output
    assert "未报送" in text and "污染防治部" in text
    assert "逾期" in text and "工程建设部" in text and "2022年4月8日" in text
    assert "截至2022年4月6日，市港航事业发展中心共梳理重点工作5项" in text
    assert "~$综合部2022.4.xlsx" in text and "锁定文件" in text and "说明.txt" in text
    assert "只能填 ★★★、★★ 或 ★" in text  # the error, with its advice
    assert str(out) in text.replace("\n", "") and "taizhang.db" in text
    assert "读取台账" not in text  # no progress bar when stderr is not a terminal


def test_a_clean_inbox_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = make_inbox(tmp_path, broken=False)
    result = merge(str(inbox), "--date", "2022-04-06", "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 0, result.output
    assert "未找到 taizhang.toml" in result.output and "未检查未报送" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "找不到收件文件夹"),
        (["{inbox}", "--month", "2022-13"], "YYYY-MM"),
        (["{inbox}", "--date", "明天"], "YYYY-MM-DD"),
        (["{inbox}", "-o", "out.csv"], ".xlsx"),
        (["{inbox}", "--config", "missing.toml"], "找不到配置文件"),
    ],
)
def test_a_wrong_call_exits_2(inbox: Path, args: list[str], message: str) -> None:
    result = merge(*(a.format(inbox=inbox) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_an_inbox_with_nothing_readable_exits_2_and_writes_nothing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "坏文件.xlsx").write_text("不是工作簿", encoding="utf-8")
    result = merge(str(inbox))
    assert result.exit_code == 2, result.output
    assert "没有可以读取的台账" in result.output and "坏文件.xlsx" in result.output
    assert list(tmp_path.iterdir()) == [inbox]


def test_a_wrong_config_line_exits_2_naming_the_line(inbox: Path) -> None:
    (inbox.parent / "taizhang.toml").write_text('center = "x"\ndeadline_day = 40\n', encoding="utf-8")
    result = merge(str(inbox))
    assert result.exit_code == 2 and "第 2 行" in result.output and "deadline_day" in result.output


# ---------------------------------------------------------------------------------------------
# --json
# ---------------------------------------------------------------------------------------------


def test_json_is_only_json_in_the_issues_shape_and_equals_the_library(inbox: Path) -> None:
    result = merge(str(inbox), "--date", "2022-04-06", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {"month", "date", "ok", "counts", "sentence", "departments", "missing", "late", "skipped",
            "output"} <= set(data)
    assert data["month"] == "2022-04" and data["date"] == "2022-04-06" and data["ok"] is False
    assert {"total", "stars", "sources", "colours"} <= set(data["counts"])
    assert set(data["counts"]["stars"]) == {"3", "2", "1"} and set(data["counts"]["sources"]) == set("ABCD")
    first = data["departments"][0]
    assert {"department", "file", "date", "late", "ok", "counts", "errors", "warnings"} <= set(first)
    assert [d["department"] for d in data["departments"]] == ["综合部", "规划发展部", "工程建设部"]
    assert data["missing"] == ["污染防治部"] and data["late"] == ["工程建设部"]
    assert {"file": "说明.txt"}.items() <= data["skipped"][-1].items() or any(
        s["file"] == "说明.txt" for s in data["skipped"])
    assert all(set(s) >= {"file", "reason"} for s in data["skipped"])
    assert data["output"] == str(inbox.parent / "重点工作台账汇总-2022-04.xlsx")

    library = merge_inbox(inbox, config=load_config(None, cwd=inbox.parent), date=dt.date(2022, 4, 6))
    library.output = data["output"]
    assert data == library.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------
# the consolidated workbook
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def merged(inbox: Path) -> Path:
    out = inbox.parent / "汇总.xlsx"
    result = merge(str(inbox), "-o", str(out), "--date", "2022-04-06")
    assert result.exit_code == 1, result.output
    return out


def test_the_workbook_has_the_three_sheets_and_the_summary(merged: Path) -> None:
    wb = load_workbook(merged)
    assert wb.sheetnames == ["汇总", "台账", "问题清单"]
    ws = wb["汇总"]
    assert ws["A1"].value == "市港航事业发展中心重点工作台账汇总（2022年4月）"
    assert ws["A2"].value == "填报日期：2022年4月6日"
    assert ws["A3"].value.startswith("截至2022年4月6日，市港航事业发展中心共梳理重点工作5项")
    rows = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(1, 20)] for r in range(7, 11)}
    assert list(rows) == ["综合部", "规划发展部", "污染防治部", "工程建设部"]
    assert rows["综合部"][3] == "按时" and rows["综合部"][4] == 2  # the closed item is not counted
    assert rows["综合部"][12:17] == [1, 0, 1, 0, 1]  # blue, yellow, red, none, closed
    assert rows["污染防治部"][3] == "未报送"
    assert rows["工程建设部"][3] == "逾期"
    total = [ws.cell(11, c).value for c in range(1, 20)]
    assert total[0] == "合计" and total[3] == "3/4" and total[4] == 5
    with zipfile.ZipFile(merged) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart and "9BC2E6" in chart and "FF7C80" in chart


def test_the_ledger_sheet_has_every_open_item_numbered_afresh_under_its_department_with_standard_fills(
        merged: Path) -> None:
    ws = load_workbook(merged)["台账"]
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert header[:2] == ["序号", "工作事项"] and header[-1] == "备注" and "部室" not in header
    rows = [[ws.cell(r, c) for c in range(1, len(header) + 1)] for r in range(5, ws.max_row + 1)]
    # A sub-heading row per department (merged over the table), its open items numbered 1…N
    # across the centre; the closed item after them all, in a block of its own, unnumbered.
    assert [r[0].value for r in rows] == [
        "综合部（2项）", 1, 2, "规划发展部（2项）", 3, 4, "工程建设部（1项）", 5,
        "已销号事项（1项，不编序号，不计入统计）", "综合部（已销号1项）", None]
    merged_rows = {m.min_row for m in ws.merged_cells.ranges if m.max_col == len(header)}
    assert {5, 8, 11, 13, 14} <= merged_rows
    items = [r for r in rows if r[1].value]
    assert [r[1].value for r in items] == ["政务信息报送", "公文运转提速", "对上争取资金", "港航发展规划编制", "内河航道整治",
                                           "一季度重点工作督查"]
    fills = [r[4].fill.fgColor.rgb[-6:] if r[4].fill.fill_type == "solid" else None for r in items]
    assert fills == [STANDARD_FILLS[Colour.RED], STANDARD_FILLS[Colour.BLUE], STANDARD_FILLS[Colour.YELLOW], None,
                     STANDARD_FILLS[Colour.RED], STANDARD_FILLS[Colour.YELLOW]]
    closed = items[-1]
    assert closed[9].value == "已销号（不计入统计）\n完成时限：3月底"
    assert all(c.font.color is not None and c.font.color.rgb.endswith("7F7F7F") for c in closed)
    assert items[0][9].value == "完成时限：6月底"  # the department's extra column, in 备注
    assert items[4][7].value == "★★★★"  # unrecognised stars shown as written


def test_text_that_looks_like_a_formula_stays_text(merged: Path) -> None:
    ws = load_workbook(merged)["台账"]
    cell = ws.cell(7, 4)  # 公文运转提速's 推进情况
    assert cell.value == FORMULA_TEXT and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(merged) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name


def test_the_findings_sheet_lists_every_finding_with_its_file_and_cell(merged: Path) -> None:
    ws = load_workbook(merged)["问题清单"]
    header = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    rows = [dict(zip(header, [ws.cell(r, c).value for c in range(1, len(header) + 1)], strict=True))
            for r in range(3, ws.max_row + 1)]
    stars = [r for r in rows if r["代码"] == "stars.invalid"]
    assert stars and stars[0]["部室"] == "工程建设部" and stars[0]["文件"] == "工程建设部重点工作台账.xlsx"
    assert stars[0]["单元格"] == "H5" and stars[0]["级别"] == "错误" and stars[0]["工作事项"] == "内河航道整治"
    assert any(r["文件"] == "说明.txt" and r["级别"] == "已跳过" for r in rows)


def test_the_workbook_is_printable_as_it_is(merged: Path) -> None:
    wb = load_workbook(merged)
    for ws, titles in ((wb["汇总"], "$5:$6"), (wb["台账"], "$4:$4"), (wb["问题清单"], "$2:$2")):
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == titles
        assert ws.freeze_panes is not None
    ws = wb["台账"]
    assert ws.cell(6, 2).alignment.wrap_text and ws.cell(6, 2).border.left.style == "thin"
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGHIJ"}
    assert max(widths, key=lambda letter: widths[letter]) == "D" and widths["D"] >= 25  # 推进情况 is the widest


def test_the_same_inbox_gives_the_same_workbook(inbox: Path) -> None:
    outs = []
    for name in ("a.xlsx", "b.xlsx"):
        out = inbox.parent / name
        assert merge(str(inbox), "-o", str(out), "--date", "2022-04-06").exit_code == 1
        outs.append(out)
    with zipfile.ZipFile(outs[0]) as a, zipfile.ZipFile(outs[1]) as b:
        assert a.namelist() == b.namelist()
        for part in a.namelist():
            if part != "docProps/core.xml":
                assert a.read(part) == b.read(part), part


def test_inputs_are_untouched_and_never_overwritten(inbox: Path) -> None:
    before = {p.name: sha(p) for p in inbox.iterdir()}
    assert merge(str(inbox), "--date", "2022-04-06").exit_code == 1
    assert {p.name: sha(p) for p in inbox.iterdir()} == before
    target = inbox / "综合部2022.4.xlsx"
    result = merge(str(inbox), "-o", str(target))
    assert result.exit_code == 2 and "拒绝写入" in result.output
    assert sha(target) == before[target.name]


def test_a_merged_workbook_inside_the_inbox_is_passed_over_and_may_be_rewritten(inbox: Path) -> None:
    out = inbox / "四月汇总.xlsx"
    assert merge(str(inbox), "-o", str(out), "--date", "2022-04-06").exit_code == 1
    again = merge(str(inbox), "-o", str(out), "--date", "2022-04-06", "--json")
    assert again.exit_code == 1, again.output
    data = json.loads(again.stdout)
    assert [d["file"] for d in data["departments"]] == ["综合部2022.4.xlsx", "规划部-4月台账.xlsx",
                                                       "工程建设部重点工作台账.xlsx"]
    assert any(s["file"] == "四月汇总.xlsx" and "汇总表" in s["reason"] for s in data["skipped"])


@pytest.mark.libreoffice
def test_libreoffice_converts_the_workbook_to_pdf(merged: Path, tmp_path: Path,
                                                  soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    pdf = soffice_convert(merged, "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


# ---------------------------------------------------------------------------------------------
# the history store
# ---------------------------------------------------------------------------------------------


def test_the_month_is_stored_and_merging_it_again_replaces_it(inbox: Path) -> None:
    db = inbox.parent / "taizhang.db"
    assert merge(str(inbox), "--date", "2022-04-06").exit_code == 1
    assert merge(str(inbox), "--date", "2022-04-07").exit_code == 1
    with Store(db) as store:
        assert store.months() == ["2022-04"]
        month = store.load_month("2022-04")
    assert month.date == "2022-04-07" and len(month.items) == 6
    assert month.missing == ["污染防治部"] and month.late == ["工程建设部"]
    assert set(month.file_hashes) == {"综合部2022.4.xlsx", "规划部-4月台账.xlsx", "工程建设部重点工作台账.xlsx"}


def test_the_store_is_found_through_db_then_taizhang_db(inbox: Path) -> None:
    env_db = inbox.parent / "env" / "h.db"
    assert merge(str(inbox), "--json", env={"TAIZHANG_DB": str(env_db)}).exit_code == 1
    assert env_db.is_file() and not (inbox.parent / "taizhang.db").exists()
    opt_db = inbox.parent / "opt.db"
    assert merge(str(inbox), "--db", str(opt_db), env={"TAIZHANG_DB": str(env_db)}).exit_code == 1
    assert opt_db.is_file()


def test_a_store_that_cannot_be_written_exits_2_after_the_workbook(inbox: Path) -> None:
    bad = inbox.parent / "bad.db"
    bad.write_text("这不是数据库" * 100, encoding="utf-8")
    result = merge(str(inbox), "--db", str(bad))
    assert result.exit_code == 2
    assert "汇总表已写出" in result.output and "不是 taizhang 的历史库" in result.output


# ---------------------------------------------------------------------------------------------
# init
# ---------------------------------------------------------------------------------------------


def test_init_writes_a_commented_config_and_refuses_to_overwrite_it(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "taizhang.toml"
    config = load_config(path)
    assert config.departments == list(NOTICE_DEPARTMENTS)
    path.write_text("deadline_day = 7\n", encoding="utf-8")
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 2 and "已存在" in again.output and "--force" in again.output
    assert load_config(path).deadline_day == 7
    forced = runner.invoke(app, ["init", "--force"])
    assert forced.exit_code == 0 and load_config(path).departments == list(NOTICE_DEPARTMENTS)


def test_merge_after_init_checks_the_notice_roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    inbox = make_inbox(tmp_path, broken=False)
    result = merge(str(inbox), "--json")
    data = json.loads(result.stdout)
    assert len(data["missing"]) == len(NOTICE_DEPARTMENTS) - 3 and "应急救援服务部" in data["missing"]


def test_workbook_bytes_do_not_depend_on_the_order_files_are_read(inbox: Path) -> None:
    from taizhang.writing.consolidated import ConsolidatedWriter, consolidated_bytes

    config = load_config(None, cwd=inbox.parent)
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    writer = ConsolidatedWriter(config)
    for report in reversed(result.reports):  # prepared in another order than the sheet's
        writer.prepare(report)
    prepared = writer.to_bytes(result)
    assert prepared == consolidated_bytes(result, config=config)
    assert load_workbook(io.BytesIO(prepared))["台账"].max_row == 4 + 6 + 5  # items, department and closed headings


@pytest.mark.parametrize("failure", [TaizhangError("磁盘已满"), RuntimeError("unexpected")])
def test_a_workbook_that_cannot_be_written_leaves_the_store_as_it_was(
        inbox: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception) -> None:
    assert merge(str(inbox), "--date", "2022-04-06").exit_code == 1
    db = inbox.parent / "taizhang.db"
    with Store(db) as store:
        before = store.load_month("2022-04")
    build_ledger(inbox / "污染防治部.xlsx", [item("船舶污染物接收转运处置", colour="red")], department="污染防治部")

    from taizhang.writing.consolidated import ConsolidatedWriter

    def broken_write(*_args: object, **_kwargs: object) -> Path:
        raise failure

    monkeypatch.setattr(ConsolidatedWriter, "write", broken_write)
    result = merge(str(inbox), "--date", "2022-04-07")
    assert result.exit_code != 0
    with Store(db) as store:
        after = store.load_month("2022-04")
    assert after == before
    assert after.date == "2022-04-06" and "污染防治部" in after.missing


@pytest.mark.parametrize("columns", [80, 64])
def test_the_merge_table_stays_readable_in_a_narrow_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             columns: int) -> None:
    from rich.cells import cell_len

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", str(columns))
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "a.xlsx", [item(f"检验事项{i}", stars="★★★★") for i in range(12)],
                 department="船舶检验服务部（海事服务中心）", date="填报日期：2022年4月8日")
    build_ledger(inbox / "b.xlsx", [item(f"港口事项{i}") for i in range(120)], department="港口运营与安全应急管理部",
                 date="填报日期：2022年4月3日")
    result = merge(str(inbox), "--date", "2022-04-06", "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if "部室" in line and "填报日期" in line)
    end = next(i for i in range(header, len(lines)) if not lines[i].strip())
    table = lines[header:end]
    assert all(cell_len(line) <= columns for line in table), "\n".join(table)
    assert "事项" in table[0].split() and "状态" in table[0].split()
    # Each department's count of items is printed whole, on its own first line.
    rows = [line.split() for line in table[2:]]
    assert [row for row in rows if "4月3日" in row][0][2] == "120"
    assert [row for row in rows if "4月8日" in row][0][2] == "12"
    assert any("错误" in part for row in rows for part in row)  # the status is shown, not squeezed away


def test_merge_reads_a_month_workbook_at_the_merged_month_and_never_last_months(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from builders import build_month_workbook

    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "inbox"
    build_ledger(inbox / "综合部.xlsx", [item("公文运转")], department="综合部", date="填报日期：2022年5月3日")
    build_month_workbook(inbox / "规划发展部.xlsx", [
        ("3月", "2022年3月3日", [item("港口码头建设")]),
        ("4月", "2022年4月2日", [item("港口码头建设"), item("岸电设施改造")]),
    ], active="3月")
    result = merge(str(inbox), "--date", "2022-05-06", "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 1, result.output
    text = result.output.replace("\n", "")
    assert "规划发展部.xlsx" in text and "没有2022年5月的台账" in text and "“4月”（填报日期2022年4月2日）" in text
    assert "共梳理重点工作1项" in text  # 综合部 alone: April's sheet is not merged into May

    april = merge(str(inbox), "--month", "2022-04", "--date", "2022-04-06", "--db", str(tmp_path / "h.db"), "--json")
    data = json.loads(april.stdout)
    assert data["month"] == "2022-04"
    assert {d["department"]: d["counts"]["total"] for d in data["departments"]} == {"综合部": 1, "规划发展部": 2}


def test_the_streamed_workbook_file_has_the_bytes_of_the_workbook_made_in_memory(tmp_path: Path) -> None:
    from taizhang.writing.consolidated import ConsolidatedWriter, consolidated_bytes

    inbox = tmp_path / "inbox"
    for d in range(3):  # more rows than one slice the writer streams at a time
        build_ledger(inbox / f"第{d + 1}业务部.xlsx", [item(f"第{d + 1}业务部事项{i}", colour="red" if i % 7 else None)
                                                     for i in range(300)], department=f"第{d + 1}业务部")
    config = Config()
    result = merge_inbox(inbox, config=config, date=dt.date(2022, 4, 6))
    writer = ConsolidatedWriter(config)
    for report in result.reports:
        writer.prepare(report)
    out = writer.write(result, tmp_path / "汇总.xlsx", refuse=[])
    assert out.read_bytes() == consolidated_bytes(result, config=config)
    assert load_workbook(out)["台账"].max_row == 4 + 900 + 3  # and a sub-heading row per department
