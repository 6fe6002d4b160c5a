"""The bulletin as a 综合部 issues it (issue 10): figures that add up, the sections in the same order
in the .docx and the .xlsx, the date and 署名 placed after GB/T 9704, draft text highlighted, colour
words as the 说明 defines them, and cell line breaks that never break a sentence."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Length
from openpyxl import load_workbook
from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang.cli import app
from taizhang.config import load_config
from taizhang.merge import merge_inbox, snapshot_of
from taizhang.models import (
    ISSUER,
    Colour,
    Config,
    DepartmentEntry,
    MonthReport,
    MonthSnapshot,
    SectionKind,
    StoredFinding,
    StoredItem,
)
from taizhang.report import (
    build_report,
    bulletin_sections,
    compare,
    names_line,
    one_line,
    owner_line,
)
from taizhang.store import Store
from taizhang.summary import count_items
from taizhang.writing.bulletin_docx import CHARS_PER_LINE, DATE_RIGHT_CHARS, GRID_CHAR_PT, build_bulletin
from taizhang.writing.bulletin_xlsx import build_bulletin_workbook, sheet_name, write_bulletin_xlsx

ROOT = Path(__file__).resolve().parent.parent
ISSUED = dt.date(2022, 5, 12)
runner = CliRunner()


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MonthReport]:
    """The shipped example inbox, April and May, merged and stored."""
    config = load_config(ROOT / "examples" / "taizhang.toml")
    db = tmp_path_factory.mktemp("examples") / "h.db"
    with Store(db) as store:
        for month in ("2022-04", "2022-05"):
            merged = merge_inbox(ROOT / "examples" / month, config=config, month=month,
                                 date=dt.date(2022, int(month[-2:]), 6))
            store.save_month(snapshot_of(merged, config))
        return {m: build_report(store, m, config=config) for m in ("2022-04", "2022-05")}


# --------------------------------------------------------------------------------------------
# The figures add up
# --------------------------------------------------------------------------------------------


def equation(text: str) -> tuple[int, int]:
    """``…即52＋3－4＋10＝61。`` → (the sum of the left side, the right side)."""
    m = re.search(r"即(\d+(?:[＋－]\d+)*)＝(\d+)。", text)
    assert m, text
    left = sum(int(n) * (-1 if sign == "－" else 1) for sign, n in re.findall(r"([＋－]?)(\d+)", m.group(1)))
    return left, int(m.group(2))


def test_the_examples_total_is_explained_part_by_part(examples: dict[str, MonthReport]) -> None:
    may = examples["2022-05"]
    change = may.total_change
    assert change is not None
    assert (change.before, change.now, change.new, change.closed) == (52, 61, 3, 4)
    assert [(d.department, d.items) for d in change.first_time] == [("水运服务部", 10)]
    assert change.explained == change.now
    assert may.reconciliation == ("事项数变化：上月52项，本月61项，增加9项。其中补录3项，销号4项，"
                                  "水运服务部首次报送10项，即52＋3－4＋10＝61。")
    assert equation(may.reconciliation) == (61, 61)
    assert may.reconciliation in bulletin_sections(may)[0].paragraphs


def _snapshot(month: str, items: list[StoredItem], departments: list[str], missing: list[str] = ()) -> MonthSnapshot:
    entries = [DepartmentEntry(department=d, file=f"{d}.xlsx", date=f"{month}-03",
                               counts=count_items(i for i in items if i.department == d)) for d in departments]
    return MonthSnapshot(month=month, date=f"{month}-10", center="市港航事业发展中心", sentence="",
                         counts=count_items(i for i in items if i.department in departments), departments=entries,
                         items=[i for i in items if i.department in departments], missing=list(missing))


def _it(department: str, name: str, *, closed: bool = False, colour: Colour = Colour.NONE) -> StoredItem:
    return StoredItem(row=5, key=name, department=department, name=name, closed=closed, colour=colour)


def test_every_kind_of_change_adds_up_to_the_difference() -> None:
    """补录 (new, reopened, entered and closed at once), 销号 (marked, gone), a department back after a
    missing month, one reporting for the first time and one missing this month."""
    jan = _snapshot("2022-01", [_it("财务部", "预算"), _it("财务部", "报销"), _it("财务部", "审计")], ["财务部"])
    feb = _snapshot("2022-02", [_it("综合部", "督查"), _it("综合部", "档案", closed=True), _it("综合部", "信息"),
                                _it("工程部", "航道")], ["综合部", "工程部"], missing=["财务部"])
    mar = _snapshot("2022-03", [
        _it("综合部", "督查", closed=True),  # marked 销号
        _it("综合部", "档案"),  # crossed off before, open again: 补录
        _it("综合部", "新任务"),  # 补录
        _it("综合部", "即办即结", closed=True),  # entered and crossed off in March: 补录 and 销号
        # 信息 gone: 销号
        _it("财务部", "预算"), _it("财务部", "新增绩效"),  # back: compared with January (报销, 审计 gone)
        _it("港航部", "平台"), _it("港航部", "数据"),  # first time
    ], ["综合部", "财务部", "港航部"], missing=["工程部"])
    report = compare(mar, feb, config=Config(departments=["综合部", "财务部", "工程部", "港航部"]), earlier=[jan])
    change = report.total_change
    assert change is not None
    assert (change.before, change.now) == (3, 6)
    assert change.new == 4 and change.closed == 5
    assert [(d.department, d.items, d.month) for d in change.returned] == [("财务部", 3, "2022-01")]
    assert [(d.department, d.items) for d in change.first_time] == [("港航部", 2)]
    assert [(d.department, d.items) for d in change.missing] == [("工程部", 1)]
    assert change.explained == change.now == 3 + 4 - 5 + 3 + 2 - 1
    assert equation(report.reconciliation) == (6, 6)
    assert "财务部2022年2月未报送、本月恢复报送，计入其2022年1月台账的3项" in report.reconciliation
    assert "工程部本月未报送，减去其上月1项" in report.reconciliation
    rows = {(r.kind, r.item): r.detail for r in bulletin_sections(report)[6].rows}
    assert rows[("补录", "即办即结")] == "本月补录，当月已销号" and ("销号", "即办即结") in rows


def test_a_month_without_changes_has_one_attachment() -> None:
    feb = _snapshot("2022-02", [_it("综合部", "督查")], ["综合部"])
    mar = _snapshot("2022-03", [_it("综合部", "督查")], ["综合部"])
    report = compare(mar, feb, config=Config())
    sections = {s.kind: s for s in bulletin_sections(report)}
    assert sections[SectionKind.CHANGES].attachment == "" and sections[SectionKind.DEPARTMENTS].number == "附件1"
    texts = [p.text for p in build_bulletin(report, issued=ISSUED).paragraphs]
    assert "附件：各部室（单位）重点工作台账情况表" in texts and "附件1" in texts and "附件2" not in texts
    assert "事项数变化：本月1项，与上月1项相同，各部室没有补录、销号的事项。" in texts


@pytest.mark.parametrize("seed", range(25))
def test_constructed_histories_always_add_up(seed: int) -> None:
    """Random months of random departments: the parts always sum exactly to the difference."""
    rng = random.Random(seed)
    names = ["综合部", "财务部", "工程部", "港航部", "规划部"]
    ledgers: dict[str, list[StoredItem]] = {n: [_it(n, f"{n}事项{i}") for i in range(rng.randint(0, 4))] for n in names}
    months = [f"2022-{m:02d}" for m in range(1, 7)]
    snapshots: list[MonthSnapshot] = []
    counter = 0
    for month in months:
        for name in names:
            kept = []
            for it in ledgers[name]:
                roll = rng.random()
                if roll < 0.15:
                    continue  # gone from the ledger
                kept.append(it.model_copy(update={"closed": rng.random() < 0.2 if not it.closed else rng.random() < 0.8}))
            for _ in range(rng.randint(0, 2)):
                counter += 1
                kept.append(_it(name, f"{name}新{counter}", closed=rng.random() < 0.2))
            ledgers[name] = kept
        reporting = [n for n in names if rng.random() < 0.7]
        items = [it for n in reporting for it in ledgers[n]]
        snapshots.append(_snapshot(month, items, reporting, missing=[n for n in names if n not in reporting]))
    for i in range(1, len(snapshots)):
        report = compare(snapshots[i], snapshots[i - 1], config=Config(departments=names),
                         earlier=list(reversed(snapshots[:i - 1])))
        change = report.total_change
        assert change is not None
        assert change.explained == change.now == snapshots[i].counts.total, (seed, i, change)
        if report.reconciliation.count("即"):
            assert equation(report.reconciliation) == (change.now, change.now)


# --------------------------------------------------------------------------------------------
# Sections: the same, in the same order, in the .docx and the .xlsx
# --------------------------------------------------------------------------------------------


def test_docx_and_xlsx_walk_the_same_sections_in_order(examples: dict[str, MonthReport]) -> None:
    may = examples["2022-05"]
    sections = bulletin_sections(may)
    assert [s.kind for s in sections] == [
        SectionKind.OVERVIEW, SectionKind.SUBMISSION, SectionKind.FAST, SectionKind.SLOW, SectionKind.MIDDLE,
        SectionKind.CHECKS, SectionKind.CHANGES, SectionKind.REQUIREMENTS, SectionKind.DEPARTMENTS]
    doc = build_bulletin(may, issued=ISSUED)
    paragraphs = [p.text for p in doc.paragraphs]
    body_titles = [s.title for s in sections if s.kind is not SectionKind.DEPARTMENTS]
    headings = [p.text for p in doc.paragraphs if p.style.name == "通报一级标题" and not p.text.startswith("附件")]
    assert headings == body_titles
    assert [p for p in paragraphs if p in ("附件1", "附件2")] == ["附件1", "附件2"]
    wb = build_bulletin_workbook(may, issued=ISSUED)
    assert wb.sheetnames == [sheet_name(s) for s in sections]
    assert [ws["A2"].value for ws in wb] == [s.title for s in sections]


def test_the_issued_bulletin_names_no_command_line_option(examples: dict[str, MonthReport]) -> None:
    # The bulletin goes to the departments: no "--tasks" or other option of the tool in its text.
    may = examples["2022-05"]
    doc = build_bulletin(may, issued=ISSUED)
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert not [t for t in texts if re.search(r"--[a-z]", t)]
    wb = build_bulletin_workbook(may, issued=ISSUED)
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if re.search(r"--[a-z]", c)]
    assert any("未发现应纳未纳的任务" in t for t in texts)


def test_blue_red_and_yellow_sections_hold_their_own_colour(examples: dict[str, MonthReport]) -> None:
    may = examples["2022-05"]
    by_kind = {s.kind: s for s in bulletin_sections(may)}
    assert {r.colour for r in by_kind[SectionKind.FAST].rows} == {Colour.BLUE}
    assert {r.colour for r in by_kind[SectionKind.SLOW].rows} == {Colour.RED}
    assert {r.colour for r in by_kind[SectionKind.MIDDLE].rows} == {Colour.YELLOW}
    assert len(by_kind[SectionKind.FAST].rows) == may.counts.colours["blue"] == 19
    assert len(by_kind[SectionKind.SLOW].rows) == may.counts.colours["red"] == 5
    assert len(by_kind[SectionKind.MIDDLE].rows) == may.counts.colours["yellow"] == 7
    fast = {r.item: r.responsible.stated for r in by_kind[SectionKind.FAST].rows if r.responsible}
    assert fast["文书档案规范化管理"] == "完成年度计划69%，领先序时进度33.3%"  # why it is blue
    assert fast["市对中心综合考核指标分解落实"] == "全市第3位"
    assert by_kind[SectionKind.MIDDLE].paragraphs[0].startswith(
        "按照说明第3条，排名全市中间位次事项、预计为“较好”等次事项等标黄色。")
    assert "缓慢" not in by_kind[SectionKind.MIDDLE].title + by_kind[SectionKind.MIDDLE].paragraphs[0]


def test_the_checks_name_the_mismatched_sentence_and_the_unmarked_items(examples: dict[str, MonthReport]) -> None:
    may = examples["2022-05"]
    checks = next(s for s in bulletin_sections(may) if s.kind is SectionKind.CHECKS)
    assert checks.title == "六、账实不符、应纳未纳和应标未标情况"
    assert [p.name for p in checks.parts] == ["账实不符", "应纳未纳", "应标未标", "填报错误"]
    mismatch = checks.of_kind("账实不符")
    assert {r.department for r in mismatch} == {"水运服务部"}
    assert any("汇总句写红色3项，台账中实际为2项" in r.detail for r in mismatch)
    unmarked = {(r.department, r.item): r.brief for r in checks.of_kind("应标未标")}
    assert unmarked[("智慧港航部", "年度信息化项目建设")] == "应标红色"  # 滞后于时序进度, unmarked
    assert unmarked[("水运服务部", "老旧运输船舶淘汰更新")] == "已全部完成却未销号"
    body = "\n".join(p.text for p in build_bulletin(may, issued=ISSUED).paragraphs)
    assert "（一）账实不符" in body and "（三）应标未标" in body
    assert "水运服务部：汇总句写红色3项，台账中实际为2项" in body
    assert "智慧港航部“年度信息化项目建设”：推进情况写有“滞后”" in body
    ws = build_bulletin_workbook(may, issued=ISSUED)["账实不符、应纳未纳和应标未标"]
    kinds = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert kinds.count("账实不符") == len(mismatch) and kinds.count("应标未标") == len(unmarked)


def test_not_listed_tasks_are_a_part_of_the_checks_section_after_the_mismatch() -> None:
    """应纳未纳 (task.not_listed, 通知 第五条): its own part after 账实不符, named by the task."""
    month = _snapshot("2022-03", [_it("综合部", "督查")], ["综合部"])
    month.findings.append(StoredFinding(severity="error", code="task.not_listed", department="综合部",
                                        file="任务清单.xlsx", value="文明创建",
                                        message="市里交办的“文明创建”未纳入台账。"))
    report = compare(month, None, config=Config())
    checks = next(s for s in bulletin_sections(report) if s.kind is SectionKind.CHECKS)
    assert checks.name == "账实不符、应纳未纳和应标未标情况"
    assert [p.name for p in checks.parts][:2] == ["账实不符", "应纳未纳"]
    assert [(r.item, r.detail) for r in checks.of_kind("应纳未纳")] == [("文明创建", "市里交办的“文明创建”未纳入台账。")]
    assert not checks.of_kind("填报错误")  # claimed by its part, not listed again


# --------------------------------------------------------------------------------------------
# Date and 署名 (GB/T 9704), 28 characters a line
# --------------------------------------------------------------------------------------------


def _chars(text: str) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def test_the_date_is_four_characters_in_and_the_issuer_centred_over_it(examples: dict[str, MonthReport]) -> None:
    doc = build_bulletin(examples["2022-05"], issued=dt.date(2022, 5, 2))
    paragraphs = doc.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "2022年5月2日")  # 月、日不编虚位
    assert [p.text for p in paragraphs[at - 2:at]] == ["济宁市港航事业发展中心", "重点工作督查考核领导小组"]
    assert "".join(p.text for p in paragraphs[at - 2:at]) == ISSUER
    date = paragraphs[at]
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent.pt / GRID_CHAR_PT == pytest.approx(DATE_RIGHT_CHARS, abs=1e-3)  # 右空四字
    centre = DATE_RIGHT_CHARS + _chars("2022年5月2日") / 2  # from the right edge
    for p in paragraphs[at - 2:at]:
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        fmt = p.paragraph_format
        left, right = fmt.left_indent.pt / GRID_CHAR_PT, fmt.right_indent.pt / GRID_CHAR_PT
        assert left >= 0 and right >= 0
        assert CHARS_PER_LINE - left - right >= _chars(p.text)  # fits on one line
        assert right + (CHARS_PER_LINE - left - right) / 2 == pytest.approx(centre, abs=1e-3)  # over the date
    # 附件说明 before the signature, the 附件 after it
    texts = [p.text for p in paragraphs]
    assert texts.index("附件：1.事项变动情况表") < at < texts.index("附件1")


def test_the_page_holds_22_lines_of_28_characters(examples: dict[str, MonthReport]) -> None:
    doc = build_bulletin(examples["2022-05"], issued=ISSUED)
    body = doc.sections[0]
    normal = doc.styles["Normal"]
    condensed = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20  # points
    pitch = normal.font.size.pt + condensed
    text_width = Length(body.page_width - body.left_margin - body.right_margin).pt
    assert int(text_width / pitch) == CHARS_PER_LINE == 28
    text_height = Length(body.page_height - body.top_margin - body.bottom_margin).pt
    line = Length(normal.paragraph_format.line_spacing).pt
    assert int(text_height / line) == 22
    for section in doc.sections:  # no character grid: LibreOffice would space 三号 out to two cells
        assert section._sectPr.find(qn("w:docGrid")).get(qn("w:charSpace")) is None
    assert int(doc.styles["通报表格文字"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))) == 0


def test_report_date_and_issuer_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    toml = tmp_path / "taizhang.toml"
    toml.write_text('issuer = "市港航事业发展中心督查办"\n', encoding="utf-8")
    config = load_config(toml)
    with Store(db) as store:
        merged = merge_inbox(ROOT / "examples" / "2022-04", config=config, month="2022-04")
        store.save_month(snapshot_of(merged, config))
    out = tmp_path / "通报.docx"
    result = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--config", str(toml),
                                 "--date", "2022年4月15日", "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = [p.text for p in Document(str(out)).paragraphs]
    at = texts.index("2022年4月15日")
    assert texts[at - 1] == "市港航事业发展中心督查办"  # fits on one line over the date
    xlsx = tmp_path / "通报.xlsx"
    assert runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--config", str(toml),
                               "--date", "2022-04-15", "-o", str(xlsx)]).exit_code == 0
    ws = load_workbook(xlsx)["下步工作要求"]
    values = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    assert values[-2:] == ["市港航事业发展中心督查办", "2022年4月15日"]
    bad = runner.invoke(app, ["report", "--month", "2022-04", "--db", str(db), "--date", "2022-02-30"])
    assert bad.exit_code == 2 and "成文日期" in bad.stderr


def test_the_issuer_defaults_to_the_notice_and_init_writes_it() -> None:
    from taizhang.config import init_text

    assert Config().issuer == ISSUER == "济宁市港航事业发展中心重点工作督查考核领导小组"
    assert f'issuer = "{ISSUER}"' in init_text()


# --------------------------------------------------------------------------------------------
# Draft text is highlighted
# --------------------------------------------------------------------------------------------


def test_the_draft_requirements_are_highlighted_with_a_note(examples: dict[str, MonthReport]) -> None:
    may = examples["2022-05"]
    requirements = next(s for s in bulletin_sections(may) if s.kind is SectionKind.REQUIREMENTS)
    assert requirements.draft and requirements.title == "八、下步工作要求"
    doc = build_bulletin(may, issued=ISSUED)
    paragraphs = doc.paragraphs
    highlighted = [p.text for p in paragraphs
                   if p.runs and all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in p.runs)]
    assert highlighted == [requirements.note, *requirements.paragraphs]
    assert "须人工改写" in requirements.note and "不得印发" in requirements.note
    # nothing else is highlighted
    others = [p.text for p in paragraphs if p.text not in highlighted and any(r.font.highlight_color for r in p.runs)]
    assert others == []
    ws = build_bulletin_workbook(may, issued=ISSUED)["下步工作要求"]
    filled = [ws.cell(r, 1) for r in range(3, ws.max_row + 1) if ws.cell(r, 1).fill.fgColor.rgb.endswith("FFFF00")]
    assert [c.value for c in filled] == [requirements.note, *requirements.paragraphs]


# --------------------------------------------------------------------------------------------
# Colour words
# --------------------------------------------------------------------------------------------


def test_an_item_newly_marked_yellow_is_never_called_worse() -> None:
    feb = _snapshot("2022-02", [_it("综合部", "档案", colour=Colour.NONE), _it("综合部", "督查", colour=Colour.RED)],
                    ["综合部"])
    mar = _snapshot("2022-03", [_it("综合部", "档案", colour=Colour.YELLOW), _it("综合部", "督查", colour=Colour.RED)],
                    ["综合部"])
    report = compare(mar, feb, config=Config())
    assert report.worsened == [] and report.improved == []
    assert "由未标注改标黄色1项" in report.comparison and "转差" not in report.comparison
    sections = {s.kind: s for s in bulletin_sections(report)}
    assert [r.item for r in sections[SectionKind.MIDDLE].rows] == ["档案"]
    assert [r.item for r in sections[SectionKind.SLOW].rows] == ["督查"]  # not under 缓慢
    assert "（其中1项上月未标注颜色，本月标为黄色）" in sections[SectionKind.MIDDLE].paragraphs[0]
    body = "\n".join(p.text for p in build_bulletin(report, issued=ISSUED).paragraphs)
    assert "转差" not in body and "由未标注颜色转为黄色。" in body
    cells = [str(c.value) for ws in build_bulletin_workbook(report, issued=ISSUED) for row in ws.iter_rows()
             for c in row if c.value is not None]
    assert not any("转差" in c for c in cells if not c.startswith("颜色转差"))  # the 0-row label of 总体情况
    assert "未标注颜色→黄色" in cells


# --------------------------------------------------------------------------------------------
# Line breaks inside cells
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "joined"), [
    ("推进港口船舶岸电\n设施建设", "推进港口船舶岸电设施建设"),
    ("完成年度投资\n计划的40%", "完成年度投资计划的40%"),
    ("营运船舶北斗/AIS\nterminal online", "营运船舶北斗/AIS terminal online"),
    ("1.完成方案编制\n2.启动招标", "1.完成方案编制；2.启动招标"),
    ("完成方案编制。\n启动招标", "完成方案编制。启动招标"),
    ("主要工作：\n1.完成方案", "主要工作：1.完成方案"),
    ("完成投资\n1.5亿元", "完成投资1.5亿元"),
    ("  已完成\r\n\r\n  验收  ", "已完成验收"),
    # Two rows of a merged item (or two lines of a cell): a per cent figure ends the first statement.
    ("完成投资2.1亿元，完成年度计划38%\n码头主体完成进度48%", "完成投资2.1亿元，完成年度计划38%；码头主体完成进度48%"),
    ("完成年度计划38%\n以上", "完成年度计划38%以上"),
    ("完成40％\n左右", "完成40％左右"),
    ("完成年度计划38%\n（含续建项目）", "完成年度计划38%（含续建项目）"),
])
def test_one_line_joins_wrapped_cell_text_as_it_reads(text: str, joined: str) -> None:
    assert one_line(text) == joined


@pytest.mark.parametrize(("text", "written"), [
    ("规划科\n吴昊", "规划科/吴昊"), ("规划科 吴昊", "规划科/吴昊"), ("规划科／吴昊", "规划科/吴昊"),
    ("规划科 / 吴昊", "规划科/吴昊"), ("规划科/吴昊", "规划科/吴昊"), ("吴昊", "吴昊"),
])
def test_owner_is_written_one_way(text: str, written: str) -> None:
    assert owner_line(text) == written


def test_leaders_on_two_lines_are_listed() -> None:
    assert names_line("张三\n李四") == "张三、李四"


def test_no_sentence_is_broken_by_a_cell_line_break(tmp_path: Path) -> None:
    """Ledgers written with Alt+Enter inside 工作事项, 推进情况 and 责任科室/责任人 (as 附件2's own header)."""
    inbox = tmp_path / "inbox"
    wrapped = [item("推进港口船舶岸电\n设施建设", colour="red", owner="规划科\n吴昊", leader="钱卫东",
                    progress="完成年度投资\n计划的10%，\n落后于时序进度"),
               item("开展水运\n课题研究", colour="yellow", owner="规划科 周晓雯"),
               item("争取上级\n资金支持", colour="blue", owner="项目科／魏书涵", progress="完成年度计划\n50%")]
    build_ledger(inbox / "规划发展部.xlsx", wrapped, department="规划发展部", date="填报日期：2022年4月3日")
    config = Config(departments=["规划发展部"])
    with Store(tmp_path / "h.db") as store:
        store.save_month(snapshot_of(merge_inbox(inbox, config=config, month="2022-04"), config))
        report = build_report(store, "2022-04", config=config)
    doc = build_bulletin(report, issued=ISSUED)
    for p in doc.paragraphs:
        assert "\n" not in p.text, p.text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "推进港口船舶岸电设施建设。" in body and "开展水运课题研究。" in body and "争取上级资金支持。" in body
    assert "责任科室/责任人：规划科/吴昊" in body and "责任科室/责任人：规划科/周晓雯" in body
    assert "推进情况：完成年度投资计划的10%，落后于时序进度。" in body
    assert "责任科室\n责任人" not in body and "分管\n负责人" not in body
    wb = build_bulletin_workbook(report, issued=ISSUED)
    for ws in wb:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or "\n" not in value:
                    continue
                # only column headers and the appendix's one-item-per-line lists break lines
                header = ws.cell(cell.row, 1).value in ("序号", "部室（单位）")
                listed = ws.title == "分部室" and all(one_line(line) == line for line in value.split("\n"))
                assert header or listed, (ws.title, cell.coordinate, value)
    slow = wb["进展缓慢事项"]
    assert [slow.cell(3, c).value for c in (7, 8)] == ["分管负责人", "责任科室/责任人"]
    assert [slow.cell(4, c).value for c in (4, 8)] == ["推进港口船舶岸电设施建设", "规划科/吴昊"]


# --------------------------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_docx_renders_28_characters_a_line_with_the_signature(
        examples: dict[str, MonthReport], tmp_path: Path, soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    from taizhang.writing.bulletin_docx import write_bulletin_docx

    docx = write_bulletin_docx(examples["2022-05"], tmp_path / "通报.docx", issued=ISSUED)
    pdf = soffice_convert(docx, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return
    raw = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = raw.split("\f")
    signature_page = next(p for p in pages if "2022年5月12日" in p.replace(" ", ""))
    flat = "".join(signature_page.split())
    assert "重点工作督查考核领导小组2022年5月12日" in flat  # the 署名 over the date, on one page
    assert "附件：1.事项变动情况表" in flat  # with the 附件说明
    text_pages = pages[:pages.index(signature_page) + 1]
    lines = [line.replace(" ", "") for page in text_pages for line in page.splitlines()
             if line.strip() and not line.strip().startswith("—")]
    fc_list = shutil.which("fc-list")
    if fc_list and subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout.strip():
        # with a Chinese font to measure (without one LibreOffice draws narrower boxes)
        for line in lines:  # a closing mark may hang past the 28th character (避头尾), nothing else
            assert _chars(line.rstrip("，。、；：？！）”")) <= CHARS_PER_LINE, line
        full = [line for line in lines if _chars(line) == CHARS_PER_LINE]
        assert len(full) >= 5  # full lines of Chinese hold 28 characters
    assert "事项数变化：上月52项，本月61项" in "".join(raw.split())
    # the date ends four characters (of 15.75pt) before the right margin (A4 210mm, 右 26mm)
    page = pages.index(signature_page) + 1
    bbox = subprocess.run([pdftotext, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = [(float(y), float(x1), w) for y, x1, w in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox)]
    year = next(y for y, _, w in words if w == "2022")
    right = max(x1 for y, x1, _ in words if abs(y - year) < 1)
    margin = (210 - 26) / 25.4 * 72
    assert (margin - right) / GRID_CHAR_PT == pytest.approx(DATE_RIGHT_CHARS, abs=0.5)


@pytest.mark.libreoffice
def test_xlsx_with_every_section_renders(examples: dict[str, MonthReport], tmp_path: Path,
                                         soffice_convert: Callable[[Path, str, Path], Path]) -> None:
    out = write_bulletin_xlsx(examples["2022-05"], tmp_path / "通报.xlsx", issued=ISSUED)
    pdf = soffice_convert(out, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return
    text = "".join(subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for title in ("三、进展较快事项", "五、中间位次及预计较好事项", "六、账实不符、应纳未纳和应标未标情况", "八、下步工作要求"):
        assert title in text


def test_with_a_bulletin_written_the_terminal_shows_the_first_rows_of_a_long_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A year of 60 departments lists thousands of changes: with -o the terminal is a look at the
    bulletin (the first rows and how many more the file holds); without -o it shows them all."""
    from taizhang.cli import report as cli_report

    before = _snapshot("2022-03", [_it("综合部", "督查")], ["综合部"])
    now = _snapshot("2022-04", [_it("综合部", "督查"), *(_it("综合部", f"新增事项{i:03}") for i in range(55))],
                    ["综合部"])
    report = compare(now, before, config=Config())
    assert len(report.new) == 55
    cli_report.render_report(report, Config(), limit=cli_report.TERMINAL_ROWS)
    shown = capsys.readouterr().out
    assert "新增事项039" in shown and "新增事项040" not in shown
    assert f"另有 {55 - cli_report.TERMINAL_ROWS} 项未在此列出" in shown
    cli_report.render_report(report, Config())
    full = capsys.readouterr().out
    assert "新增事项054" in full and "另有" not in full
