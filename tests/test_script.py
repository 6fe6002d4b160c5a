"""The ``taizhang`` script as a user runs it: a process of its own, which ends without Python's
teardown (``cli.run``). Whatever it printed or wrote must be complete, and its exit code the command's."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang.cli import app

ROOT = Path(__file__).resolve().parents[1]


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "taizhang", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=120)


def test_merge_by_the_script_writes_the_whole_workbook_store_and_json(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for department in ("综合部", "规划发展部"):
        build_ledger(inbox / f"{department}.xlsx", [item(f"{department}事项{i}") for i in range(40)],
                     department=department)
    out, db = tmp_path / "汇总.xlsx", tmp_path / "taizhang.db"
    proc = script("merge", str(inbox), "-o", str(out), "--db", str(db), "--month", "2022-04",
                  "--date", "2022-04-05", "--json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    result = json.loads(proc.stdout)  # the JSON is whole: flushed before the process ended
    assert result["counts"]["total"] == 80
    assert result["output"] == str(out)
    wb = openpyxl.load_workbook(out)  # the workbook is whole: closed before the process ended
    assert wb.sheetnames == ["汇总", "台账", "问题清单"]
    with sqlite3.connect(db) as con:  # and the month committed
        assert con.execute("SELECT count(*) FROM items WHERE month = '2022-04'").fetchone()[0] == 80


def test_the_script_exits_with_the_commands_code_and_output(tmp_path: Path) -> None:
    ledger = tmp_path / "综合部.xlsx"
    build_ledger(ledger, [item("政务信息报送", stars="★★★★")], department="综合部")  # a star too many: an error
    proc = script("validate", str(ledger), "--json", cwd=tmp_path)
    in_process = CliRunner().invoke(app, ["validate", str(ledger), "--json"])
    assert proc.returncode == in_process.exit_code == 1
    assert json.loads(proc.stdout) == json.loads(in_process.stdout)


def test_a_usage_error_by_the_script_is_explained_with_exit_code_2(tmp_path: Path) -> None:
    proc = script("merge", cwd=tmp_path)
    assert proc.returncode == 2
    assert "缺少参数" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_script_stays_quiet_when_its_reader_stops_reading(tmp_path: Path) -> None:
    # taizhang --help | head -1: the pipe is closed while help is written.
    proc = subprocess.Popen([sys.executable, "-m", "taizhang", "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err
