"""Deterministic mutations of realistic ledger workbooks, and a supervised runner of the CLI over them.

Shared by ``tests/test_fuzz.py`` (a few hundred mutations in the suite) and ``benchmarks/fuzz.py``
(10,000). Everything is reproducible from ``(seed, index)``: the same pair always gives the same
bytes, so a crash found by the benchmark is re-made with ``benchmarks/fuzz.py --only INDEX``.

Seeds are workbooks as departments send them: the shipped examples (Excel-, WPS- and
LibreOffice-shaped .xlsx, xlwt .xls), a LibreOffice-saved .xls and .xlsx from ``tests/data`` and
ledgers from ``tests/builders.py``. Mutations work at four levels:

* ``zip``: the container of an .xlsx (corrupt deflate data, the encrypted flag, LZMA/bzip2/unknown
  compression methods, truncation, duplicate/missing members, lying sizes and CRCs);
* ``xml``: the parts inside it (huge cell references and merged ranges, references without a
  column, bad ``t=``/``s=`` attributes, garbage, entities, encodings, element floods);
* ``cell``: what clerks (or attackers) type: rich markup, formula text, control characters, very
  long strings, odd stars/sources/dates, hostile sheet and file names;
* ``xls``: Excel 97 files: byte flips and field changes in BIFF records (found through the OLE
  container, so the container stays readable), truncation, damage to the container itself.

The runner executes ``taizhang`` commands in-process in worker processes (importing the CLI once),
each worker in its own process group with a memory limit; a case that overruns its time is killed
with its whole group and reported as a hang.
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import struct
import sys
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ("zip", "xml", "cell", "xls")
EXIT_CODES = frozenset({0, 1, 2, 3})  # README: 0 clean, 1 errors, 2 unusable/usage, 3 internal error
GOOD_DEPARTMENT = "基准核对部"
GOOD_ITEMS = 4


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return ".xls" if self.data.startswith(b"\xd0\xcf\x11\xe0") else ".xlsx"


def _builder_items() -> list[dict[str, Any]]:
    from builders import item

    return [
        item("推进港口船舶岸电设施建设", colour="blue", stars="★★★", source="A"),
        item("加快航道整治工程", colour="yellow", stars="★★", source="AB"),
        item("开展船闸安全生产专项检查", colour="red", stars="★", source="C",
             progress="排名全市后3位，进度滞后"),
        item("落实码头扬尘治理", stars="★★", source="D", note="已销号"),
        item("做好水运服务信息化平台建设", colour="blue", stars="★★★", source="B",
             progress="已完成年度计划37%，全市第2位"),
        item("完成锚地改造", stars="★★", source="BC", judgement="黄色"),
    ]


def build_seeds(folder: Path) -> list[Seed]:
    """The seed workbooks, built (or copied) into ``folder``; the same bytes on every call."""
    from builders import build_ledger, build_xls

    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for sub in ("2022-04", "2022-05"):
        paths += sorted((ROOT / "examples" / sub).iterdir())
    paths += sorted((ROOT / "tests" / "data").glob("*.xls*"))
    paths.append(ROOT / "templates" / "重点工作台账模板.xlsx")
    items = _builder_items()
    paths.append(build_ledger(folder / "规划发展部台账.xlsx", items))
    paths.append(build_ledger(folder / "规划发展部合并行.xlsx", items, merge_items=[(1, 2)], formatted_empty_rows=5,
                              extra={"完成时限": ["2022年6月", "2022年12月", "", "", "2022年9月", ""]},
                              before_sheets=[("填报说明", True)]))
    rows = [[i + 1, it["name"], it["target"], it["progress"], it.get("judgement", ""), it["leader"], it["owner"],
             it["stars"], it["source"], it["note"]] for i, it in enumerate(items)]
    paths.append(build_xls(folder / "综合部台账.xls", rows, judgement_styles=[
        "pattern: pattern solid, fore_colour light_blue;", "pattern: pattern solid, fore_colour yellow;",
        "pattern: pattern solid, fore_colour red;"]))
    seeds = []
    for p in paths:
        if p.suffix.lower() in (".xlsx", ".xls") and p.is_file():
            # The repository's files as they are; the built ones without the clock in them.
            seeds.append(Seed(p.name, p.read_bytes() if ROOT in p.parents else _stable(p)))
    return seeds


_CLOCK = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def _stable(path: Path) -> bytes:
    """An openpyxl-written file without the time of writing (zip timestamps, docProps/core.xml dates)."""
    data = path.read_bytes()
    if not data.startswith(b"PK"):
        return data
    members = read_members(data)
    for m in members:
        if m.name == "docProps/core.xml":
            m.data = _CLOCK.sub(rb"\g<1>2022-04-03T00:00:00Z", m.data)
    return write_zip(members)


def good_ledger(folder: Path) -> Path:
    """A clean ledger of a department no seed has: every merge case must carry it into the result."""
    from builders import build_ledger, item

    items = [item(f"基准核对事项{i + 1}", colour=("blue", "yellow", "red", None)[i], stars="★★", source="B")
             for i in range(GOOD_ITEMS)]
    return build_ledger(folder / f"{GOOD_DEPARTMENT}重点工作台账.xlsx", items, department=GOOD_DEPARTMENT)


# ---------------------------------------------------------------------------------------------
# A zip writer that writes what it is told to, lies included
# ---------------------------------------------------------------------------------------------


@dataclass
class Member:
    name: str
    data: bytes
    method: int = 8
    flags: int = 0
    payload: bytes | None = None  # the compressed bytes as stored; None: compress ``data`` by ``method``
    crc: int | None = None  # declared CRC-32; None: the real one
    size: int | None = None  # declared uncompressed size
    csize: int | None = None  # declared compressed size
    local_name: str | None = None  # the name in the local header, when it differs from the directory's


def read_members(data: bytes) -> list[Member]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [Member(i.filename, zf.read(i)) for i in zf.infolist()]


_COMPRESSED: dict[tuple[int, bytes], bytes] = {}


def compress(data: bytes, method: int) -> bytes:
    """The raw member payload for ``method`` (0 stored, 8 deflate, 12 bzip2, 14 LZMA as zip stores it)."""
    if method == 0:
        return data
    if method == 8:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if method == 12:
        return bz2.compress(data)
    if method == 14:
        key = (method, hashlib.sha1(data).digest())
        if key not in _COMPRESSED:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_LZMA) as zf:
                zf.writestr("x", data)
            raw = buf.getvalue()
            name_len, extra_len = struct.unpack_from("<HH", raw, 26)
            csize = struct.unpack_from("<I", raw, 18)[0]
            start = 30 + name_len + extra_len
            _COMPRESSED[key] = raw[start:start + csize]
        return _COMPRESSED[key]
    return compress(data, 8)  # unknown methods: deflate bytes under a method number nobody reads


def write_zip(members: Sequence[Member]) -> bytes:
    out = io.BytesIO()
    central = io.BytesIO()
    for m in members:
        payload = m.payload if m.payload is not None else compress(m.data, m.method)
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        size = len(m.data) if m.size is None else m.size
        csize = len(payload) if m.csize is None else m.csize
        name = m.name.encode("utf-8")
        local = (m.local_name if m.local_name is not None else m.name).encode("utf-8")
        flags = m.flags | 0x800  # UTF-8 names, as Excel writes Chinese part names never, LibreOffice always
        version = 63 if m.method == 14 else 20
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, flags, m.method, 0, 0x21,
                              crc, csize & 0xFFFFFFFF, size & 0xFFFFFFFF, len(local), 0))
        out.write(local)
        out.write(payload)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, version, flags, m.method, 0, 0x21,
                                  crc, csize & 0xFFFFFFFF, size & 0xFFFFFFFF, len(name), 0, 0, 0, 0, 0,
                                  offset & 0xFFFFFFFF))
        central.write(name)
    cd = central.getvalue()
    cd_offset = out.tell()
    out.write(cd)
    n = len(members) & 0xFFFF
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), cd_offset, 0))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------------------------


@dataclass
class Mutant:
    index: int
    level: str
    op: str
    detail: str
    seed: str
    name: str
    data: bytes

    def describe(self) -> str:
        return f"#{self.index} {self.level}/{self.op} of {self.seed}: {self.detail}"


class _Skip(Exception):
    """This operation does not apply to this seed; the generator picks another."""


def mutants(seeds: Sequence[Seed], count: int, *, seed: int = 0, levels: Sequence[str] = LEVELS,
            start: int = 0) -> Iterator[Mutant]:
    for index in range(start, start + count):
        yield mutant(seeds, index, seed=seed, levels=levels)


def mutant(seeds: Sequence[Seed], index: int, *, seed: int = 0, levels: Sequence[str] = LEVELS) -> Mutant:
    """Mutant ``index`` of run ``seed``: the level goes round-robin, the rest is drawn from the pair."""
    level = levels[index % len(levels)]
    rng = random.Random(f"{seed}:{index}")
    xlsx = [s for s in seeds if s.suffix == ".xlsx"]
    xls = [s for s in seeds if s.suffix == ".xls"]
    for _attempt in range(20):
        if level == "xls":
            base = rng.choice(xls)
            ops: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = XLS_OPS
        elif level == "cell" and rng.random() < 0.15 and xls:
            base = rng.choice(xls)
            ops = {"xls_text": _xls_text}
        else:
            base = rng.choice(xlsx)
            ops = {"zip": ZIP_OPS, "xml": XML_OPS, "cell": CELL_OPS}[level]
        op = rng.choice(sorted(ops))
        try:
            data, detail = ops[op](rng, base.data)
        except _Skip:
            continue
        seed_name = "builders" if op in ("ledger", "xls_text") else base.name
        suffix = ".xls" if data.startswith(b"\xd0\xcf") or base.suffix == ".xls" else ".xlsx"
        name = f"{index:05d}-{level}-{op}{suffix}"
        if level == "cell" and rng.random() < 0.3:
            hostile = rng.choice(HOSTILE_FILE_NAMES)
            name = f"{index:05d}-{hostile}{suffix}"
            detail += f"; file name {hostile!r}"
        return Mutant(index, level, op, detail, seed_name, name, data)
    raise RuntimeError(f"no mutation applies for #{index}")


# --- zip level ---------------------------------------------------------------------------------

_IMPORTANT = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml",
              "[Content_Types].xml", "xl/theme/theme1.xml")


def _pick_member(rng: random.Random, members: list[Member]) -> Member:
    sheets = [m for m in members if m.name.startswith("xl/worksheets/") and m.name.endswith(".xml")]
    important = [m for m in members if m.name in _IMPORTANT]
    pool = rng.choice([x for x in (sheets, important, members) if x])
    return rng.choice(pool)


def _zip_op(fn: Callable[[random.Random, list[Member]], str]) -> Callable[[random.Random, bytes], tuple[bytes, str]]:
    def run(rng: random.Random, data: bytes) -> tuple[bytes, str]:
        members = read_members(data)
        detail = fn(rng, members)
        return write_zip(members), detail
    return run


def _corrupt_deflate(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    payload = bytearray(compress(m.data, 8))
    k = rng.randint(1, 8)
    for _ in range(k):
        pos = rng.randrange(len(payload)) if len(payload) > 1 else 0
        payload[pos] ^= 1 << rng.randrange(8)
    if rng.random() < 0.3:
        payload = payload[: rng.randrange(1, max(2, len(payload)))]
    m.payload, m.method = bytes(payload), 8
    return f"{m.name}: {k} bit flips in its deflate stream (CRC and sizes kept)"


def _encrypted_flag(rng: random.Random, members: list[Member]) -> str:
    if rng.random() < 0.3:
        for m in members:
            m.flags |= 1
        return "every member flagged as encrypted"
    m = _pick_member(rng, members)
    m.flags |= 1
    return f"{m.name} flagged as encrypted"


def _method(rng: random.Random, members: list[Member]) -> str:
    method = rng.choice([12, 14, 14, 1, 6, 9, 93, 95, 98, 99, 255])
    corrupt = method in (12, 14) and rng.random() < 0.5
    targets = members if rng.random() < 0.3 else [_pick_member(rng, members)]
    for m in targets:
        m.method = method
        if corrupt:
            payload = bytearray(compress(m.data, method))
            for _ in range(4):
                payload[rng.randrange(len(payload))] ^= 0xFF
            m.payload = bytes(payload)
    what = "every member" if len(targets) > 1 else targets[0].name
    return f"{what} compressed with method {method}{' (corrupted)' if corrupt else ''}"


def _stored_mismatch(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    if rng.random() < 0.5:
        m.method, m.payload = 0, compress(m.data, 8)
        return f"{m.name}: deflate bytes declared as stored"
    m.method, m.payload = 8, m.data
    return f"{m.name}: plain bytes declared as deflate"


def _duplicate(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    other = rng.choice(members)
    data = rng.choice([b"", other.data, m.data[: len(m.data) // 2], m.data])
    members.insert(rng.randrange(len(members) + 1), Member(m.name, data))
    return f"{m.name} twice (second copy: {len(data)} bytes)"


def _delete(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    members.remove(m)
    return f"{m.name} deleted"


def _sizes(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    what = rng.choice(["size", "csize", "crc", "both"])
    big = rng.choice([0xFFFFFFFF, 300 * 1024 * 1024, 2**31, 0, max(0, len(m.data) - 1), len(m.data) + 1, 10])
    if what in ("size", "both"):
        m.size = big
    if what in ("csize", "both"):
        m.csize = rng.choice([0, 1, 0xFFFFFFFF, 2**31, len(compress(m.data, 8)) + 7])
    if what == "crc":
        m.crc = rng.randrange(2**32)
    return f"{m.name}: declared {what} lies (size {m.size}, csize {m.csize}, crc {m.crc})"


def _flags(rng: random.Random, members: list[Member]) -> str:
    m = _pick_member(rng, members)
    bit = rng.choice([3, 6, 13, 0])
    m.flags |= 1 << bit
    if rng.random() < 0.3:
        m.local_name = m.name + "x"
    return f"{m.name}: general-purpose flag bit {bit}{' and a different local name' if m.local_name else ''}"


def _many_members(rng: random.Random, members: list[Member]) -> str:
    n = rng.choice([300, 4_999, 5_001, 12_000])
    for i in range(n):
        members.append(Member(f"xl/media/x{i}.xml", b"<x/>", method=0))
    return f"{n} extra members"


def _bomb(rng: random.Random, members: list[Member]) -> str:
    """A member that inflates a lot: honestly declared (the gate's total) or lying (zipfile's bound)."""
    mb = rng.choice([40, 120, 250, 300])
    m = _pick_member(rng, members) if rng.random() < 0.5 else Member("xl/media/image1.png", b"")
    if m not in members:
        members.append(m)
    lying = rng.random() < 0.5
    m.payload, m.method, m.data = _zeros(mb), 8, b""
    m.size = 1024 if lying else mb * 1024 * 1024
    # The CRC of what a reader bounded by the declared size sees: the lie holds up to the last check.
    m.crc = zlib.crc32(b"\0" * 1024) if lying else _zeros_crc(mb)
    return f"{m.name}: {mb} MB of zeros, declared {'1 KB' if lying else 'honestly'}"


_ZEROS: dict[int, bytes] = {}


def _zeros(mb: int) -> bytes:
    if mb not in _ZEROS:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        chunk = b"\0" * (1 << 20)
        _ZEROS[mb] = b"".join(c.compress(chunk) for _ in range(mb)) + c.flush()
    return _ZEROS[mb]


def _zeros_crc(mb: int) -> int:
    crc = 0
    chunk = b"\0" * (1 << 20)
    for _ in range(mb):
        crc = zlib.crc32(chunk, crc)
    return crc


def _truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(4, len(data))
    return data[:cut], f"file cut at byte {cut} of {len(data)}"


def _zip_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Random byte damage anywhere in the container (headers, directory, data)."""
    buf = bytearray(data)
    k = rng.randint(1, 16)
    for _ in range(k):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf), f"{k} random bytes overwritten"


