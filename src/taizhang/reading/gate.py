"""The safety gate: decide what a file is and whether it may be opened, before any parser sees it.

Every workbook is untrusted. This module bounds the file's size and what its zip inflates to,
refuses XML with DTDs (entity bombs), recognises encrypted Office files, and turns every way a
file can fail to open into one ``UnreadableFile`` with a Chinese message.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import UnreadableFile
from ..findings import finding
from .grid import RawWorkbook

MAX_FILE_BYTES = 64 * 1024 * 1024  # a ledger is a few hundred KB; 64 MB is generous
MAX_XLS_BYTES = 16 * 1024 * 1024  # xlrd holds a whole .xls sheet in memory, uncompressed
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # what all members of an .xlsx may inflate to, together
MAX_MEMBERS = 5_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def unreadable(code: str, **fields: object) -> UnreadableFile:
    return UnreadableFile(finding(code, sheet=None, cell=None, value=None, **fields))


def read_workbook(path: Path) -> RawWorkbook:
    """Open ``path`` as an .xlsx or .xls workbook, or raise ``UnreadableFile`` saying why not."""
    if not path.exists() or not path.is_file():
        raise unreadable("file.not_found", path=path)
    size = path.stat().st_size
    if size == 0:
        raise unreadable("file.empty")
    if size > MAX_FILE_BYTES:
        raise unreadable("file.too_large", detail=f"文件有 {size / 1048576:.0f} MB")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        _check_zip(path)
        from .xlsx import read_xlsx

        return read_xlsx(path)
    if head == OLE_MAGIC:
        if size > MAX_XLS_BYTES:
            raise unreadable("file.too_large", detail=f"Excel 97 文件有 {size / 1048576:.0f} MB")
        _check_ole(path)
        from .xls import read_xls

        return read_xls(path)
    raise _not_a_workbook(path, head)


def _not_a_workbook(path: Path, head: bytes) -> UnreadableFile:
    with path.open("rb") as fh:
        start = fh.read(2048).lstrip().lower()
    if start.startswith((b"<html", b"<!doctype html", b"<?xml", b"mime-version")) or b"<table" in start:
        # Some systems export "Excel" files that are really web pages or XML spreadsheets.
        return unreadable("file.unsupported", detail="这是网页/XML 格式的表格，只是扩展名为 .xls")
    if head.startswith(b"%PDF"):
        return unreadable("file.not_workbook", detail="（这是 PDF 文件）")
    if head.startswith(b"PK"):
        return unreadable("file.corrupt", detail="压缩结构不完整")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return unreadable("file.unsupported", detail="这是文本/CSV 文件，不带颜色和格式")
    return unreadable("file.not_workbook", detail="")


def _check_zip(path: Path) -> None:
    """Bound the inflated size and refuse DTDs; zipfile enforces each member's declared size."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise unreadable("file.too_large", detail=f"压缩包内有 {len(infos)} 个部件")
            inflated = sum(i.file_size for i in infos)
            if inflated > MAX_INFLATED_BYTES:
                raise unreadable("file.too_large", detail=f"解压后将有 {inflated / 1048576:.0f} MB")
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                if "xl/workbook.bin" in names:
                    raise unreadable("file.unsupported", detail="这是 Excel 二进制工作簿（.xlsb）")
                if "word/document.xml" in names:
                    raise unreadable("file.not_workbook", detail="（这是 Word 文档）")
                if "ppt/presentation.xml" in names:
                    raise unreadable("file.not_workbook", detail="（这是 PowerPoint 演示文稿）")
                if "content.xml" in names:
                    raise unreadable("file.unsupported", detail="这是 WPS/LibreOffice 的 ODS 格式")
                raise unreadable("file.not_workbook", detail="（压缩包中没有工作簿）")
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as member:
                        # A DTD can only sit in the prolog, before the root element.
                        if _DTD.search(member.read(4096)):
                            raise unreadable("file.unsafe", detail=f"{info.filename} 含 DTD/实体声明")
    except UnreadableFile:
        raise
    except zipfile.BadZipFile:
        raise unreadable("file.corrupt", detail="压缩结构损坏，文件可能没有传输完整") from None
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise unreadable("file.corrupt", detail=str(exc) or type(exc).__name__) from None


def _check_ole(path: Path) -> None:
    """An OLE file is an .xls, or an encrypted .xlsx/.xls (msoffcrypto-tool tells which)."""
    import msoffcrypto
    from msoffcrypto.exceptions import FileFormatError

    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            encrypted = office.is_encrypted()
            kind = getattr(office, "format", "")
    except FileFormatError:
        return  # an OLE file msoffcrypto does not know (e.g. Excel 5 "Book" stream): xlrd decides
    except Exception as exc:  # noqa: BLE001  msoffcrypto raises many kinds on damaged files
        raise unreadable("file.corrupt", detail=str(exc) or type(exc).__name__) from None
    if encrypted:
        raise unreadable("file.encrypted")
    if kind == "ooxml":  # an OLE container around OOXML that is not encrypted: not a thing we read
        raise unreadable("file.unsupported", detail="这是受保护（IRM）的 Office 文件")
    if kind in ("doc97", "ppt97"):
        raise unreadable("file.not_workbook", detail="（这是 Word/PowerPoint 97 文档）")
