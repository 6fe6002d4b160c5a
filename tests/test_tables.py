"""Tables declared once (taizhang.tables): a column added to a declaration, and nowhere else, is in
every output that renders the table — header and values — and the existing columns keep their places."""

from __future__ import annotations

import datetime as dt
import io
import operator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from taizhang import tables
from taizhang.cli import app
from taizhang.config import load_config
from taizhang.merge import merge_inbox
from taizhang.models import Item, MergeResult
from taizhang.report import DepartmentReport, build_report
from taizhang.store import Store
from taizhang.tables import Column, LedgerRow, SummaryRow, Table
from taizhang.writing.bulletin_docx import bulletin_bytes
from taizhang.writing.bulletin_xlsx import bulletin_workbook_bytes
from taizhang.writing.consolidated import ConsolidatedWriter
from test_report import CONFIG, build_history

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def with_column(monkeypatch: pytest.MonkeyPatch, name: str, column: Column, *, before: str | None = None) -> None:
    """The declaration ``tables.<name>`` with ``column`` inserted before the column ``before`` (or last)."""
    table: Table = getattr(tables, name)
    columns = list(table.columns)
    columns.insert(table.index(before) if before else len(columns), column)
    monkeypatch.setattr(tables, name, Table(table.name, tuple(columns)))


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def april() -> MergeResult:
    config = load_config(EXAMPLES / "taizhang.toml")
    return merge_inbox(EXAMPLES / "2022-04", config=config, month="2022-04", date=dt.date(2022, 4, 28))


def consolidated(result: MergeResult, *, prepared: bool) -> bytes:
    """The consolidated workbook, its item rows rendered while the files are read or at the end."""
    writer = ConsolidatedWriter(load_config(EXAMPLES / "taizhang.toml"))
    if prepared:
        for report in result.reports:
            writer.prepare(report)
    return writer.to_bytes(result)


@pytest.mark.parametrize("prepared", [True, False], ids=["rendered-while-read", "rendered-at-the-end"])
def test_an_item_field_added_to_the_ledger_declaration_is_a_column_of_the_ledger_sheet(
        monkeypatch: pytest.MonkeyPatch, april: MergeResult, prepared: bool) -> None:
    # 原表行号: where each item was read, between 责任科室/责任人 and 重要程度.
    with_column(monkeypatch, "LEDGER", Column("row", "原表\n行号", operator.attrgetter("item.row"), width=7),
                before="stars")
    ws = load_workbook(io.BytesIO(consolidated(april, prepared=prepared)))["台账"]
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    assert header == ["序号", "工作事项", "任务目标", "推进情况", "进度评价", "分管\n负责人", "责任科室\n责任人",
                      "原表\n行号", "重要\n程度", "任务\n来源", "备注"]  # extra columns go into 备注
    assert ws.column_dimensions["H"].width == 7
    usable = [r for r in april.reports if r.usable]
    items = [(r.department, it) for r in usable for it in r.items]
    # A sub-heading row per department, then its items.
    assert ws.max_row == 4 + len(items) + len(usable) > 40
    offset = 4
    number = 0
    for report in usable:
        offset += 1
        assert ws.cell(offset, 1).value == f"{report.department}（{len(report.items)}项）"
        for it in report.items:
            offset += 1
            number += 1
            assert [ws.cell(offset, c).value for c in (1, 2, 8)] == [number, it.name, it.row]
            assert ws.cell(offset, 9).value == (it.stars or it.written.get("stars") or None)  # the next column moved
    assert ws.auto_filter.ref == f"A4:K{ws.max_row}"


def test_the_ledger_declaration_with_its_own_columns_only_writes_the_same_workbook_either_way(
        april: MergeResult) -> None:
    assert consolidated(april, prepared=True) == consolidated(april, prepared=False)