ZIP_OPS: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = {
    "corrupt_deflate": _zip_op(_corrupt_deflate),
    "encrypted_flag": _zip_op(_encrypted_flag),
    "method": _zip_op(_method),
    "stored_mismatch": _zip_op(_stored_mismatch),
    "duplicate_member": _zip_op(_duplicate),
    "delete_member": _zip_op(_delete),
    "sizes": _zip_op(_sizes),
    "flags": _zip_op(_flags),
    "many_members": _zip_op(_many_members),
    "bomb": _zip_op(_bomb),
    "truncate": _truncate,
    "bytes": _zip_bytes,
}


# --- xml level ---------------------------------------------------------------------------------

_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="([^"]*)"')


def _sheet_member(rng: random.Random, members: list[Member]) -> Member:
    sheets = [m for m in members if m.name.startswith("xl/worksheets/") and m.name.endswith(".xml")]
    if not sheets:
        raise _Skip
    # Mostly the ledger: the sheet with the most cells.
    return max(sheets, key=lambda m: m.data.count(b"<c ")) if rng.random() < 0.8 else rng.choice(sheets)


def _xml_op(fn: Callable[[random.Random, Member, list[Member]], str]) -> Callable[
        [random.Random, bytes], tuple[bytes, str]]:
    def run(rng: random.Random, data: bytes) -> tuple[bytes, str]:
        members = read_members(data)
        m = _sheet_member(rng, members)
        detail = fn(rng, m, members)
        return write_zip(members), f"{m.name}: {detail}"
    return run


