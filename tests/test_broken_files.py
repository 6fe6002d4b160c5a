"""Files that cannot be read at all give one clear finding, never a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from builders import build_ledger, item
from taizhang.validate import validate_file

ITEMS = [item("推进港口船舶岸电设施建设", colour="blue")]


def only_code(path: Path) -> str:
    report = validate_file(path)
    assert not report.usable and not report.ok
    assert len(report.findings) == 1, report.findings
    f = report.findings[0]
    assert f.severity == "error" and f.message
    return f.code


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert only_code(tmp_path / "nope.xlsx") == "file.not_found"


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert only_code(path) == "file.empty"


def test_a_text_file_with_a_workbook_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    assert only_code(path) == "file.not_workbook"


def test_a_web_page_saved_as_xls_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>序号</td></tr></table></body></html>", encoding="utf-8")
    assert only_code(path) == "file.unsupported"


def test_a_word_document_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    report = validate_file(path)
    assert report.findings[0].code == "file.not_workbook" and "Word" in report.findings[0].message


def test_a_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    path = build_ledger(tmp_path / "full.xlsx", ITEMS)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert only_code(cut) == "file.corrupt"


def test_a_workbook_with_a_damaged_member_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(build_ledger(tmp_path / "ok.xlsx", ITEMS)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # XML cut off mid-element
            dst.writestr(info, data)
    assert only_code(path) == "file.corrupt"


def test_an_encrypted_workbook_asks_for_the_password_to_be_removed(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = build_ledger(tmp_path / "plain.xlsx", ITEMS)
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as fh, locked.open("wb") as out:
        OOXMLFile(fh).encrypt("1234", out)
    report = validate_file(locked)
    assert report.findings[0].code == "file.encrypted"
    assert "密码" in report.findings[0].message


def test_an_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    dtd = (
        b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(build_ledger(tmp_path / "ok.xlsx", ITEMS)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?>' + dtd + data.replace(b"<t>", b"<t>&lol3;", 1)
            dst.writestr(info, data)
    assert only_code(path) == "file.unsafe"


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML


def test_a_zip_that_inflates_past_the_bound_is_refused_before_unzipping(tmp_path: Path) -> None:
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(build_ledger(tmp_path / "ok.xlsx", ITEMS)) as src, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        chunk = b"\0" * (1 << 20)
        with dst.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(300):  # 300 MB of zeros, about 300 KB on disk
                member.write(chunk)
    assert path.stat().st_size < 2 << 20
    report = validate_file(path)
    assert report.findings[0].code == "file.too_large"


def test_an_xlsb_is_unsupported_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsb"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.bin", b"\0")
    report = validate_file(path)
    assert report.findings[0].code == "file.unsupported" and ".xlsx" in report.findings[0].message


def test_a_workbook_with_no_ledger_header(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "会议记录"
    path = tmp_path / "other.xlsx"
    wb.save(path)
    assert only_code(path) == "sheet.not_found"


def test_a_corrupt_ole_file_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert only_code(path) in {"file.corrupt", "file.not_workbook"}


@pytest.mark.parametrize("name", ["notes.xlsx", "cut.xlsx", "bomb.xlsx"])
def test_broken_inputs_are_left_byte_identical(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    data = io.BytesIO(b"PK\x03\x04garbage" * 10).getvalue()
    path.write_bytes(data)
    validate_file(path)
    assert path.read_bytes() == data


def test_an_unforeseen_failure_inside_one_file_is_a_finding_not_a_crash(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.validate as validate_module

    def explode(_book: object) -> None:
        raise ValueError("unexpected structure")

    monkeypatch.setattr(validate_module, "parse_ledger", explode)
    path = build_ledger(tmp_path / "x.xlsx", ITEMS)
    assert only_code(path) == "file.unreadable"


def test_millions_of_tiny_cells_are_refused_before_they_fill_memory(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import taizhang.reading.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_CELLS", 50)  # the same bound, at a size a test can build quickly
    path = build_ledger(tmp_path / "x.xlsx", [item(f"事项{i}") for i in range(20)])
    assert only_code(path) == "file.too_large"
