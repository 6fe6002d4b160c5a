"""Shared fixtures: LibreOffice conversion, a fixed console width, the ledger builder."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_soffice(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert ``src`` with LibreOffice into ``outdir`` (``fmt`` is ``xlsx``, ``xls``, ``pdf``…).

    soffice exits 0 even when it fails, so the output's existence is the check; each run gets its
    own profile so parallel runs do not hand their job to each other.
    """
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / f".lo-profile-{src.stem}-{fmt}"
    filter_arg = {"xls": "xls:MS Excel 97", "xlsx": "xlsx:Calc MS Excel 2007 XML"}.get(fmt, fmt)
    proc = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
         "--convert-to", filter_arg, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=180,
    )
    out = outdir / f"{src.stem}.{fmt}"
    if not out.exists():
        raise AssertionError(f"LibreOffice did not write {out}: {proc.stdout}{proc.stderr}")
    shutil.rmtree(profile, ignore_errors=True)
    return out


def convert_many_with_soffice(srcs: list[Path], fmt: str, outdir: Path) -> dict[Path, Path]:
    """Convert many files in ONE LibreOffice run (starting soffice is most of the cost of a conversion).

    Returns source -> output for every file LibreOffice wrote; a file it could not convert is absent,
    so one bad file never costs the others. The run gets its own profile, as in ``convert_with_soffice``.
    """
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not srcs:
        return {}
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / f".lo-profile-batch-{fmt}"
    filter_arg = {"xls": "xls:MS Excel 97", "xlsx": "xlsx:Calc MS Excel 2007 XML"}.get(fmt, fmt)
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
         "--convert-to", filter_arg, "--outdir", str(outdir), *map(str, srcs)],
        capture_output=True, text=True, timeout=60 + 20 * len(srcs),
    )
    shutil.rmtree(profile, ignore_errors=True)
    return {src: outdir / f"{src.stem}.{fmt}" for src in srcs if (outdir / f"{src.stem}.{fmt}").exists()}


@pytest.fixture
def soffice_convert() -> Callable[[Path, str, Path], Path]:
    return convert_with_soffice


@pytest.fixture(autouse=True)
def _fixed_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # rich wraps to the terminal width; tests must not depend on the machine's.
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("NO_COLOR", "1")