def _cells(m: Member) -> list[re.Match[bytes]]:
    cells = list(_CELL.finditer(m.data))
    if not cells:
        raise _Skip
    return cells


def _replace(data: bytes, match: re.Match[bytes], new: bytes) -> bytes:
    return data[: match.start()] + new + data[match.end():]


def _insert_before(data: bytes, tag: bytes, new: bytes) -> bytes:
    """``new`` before the closing ``tag`` (with or without a namespace prefix), else before the root's end."""
    m = re.search(rb"</(?:\w+:)?" + tag + rb">", data)
    if m is None:
        m = re.search(rb"</(?:\w+:)?worksheet>\s*$", data)
        if m is None:
            raise _Skip
    return data[: m.start()] + new + data[m.start():]


_HUGE_REFS = [b"B999999999", b"ZZZZZZ7", b"XFE7", b"AAAAAAAAAAAAAAAAAAAAAAA7", b"A1048577", b"B0",
              b"A99999999999999999999", b"C300000000", b"XFD1048576"]
_BAD_REFS = [b"7", b"", b"A", b"a7", b"A-1", b"A1.5", b" A1", b"A1 ", "１A".encode(), "A٣".encode(),
             "中7".encode(), "ß7".encode(), "Ⅻ7".encode(), b"$A$1", b"A1:B2", b"R1C1", b"A+1", b"A1e5"]


def _huge_ref(rng: random.Random, m: Member, _members: list[Member]) -> str:
    cell = rng.choice(_cells(m))
    ref = rng.choice(_HUGE_REFS + _BAD_REFS)
    old = _REF.search(cell.group(0))
    text = cell.group(0)
    new = _REF.sub(b'r="' + ref + b'"', text, count=1) if old else text.replace(b"<c", b'<c r="' + ref + b'"', 1)
    m.data = _replace(m.data, cell, new)
    return f"a cell's reference {old.group(1) if old else b''!r} -> {ref!r}"


def _far_cell(rng: random.Random, m: Member, _members: list[Member]) -> str:
    row = rng.choice([999_999_999, 1_048_576, 300_000_000, 10**15, 2**31, 2**63])
    col = rng.choice([b"A", b"B", b"E", b"XFD", b"ZZZZZZ"])
    text = rng.choice([b"<v>1</v>", b'<is><t>\xe8\xaf\xb4\xe6\x98\x8e</t></is>', b"<v>0</v>"])
    t = b' t="inlineStr"' if b"<is>" in text else b""
    new = b'<row r="%d"><c r="%s%d"%s>%s</c></row>' % (row, col, row, t, text)
    m.data = _insert_before(m.data, b"sheetData", new)
    return f"one cell at {col.decode()}{row} after everything"


_MERGES = [b"A1:ZZZZZZ300000000", b"A5:J300000000", b"B1:XFD1048576", b"A1:XFD1", b"A7:A1048576",
           b"A1:C3", b"B2:D4", b"D4:B2", b"B2:B2", b"A:B", b"1:3", b"A1:", b":B2", b"A0:B0", b"A1:B",
           b"AB", b"A1:A1:A1", b"", b"A1B2", b"A-1:B2", b"E6:E300000000", b"A1:ZZZZZZ1"]


def _merge(rng: random.Random, m: Member, _members: list[Member]) -> str:
    refs = [rng.choice(_MERGES) for _ in range(rng.randint(1, 3))]
    # Also overlap an existing merged range, as hand-edited files do.
    existing = re.findall(rb'<(?:\w+:)?mergeCell ref="([^"]*)"', m.data)
    if existing and rng.random() < 0.4:
        refs.append(rng.choice(existing))
    body = b"".join(b'<mergeCell ref="%s"/>' % r for r in refs)
    if re.search(rb"</(?:\w+:)?mergeCells>", m.data):
        m.data = _insert_before(m.data, b"mergeCells", body)
    else:
        m.data = m.data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + body + b"</mergeCells>", 1)
    return f"merged ranges {refs!r} added"


_TYPES = [(b"d", b"<v></v>"), (b"d", b"<v>yesterday</v>"), (b"d", b"<v>2022-13-45</v>"),
          (b"d", b"<v>+275760-09-13T00:00:00</v>"), (b"d", b"<is><t>\xe4\xbb\x8a\xe5\xa4\xa9</t></is>"),
          (b"d", b"<v>9999-12-31T25:00:00</v>"), (b"e", b"<v>#N/A</v>"), (b"e", b"<v>just text</v>"),
          (b"s", b"<v>-1</v>"), (b"s", b"<v>1000000000000000000000000000000</v>"), (b"s", b"<v>abc</v>"),
          (b"s", b"<v>1.5</v>"), (b"s", b"<v></v>"), (b"b", b"<v>maybe</v>"), (b"n", b"<v>1e400</v>"),
          (b"n", b"<v>nan</v>"), (b"n", b"<v>inf</v>"), (b"n", b"<v>-0</v>"), (b"n", b"<v>0x10</v>"),
          (b"n", b"<v>1_000</v>"), (b"n", b"<v>" + b"9" * 5000 + b"</v>"), (b"inlineStr", b""),
          (b"inlineStr", b"<v>x</v>"), (b"zz", b"<v>1</v>"), (b"str", b"<v>" + b"x" * 100_000 + b"</v>"),
          (b"n", b"<v>2958466</v>"), (b"n", b"<v>-1</v>"), (b"n", b"<v>1e10</v>")]


def _bad_type(rng: random.Random, m: Member, _members: list[Member]) -> str:
    cells = _cells(m)
    changed = []
    for cell in sorted(rng.sample(cells, min(len(cells), rng.randint(1, 3))), key=lambda c: -c.start()):
        t, body = rng.choice(_TYPES)
        ref = _REF.search(cell.group(0))
        r = b' r="' + ref.group(1) + b'"' if ref else b""
        # A date style sometimes, so that numbers are read as dates.
        s = rng.choice([b"", b' s="1"', b' s="14"']) if t == b"n" else b""
        m.data = _replace(m.data, cell, b'<c%s t="%s"%s>%s</c>' % (r, t, s, body))
        changed.append((ref.group(1) if ref else b"?", t, body[:40]))
    return f"cells retyped {changed!r}"


def _bad_style(rng: random.Random, m: Member, _members: list[Member]) -> str:
    value = rng.choice([b"abc", b"-1", b"99999", b"1.5", b"", b"4294967296", b" 1"])
    if rng.random() < 0.5:
        cell = rng.choice(_cells(m))
        text = cell.group(0)
        new = re.sub(rb'\bs="[^"]*"', b's="' + value + b'"', text, count=1) if b' s="' in text \
            else text.replace(b"<c", b'<c s="' + value + b'"', 1)
        m.data = _replace(m.data, cell, new)
        return f"a cell's style index -> {value!r}"
    rows = list(re.finditer(rb"<(?:\w+:)?row\b", m.data))
    if not rows:
        raise _Skip
    row = rng.choice(rows)
    m.data = m.data[: row.end()] + b' customFormat="1" s="' + value + b'"' + m.data[row.end():]
    return f"a row's style -> {value!r}"


_GARBAGE = [b'<c r="A1"><c r="B1"><v>1</v></c></c>', b"<v><v>1</v></v>", b"<is><t>a<t>b</t></t></is>",
            b"<row>", b"</row>", b"<c", b"\xff\xfe\x00", b"\x00", b"<![CDATA[x]]>", b"<?pi x?>", b"<!-- c -->",
            b"<x:y xmlns:x='urn:x'/>", b"<c r='A1' r='B1'/>", b"&lt;", b"]]>", b"<sheetData/>",
            b"<mergeCells><mergeCells/></mergeCells>", b"<c><f>1+</f></c>", b'<c r="A1" t="s"><v>0</v><v>1</v></c>',
            b"<row r='5'><row r='6'/></row>"]


