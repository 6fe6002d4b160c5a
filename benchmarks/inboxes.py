"""Benchmark inboxes: department workbooks in the 附件2 layout, as Excel/WPS and LibreOffice save them.

``tests/builders.build_ledger`` writes through openpyxl, which stores every text as an inline
string (``t="inlineStr"``). Excel and WPS keep texts in the shared string table
(``xl/sharedStrings.xml``, cells ``t="s"``), which is what a merge meets in real inboxes, so each
built workbook is rewritten that way (``to_shared_strings``). A LibreOffice-saved variant is made
by converting those files with ``soffice --convert-to xlsx`` (skipped when soffice is absent).

Building thousands of workbooks through openpyxl takes minutes, so a department's workbook is built
once per distinct pattern (its colours, places and sources repeat every 30 departments) and the
others are copies with the department's name changed in the shared strings. Inboxes are cached
(``--cache``, default ``~/.cache/taizhang-bench``): the first run builds them, later runs reuse them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders import build_ledger, item  # noqa: E402

PLACES = ("港口", "航道", "船闸", "码头", "船舶", "岸电", "锚地", "服务区", "水运", "海事")
VERBS = ("推进", "加快", "完成", "做好", "开展", "落实")
WORKS = ("建设", "整治", "改造", "监管", "专项检查", "信息化平台建设", "安全生产标准化创建", "绿色航运示范")
COLOURS = ("blue", "yellow", "red", None, None)
STARS = ("★★★", "★★", "★")
SOURCES = ("A", "B", "C", "D", "AB", "BC")
PATTERNS = 30  # lcm of the cycles above that depend on the department (5, 10, 6)
DEFAULT_CACHE = Path(os.environ.get("TAIZHANG_BENCH_CACHE", Path.home() / ".cache" / "taizhang-bench"))


def department_name(n: int) -> str:
    return f"第{n + 1}业务部"


def file_name(n: int) -> str:
    return f"{department_name(n)}2022年4月重点工作台账.xlsx"


def ledger_rows(d: int, items: int) -> list[dict[str, object]]:
    rows = []
    for i in range(items):
        name = f"{VERBS[i % len(VERBS)]}{PLACES[(i + d) % len(PLACES)]}{WORKS[i % len(WORKS)]}（第{i + 1}项）"
        rows.append(item(
            name,
            colour=COLOURS[(i + d) % len(COLOURS)],
            stars=STARS[i % 3],
            source=SOURCES[(i * 7 + d) % len(SOURCES)],
            target=f"{name}：年内完成投资{(i % 9) + 1}亿元，{(i % 4) + 1}季度末形成实物工作量，确保按期通过验收。",
            progress=f"截至{(i % 12) + 1}月底，已完成年度目标的{(i * 13) % 100}%，正在推进招标、施工和质量监督等工作，"
                     f"下步将加强协调调度，确保按计划节点完成。",
            leader="张三",
            owner=f"{PLACES[i % len(PLACES)]}科/李四",
            note="已销号" if i % 50 == 49 else "",
        ))
    return rows


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)
_INLINE_EMPTY = re.compile(rb'<c ([^>]*?) ?t="inlineStr"([^>]*)>(?:<is><t(?: [^>]*)?/></is>)?</c>')


def to_shared_strings(src: Path, dst: Path) -> Path:
    """Rewrite an openpyxl workbook's inline strings into a shared string table, as Excel saves texts."""
    table: dict[bytes, int] = {}
    count = 0

    def shared(m: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        # openpyxl writes every non-ASCII character as a reference (&#31532;); Excel writes UTF-8.
        text = html.escape(html.unescape(m.group(3).decode()), quote=False).encode()
        index = table.setdefault(text, len(table))
        return b"<c " + m.group(1) + b't="s"' + m.group(2) + b"><v>" + str(index).encode() + b"</v></c>"

    with zipfile.ZipFile(src) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    out: list[tuple[str, bytes]] = []
    for info, data in members:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            data = _INLINE.sub(shared, _INLINE_EMPTY.sub(rb"<c \1\2/>", data))
        out.append((info.filename, data))
    sst = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
           b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
           % (count, len(table))]
    for text in table:
        space = b' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or b"\n" in text else b""
        sst.append(b"<si><t" + space + b">" + text + b"</t></si>")
    sst.append(b"</sst>")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in out:
            if name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            zout.writestr(name, data)
        zout.writestr("xl/sharedStrings.xml", b"".join(sst))
    return dst


def _rename_department(src: Path, dst: Path, old: str, new: str) -> None:
    """A copy of ``src`` whose title names department ``new`` instead of ``old``."""
    before = f">{html.escape(old)}重点工作台账<".encode()
    after = f">{html.escape(new)}重点工作台账<".encode()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert before in data, f"no title in {src}"
                data = data.replace(before, after)
            zout.writestr(info, data)


def build_inbox(folder: Path, files: int, items: int) -> list[Path]:
    """``files`` workbooks × ``items`` items with shared strings, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="taizhang-build-") as tmp:
        patterns: dict[int, Path] = {}
        paths = []
        for d in range(files):
            dst = folder / file_name(d)
            p = d % PATTERNS
            if p not in patterns:
                raw = build_ledger(Path(tmp) / f"raw{p}.xlsx", ledger_rows(p, items), department=department_name(p))
                patterns[p] = to_shared_strings(raw, Path(tmp) / f"shared{p}.xlsx")
            if p == d:
                shutil.copyfile(patterns[p], dst)
            else:
                _rename_department(patterns[p], dst, department_name(p), department_name(d))
            paths.append(dst)
    return paths


def convert_with_soffice(src: list[Path], folder: Path) -> list[Path] | None:
    """The workbooks as LibreOffice saves them (``soffice --convert-to xlsx``); None without soffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="taizhang-lo-") as profile:
        for start in range(0, len(src), 100):  # one soffice per hundred files: a bounded command line
            batch = [str(p) for p in src[start:start + 100]]
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), *batch],
                           check=True, capture_output=True, timeout=3600)
    out = [folder / p.name for p in src]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise SystemExit(f"soffice did not convert {len(missing)} files, e.g. {missing[0]}")
    return out


def cached_inbox(cache: Path, files: int, items: int, variant: str = "excel") -> list[Path] | None:
    """The inbox of ``files`` × ``items`` (``variant`` "excel": shared strings; "libreoffice": re-saved
    by LibreOffice, None without soffice), built on first use and kept in ``cache``."""
    folder = cache / f"{variant}-{files}x{items}"
    done = folder / ".complete"
    if done.exists():
        return sorted(folder.glob("*.xlsx"))
    shutil.rmtree(folder, ignore_errors=True)
    print(f"  building {variant} inbox {files} × {items} in {folder} (once; cached)…", flush=True)
    if variant == "excel":
        paths = build_inbox(folder, files, items)
    else:
        source = cached_inbox(cache, files, items, "excel")
        assert source is not None
        converted = convert_with_soffice(source, folder)
        if converted is None:
            return None
        paths = converted
    done.write_text("ok\n")
    return sorted(paths)
