"""Whatever a department's file holds, what taizhang writes is well-formed and its text stays text."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from defusedxml.minidom import parseString
from typer.testing import CliRunner

from builders import build_xls
from taizhang.cli import app

runner = CliRunner()
NASTY = "岸电\x01建设\uffff<&>]]>"


def nasty_xls(path: Path) -> Path:
    """An .xls (as WPS writes them) whose texts carry characters XML cannot hold."""
    pytest.importorskip("xlwt")
    row = [1, NASTY, "目标\x0b一", '=HYPERLINK("http://x","y")', "红色", "王五", "综合科/赵六", "★★", "B", "@备注"]
    return build_xls(path, [row])


def assert_well_formed(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                parseString(zf.read(name))  # raises on any character XML cannot hold


def test_merge_and_report_outputs_are_well_formed_whatever_the_input_holds(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nasty_xls(tmp_path / "inbox" / "综合部.xls")
    result = runner.invoke(app, ["merge", "inbox", "--date", "2022-04-05", "-o", "汇总.xlsx", "--db", "t.db"])
    assert result.exit_code in (0, 1), result.output
    assert_well_formed(tmp_path / "汇总.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "汇总.xlsx")["台账"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "岸电建设<&>]]>" in texts
    assert '=HYPERLINK("http://x","y")' in texts and "@备注" in texts
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    for suffix in ("docx", "xlsx"):
        out = tmp_path / f"通报.{suffix}"
        report = runner.invoke(app, ["report", "--month", "2022-04", "--db", "t.db", "-o", str(out)])
        assert report.exit_code == 0, report.output
        assert_well_formed(out)


def test_checking_a_workbook_does_not_load_openpyxl() -> None:
    # Reading is the hot path of a merge; openpyxl's import alone costs each worker a tenth of a second.
    code = ("import sys; from taizhang.validate import validate_file; "
            f"validate_file({str(Path(__file__).parent / 'data' / 'libreoffice_saved_merged_formula_theme.xlsx')!r}); "
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