def _garbage(rng: random.Random, m: Member, _members: list[Member]) -> str:
    junk = rng.choice(_GARBAGE)
    anchors = [x.end() for x in re.finditer(rb"<(?:\w+:)?(?:c|row|sheetData|v)\b[^>]*>", m.data)]
    if not anchors:
        raise _Skip
    pos = rng.choice(anchors)
    m.data = m.data[:pos] + junk + m.data[pos:]
    return f"{junk!r} inserted at byte {pos}"


_ENTITIES = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">',
]
_REFS = [b"&foo;", b"&#0;", b"&#x1F600;", b"&#xD800;", b"&#1;", b"&#xFFFE;", b"&amp;amp;", b"&e;", b"&c;"]


def _entities(rng: random.Random, m: Member, members: list[Member]) -> str:
    target = rng.choice([m, m, *[x for x in members if x.name in _IMPORTANT and x.name.endswith(".xml")]])
    if rng.random() < 0.5:
        decl = rng.choice(_ENTITIES)
        end = target.data.find(b"?>") + 2 if target.data.startswith(b"<?xml") else 0
        target.data = target.data[:end] + decl + target.data[end:]
        what = f"DTD {decl[:40]!r}"
    else:
        ref = rng.choice(_REFS)
        texts = list(re.finditer(rb"<(?:\w+:)?(?:v|t)\b[^>]*>", target.data))
        if not texts:
            raise _Skip
        pos = rng.choice(texts).end()
        target.data = target.data[:pos] + ref + target.data[pos:]
        what = f"reference {ref!r}"
    return f"{what} in {target.name}"


def _encoding(rng: random.Random, m: Member, _members: list[Member]) -> str:
    how = rng.choice(["utf16", "declared_utf16", "gbk", "bogus", "bom", "latin1"])
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", m.data)
    if how == "utf16":
        m.data = '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16") + body.decode("utf-8").encode("utf-16")
    elif how == "declared_utf16":
        m.data = b'<?xml version="1.0" encoding="UTF-16"?>' + body
    elif how == "gbk":
        m.data = b'<?xml version="1.0" encoding="GBK"?>' + body
    elif how == "bogus":
        m.data = b'<?xml version="1.0" encoding="x-no-such"?>' + body
    elif how == "bom":
        m.data = b"\xef\xbb\xbf" + m.data
    else:
        m.data = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body
    return f"encoding {how}"


def _truncate_xml(rng: random.Random, m: Member, _members: list[Member]) -> str:
    cut = rng.randrange(1, len(m.data))
    m.data = m.data[:cut]
    return f"XML cut at byte {cut} of its {len(m.data)}"


def _flood(rng: random.Random, m: Member, _members: list[Member]) -> str:
    """Many elements inside the inflated-size limit: cost per element, not per cell."""
    what = rng.choice([b"<x/>", b"<row/>", b"<c/>", b'<mergeCell ref="A1:B2"/>', b"<v>1</v>"])
    n = rng.choice([100_000, 1_000_000, 5_000_000])
    if what.startswith(b"<mergeCell"):
        new = b"<mergeCells>" + what * n + b"</mergeCells>"
        m.data = m.data.replace(b"</sheetData>", b"</sheetData>" + new, 1)
    else:
        m.data = _insert_before(m.data, b"sheetData", what * n)
    return f"{n:,} × {what!r}"


def _nesting(rng: random.Random, m: Member, _members: list[Member]) -> str:
    depth = rng.choice([1_000, 100_000])
    m.data = _insert_before(m.data, b"sheetData", b"<x>" * depth + b"</x>" * depth)
    return f"{depth:,} nested elements"


def _sheet_extras(rng: random.Random, m: Member, _members: list[Member]) -> str:
    """Parts openpyxl reads for --annotate: dimensions, columns, validations, formats, links."""
    extra = rng.choice([
        (b"<dimension", b'<dimension ref="A1:ZZZZZZ300000000"/>'),
        (b"<cols", b'<cols><col min="1" max="16384000" width="9"/></cols>'),
        (b"<cols", b'<cols><col min="5" max="2" width="-1"/></cols>'),
        (b"<dataValidations", b'<dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576">'
                               b"<formula1>\"a,b\"</formula1></dataValidation></dataValidations>"),
        (b"<conditionalFormatting", b'<conditionalFormatting sqref="A1:ZZZZZZ300000000"><cfRule type="expression" '
                                     b'priority="1"><formula>1</formula></cfRule></conditionalFormatting>'),
        (b"<hyperlinks", b'<hyperlinks><hyperlink ref="A0:B" display="x"/></hyperlinks>'),
        (b"<autoFilter", b'<autoFilter ref="A1:XFD1048576"/>'),
        (b"<sheetPr", b'<sheetPr><tabColor rgb="ZZZ"/></sheetPr>'),
        (b"<pageSetup", b'<pageSetup paperSize="abc" scale="-5" orientation="sideways"/>'),
    ])
    tag, xml = extra
    if tag in m.data:
        m.data = re.sub(tag + rb"\b.*?(?:/>|</" + tag[1:] + rb">)", xml, m.data, count=1, flags=re.S)
    elif tag in (b"<dimension", b"<cols", b"<sheetPr"):
        m.data = re.sub(rb"(<(?:\w+:)?sheetData\b)", xml + rb"\1", m.data, count=1)
    else:
        m.data = m.data.replace(b"</sheetData>", b"</sheetData>" + xml, 1)
    return f"{xml[:60]!r}"


def _workbook(rng: random.Random, _m: Member, members: list[Member]) -> str:
    wb = next((x for x in members if x.name == "xl/workbook.xml"), None)
    if wb is None:
        raise _Skip
    how = rng.choice(["no_sheets", "hidden", "very_hidden", "markup_name", "long_name", "dup_name", "date1904",
                      "dangling", "no_rid"])
    sheet = re.compile(rb"<(?:\w+:)?sheet\b[^>]*/>")
    if how == "no_sheets":
        wb.data = sheet.sub(b"", wb.data)
    elif how in ("hidden", "very_hidden"):
        state = b"hidden" if how == "hidden" else b"veryHidden"
        wb.data = sheet.sub(lambda x: x.group(0).replace(b"<sheet ", b'<sheet state="' + state + b'" ', 1), wb.data)
    elif how == "markup_name":
        wb.data = re.sub(rb'(<(?:\w+:)?sheet\b[^>]*?name=")[^"]*"', b"\\1" + "[red]台账[/red][/b]".encode() + b'"',
                         wb.data, count=1)
    elif how == "long_name":
        wb.data = re.sub(rb'(<(?:\w+:)?sheet\b[^>]*?name=")[^"]*"', b"\\1" + "台账".encode() * 500 + b'"', wb.data,
                         count=1)
    elif how == "dup_name":
        wb.data = re.sub(rb'(<(?:\w+:)?sheet\b[^>]*?name=")[^"]*"', rb'\1Sheet1"', wb.data)
    elif how == "date1904":
        wb.data = re.sub(rb"(<(?:\w+:)?workbook\b[^>]*>)", rb'\1<workbookPr date1904="1"/>', wb.data, count=1)
    elif how == "dangling":
        wb.data = re.sub(rb'r:id="[^"]*"', b'r:id="rId999"', wb.data)
    else:
        wb.data = re.sub(rb'\s(?:r:)?id="[^"]*"', b"", wb.data)
    return f"workbook.xml: {how}"


def _rels(rng: random.Random, _m: Member, members: list[Member]) -> str:
    rels = next((x for x in members if x.name == "xl/_rels/workbook.xml.rels"), None)
    if rels is None:
        raise _Skip
    target = rng.choice([b"../../../../etc/passwd", b"/xl/workbook.xml", b"workbook.xml", b"styles.xml",
                         b"worksheets/", b"", b"sharedStrings.xml", b"http://example.invalid/x.xml",
                         b"worksheets/sheet1.xml#x", b"theme/theme1.xml"])
    targets = list(re.finditer(rb'Target="([^"]*)"', rels.data))
    if not targets:
        raise _Skip
    t = rng.choice(targets)
    rels.data = rels.data[: t.start(1)] + target + rels.data[t.end(1):]
    return f"relationship target {t.group(1)!r} -> {target!r}"


