"""Review of issues 11 and 12 under hostile and messy input: the new commands never crash, one bad
department or task never costs the others, and text typed by a clerk never becomes a formula."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from builders import build_xls
from taizhang.cli import app
from taizhang.models import Config
from taizhang.saving import merge_and_save

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
