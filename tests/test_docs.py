"""The README documents every command, every finding code and every exit code (sqlite-utils' test_docs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from taizhang.cli import app
from taizhang.findings import AREAS, CODES

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "示例" in result.output
    assert f"taizhang {command}" in README


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_finding_code_is_listed_in_the_readme(code: str) -> None:
    assert f"`{code}`" in README


def test_every_code_starts_with_a_known_area() -> None:
    assert {code.split(".")[0] for code in CODES} <= set(AREAS)


def test_readme_has_the_two_quick_start_commands_and_ci_runs_the_test_one() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = 'python -m pip install -e ".[test]" && python -m pytest'
    assert test_command in README
    assert test_command in ci


def test_code_is_ruff_clean() -> None:
    # ruff is in the test extra: run it through this interpreter, so a missing ruff fails instead of
    # skipping silently (a venv's scripts are not always on PATH).
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_type_checks() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_never_imports_typer_or_rich() -> None:
    core = [p for p in (ROOT / "src" / "taizhang").rglob("*.py") if "cli" not in p.parts]
    for path in core:
        text = path.read_text(encoding="utf-8")
        assert "import typer" not in text and "from typer" not in text, path
        assert "import rich" not in text and "from rich" not in text, path


def test_every_progress_flag_is_listed_in_the_readme() -> None:
    from taizhang.progress import FLAG_TITLES

    for code in FLAG_TITLES:
        assert f"`{code}`" in README
