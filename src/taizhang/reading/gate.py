"""The safety gate: decide what a file is and whether it may be opened, before any parser sees it.

Every workbook is untrusted. This module bounds the file's size and what its zip inflates to,
refuses XML with DTDs (entity bombs), recognises encrypted Office files, and turns every way a
file can fail to open into one ``UnreadableFile`` with a Chinese message.
"""

from __future__ import annotations

import errno
import re
import stat
import zipfile
from pathlib import Path

from ..errors import UnreadableFile
from ..findings import finding
from .grid import RawWorkbook

MAX_FILE_BYTES = 64 * 1024 * 1024  # a ledger is a few hundred KB; 64 MB is generous
MAX_XLS_BYTES = 16 * 1024 * 1024  # xlrd holds a whole .xls sheet in memory, uncompressed
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # what all members of an .xlsx may inflate to, together
MAX_MEMBERS = 5_000
# The parts read whole (workbook, relationships, styles, theme): a few KB to a few MB in any real
# workbook. The sheets are streamed and bounded by their cells, the shared strings by their count.
MAX_PART_BYTES = 32 * 1024 * 1024
_STREAMED_PARTS = re.compile(r"^xl/(?:worksheets/[^/]+\.xml|sharedStrings\.xml)$")
_UNREAD_PARTS = re.compile(r"^xl/(?:media|embeddings|printerSettings|drawings|externalLinks|pivotCache)/")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def unreadable(code: str, **fields: object) -> UnreadableFile:
    return UnreadableFile(finding(code, sheet=None, cell=None, value=None, **fields))


ODS_ADVICE = ("这是 OpenDocument 表格（.ods，LibreOffice/WPS 的格式）。请在 LibreOffice 中“文件→另存为”，"
              "文件类型选“Excel 2007-365 (.xlsx)”")
# As the detail of file.unsupported, whose template goes on "，请用 Excel 或 WPS 另存为 .xlsx 后再发送": one advice.
_ODS_DETAIL = f"{ODS_ADVICE}即可；没有 LibreOffice 时"


def regular_file_size(path: Path) -> int:
    """The size of ``path`` when it is a regular file (symbolic links followed); else raise
    ``UnreadableFile`` saying what it is. Reading a FIFO would block forever and a device such as
    /dev/zero never ends, so nothing but a regular file is ever opened."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise unreadable("file.not_found", path=path) from None
    except PermissionError:
        raise unreadable("file.no_permission", path=path) from None
    except (OSError, RuntimeError) as exc:
        if getattr(exc, "errno", None) == errno.ELOOP or isinstance(exc, RuntimeError):
            raise unreadable("file.not_a_file", path=path, what="符号链接指向自身，形成循环") from None
        raise unreadable("file.unreadable", detail=f"{type(exc).__name__}: {exc}"[:200]) from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return st.st_size
    if stat.S_ISDIR(mode):
        what = "这是一个文件夹；要汇总一个文件夹中的台账请用 taizhang merge"
    elif stat.S_ISFIFO(mode):
        what = "这是命名管道（FIFO）"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "这是设备文件"
    elif stat.S_ISSOCK(mode):
        what = "这是套接字"
    else:
        what = "这是特殊文件"
    raise unreadable("file.not_a_file", path=path, what=what)


def read_workbook(path: Path) -> RawWorkbook:
    """Open ``path`` as an .xlsx or .xls workbook, or raise ``UnreadableFile`` saying why not."""
    size = regular_file_size(path)
    if size == 0:
        raise unreadable("file.empty")
    if size > MAX_FILE_BYTES:
        raise unreadable("file.too_large", detail=f"文件有 {size / 1048576:.0f} MB")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise unreadable("file.no_permission", path=path) from None
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


def _declared_members(path: Path) -> int | None:
    """The member count the zip's end record declares (None when it cannot be read or is zip64),
    looked at before zipfile builds an object for every entry of the central directory."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65_557))  # the end record (22 bytes) and a comment of up to 64 KB
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 12 > len(tail):
        return None
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    return None if count == 0xFFFF else count


def _check_zip(path: Path) -> None:
    """Bound the inflated size and refuse DTDs; zipfile enforces each member's declared size."""
    declared = _declared_members(path)
    if declared is not None and declared > MAX_MEMBERS:
        raise unreadable("file.too_large", detail=f"压缩包内有 {declared} 个部件")
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
                    raise unreadable("file.unsupported", detail=_ODS_DETAIL)
                raise unreadable("file.not_workbook", detail="（压缩包中没有工作簿）")
            for info in infos:
                # Excel writes members stored or deflated, never encrypted: anything else is a
                # damaged or hand-made file (and would fail, or cost, in the readers).
                if info.flag_bits & 0x1:
                    raise unreadable("file.corrupt", detail=f"压缩包中的 {info.filename} 设有密码，这不是 Excel 的加密方式")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    method = _METHODS.get(info.compress_type, f"第 {info.compress_type} 种")
                    raise unreadable("file.corrupt", detail=f"压缩包中的 {info.filename} 使用了 Excel 不用的压缩方式（{method}）")
                # Deflate never grows data by more than a few bytes a block: a member packed larger
                # than it says it inflates to declares a false size (a bomb inflating far past it).
                if info.compress_size > info.file_size + info.file_size // 100 + 1024:
                    raise unreadable("file.corrupt", detail=f"压缩包中 {info.filename} 的大小记录不实")
                if info.file_size > MAX_PART_BYTES and not _STREAMED_PARTS.match(info.filename) \
                        and not _UNREAD_PARTS.match(info.filename):
                    raise unreadable("file.too_large", detail=f"部件 {info.filename} 解压后有 {info.file_size / 1048576:.0f} MB")
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
    except PermissionError:
        raise unreadable("file.no_permission", path=path) from None
    except Exception as exc:  # noqa: BLE001  zlib.error, LZMAError, RuntimeError, EOFError…: all damage
        raise unreadable("file.corrupt", detail=f"压缩数据损坏；技术信息：{type(exc).__name__}: {exc}"[:200]) from None


_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64"}


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
