"""The .xlsx reader's fast scanners (rows and cells, shared strings) against expat.

``read_xlsx(path, fast=False)`` reads every part with expat alone; the default reads the common
shape of a sheet's <sheetData> and of the shared string table with regular expressions and leaves
everything else to expat. The two must give the same workbook, or the same finding, for every file:
the shipped ones, the builders' variants, LibreOffice re-saves, hand-made XML oddities, and the
fuzzer's mutants. Where a shape is common (Excel/WPS, openpyxl, LibreOffice), the fast path must
also really be the one taken.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

import fuzzing
from builders import (
    build_ledger,
    build_month_workbook,
    fill_template,
    item,
    rewrite_members,
    with_shared_strings,
)
from conftest import convert_many_with_soffice
from taizhang.errors import UnreadableFile
from taizhang.models import Finding
from taizhang.reading import gate, xlsx
from taizhang.reading.grid import RawWorkbook

ROOT = Path(__file__).resolve().parents[1]
SHEET = "xl/worksheets/sheet1.xml"
SST = "xl/sharedStrings.xml"


def _read(path: Path, fast: bool) -> RawWorkbook | Finding:
    try:
        return xlsx.read_xlsx(path, fast=fast)
    except UnreadableFile as exc:
        return exc.finding


class _ExpatUsed(Exception):
    pass


def _fast_only(path: Path) -> RawWorkbook | Finding:
    """``path`` read with the expat paths for sheets and shared strings made to fail."""
    def refuse(*_args: object) -> None:
        raise _ExpatUsed

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx._SheetParser, "parse", refuse)
        mp.setattr(xlsx, "_shared_strings", refuse)
        return _read(path, True)


def assert_same(path: Path, *, fast_taken: bool | None = None) -> RawWorkbook | Finding:
    """Both readers agree on ``path``; ``fast_taken`` True/False: the scanners read (or declined)
    every sheet and the string table."""
    slow, fast = _read(path, False), _read(path, True)
    # By repr: NaN is no NaN's equal, and 1 == 1.0 == True hides a type that changed.
    assert repr(fast) == repr(slow), path.name
    if fast_taken is not None:
        assert (repr(_fast_only(path)) == repr(slow)) is fast_taken, path.name
    return slow


def _items() -> list[dict[str, object]]:
    return [
        item("推进港口船舶岸电设施建设", colour="blue", stars="★★★", source="A"),
        item("加快航道整治工程", colour="yellow", stars="★★", source="AB", progress="完成 <50%> & “评审”"),
        item("开展船闸安全生产专项检查", colour="red", stars="★", source="C", note="已销号"),
        item("完成锚地改造", stars="★★", source="BC", judgement="黄色", fonts={"name": "FF0000"}),
    ]


def _builder_variants(folder: Path) -> Iterator[Path]:
    items = _items()
    yield build_ledger(folder / "plain.xlsx", items)
    yield build_ledger(folder / "merged.xlsx", items, merge_items=[(1, 2)], formatted_empty_rows=4,
                       extra={"完成时限": ["2022年6月", "", "2022年9月", ""]}, before_sheets=[("填报说明", False)])
    yield build_ledger(folder / "decorated.xlsx", items, table_fill="DDEBF7", number=False, blank_rows_above=2,
                       unit=("填报单位：", "规划发展部"))
    rows = [dict(i, row_fill="FFFF00") if n == 1 else i for n, i in enumerate(items)]
    yield build_ledger(folder / "row-fill.xlsx", rows)
    yield build_month_workbook(folder / "months.xlsx", [("3月", "2022年3月3日", items[:2]), ("4月", "2022年4月3日", items)])
    template = folder / "template.xlsx"
    template.write_bytes((ROOT / "templates" / "重点工作台账模板.xlsx").read_bytes())
    yield fill_template(template, [dict(i, choice="red") for i in items])


def test_the_shipped_workbooks_read_the_same_and_fast(tmp_path: Path) -> None:
    files = sorted((ROOT / "tests" / "data").glob("*.xlsx")) + sorted((ROOT / "examples").glob("*/*.xlsx"))
    files.append(ROOT / "templates" / "重点工作台账模板.xlsx")
    assert len(files) >= 10
    for path in files:
        assert isinstance(assert_same(path, fast_taken=True), RawWorkbook)


def test_builder_ledgers_read_the_same_and_fast_with_inline_and_shared_strings(tmp_path: Path) -> None:
    for path in _builder_variants(tmp_path):
        assert isinstance(assert_same(path, fast_taken=True), RawWorkbook)
        shared = with_shared_strings(path, tmp_path / f"shared-{path.name}")
        book = assert_same(shared, fast_taken=True)
        assert isinstance(book, RawWorkbook)
        assert book.sheets == xlsx.read_xlsx(path).sheets  # the same text whichever way it is kept


def _struck_ledger(path: Path) -> Path:
    """Item 2's texts struck while editing them (rich text), one half-struck text, item 3's row
    struck as cells; a line break in a label."""
    build_ledger(path, _items(), labels={"name": "工作\n事项"})
    wb = load_workbook(path)
    ws = wb.active
    for c in range(2, 5):
        ws.cell(6, c).value = CellRichText(TextBlock(InlineFont(strike=True), str(ws.cell(6, c).value)))
        ws.cell(7, c).font = Font(strike=True)
    ws.cell(8, 2).value = CellRichText(TextBlock(InlineFont(strike=True), "旧的"), TextBlock(InlineFont(), "新的"))
    wb.save(path)
    return path


def test_struck_rich_text_reads_the_same(tmp_path: Path) -> None:
    book = assert_same(_struck_ledger(tmp_path / "struck.xlsx"))  # openpyxl's rich inline strings: expat's
    assert isinstance(book, RawWorkbook) and book.sheets[0].has_strike


def test_libreoffice_resaves_read_the_same_and_fast(tmp_path: Path) -> None:
    sources = list(_builder_variants(tmp_path / "src"))
    # LibreOffice writes rich runs with <strike/> in its string table, and line breaks as &#10;.
    sources.append(_struck_ledger(tmp_path / "src" / "struck.xlsx"))
    resaved = convert_many_with_soffice(sources, "xlsx", tmp_path / "lo")
    assert len(resaved) >= len(sources) - 1
    for path in resaved.values():
        assert isinstance(assert_same(path, fast_taken=True), RawWorkbook)
    struck = assert_same(resaved[sources[-1]])
    assert isinstance(struck, RawWorkbook) and struck.sheets[0].has_strike


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    ledger = build_ledger(folder / "inline.xlsx", _items(), merge_items=[(1, 2)], formatted_empty_rows=2)
    return with_shared_strings(ledger, folder / "base.xlsx")


def _sub(pattern: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    return lambda data: re.sub(pattern, new, data, count=count)


# (what a clerk's tool, another program or an attacker writes; the part; the change; whether the
# fast scanner reads it). Every one must read as expat reads it.
SHEET_CHANGES: list[tuple[str, str, Callable[[bytes], bytes], bool]] = [
    ("unchanged", SHEET, lambda d: d, True),
    ("prefixed tags", SHEET, lambda d: re.sub(rb"<(/?)(row|c|v)\b", rb"<\1x:\2", d).replace(
        b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '), False),
    ("CDATA value", SHEET, _sub(rb'<v>1</v>', b"<v><![CDATA[1]]></v>"), False),
    ("comment in rows", SHEET, _sub(rb"<sheetData>", b"<sheetData><!-- rows -->"), False),
    ("comment hiding a sheetData", SHEET, _sub(rb"<sheetData>", b"<!-- <sheetData> --><sheetData>"), False),
    ("processing instruction", SHEET, _sub(rb"</row>", b"<?mso x?></row>"), False),
    ("text with entities", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a &amp; b &lt;c&gt; &quot;&apos; &#10;&#x4e00;&amp;lt;</v>'), True),
    ("character reference XML forbids", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a&#1;b</v>'), False),
    ("reference to a surrogate", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a&#xD800;b</v>'), False),
    ("reference to a carriage return", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a&#13;b</v>'), True),
    ("unknown entity", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a&nbsp;b</v>'), False),
    ("bare ampersand", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a & b</v>'), False),
    ("carriage return", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a\r\nb</v>'), False),
    ("control character", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a\x01b</v>'), False),
    ("U+FFFE", SHEET, _sub(rb't="s"><v>13</v>', 't="str"><v>a\ufffeb</v>'.encode()), False),
    ("CDATA end in text", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a]]>b</v>'), False),
    ("invalid UTF-8", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a\xff\xfeb</v>'), False),
    ("encoded surrogate", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>a\xed\xa0\x80b</v>'), False),
    ("tab and line feed", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v>\ta\nb </v>'), True),
    ("blank text", SHEET, _sub(rb't="s"><v>13</v>', b't="str"><v> \n</v>'), True),
    ("pretty-printed", SHEET, lambda d: d.replace(b"<row ", b"\n  <row ").replace(b"<c ", b"\n    <c "), False),
    ("row attribute twice", SHEET, _sub(rb'<row r="5"', b'<row r="5" r="5"'), False),
    ("row attribute twice, r apart", SHEET, _sub(rb'<row r="5"', b'<row r="5" ht="9" ht="9"'), False),
    ("row attribute twice, no r", SHEET, _sub(rb'<row r="5"', b'<row ht="9" ht="9"'), False),
    ("row without r", SHEET, _sub(rb'<row r="6">', b"<row>"), True),
    ("row r after others", SHEET, _sub(rb'<row r="6">', b'<row spans="1:10" r="6">'), True),
    ("rows without r", SHEET, lambda d: re.sub(rb'<row r="\d+"', b"<row", d), True),
    ("row r with a leading zero", SHEET, _sub(rb'<row r="5">', b'<row r="05">'), True),
    ("row r zero", SHEET, _sub(rb'<row r="5">', b'<row r="0">'), False),
    ("row past the grid", SHEET, _sub(rb'<row r="5">', b'<row r="1048577">'), False),
    ("empty row r", SHEET, _sub(rb'<row r="5">', b'<row r="">'), True),
    ("self-closing row", SHEET, _sub(rb"<sheetData>", b'<sheetData><row r="1" ht="20"/>'), True),
    ("hidden and squeezed rows", SHEET, lambda d: d.replace(b'<row r="6"', b'<row r="6" hidden="1"').replace(
        b'<row r="7"', b'<row r="7" customHeight="true" ht="0.0"'), True),
    ("row fill", SHEET, _sub(rb'<row r="6"', b'<row r="6" s="5" customFormat="1"'), True),
    ("row fill style not a number", SHEET, _sub(rb'<row r="6"', b'<row r="6" s="x" customFormat="1"'), False),
    ("unclosed row", SHEET, _sub(rb"</row>", b""), False),
    ("extra row end", SHEET, _sub(rb"</row>", b"</row></row>"), False),
    ("nested rows", SHEET, _sub(rb'(<row r="6">)', rb'\1<row r="60"></row>'), True),
    ("cell outside a row", SHEET, _sub(rb"<sheetData>", b'<sheetData><c r="K1" t="str"><v>x</v></c>'), True),
    ("cells without r", SHEET, lambda d: re.sub(rb'<c r="[A-Z]+5"', b"<c", d), False),
    ("cell ref past XFD", SHEET, _sub(rb'<c r="B5"', b'<c r="XFE5"'), False),
    ("cell ref row 0", SHEET, _sub(rb'<c r="B5"', b'<c r="B0"'), False),
    ("cell ref in lower case", SHEET, _sub(rb'<c r="B5"', b'<c r="b5"'), False),
    ("cell ref of another row", SHEET, _sub(rb'<c r="B5"', b'<c r="B15"'), True),
    ("cell ref with a leading zero", SHEET, _sub(rb'<c r="B5"', b'<c r="B05"'), True),
    ("cell ref without a column", SHEET, _sub(rb'<c r="B5"', b'<c r="5"'), False),
    ("attributes in another order", SHEET, _sub(rb'<c r="B5" s="4" t="s">', b'<c t="s" r="B5" s="4">'), False),
    ("another attribute", SHEET, _sub(rb'<c r="B5" s="4" t="s">', b'<c r="B5" s="4" t="s" cm="1">'), False),
    ("style past the table", SHEET, _sub(rb'<c r="B5" s="4"', b'<c r="B5" s="400"'), True),
    ("style written 04", SHEET, _sub(rb'<c r="B5" s="4"', b'<c r="B5" s="04"'), True),
    ("string index past the table", SHEET, _sub(rb't="s"><v>13</v>', b't="s"><v>9999</v>'), True),
    ("string index negative", SHEET, _sub(rb't="s"><v>13</v>', b't="s"><v>-1</v>'), True),
    ("string index as a reference", SHEET, _sub(rb't="s"><v>13</v>', b't="s"><v>&#49;3</v>'), True),
    ("string index with blanks", SHEET, _sub(rb't="s"><v>13</v>', b't="s"><v> 13 </v>'), True),
    ("string index not a number", SHEET, _sub(rb't="s"><v>13</v>', b't="s"><v>x</v>'), True),
    ("empty values", SHEET, lambda d: d.replace(b't="s"><v>13</v>', b't="s"><v></v>').replace(
        b't="s"><v>14</v>', b't="s"><v/>'), True),
    ("other cell types", SHEET, lambda d: d.replace(b't="s"><v>13</v>', b't="b"><v>1</v>').replace(
        b't="s"><v>14</v>', b't="e"><v>#N/A</v>').replace(b't="s"><v>15</v>', b't="d"><v>2022-04-03T08:00:00+08:00</v>')
        .replace(b't="s"><v>16</v>', b't="n"><v>1.5e3</v>').replace(b't="s"><v>17</v>', b't="n"><v>abc</v>')
        .replace(b't="s"><v>18</v>', b't="d"><v>soon</v>').replace(b't="s"><v>19</v>', b't="x"><v>1</v>'), True),
    ("a date style on numbers", SHEET, lambda d: re.sub(rb'<c r="A(\d+)" s="\d+" t="n"><v>', rb'<c r="A\1" s="9" t="n"><v>', d), True),
    ("formulas", SHEET, lambda d: d.replace(b't="n"><v>1</v>', b't="n"><f>ROW()-4</f><v>1</v>').replace(
        b't="s"><v>14</v>', b't="str"><f t="shared" ref="C5:C6" si="0">IF(A5&gt;0,&quot;x&quot;,"")</f><v></v>')
        .replace(b' t="s"><v>15</v>', b'><f t="shared" si="0"/></c><c r="Z5"><f>A1&amp;B1</f>'), True),
    ("forbidden reference in the formula of a cell with a value", SHEET, _sub(
        rb't="n"><v>1</v>', b't="n"><f>"a&#1;"</f><v>1</v>'), False),
    ("formula attribute twice", SHEET, _sub(rb't="n"><v>1</v>', b't="n"><f t="shared" t="shared">A1</f><v>1</v>'), False),
    ("plain inline string", SHEET, _sub(rb't="s"><v>13</v>', b't="inlineStr"><is><t xml:space="preserve"> a_x000D_b </t></is>'), True),
    ("rich inline string", SHEET, _sub(rb't="s"><v>13</v>', b't="inlineStr"><is><r><rPr><strike/></rPr><t>x</t></r></is>'), False),
    ("inline string with a phonetic guide", SHEET, _sub(
        rb't="s"><v>13</v>', b't="inlineStr"><is><t>x</t><rPh sb="0" eb="1"><t>y</t></rPh></is>'), False),
    ("a cell after the rows", SHEET, _sub(rb"</sheetData>", b'</sheetData><c r="A99" t="str"><v>x</v></c>'), False),
    ("a second sheetData", SHEET, _sub(rb"</sheetData>", b'</sheetData><sheetData><row r="99"/></sheetData>'), False),
    ("empty sheetData", SHEET, lambda d: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", d, flags=re.S), False),
    ("truncated in the rows", SHEET, lambda d: d[:d.index(b"</sheetData>") - 200], False),
    ("truncated after the rows", SHEET, lambda d: d[:d.index(b"</sheetData>") + 14], False),
    ("no root end", SHEET, lambda d: d.replace(b"</worksheet>", b""), False),
    ("junk after the root", SHEET, lambda d: d + b"<x/>", False),
    ("declaration in Latin-1", SHEET, lambda d: b'<?xml version="1.0" encoding="ISO-8859-1"?>' + d, False),
    ("declaration in lower case UTF-8", SHEET, lambda d: b"<?xml version='1.0' encoding='utf-8'?>\n" + d, True),
    ("byte order mark", SHEET, lambda d: b"\xef\xbb\xbf" + d, True),
    ("UTF-16", SHEET, lambda d: d.decode().encode("utf-16"), False),
    ("DOCTYPE", SHEET, lambda d: b"<!DOCTYPE worksheet>" + d, False),
    ("tab in an attribute", SHEET, _sub(rb'<row r="6"', b'<row r="6" spans="1:\t10"'), False),
    ("attribute in single quotes", SHEET, _sub(rb'<row r="6"', b"<row r='6'"), False),
    ("merged ranges and formats after the rows", SHEET, _sub(rb"</sheetData>", (
        b'</sheetData><mergeCells count="2"><mergeCell ref="A20:B21"/><mergeCell ref="C1:C"/></mergeCells>'
        b'<conditionalFormatting sqref="E5:E9"><cfRule type="containsText" dxfId="0" priority="1" operator="containsText" '
        b'text="&#32418;"><formula>NOT(ISERROR(SEARCH("x",E5)))</formula></cfRule></conditionalFormatting>')), True),
    ("shared strings: plain", SST, lambda d: d, True),
    ("shared strings: rich runs", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        r'<si><r><t>\1</t></r><r><rPr><b/><sz val="11"/><color theme="1" tint="-0.25"/><rFont val="宋体"/>'
        r'</rPr><t xml:space="preserve"> x </t></r><phoneticPr fontId="1" type="noConversion"/></si>').encode(), 5), True),
    ("shared strings: reference in an rPr attribute", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><rFont val="&#23435;"/></rPr><t>\1</t></r></si>')), False),
    ("shared strings: struck runs", SST, lambda d: re.sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><strike/></rPr><t>\1</t></r><r><rPr><strike val="1"/></rPr><t> </t></r></si>'), d, count=20), True),
    ("shared strings: partly struck", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><strike/></rPr><t>\1</t></r><r><rPr><strike val="0"/></rPr><t>y</t></r></si>'), 20), True),
    ("shared strings: strike then not", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><strike/><strike val="false"/></rPr><t>\1</t></r></si>'), 20), True),
    ("shared strings: strike with another attribute", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><strike x="0"/></rPr><t>\1</t></r></si>'), 20), True),
    ("shared strings: phonetic runs", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><t>\1</t><rPh sb="0" eb="1"><t>y</t></rPh></si>'), 3), False),
    ("shared strings: text beside runs", SST, _sub(rb"<si><t>([^<]*)</t></si>", rb"<si><t>\1</t><r><t>y</t></r></si>"), False),
    ("shared strings: blanks between", SST, lambda d: d.replace(b"<si>", b"\n  <si>"), True),
    ("shared strings: blanks at the end", SST, lambda d: d.replace(b"</sst>", b"\n\t </sst>\n"), True),
    ("shared strings: an empty text", SST, lambda d: d.replace(b"<si><t>", b"<si><t></t></si><si><t>", 1), True),
    ("shared strings: empty", SST, lambda d: d.replace(b"<si><t>", b"<si/><si><t>", 1), False),
    ("shared strings: escaped characters", SST, _sub(rb"<si><t>", b"<si><t>_x000D_&#10;&amp;_x0041_"), True),
    ("shared strings: forbidden reference", SST, _sub(rb"<si><t>", b"<si><t>&#0;"), False),
    ("shared strings: a run inside run properties", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><strike/><r/></rPr><t>\1</t></r></si>'), 20), False),
    ("shared strings: a string inside run properties", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><t>a</t></r><r><rPr><si/></rPr><t>\1</t></r></si>'), 20), False),
    ("shared strings: a text inside run properties", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><t/><strike/></rPr><t>\1</t></r></si>'), 20), False),
    ("shared strings: rPr attribute twice", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><sz val="1" val="2"/></rPr><t>\1</t></r></si>')), False),
    ("shared strings: colour attribute twice", SST, _sub(rb"<si><t>([^<]*)</t></si>", (
        rb'<si><r><rPr><color rgb="FF000000" rgb="FF000000"/></rPr><t>\1</t></r></si>')), False),
    ("shared strings: prefixed", SST, lambda d: re.sub(rb"<(/?)(si|t)>", rb"<\1x:\2>", d).replace(
        b"<sst ", b'<sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '), False),
    ("shared strings: attribute twice on the root", SST, lambda d: d.replace(b'count="', b'count="1" count="'), False),
    ("shared strings: truncated", SST, lambda d: d[:-30], False),
    ("shared strings: junk after the root", SST, lambda d: d + b"<x/>", False),
    ("shared strings: comment", SST, lambda d: d.replace(b"</si>", b"</si><!-- x -->", 1), False),
    ("shared strings: declaration in Latin-1", SST,
     lambda d: d.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'), False),
    ("shared strings: no declaration", SST, lambda d: d[d.index(b"<sst"):], True),
]


@pytest.mark.parametrize(("what", "part", "change", "fast"), SHEET_CHANGES, ids=[c[0] for c in SHEET_CHANGES])
def test_odd_xml_reads_as_expat_reads_it(base: Path, tmp_path: Path, what: str, part: str,
                                         change: Callable[[bytes], bytes], fast: bool) -> None:
    with zipfile.ZipFile(base) as zf:
        before = zf.read(part)
    after = change(before)
    assert after != before or what.endswith(("unchanged", "plain")), "the change applies to the base ledger"
    path = rewrite_members(base, tmp_path / "odd.xlsx", {part: after})
    assert_same(path, fast_taken=fast)


def test_fuzzer_mutants_read_as_expat_reads_them(tmp_path: Path) -> None:
    seeds = fuzzing.build_seeds(tmp_path / "seeds")
    compared = 0
    for m in fuzzing.mutants(seeds, 240, seed=13, levels=("xml", "cell", "zip")):
        path = fuzzing.write_mutant(m, tmp_path / "mutants")
        try:
            gate._check_zip(path)  # what the gate refuses no reader sees (bombs included)
        except UnreadableFile:
            continue
        assert_same(path)
        compared += 1
    assert compared > 150


def test_a_flood_of_tokens_after_the_last_row_is_declined_without_a_tuple_for_each() -> None:
    # A hostile sheet (the fuzzer's 1,500,000 × <v>1</v> before </sheetData>) once cost 1.9 GB:
    # every token of the rest of the part was made before the scan saw the first odd one.
    import tracemalloc

    text = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "<v>1</v>" * 400_000
    tracemalloc.start()
    try:
        tokens = xlsx._sheet_tokens(text)
        first = [next(tokens) for _ in range(3)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Groups: column, row, s, t, <f…>, formula, value, inline; the row's r, other attributes, end; odd.
    assert (first[0][8], first[0][10]) == ("1", ">")
    assert (first[1][0], first[1][1], first[1][3], first[1][6]) == ("A", "1", "s", "0")
    assert first[2] == ("",) * 12  # </row>
    assert peak < 20 * 1024 * 1024  # some MB for one chunk, not a tuple per character of 3.2 MB


def test_a_flood_in_the_shared_string_table_is_declined_without_a_tuple_for_each() -> None:
    import tracemalloc

    text = "<si><t>一</t></si>" + "x" * 3_000_000
    tracemalloc.start()
    try:
        tokens = xlsx._tokens(xlsx._SI, text, "</si>")
        first = [next(tokens) for _ in range(2)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert first == [("一", "", ""), ("", "", "x")]  # the plain string, then the first odd character
    assert peak < 20 * 1024 * 1024
