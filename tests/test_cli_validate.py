"""``taizhang validate`` as a clerk and a script use it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from builders import build_ledger, item
from taizhang.cli import app
from taizhang.validate import validate_files

runner = CliRunner()

CLEAN = [item("推进港口船舶岸电设施建设", colour="blue", stars="★★★", source="AB"),
         item("船舶污染物接收转运处置", colour="yellow")]
BROKEN = [item("内河航道整治", stars="★★★★", source="E", leader=""), item("水路运输市场监管", stars="3星")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_clean_file_exits_0_and_shows_counts(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", CLEAN)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "规划发展部" in result.output and "通过" in result.output and "共 2 项" in result.output


def test_errors_exit_1_and_show_cell_and_advice(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部.xlsx", BROKEN, summary=None)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "H5" in result.output and "只能填 ★★★、★★ 或 ★" in result.output
    assert "I5" in result.output and "F5" in result.output


def test_an_unusable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    good = build_ledger(tmp_path / "规划发展部.xlsx", CLEAN)
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("nonsense", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "不是 Excel 工作簿" in result.output


def test_json_output_is_only_json_and_equals_the_library_model(tmp_path: Path) -> None:
    a = build_ledger(tmp_path / "规划发展部.xlsx", CLEAN)
    b = build_ledger(tmp_path / "污染防治部.xlsx", BROKEN, department="污染防治部", summary=None)
    result = runner.invoke(app, ["validate", "--json", str(a), str(b)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data == validate_files([a, b]).model_dump(mode="json")
    first = data["files"][0]
    assert set(first) >= {"file", "department", "date", "ok", "counts", "items", "findings"}
    assert set(first["counts"]) >= {"total", "stars", "sources", "colours"}
    assert set(first["items"][0]) >= {"row", "no", "name", "target", "progress", "judgement", "colour", "leader",
                                      "owner", "stars", "source", "note", "closed", "extra"}
    assert first["items"][0]["source"] == "AB"
    assert set(data["files"][1]["findings"][0]) >= {"severity", "code", "sheet", "cell", "message"}


def test_annotate_writes_a_commented_copy_and_leaves_the_input_alone(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "in" / "规划发展部.xlsx", BROKEN, summary=None)
    before = sha(path)
    out = tmp_path / "退回"
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert sha(path) == before
    copies = list(out.glob("*.xlsx"))
    assert len(copies) == 1
    ws = load_workbook(copies[0]).active
    assert ws["H5"].comment is not None and "★★★★" in ws["H5"].comment.text
    assert ws["H5"].border.left.style == "medium"
    assert ws["I5"].comment is not None


@pytest.mark.libreoffice
def test_annotate_an_xls_gives_an_xlsx_copy(tmp_path: Path, soffice_convert) -> None:  # type: ignore[no-untyped-def]
    src = build_ledger(tmp_path / "src" / "规划发展部.xlsx", BROKEN, summary=None)
    xls = soffice_convert(src, "xls", tmp_path / "in")
    before = sha(xls)
    result = runner.invoke(app, ["validate", str(xls), "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert sha(xls) == before
    copy = next((tmp_path / "out").glob("*.xlsx"))
    assert load_workbook(copy).active["H5"].comment is not None


def test_annotate_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "规划发展部（问题标注）.xlsx", BROKEN, summary=None)
    before = sha(path)
    # The annotated copy of 规划发展部（问题标注）.xlsx in the same folder has a different name, so this is safe;
    # the input itself must never be the target.
    result = runner.invoke(app, ["validate", str(path), "--annotate", str(tmp_path)])
    assert sha(path) == before
    assert result.exit_code in (1, 2)


def test_no_arguments_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2


def test_every_command_has_chinese_help_with_an_example() -> None:
    for command in ("validate", "template"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "示例" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "taizhang" in result.output


def test_annotate_never_writes_over_another_input_and_keeps_same_named_copies_apart(tmp_path: Path) -> None:
    a = build_ledger(tmp_path / "a" / "综合部.xlsx", BROKEN, department="综合部", summary=None)
    b = build_ledger(tmp_path / "b" / "综合部.xlsx", BROKEN, department="综合部", summary=None)
    trap = build_ledger(tmp_path / "a" / "综合部（问题标注）.xlsx", BROKEN, department="综合部", summary=None)
    hashes = {p: sha(p) for p in (a, b, trap)}
    result = runner.invoke(app, ["validate", str(a), str(b), str(trap), "--annotate", str(tmp_path / "a")])
    assert result.exit_code == 1, result.output
    assert {p: sha(p) for p in hashes} == hashes
    copies = sorted(p.name for p in (tmp_path / "a").glob("*（问题标注）*.xlsx") if p != trap)
    assert len(copies) == 3  # a, b and the trap itself each annotated, none over an input


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(["report"], "缺少选项 --month"), (["validate"], "缺少参数 FILE..."), (["validate", "x.xlsx", "--bogus"], "没有 --bogus"),
     (["foo"], "没有 foo"), (["report", "--month"], "后面要跟一个值")],
)
def test_usage_errors_are_explained_in_chinese_with_exit_2(argv: list[str], expected: str,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, err = main_run(argv, monkeypatch, capsys)
    assert code == 2
    assert "用法错误" in err and expected in err and "--help" in err


def main_run(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[object, str]:
    """``taizhang *argv`` through the script's ``main``: its exit code and its stderr in one line."""
    from taizhang.cli import main

    monkeypatch.setattr("sys.argv", ["taizhang", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return exit_info.value.code, capsys.readouterr().err.replace("\n", "")


def test_chinese_option_help_wraps_instead_of_being_cut_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "…" not in result.output  # rich cuts a long unspaced line with an ellipsis
    assert "便于退回部室修改" in result.output.replace("│", "").replace(" ", "").replace("\n", "")
