"""The report's fast paths give what the plain ones gave, on a year-like history of changes.

``build_report`` reads earlier months lightly (``Store.load_history_month``): its report must be
the comparison of the full stored months. The .docx writer adds paragraphs, styles and table rows
without python-docx's whole-body scans, and writes table rows as XML: its document must be the
one python-docx's own calls build, part for part.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from docx.document import Document as DocxDocument
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

from taizhang.models import Colour, Config, Counts, DepartmentEntry, MonthSnapshot, StoredItem, jsonable
from taizhang.report import build_report, compare
from taizhang.store import Store
from taizhang.writing import bulletin_docx

DEPARTMENTS = ["规划发展部", "财务部", "工程建设部", "海事服务部", "航道管理部"]
CONFIG = Config(departments=DEPARTMENTS)
MONTHS = [f"2022-{m:02d}" for m in range(1, 8)]
CYCLE = (Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE)


def _month(m: int) -> MonthSnapshot:
    """Month ``m`` of the history: items dropped, closed, reworded, recoloured and added; some
    red for months on end; 财务部 missing in month 3 and back in 4; 航道管理部 first in month 4."""
    month = MONTHS[m - 1]
    present = [d for d in DEPARTMENTS if not (d == "财务部" and m == 3) and not (d == "航道管理部" and m < 4)]
    items: list[StoredItem] = []
    for d, department in enumerate(present):
        row = 5
        for i in range(14):
            if (i + m + d) % 9 == 0:
                continue  # dropped this month
            colour = CYCLE[(i * 7 + m + d) % 4] if (i + m) % 5 == 0 else CYCLE[(i + d) % 4]
            if i % 3 == 0 and i % 6 != 0:
                colour = Colour.RED  # red for months on end
            name = f"推进{department}第{i + 1}项重点工作" + ("（调整表述）" if (i + m) % 7 == 0 else "")
            items.append(StoredItem(
                row=row, key="", department=department, name=name, colour=colour, leader="张三",
                owner="规划科/李四", progress=f"完成年度计划{(i * 13 + m * 7) % 100}%", closed=(i + 2 * m) % 11 == 0,
                stars="★" * (1 + i % 3), source="ABCD"[i % 4]))
            row += 1
        for k in range(m % 3):  # 补录
            items.append(StoredItem(row=row + k, key="", department=department, name=f"{m}月新增事项{k}",
                                    colour=CYCLE[k % 4], progress="全市第2位"))
        if m == len(MONTHS) and d < 2:  # text a run writes as more than text, spaces, XML's own marks
            items.append(StoredItem(row=row + 5, key="", department=department, colour=Colour.RED,
                                    name=" 开展“A&B<C>”专项\t检查 " if d == 0 else "推进\r\n岸电  "))
    entries = [DepartmentEntry(department=d, file=f"{d}.xlsx", date=f"{month}-0{3 + i % 4}",
                               late=i % 4 == 3, counts=Counts(total=sum(1 for it in items if it.department == d)))
               for i, d in enumerate(present)]
    return MonthSnapshot(month=month, date=f"{month}-05", center="市港航事业发展中心", sentence="",
                         counts=Counts(total=len(items)), departments=entries, items=items,
                         missing=[d for d in DEPARTMENTS if d not in present and m >= 4])


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("history") / "taizhang.db"
    with Store(db) as store:
        for m in range(1, len(MONTHS) + 1):
            store.save_month(_month(m))
    return db


def _reference(store: Store, month: str) -> dict:
    """The report as the comparison of full months, newest first."""
    stored = store.months()
    before = [store.load_month(m) for m in reversed(stored[:stored.index(month)])]
    report = compare(store.load_month(month), before[0] if before else None, config=CONFIG, earlier=before[1:])
    return jsonable(report)


@pytest.mark.parametrize("month", MONTHS)
def test_a_report_from_light_earlier_months_is_the_comparison_of_full_months(history: Path, month: str) -> None:
    with Store(history) as store:
        fast = jsonable(build_report(store, month, config=CONFIG))
        assert fast == _reference(store, month)
    if month == MONTHS[-1]:  # the history really holds what the light months must carry
        assert fast["persistent_red"] and fast["renamed"] and fast["new"] and fast["closed"]
        assert fast["colour_changes"]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_bulletin_is_what_python_docx_own_calls_build(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(history) as store:
        report = build_report(store, MONTHS[-1], config=CONFIG)
    issued = dt.date(2022, 7, 12)
    fast = _parts(bulletin_docx.bulletin_bytes(report, issued=issued))

    def add_paragraph(doc: DocxDocument, text: str = "", style: str | None = None) -> Paragraph:
        return doc.add_paragraph(text, style=style)

    def style(paragraph: Paragraph, name: str) -> None:
        paragraph.style = name

    def add_row(table: Table, grid: object) -> _Row:
        return table.add_row()

    monkeypatch.setattr(bulletin_docx, "_add_paragraph", add_paragraph)
    monkeypatch.setattr(bulletin_docx, "_style", style)
    def add_rows(self: bulletin_docx._Rows, values: Sequence[object], aligns: Sequence[object], *,
                 bold: bool = False, fills: Sequence[str | None] = ()) -> None:
        self._slow(values, aligns, bold, fills)  # type: ignore[arg-type]

    monkeypatch.setattr(bulletin_docx, "_add_row", add_row)
    monkeypatch.setattr(bulletin_docx._Rows, "add", add_rows)
    plain = _parts(bulletin_docx.bulletin_bytes(report, issued=issued))
    assert list(fast) == list(plain)
    for name, data in plain.items():
        assert fast[name] == data, name
    assert "事项变动情况表".encode() in fast["word/document.xml"]


@pytest.mark.parametrize("bold", [False, True])
def test_a_table_row_written_as_xml_is_the_row_python_docx_builds(bold: bool) -> None:
    values = (" 前后有空格 ", "A&B<C>“引号”\"", "两行\n第二行", "制表\t符", "", 12)
    aligns = (None, bulletin_docx.WD_ALIGN_PARAGRAPH.LEFT, None, None, bulletin_docx.WD_ALIGN_PARAGRAPH.LEFT, None)
    fills = (None, "FF0000", None, None, None, None)
    built = []
    for fast in (True, False):
        doc = bulletin_docx.Document()
        bulletin_docx._setup_styles(doc)
        table, widths = bulletin_docx._table(doc, [f"列{i}" for i in range(len(values))], [10, 20, 30, 20, 10, 10])
        rows = bulletin_docx._Rows(doc, table, widths)
        for shown in (values, values[:3] + ("无制表符",) + values[4:]):
            if fast:
                rows.add(shown, aligns, bold=bold, fills=fills)
            else:
                rows._slow(shown, aligns, bold, fills)
        built.append(bulletin_docx.serialize_part_xml(table._tbl))
    assert built[0] == built[1]
