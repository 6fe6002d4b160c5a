"""A cell filled to Excel's limit (32,767 characters; a hand-made file can hold megabytes) is quoted by
its start: the message, the terminal table and the 问题清单 row stay short, the JSON value keeps it all."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang.cli import app
from taizhang.validate import validate_file


def test_a_cell_filled_to_excels_limit_is_quoted_by_its_start_and_kept_whole_in_the_value(tmp_path: Path) -> None:
    pasted = "十二" * 16_383 + "十"  # 32,767 characters, as many as Excel lets a clerk paste into a cell
    path = build_ledger(tmp_path / "规划发展部台账.xlsx", [item("推进港口岸电建设", no=pasted), item("加快航道整治")])
    report = validate_file(path)
    f = next(f for f in report.findings if f.code == "numbering.invalid")
    assert f.cell == "A5"
    assert len(f.message) < 200
    assert "“十二十二" in f.message and "共32767字" in f.message
    assert f.value == pasted

    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "A5" in result.output and len(result.output) < 5_000
    shown = json.loads(CliRunner().invoke(app, ["validate", "--json", str(path)]).stdout)
    assert [x["value"] for x in shown["files"][0]["findings"] if x["code"] == "numbering.invalid"] == [pasted]