def _styles(rng: random.Random, _m: Member, members: list[Member]) -> str:
    st = next((x for x in members if x.name == "xl/styles.xml"), None)
    if st is None:
        raise _Skip
    how = rng.choice(["no_xfs", "rgb", "theme", "tint", "indexed", "numfmt", "fill_id", "font_id", "empty"])
    if how == "no_xfs":
        st.data = re.sub(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", b"", st.data, flags=re.S)
    elif how == "rgb":
        st.data = re.sub(rb'rgb="[^"]*"', lambda _: b'rgb="' + rng.choice([b"ZZZZZZ", b"12", b"", b"FF" * 40]) + b'"',
                         st.data)
    elif how == "theme":
        st.data = re.sub(rb'theme="[^"]*"', b'theme="999"', st.data)
        st.data = st.data.replace(b"<fgColor ", b'<fgColor theme="-3" ')
    elif how == "tint":
        st.data = st.data.replace(b"<fgColor ", b'<fgColor tint="' + rng.choice([b"abc", b"1e309", b"-5", b"nan"])
                                  + b'" ')
    elif how == "indexed":
        st.data = re.sub(rb'indexed="[^"]*"', b'indexed="99999"', st.data)
        st.data = st.data.replace(b"<fgColor ", b'<fgColor indexed="-1" ')
    elif how == "numfmt":
        st.data = re.sub(rb'formatCode="[^"]*"', b'formatCode="yyyy&quot;\xe5\xb9\xb4&quot;[Red]@;;;"', st.data)
        st.data = re.sub(rb'numFmtId="[^"]*"', b'numFmtId="14"', st.data)
    elif how == "fill_id":
        st.data = re.sub(rb'fillId="[^"]*"', b'fillId="9999"', st.data)
    elif how == "font_id":
        st.data = re.sub(rb'fontId="[^"]*"', b'fontId="abc"', st.data)
    else:
        st.data = b""
    return f"styles.xml: {how}"


XML_OPS: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = {
    name: _xml_op(fn) for name, fn in {
        "huge_ref": _huge_ref, "far_cell": _far_cell, "merge": _merge, "bad_type": _bad_type,
        "bad_style": _bad_style, "garbage": _garbage, "entities": _entities, "encoding": _encoding,
        "truncate_xml": _truncate_xml, "flood": _flood, "nesting": _nesting, "sheet_extras": _sheet_extras,
        "workbook": _workbook, "rels": _rels, "styles": _styles,
    }.items()
}


# --- cell level --------------------------------------------------------------------------------

MARKUP = ["[/b]", "[red]红色[/red]", "[bold red]推进[/]", "[link=file:///etc/passwd]点此[/link]", "[/]", "\\[x]",
          "[@click=app.quit]退出[/]", ":smile: :warning:", "[", "]", "[[", "]]", "[b]未闭合", "[red]", "[/red]",
          "[on #ff0000]x", "[blink]闪[/blink]"]
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid","点此")', "+1+1", "-2+3", "@SUM(1,1)",
            "=1/0", "\t=1+1", "＝1+1", "=WEBSERVICE(\"http://x\")", "DDE(\"cmd\";\"/C calc\";\"A0\")"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m红\x1b[0m", "\x7f", "\u200b", "\u202e反向",
           "\ufeff", "\ud800", "\udfff", "\uffff", "\r\n\r\n", "\x1b]0;title\x07", "\u2028", "🙂", "\U0010ffff"]
LONG = ["字" * 32_767, "A" * 1_000_000, "\n" * 10_000, "推进" * 20_000, "★" * 50_000]
STARS = ["★★★★★★", "★" * 10_000, "☆", "✩", "⭐⭐", "3星", "★ ★", "***", "3", "3.0", "-1", "1e308", "∞", "三星级",
         "★★★\n★", "★\u200b★", "＊＊", "五星", ""]
SOURCES = ["ABCDE", "A" * 1_000, "Ａ", "a,b;c", "E", "省级", "A/B", "A、B、C、D", "ＡＢＣＤ", "Ａ\u200bＢ", "-", "AA"]
DATES = ["填报日期：2022年13月45日", "填报日期：0000-00-00", "9999.99.99", "2022.4.31", "填报日期：", "2022年2月29日",
         "99999年1月1日", "填报日期：2022年4月3日" * 100, "填报日期：1e10", "2022-04-03T99:99", "填报日期：二〇二二年四月三日",
         "填报日期：2022年4月", "填报日期：4月3日", "填报日期：-2022年4月3日", "填报日期：2022年04月03日至05日"]
SENTENCES = [
    "截至2022年4月5日，市港航事业发展中心共梳理重点工作99999999999999999999999项，其中从星标看，三级星标1项。",
    "截至2022年4月5日，共梳理重点工作-3项，其中从星标看，三级星标-1项、二级星标1e5项、一级星标NaN项。",
    "截至2022年4月5日，共梳理重点工作１２项，其中从事项来源看，A级事项１项。",
    "共梳理重点工作6项。" * 1_000,
    "截至2022年13月45日，共梳理重点工作" + "9" * 5_000 + "项。",
]
NAMES = ["[red]规划发展部[/]重点工作台账", "部" * 1_000 + "重点工作台账", "../../etc/passwd部重点工作台账", "CON部重点工作台账",
         "规划发展部\n重点工作台账", "[bold]综合部[/bold]台账", "重点工作台账", "\x00部重点工作台账"]
JUDGEMENTS = ["红黄蓝", "红" * 1_000, "绿色", "蓝色\x00", "[red]红色[/red]", "黄→红", "⬤", "=\"红\""]
NUMBERS = ["1e308", "-0", "1.5", "一", "①", "Ⅻ", "NaN", "99999999999999999999", "=ROW()-4", "1-1"]
HOSTILE_FILE_NAMES = ["[red]规划发展部台账", "[b]综合部台账[red]", "规划发展部 台账 (1)", "台账" * 40, "综合部[1]台账",
                      "工程建设部\u202e台账", "智慧港航部;rm -rf x", "污染防治部 $(id)", "水运服务部:smile:", "综合部%s%n台账"]
HOSTILE: dict[str, list[str]] = {
    "markup": MARKUP, "formula": FORMULAS, "control": CONTROL, "long": LONG, "stars": STARS, "sources": SOURCES,
    "dates": DATES, "sentences": SENTENCES, "names": NAMES, "judgements": JUDGEMENTS, "numbers": NUMBERS,
}


def _xml_text(value: str) -> bytes:
    """``value`` as an .xlsx string cell carries it: characters XML 1.0 cannot hold become ``_xHHHH_``
    (as Excel writes them); surrogates too, which no encoding can carry."""
    out = []
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return escape("".join(out)).encode("utf-8")


def _hostile(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(sorted(HOSTILE))
    return kind, rng.choice(HOSTILE[kind])


def _strings(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Replace a few strings of the workbook (shared strings and inline strings alike)."""
    members = read_members(data)
    parts = [m for m in members if m.name.endswith("sharedStrings.xml") or
             (m.name.startswith("xl/worksheets/") and b"inlineStr" in m.data)]
    if not parts:
        raise _Skip
    m = rng.choice(parts)
    texts = list(re.finditer(rb"(<(?:\w+:)?t\b[^>]*>)(.*?)(</(?:\w+:)?t>)", m.data, re.S))
    if not texts:
        raise _Skip
    chosen = sorted(rng.sample(texts, min(len(texts), rng.randint(1, 6))), key=lambda t: -t.start())
    done = []
    for t in chosen:
        kind, value = _hostile(rng)
        if rng.random() < 0.3:  # mixed into the clerk's own text
            value = t.group(2).decode("utf-8", "replace") + value
        m.data = m.data[: t.start(2)] + _xml_text(value) + m.data[t.end(2):]
        done.append((kind, value[:30]))
    return write_zip(members), f"{m.name}: strings replaced {done!r}"


def _numbers(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Replace number cells' values (序号, dates stored as serials) with odd numbers or text."""
    members = read_members(data)
    m = _sheet_member(rng, members)
    values = [v for v in re.finditer(rb'(<(?:\w+:)?c\b[^>]*>)<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>', m.data)
              if b" t=" not in v.group(1) or b' t="n"' in v.group(1)]
    if not values:
        raise _Skip
    v = rng.choice(values)
    new = rng.choice([b"1e308", b"-1e308", b"2958466", b"-693594", b"0.000001", b"4294967296", b"1E+15", b"-0"])
    m.data = m.data[: v.start(2)] + new + m.data[v.end(2):]
    return write_zip(members), f"{m.name}: a number {v.group(2)!r} -> {new!r}"


def _ledger(rng: random.Random, _data: bytes) -> tuple[bytes, str]:
    """A ledger built with hostile fields, title and sheet name (openpyxl writes what Excel would)."""
    import tempfile

    from builders import build_ledger, item

    fields = ["name", "target", "progress", "judgement", "leader", "owner", "stars", "source", "note"]
    items = []
    done = []
    for i in range(rng.randint(1, 5)):
        extra: dict[str, Any] = {}
        for key in rng.sample(fields, rng.randint(1, 3)):
            kind, value = _hostile(rng)
            extra[key] = _printable(value)
            done.append((key, kind, extra[key][:20]))
        name = extra.pop("name", f"推进第{i + 1}项工作")
        items.append(item(name, colour=rng.choice(["blue", "yellow", "red", None]), **extra))
    kw: dict[str, Any] = {}
    if rng.random() < 0.4:
        kw["title"] = _printable(rng.choice(NAMES))
    if rng.random() < 0.3:
        kw["date"] = _printable(rng.choice(DATES))
    if rng.random() < 0.3:
        kw["summary"] = _printable(rng.choice(SENTENCES))
    if rng.random() < 0.3:
        # Sheet names cannot hold []:*?/\ in Excel; what they can hold is still hostile.
        kw["sheet_title"] = rng.choice(["台账{red}", "台账 (2)", "'台账'", "台账\u202e", "★★★", "=1+1", "台账" * 15])
    with tempfile.TemporaryDirectory() as tmp:
        path = build_ledger(Path(tmp) / "x.xlsx", items, **kw)
        data = _stable(path)
    return data, f"built ledger with {done!r} {kw!r}"[:400]


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _printable(value: str) -> str:
    """What openpyxl can write: the characters it refuses become their _xHHHH_ escape (as Excel writes them)."""
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def _xls_text(rng: random.Random, _data: bytes) -> tuple[bytes, str]:
    """An .xls (xlwt) with hostile cell texts, title and date."""
    import tempfile

    from builders import build_xls

    rows = []
    done = []
    for i in range(rng.randint(1, 5)):
        row: list[Any] = [i + 1, f"推进第{i + 1}项工作", "年度目标", "按计划推进", "", "张三", "规划科/李四", "★★", "B", ""]
        for c in rng.sample(range(10), rng.randint(1, 3)):
            kind, value = _hostile(rng)
            row[c] = _ILLEGAL.sub("?", value)[:32_767]
            done.append((c, kind, row[c][:20]))
        rows.append(row)
    title = _ILLEGAL.sub("?", rng.choice(NAMES)) if rng.random() < 0.4 else "综合部重点工作台账"
    date = _ILLEGAL.sub("?", rng.choice(DATES)) if rng.random() < 0.3 else "填报日期：2022年4月3日"
    with tempfile.TemporaryDirectory() as tmp:
        data = build_xls(Path(tmp) / "x.xls", rows, title=title, date=date).read_bytes()
    return data, f"xls with {done!r}, title {title[:20]!r}, date {date[:20]!r}"[:400]


CELL_OPS: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = {
    "strings": _strings, "numbers": _numbers, "ledger": _ledger,
}


# --- xls level ---------------------------------------------------------------------------------


@dataclass
class _Ole:
    """Where the bytes of the workbook stream lie in the file, so that it can be changed in place."""

    offsets: list[int]  # file offset of each byte of the stream
    stream: bytearray


def _ole_stream(data: bytes) -> _Ole:
    """Minimal compound-file reading (regular sectors only; a ledger's stream is above 4 KB)."""
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") or len(data) < 512:
        raise _Skip
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    size = 1 << shift
    if size not in (512, 4096):
        raise _Skip
    n_fat = struct.unpack_from("<I", data, 0x2C)[0]
    dir_start = struct.unpack_from("<I", data, 0x30)[0]
    cutoff = struct.unpack_from("<I", data, 0x38)[0]
    difat = struct.unpack_from("<109I", data, 0x4C)[: min(n_fat, 109)]
    fat: list[int] = []
    for s in difat:
        off = (s + 1) * size
        fat += struct.unpack_from(f"<{size // 4}I", data, off)

    def chain(start: int) -> list[int]:
        out: list[int] = []
        s = start
        while s < len(fat) and len(out) <= len(fat):
            out.append(s)
            s = fat[s]
        return out

    dirs = b"".join(data[(s + 1) * size:(s + 2) * size] for s in chain(dir_start))
    for i in range(0, len(dirs), 128):
        entry = dirs[i:i + 128]
        name_len = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(0, name_len - 2)].decode("utf-16-le", "replace")
        if name in ("Workbook", "Book") and entry[0x42] == 2:
            start, length = struct.unpack_from("<II", entry, 0x74)
            if length < cutoff:
                raise _Skip
            offsets = [(s + 1) * size + k for s in chain(start) for k in range(size)][:length]
            return _Ole(offsets, bytearray(data[o] for o in offsets))
    raise _Skip


def _records(stream: bytes) -> list[tuple[int, int, int]]:
    """(offset, type, length) of each BIFF record, up to where the records stop making sense."""
    out = []
    pos = 0
    while pos + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if length > 8224 or pos + 4 + length > len(stream):
            break
        out.append((pos, rtype, length))
        pos += 4 + length
    return out


# Record types worth aiming at, with the field changes that make sense for each.
_BOF, _EOF, _DIMENSIONS, _MERGED, _LABELSST, _SST, _XF, _FONT = 0x0809, 0x000A, 0x0200, 0x00E5, 0x00FD, 0x00FC, \
    0x00E0, 0x0031
_BOUNDSHEET, _CODEPAGE, _DATEMODE, _ROW, _NUMBER, _RK, _LABEL, _FORMAT, _PALETTE, _MULRK, _BLANK, _FORMULA = \
    0x0085, 0x0042, 0x0022, 0x0208, 0x0203, 0x027E, 0x0204, 0x041E, 0x0092, 0x00BD, 0x0201, 0x0006
_INTERESTING = (_DIMENSIONS, _MERGED, _LABELSST, _SST, _XF, _FONT, _BOUNDSHEET, _CODEPAGE, _DATEMODE, _ROW,
                _NUMBER, _RK, _LABEL, _FORMAT, _PALETTE, _MULRK, _BLANK, _FORMULA, _BOF, _EOF)

_FIELDS: dict[int, list[tuple[int, str, int]]] = {  # record type: (offset in payload, struct format, value)
    _DIMENSIONS: [(4, "<I", 0xFFFFFFFF), (4, "<I", 65_536), (4, "<I", 1_000_000), (0, "<I", 0xFFFFFFF0),
                  (10, "<H", 0xFFFF), (8, "<H", 300)],
    _MERGED: [(0, "<H", 0xFFFF), (2, "<H", 0xFFFF), (4, "<H", 0), (6, "<H", 255), (8, "<H", 0xFFFF)],
    _LABELSST: [(6, "<I", 0xFFFFFFFF), (6, "<I", 100_000), (0, "<H", 65_535), (2, "<H", 255), (4, "<H", 0xFFFF)],
    _SST: [(0, "<I", 0xFFFFFFFF), (4, "<I", 0xFFFFFFFF), (8, "<H", 0xFFFF), (10, "<B", 0xFF)],
    _XF: [(0, "<H", 0xFFFF), (2, "<H", 0xFFFF), (18, "<H", 0xFFFF), (16, "<I", 0xFFFFFFFF)],
    _FONT: [(4, "<H", 0xFFFF), (14, "<B", 255), (0, "<H", 0xFFFF)],
    _BOUNDSHEET: [(0, "<I", 0), (0, "<I", 0xFFFFFFFF), (0, "<I", 7), (4, "<B", 3), (5, "<B", 6), (6, "<B", 255)],
    _CODEPAGE: [(0, "<H", 0), (0, "<H", 1200), (0, "<H", 65001), (0, "<H", 12345), (0, "<H", 0xFFFF),
                (0, "<H", 10008)],
    _DATEMODE: [(0, "<H", 2), (0, "<H", 0xFFFF)],
    _ROW: [(0, "<H", 65_535), (4, "<H", 256), (14, "<H", 0xFFFF), (12, "<H", 0xFFFF)],
    _NUMBER: [(0, "<H", 65_535), (2, "<H", 0xFFFF), (4, "<H", 0xFFFF), (6, "<Q", 0x7FF8000000000001),
              (6, "<Q", 0x7FF0000000000000)],
    _RK: [(0, "<H", 65_535), (2, "<H", 0xFFFF), (6, "<I", 0xFFFFFFFF)],
    _LABEL: [(6, "<H", 0xFFFF), (8, "<B", 0xFF), (4, "<H", 0xFFFF)],
    _FORMAT: [(2, "<H", 0xFFFF), (0, "<H", 14)],
    _PALETTE: [(0, "<H", 0xFFFF), (0, "<H", 0)],
    _MULRK: [(2, "<H", 0xFFFF), (0, "<H", 65_535)],
    _BLANK: [(2, "<H", 0xFFFF), (4, "<H", 0xFFFF)],
    _FORMULA: [(6, "<Q", 0xFFFF000000000002), (6, "<Q", 0xFFFF000000000000), (14, "<H", 0xFFFF), (20, "<H", 0xFFFF)],
    _BOF: [(0, "<H", 0x0500), (0, "<H", 0x0200), (2, "<H", 0x0020), (2, "<H", 0xFFFF)],
    _EOF: [],
}


def _xls_op(fn: Callable[[random.Random, _Ole, list[tuple[int, int, int]]], str]) -> Callable[
        [random.Random, bytes], tuple[bytes, str]]:
    def run(rng: random.Random, data: bytes) -> tuple[bytes, str]:
        ole = _ole_stream(data)
        records = _records(bytes(ole.stream))
        if not records:
            raise _Skip
        detail = fn(rng, ole, records)
        out = bytearray(data)
        for o, b in zip(ole.offsets, ole.stream, strict=True):
            out[o] = b
        return bytes(out), detail
    return run


def _aim(rng: random.Random, records: list[tuple[int, int, int]], types: Iterable[int]) -> tuple[int, int, int]:
    wanted = [r for r in records if r[1] in set(types)]
    return rng.choice(wanted) if wanted and rng.random() < 0.85 else rng.choice(records)


def _record_flip(rng: random.Random, ole: _Ole, records: list[tuple[int, int, int]]) -> str:
    pos, rtype, length = _aim(rng, records, _INTERESTING)
    if length == 0:
        raise _Skip
    k = rng.randint(1, 4)
    for _ in range(k):
        ole.stream[pos + 4 + rng.randrange(length)] ^= 1 << rng.randrange(8)
    return f"record 0x{rtype:04X} at {pos}: {k} bit flips"


def _record_field(rng: random.Random, ole: _Ole, records: list[tuple[int, int, int]]) -> str:
    pos, rtype, length = _aim(rng, records, [t for t, f in _FIELDS.items() if f])
    choices = [f for f in _FIELDS.get(rtype, []) if f[0] + struct.calcsize(f[1]) <= length]
    if not choices:
        raise _Skip
    off, fmt, value = rng.choice(choices)
    struct.pack_into(fmt, ole.stream, pos + 4 + off, value)
    return f"record 0x{rtype:04X} at {pos}: field +{off} = {value:#x}"


def _record_header(rng: random.Random, ole: _Ole, records: list[tuple[int, int, int]]) -> str:
    pos, rtype, length = _aim(rng, records, _INTERESTING)
    how = rng.choice(["length", "type", "eof"])
    if how == "length":
        new = rng.choice([0, 1, max(0, length - 1), length + 1, 8224, 0xFFFF])
        struct.pack_into("<H", ole.stream, pos + 2, new)
        return f"record 0x{rtype:04X} at {pos}: length {length} -> {new}"
    if how == "type":
        new = rng.choice([t for t in _INTERESTING if t != rtype] + [0x003C, 0x0000, 0xFFFF])
        struct.pack_into("<H", ole.stream, pos, new)
        return f"record 0x{rtype:04X} at {pos}: type -> 0x{new:04X}"
    eofs = [r for r in records if r[1] == _EOF]
    if not eofs:
        raise _Skip
    e = rng.choice(eofs)
    struct.pack_into("<H", ole.stream, e[0], 0x0000)
    return f"EOF record at {e[0]} removed (type 0)"


def _stream_tail(rng: random.Random, ole: _Ole, records: list[tuple[int, int, int]]) -> str:
    """The stream truncated in place: its end zeroed, the container intact."""
    cut = rng.randrange(8, len(ole.stream))
    for i in range(cut, len(ole.stream)):
        ole.stream[i] = 0
    return f"workbook stream zeroed from byte {cut} of {len(ole.stream)}"


def _xls_truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.choice([rng.randrange(8, len(data)), rng.randrange(512, min(len(data), 4096))])
    return data[:cut], f"file cut at byte {cut} of {len(data)}"


def _container(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Damage to the compound file itself: header fields, the FAT, directory sizes."""
    buf = bytearray(data)
    how = rng.choice(["sector_shift", "fat_count", "dir_start", "stream_size", "fat_loop", "random"])
    if how == "sector_shift":
        struct.pack_into("<H", buf, 0x1E, rng.choice([7, 13, 20, 31, 0xFFFF]))
    elif how == "fat_count":
        struct.pack_into("<I", buf, 0x2C, rng.choice([0, 110, 0xFFFFFFFF]))
    elif how == "dir_start":
        struct.pack_into("<I", buf, 0x30, rng.choice([0, 0xFFFFFFFE, 0x7FFFFFFF]))
    elif how == "stream_size":
        # The directory's first entries: set a stream's size huge.
        dir_start = struct.unpack_from("<I", buf, 0x30)[0]
        base = (dir_start + 1) * 512
        if base + 512 > len(buf):
            raise _Skip
        entry = base + 128 * rng.randrange(4)
        struct.pack_into("<I", buf, entry + 0x78, rng.choice([0x7FFFFFFF, 0xFFFFFFFF, 64 * 1024 * 1024]))
    elif how == "fat_loop":
        fat0 = struct.unpack_from("<I", buf, 0x4C)[0]
        off = (fat0 + 1) * 512
        if off + 512 > len(buf):
            raise _Skip
        k = rng.randrange(1, 127)
        struct.pack_into("<I", buf, off + 4 * k, k)  # a sector chained to itself
    else:
        for _ in range(rng.randint(1, 16)):
            buf[rng.randrange(min(len(buf), 2048))] = rng.randrange(256)
    return bytes(buf), f"compound file: {how}"


XLS_OPS: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = {
    "record_flip": _xls_op(_record_flip),
    "record_field": _xls_op(_record_field),
    "record_header": _xls_op(_record_header),
    "stream_tail": _xls_op(_stream_tail),
    "truncate": _xls_truncate,
    "container": _container,
}


# ---------------------------------------------------------------------------------------------
# Running the CLI on them, supervised
# ---------------------------------------------------------------------------------------------


@dataclass
class Task:
    key: str  # what the caller calls this run
    argv: list[str]
    cwd: str
    timeout: float
    inputs: dict[str, str] = field(default_factory=dict)  # path -> sha256 before the run
    json_out: bool = False


@dataclass
class Outcome:
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    traceback: str | None = None
    hang: bool = False
    died: int | None = None  # the worker's exit status, when it died mid-case (signal: negative)
    elapsed: float = 0.0
    peak_kb: int = 0  # peak RSS of the worker during the case (and of its children, when it had any)


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no ``except Exception`` in the code under test swallows it."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _Hang


def _reset_peak() -> bool:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_kb(reset_worked: bool) -> int:
    if reset_worked:
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_in_process(task: Task) -> Outcome:
    """Run ``taizhang *argv`` here as the ``taizhang`` script would, with stdout/stderr captured."""
    from taizhang.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv, sys.stdout, sys.stderr, os.getcwd()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    reset = _reset_peak()
    outcome = Outcome()
    start = time.monotonic()
    sys.argv, sys.stdout, sys.stderr = ["taizhang", *task.argv], out, err
    os.chdir(task.cwd)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, task.timeout)
    try:
        main()
        outcome.exit_code = 0
    except SystemExit as exc:
        code = exc.code
        outcome.exit_code = code if isinstance(code, int) else (0 if code is None else 1)
    except _Hang:
        outcome.hang = True
    except BaseException:  # noqa: BLE001  anything escaping main() is a traceback for the user
        outcome.traceback = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.argv, sys.stdout, sys.stderr = saved[0], saved[1], saved[2]
        os.chdir(saved[3])
    outcome.elapsed = time.monotonic() - start
    outcome.stdout, outcome.stderr = out.getvalue(), err.getvalue()
    outcome.peak_kb = _peak_kb(reset)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if children_after > children_before:
        outcome.peak_kb = max(outcome.peak_kb, children_after)
    return outcome


def _serve(conn: Connection, mem_limit: int | None) -> None:
    os.setpgrp()  # the supervisor kills this worker with everything it started
    if mem_limit:
        resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(run_in_process(task))


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: Task | None = None
    deadline: float = 0.0
    served: int = 0


class Runner:
    """Run tasks on ``jobs`` worker processes; a task that outlives its timeout (plus a grace period, for
    code stuck in C where the alarm cannot reach it) is killed with its process group and reported as a hang.
    """

    def __init__(self, jobs: int = 2, *, mem_limit: int | None = 4 << 30, recycle: int = 300, grace: float = 5.0):
        import taizhang.cli  # noqa: F401  imported once here, inherited by every worker

        self.jobs = max(1, jobs)
        self.mem_limit = mem_limit
        self.recycle = recycle
        self.grace = grace
        self._ctx = multiprocessing.get_context("fork")
        self._slots: list[_Slot] = []

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_serve, args=(child, self.mem_limit), daemon=False)
        p.start()
        child.close()
        return _Slot(p, parent)

    def _kill(self, slot: _Slot) -> None:
        pid = slot.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the worker's own group: it and the processes it started
        slot.process.join(5)
        slot.conn.close()

    def close(self) -> None:
        for slot in self._slots:
            with contextlib.suppress(OSError, BrokenPipeError):
                slot.conn.send(None)
            slot.process.join(2)
            self._kill(slot)
        self._slots = []

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        pending = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len([s for s in self._slots if s.task is not None]) < self.jobs:
                idle = next((s for s in self._slots if s.task is None), None)
                if idle is None:
                    idle = self._start()
                    self._slots.append(idle)
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                idle.task, idle.deadline = task, time.monotonic() + task.timeout + self.grace
                idle.conn.send(task)
            busy = [s for s in self._slots if s.task is not None]
            if not busy:
                return
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = wait([s.conn for s in busy], timeout)
            now = time.monotonic()
            for slot in busy:
                assert slot.task is not None
                task = slot.task
                if slot.conn in ready:
                    try:
                        outcome: Outcome = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.process.join(5)
                        outcome = Outcome(died=slot.process.exitcode)
                        self._replace(slot)
                    else:
                        slot.task = None
                        slot.served += 1
                        if slot.served >= self.recycle:
                            self._replace(slot)
                    yield task, outcome
                elif now >= slot.deadline:
                    self._replace(slot)
                    yield task, Outcome(hang=True, elapsed=task.timeout + self.grace)

    def _replace(self, slot: _Slot) -> None:
        self._kill(slot)
        self._slots.remove(slot)


# ---------------------------------------------------------------------------------------------
# Judging an outcome
# ---------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems(task: Task, outcome: Outcome, *, max_kb: int | None = None, allow_internal: bool = False) -> list[str]:
    """What is wrong with this run: empty when it behaved. ``allow_internal``: exit 3 (an unexpected error
    reported in a short message) is documented behaviour, not a problem; the benchmark counts it."""
    out: list[str] = []
    if outcome.hang:
        out.append(f"hang (over {task.timeout:.0f} s)")
    if outcome.died is not None:
        out.append(f"worker died (status {outcome.died})")
    if outcome.traceback is not None:
        out.append("traceback: " + crash_signature(outcome.traceback))
    text = outcome.stdout + outcome.stderr
    if "Traceback (most recent call last)" in text:
        out.append("traceback printed: " + crash_signature(text))
    if not outcome.hang and outcome.died is None and outcome.traceback is None \
            and outcome.exit_code not in EXIT_CODES:
        out.append(f"exit code {outcome.exit_code}")
    if outcome.exit_code == 3 and not allow_internal:
        out.append("internal error (exit 3): " + _first_line(outcome.stderr))
    if "MemoryError" in text:
        out.append("MemoryError reported")
    if task.json_out and outcome.exit_code in EXIT_CODES and not outcome.hang and outcome.traceback is None:
        try:
            json.loads(outcome.stdout)
        except ValueError:
            out.append(f"--json output is not JSON: {outcome.stdout[:80]!r}")
    for path, digest in task.inputs.items():
        p = Path(path)
        if not p.is_file() or sha256(p) != digest:
            out.append(f"input changed: {p.name}")
    if max_kb is not None and outcome.peak_kb > max_kb:
        out.append(f"peak memory {outcome.peak_kb / 1024:.0f} MB")
    return out


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")[:160]


_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def crash_signature(tb: str) -> str:
    """``Type at taizhang/x.py:func (innermost: lib/y.py:func)`` from a traceback's text."""
    lines = [line for line in tb.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "?"
    exc_type = last.split(":", 1)[0]
    frames = _FRAME.findall(tb)
    ours = [f for f in frames if "/taizhang/" in f[0] and "/tests/" not in f[0]]

    def short(frame: tuple[str, str, str]) -> str:
        path = frame[0]
        for marker in ("/taizhang/", "/site-packages/", "/lib/python3"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{path}:{frame[2]}"

    where = short(ours[-1]) if ours else "?"
    inner = short(frames[-1]) if frames else "?"
    return f"{exc_type} at {where}" + (f" (innermost {inner})" if inner != where else "")


# ---------------------------------------------------------------------------------------------
# Cases: the commands run on each mutant, and merges of inboxes
# ---------------------------------------------------------------------------------------------


def write_mutant(m: Mutant, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / m.name
    path.write_bytes(m.data)
    return path


def validate_tasks(m: Mutant, path: Path, workdir: Path, *, timeout: float, annotate: bool) -> list[Task]:
    digest = hashlib.sha256(m.data).hexdigest()
    inputs = {str(path): digest}
    tasks = [
        Task(f"{m.index}:validate", ["validate", str(path)], str(workdir), timeout, dict(inputs)),
        Task(f"{m.index}:json", ["validate", "--json", str(path)], str(workdir), timeout, dict(inputs), json_out=True),
    ]
    if annotate:
        tasks.append(Task(f"{m.index}:annotate", ["validate", str(path), "--annotate", str(workdir / "annotated")],
                          str(workdir), timeout, dict(inputs)))
    return tasks


SPECIAL_ENTRIES = ("loop.xlsx", "dangling.xlsx", "文件夹.xlsx", "管道.xlsx", "零.xlsx", "随机.xls")


def add_special_entries(inbox: Path) -> None:
    """What else lands in a shared inbox: a symlink loop, a dangling symlink, a folder named like a
    workbook, a FIFO (opening it blocks), symlinks to endless devices."""
    inbox.mkdir(parents=True, exist_ok=True)
    loop, dangling, folder, fifo, zero, urandom = (inbox / n for n in SPECIAL_ENTRIES)
    os.symlink(loop.name, loop)
    os.symlink("no-such-file.xlsx", dangling)
    folder.mkdir()
    (folder / "里面.xlsx").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    os.mkfifo(fifo)
    os.symlink("/dev/zero", zero)
    os.symlink("/dev/urandom", urandom)


def merge_task(key: str, files: Sequence[Path], good: Path, inbox: Path, *, timeout: float,
               special: bool = False) -> Task:
    """An inbox holding ``files`` and a copy of the good ledger (and, with ``special``, the entries of
    ``add_special_entries``); the merge must still carry the good one."""
    inbox.mkdir(parents=True, exist_ok=True)
    inputs = {}
    for f in [*files, good]:
        target = inbox / f.name
        if not target.exists():
            shutil.copyfile(f, target)
        inputs[str(target)] = sha256(target)
    if special:
        add_special_entries(inbox)
    out = inbox.parent / f"{inbox.name}-汇总.xlsx"
    return Task(key, ["merge", str(inbox), "--json", "-o", str(out), "--db", str(inbox.parent / f"{inbox.name}.db"),
                      "--date", "2022-04-06"], str(inbox.parent), timeout, inputs, json_out=True)


def merge_problems(task: Task, outcome: Outcome, *, allow_internal: bool = False) -> list[str]:
    """Besides ``problems``: the good ledger is in the merge, with its items, and the workbook was written."""
    out = problems(task, outcome, allow_internal=allow_internal)
    if out:
        return out
    try:
        result = json.loads(outcome.stdout)
        entry = next(d for d in result["departments"] if Path(d["file"]).name.startswith(GOOD_DEPARTMENT))
    except (ValueError, KeyError, TypeError, StopIteration):
        return [f"the good ledger is missing from the merge (exit {outcome.exit_code}): "
                f"{_first_line(outcome.stderr) or outcome.stdout[:160]!r}"]
    if entry["counts"]["total"] != GOOD_ITEMS:
        out.append(f"the good ledger's items were not all merged: {entry['counts']['total']}")
    if not result.get("output") or not Path(result["output"]).is_file():
        out.append("no merged workbook written")
    return out