def test_a_column_added_to_the_summary_declaration_is_in_the_summary_sheet_and_the_merge_table(
        monkeypatch: pytest.MonkeyPatch, april: MergeResult, tmp_path: Path) -> None:
    # 已标色: the items marked blue, yellow or red, after 进度评价's group; shown in the terminal too.
    def marked(row: SummaryRow) -> int | None:
        c = row.counts
        return None if c is None else c.colours["blue"] + c.colours["yellow"] + c.colours["red"]

    with_column(monkeypatch, "SUMMARY", Column("marked", "已标色", marked, width=8, kind="count", terminal="已标色"),
                before="closed")
    ws = load_workbook(io.BytesIO(consolidated(april, prepared=True)))["汇总"]
    assert [ws.cell(5, c).value for c in range(13, 18)] == ["进度评价", None, None, None, "已标色"]
    assert ws.cell(6, 13).value == "蓝色" and ws.cell(5, 17).value == "已标色"
    assert ws.cell(5, 18).value == "已销号"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "M5:P5" in merged and "Q5:Q6" in merged
    rows = {ws.cell(r, 2).value: r for r in range(7, 13)}
    for entry in april.departments:
        c = entry.counts
        assert ws.cell(rows[entry.department], 17).value == c.colours["blue"] + c.colours["yellow"] + c.colours["red"]
        assert ws.cell(rows[entry.department], 18).value == c.closed
    assert ws.cell(rows["水运服务部"], 17).value is None  # did not hand in
    total = april.counts
    assert ws.cell(13, 1).value == "合计"
    assert ws.cell(13, 17).value == total.colours["blue"] + total.colours["yellow"] + total.colours["red"] == 24

    result = runner.invoke(app, ["merge", str(EXAMPLES / "2022-04"), "--month", "2022-04", "--date", "2022-04-28",
                                 "--config", str(EXAMPLES / "taizhang.toml"), "--db", str(tmp_path / "h.db"),
                                 "-o", str(tmp_path / "汇总.xlsx")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = next(line for line in lines if "蓝/黄/红/无" in line)
    assert "已标色" in head and head.index("蓝/黄/红/无") < head.index("已标色") < head.index("状态")
    assert any("综合部" in line and " 5 " in line for line in lines)  # 2 blue + 2 yellow + 1 red
    assert load_workbook(tmp_path / "汇总.xlsx")["汇总"].cell(5, 17).value == "已标色"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_history(tmp_path_factory.mktemp("tables-history"))


def test_a_column_added_to_the_appendix_declaration_is_in_the_docx_the_xlsx_and_the_terminal(
        monkeypatch: pytest.MonkeyPatch, history: Path) -> None:
    def unmarked_share(d: DepartmentReport) -> str:
        c = d.counts
        return f"{round(100 * c.colours.get('none', 0) / c.total)}%" if c.total else "—"

    with_column(monkeypatch, "APPENDIX", Column("share", "未标注\n占比", unmarked_share, width=8, mm=13,
                                               terminal="未标占比"), before="new")
    with Store(history) as store:
        report = build_report(store, "2022-04", config=CONFIG)
    handed_in = [d for d in report.departments if d.status != "missing"]
    assert handed_in and any(d.status == "missing" for d in report.departments)

    table = Document(io.BytesIO(bulletin_bytes(report, issued=dt.date(2022, 4, 12)))).tables[-1]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["部室（单位）", "报送情况", "事项数", "蓝色", "黄色", "红色", "未标注", "未标注\n占比", "补录",
                      "销号", "颜色\n变化"]
    for dept, row in zip(report.departments, table.rows[1:], strict=False):
        cells = [c.text for c in row.cells]
        assert cells[0] == dept.department
        assert cells[7] == ("—" if dept.status == "missing" else unmarked_share(dept))
    assert table.rows[-1].cells[0].text == "合计" and table.rows[-1].cells[7].text == ""

    ws = load_workbook(io.BytesIO(bulletin_workbook_bytes(report)))["分部室"]
    labels = [ws.cell(3, c).value for c in range(1, ws.max_column + 1)]
    assert labels[7:10] == ["未标注", "未标注\n占比", "补录"] and labels[-1] == "黄色事项"
    for offset, dept in enumerate(report.departments, start=4):
        assert ws.cell(offset, 1).value == dept.department
        assert ws.cell(offset, 9).value == (None if dept.status == "missing" else unmarked_share(dept))
        assert ws.cell(offset, 10).value == (None if dept.status == "missing" else len(dept.new))

    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(history)])
    assert result.exit_code == 0, result.output
    out = result.stdout[result.stdout.index("分部室情况"):]
    head = next(line for line in out.splitlines() if "事项" in line)
    assert head.index("无") < head.index("未标占比") < head.index("补录")
    for dept in handed_in:
        line = next(line for line in out.splitlines() if dept.department in line)
        assert unmarked_share(dept) in line


def test_validate_prints_the_findings_table_from_its_declaration() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / "2022-04" / "综合部2022.4.xlsx")])
    head = next(line for line in result.stdout.splitlines() if "单元格" in line)
    assert head.index("单元格") < head.index("级别") < head.index("问题与改法") < head.index("代码")


def test_every_table_declares_distinct_keys_and_the_ledger_starts_with_its_place_columns() -> None:
    for table in (tables.SUMMARY, tables.LEDGER, tables.FINDINGS, tables.APPENDIX):
        keys = [c.key for c in table.columns]
        assert len(keys) == len(set(keys)), table.name
    places = [c.place for c in tables.LEDGER.columns]
    assert places[:1] == [True] and not any(places[1:])  # 序号; the department is a sub-heading row
    sample = LedgerRow(Item(row=7, name="x", closed=True), 3, "综合部")
    assert tables.LEDGER.values(sample)[:2] == [3, "x"]
    assert tables.LEDGER.column("note").value(sample) == "已销号（不计入统计）"
