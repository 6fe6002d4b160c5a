"""``scripts/screenshots.py``: the README's pictures, regenerated from the examples."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

from conftest import SOFFICE

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ("consolidated-summary.png", "consolidated-ledger.png", "bulletin.png")


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_missing_tools_are_named_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    module = script()
    monkeypatch.setattr(module.shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else name)
    assert module.main(["--out", str(tmp_path / "img")]) == 2
    err = capsys.readouterr().err
    assert "soffice" in err and "LibreOffice" in err
    assert not (tmp_path / "img").exists()
    monkeypatch.setattr(module.shutil, "which", lambda name: None if name == "pdftoppm" else name)
    assert module.main(["--out", str(tmp_path / "img")]) == 2
    assert "pdftoppm" in capsys.readouterr().err


def test_the_readme_shows_the_pictures_that_are_committed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in PICTURES:
        assert f"(docs/img/{name})" in readme
        path = ROOT / "docs" / "img" / name
        assert path.exists() and path.stat().st_size < 150_000, name  # small: a README picture


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_script_renders_the_examples_into_cropped_pngs(tmp_path: Path) -> None:
    module = script()
    if module.shutil.which("pdftoppm") is None or module.shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed")
    out = tmp_path / "img"
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "examples").rglob("*")}
    assert module.main(["--out", str(out)]) == 0
    # Worked on copies in a temporary folder: no history database or workbook left in examples/.
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "examples").rglob("*")} == before
    sizes = {name: png_size(out / name) for name in PICTURES}
    a4_long = int(297 / 25.4 * 60)  # the longer side of A4 at 60 dpi
    for name, (width, height) in sizes.items():
        assert 200 < width <= a4_long and 150 < height <= a4_long, (name, width, height)
    # Cropped to what is printed: narrower/shorter than the page.
    assert sizes["bulletin.png"][1] < a4_long and sizes["consolidated-summary.png"][0] < a4_long
