"""Workbooks saved by real applications, kept in tests/data for their quirks.

Both files were made from one openpyxl ledger (theme fill with tint, dark red, orange-yellow,
an item merged over two rows, ``=ROW()-4`` in 序号, a quote-prefixed ``=HYPERLINK`` text, a real
date cell, ``序 号``, an extra 完成时限 column, a 销号 item) and saved by LibreOffice 7.4 as .xlsx
(plain RGB, no theme part, cached formula values) and as Excel 97 .xls (custom palette).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from taizhang.models import Colour
from taizhang.validate import validate_file

DATA = Path(__file__).parent / "data"
CASES = ["libreoffice_saved_merged_formula_theme.xlsx", "libreoffice_excel97_palette_merged.xls"]


@pytest.mark.parametrize("name", CASES)
def test_real_saved_ledgers_read_completely(name: str) -> None:
    path = DATA / name
    before = path.read_bytes()
    report = validate_file(path)
    assert path.read_bytes() == before
    assert report.usable and report.ok, report.findings
    assert report.department == "工程建设部"
    assert report.date == "2022-04-03"
    assert [i.no for i in report.items] == [1, 2, 3, 4]  # 序号 1 is the cached value of =ROW()-4
    assert [i.colour for i in report.items] == [Colour.BLUE, Colour.RED, Colour.YELLOW, Colour.NONE]
    first, merged = report.items[0], report.items[1]
    assert first.progress == '=HYPERLINK("http://example.com","岸电")'
    assert merged.target == "完成A码头主体\n完成B码头桩基"
    assert merged.progress == "A码头完成40%，进度滞后\nB码头完成20%"
    assert report.items[-1].closed
    assert report.counts.total == 3 and report.counts.closed == 1
    assert report.extra_columns == ["完成时限"]
    assert [f.code for f in report.findings] == ["summary.missing"]


def test_a_wrong_dimension_as_wps_writes_it_does_not_hide_rows(tmp_path: Path) -> None:
    src = DATA / CASES[0]
    path = tmp_path / "wps.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                start = data.index(b"<dimension")
                end = data.index(b"/>", start) + 2
                data = data[:start] + b'<dimension ref="A1:B2"/>' + data[end:]
            zout.writestr(info, data)
    assert validate_file(path).counts.total == 3
