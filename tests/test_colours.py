"""Resolving and naming 进度评价 fill colours (taizhang.reading.colours)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import xlrd
from openpyxl import Workbook
from openpyxl.styles import Font, GradientFill, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.writer.theme import theme_xml

from taizhang.models import Colour
from taizhang.reading.colours import (
    DEFAULT_THEME,
    apply_tint,
    classify,
    fill_rgb,
    font_rgb,
    parse_theme,
    resolve_color,
    workbook_palette,
    workbook_theme,
    xls_fill_rgb,
    xls_font_rgb,
    xls_rgb,
)

B, Y, R, N, U = Colour.BLUE, Colour.YELLOW, Colour.RED, Colour.NONE, Colour.UNKNOWN

# Office 2013+ accents replacing openpyxl's built-in (Office 2007) ones: what a file saved by a
# current Excel carries. Only the <a:clrScheme> block is rewritten.
_OFFICE_2013 = {
    "1F497D": "44546A", "EEECE1": "E7E6E6", "4F81BD": "4472C4", "C0504D": "ED7D31", "9BBB59": "A5A5A5",
    "8064A2": "FFC000", "4BACC6": "5B9BD5", "F79646": "70AD47", "0000FF": "0563C1", "800080": "954F72",
}


def office_2013_theme() -> bytes:
    head, rest = theme_xml.split("<a:clrScheme", 1)
    scheme, tail = rest.split("</a:clrScheme>", 1)
    for old, new in _OFFICE_2013.items():
        scheme = scheme.replace(f'val="{old}"', f'val="{new}"')
    return f"{head}<a:clrScheme{scheme}</a:clrScheme>{tail}".encode()


def channels_close(actual: str, expected: str, tolerance: int = 1) -> bool:
    return all(abs(int(actual[i:i + 2], 16) - int(expected[i:i + 2], 16)) <= tolerance for i in (0, 2, 4))


# What a person filling in a ledger in Excel/WPS picks, and what a reader would call it.
CLASSIFICATION_TABLE = [
    # reds: standard red/dark red, the pinks and "light red fill" of conditional formatting
    ("FF0000", R, "红色", "standard Red"),
    ("C00000", R, "红色", "standard Dark Red"),
    ("FF7C80", R, "红色", "salmon red"),
    ("FFC7CE", R, "红色", "conditional 'Light Red Fill'"),
    ("E6B8B7", R, "红色", "2007 'Red, Accent 2, Lighter 60%'"),
    ("FF99CC", R, "红色", "2003 palette Rose (pink)"),
    ("FF5050", R, "红色", "light red"),
    # yellows: Excel's 'Orange' FFC000, gold, pale yellow, conditional 'Yellow Fill'
    ("FFFF00", Y, "黄色", "standard Yellow"),
    ("FFFF99", Y, "黄色", "light yellow"),
    ("FFFFCC", Y, "黄色", "2003 palette Light Yellow"),
    ("FFF2CC", Y, "黄色", "'Gold, Accent 4, Lighter 80%'"),
    ("FFC000", Y, "黄色", "standard Orange (橙色) used as yellow"),
    ("FFD966", Y, "黄色", "'Gold, Accent 4, Lighter 40%'"),
    ("FFE699", Y, "黄色", "'Gold, Accent 4, Lighter 60%'"),
    ("FFEB9C", Y, "黄色", "conditional 'Yellow Fill'"),
    ("BF8F00", Y, "黄色", "'Gold, Accent 4, Darker 25%'"),
    # oranges (hue 24-30°): the middle of a red-amber-green scale, so yellow, not red
    ("F4B084", Y, "黄色", "'Orange, Accent 2, Lighter 40%'"),
    ("ED7D31", Y, "黄色", "'Orange, Accent 2'"),
    ("F8CBAD", Y, "黄色", "'Orange, Accent 2, Lighter 60%'"),
    ("FCD5B4", Y, "黄色", "2007 'Orange, Accent 6, Lighter 60%'"),
    ("FFCC99", Y, "黄色", "2003 palette Tan"),
    # blues: light blue, blue, dark blue, accent 1/5 tints, cyan/turquoise
    ("00B0F0", B, "蓝色", "standard Light Blue"),
    ("0070C0", B, "蓝色", "standard Blue"),
    ("002060", B, "蓝色", "standard Dark Blue"),
    ("9BC2E6", B, "蓝色", "'Blue, Accent 5, Lighter 40%'"),
    ("BDD7EE", B, "蓝色", "'Blue, Accent 5, Lighter 60%'"),
    ("DDEBF7", B, "蓝色", "'Blue, Accent 5, Lighter 80%'"),
    ("B4C6E7", B, "蓝色", "'Blue, Accent 1, Lighter 60%'"),
    ("5B9BD5", B, "蓝色", "'Blue, Accent 5'"),
    ("8EA9DB", B, "蓝色", "'Blue, Accent 1, Lighter 40%'"),
    ("4472C4", B, "蓝色", "'Blue, Accent 1'"),
    ("DCE6F1", B, "蓝色", "2007 'Blue, Accent 1, Lighter 80%'"),
    ("B7DEE8", B, "蓝色", "2007 'Aqua, Accent 5, Lighter 60%'"),
    ("99CCFF", B, "蓝色", "2003 palette Pale Blue"),
    ("CCFFFF", B, "蓝色", "2003 palette Light Turquoise"),
    ("00FFFF", B, "蓝色", "cyan"),
    # colours the 说明 does not allow
    ("00B050", U, "绿色", "standard Green"),
    ("92D050", U, "绿色", "standard Light Green"),
    ("C6EFCE", U, "绿色", "conditional 'Green Fill'"),
    ("E2EFDA", U, "绿色", "'Green, Accent 6, Lighter 80%'"),
    ("7030A0", U, "紫色", "standard Purple"),
    ("CC99FF", U, "紫色", "2003 palette Lavender"),
    ("8064A2", U, "紫色", "2007 'Purple, Accent 4'"),
    ("D9D9D9", U, "灰色", "'White, Background 1, Darker 15%'"),
    ("808080", U, "灰色", "grey"),
    ("A5A5A5", U, "灰色", "'Gray, Accent 3'"),
    ("E7E6E6", U, "灰色", "'Gray, Background 2'"),
    ("D6DCE4", U, "灰色", "'Blue-Gray, Text 2, Lighter 80%' (looks grey)"),
    ("DDD9C4", U, "米色", "2007 'Tan, Background 2, Darker 10%' (beige, not yellow)"),
    ("000000", U, "黑色", "black"),
    ("262626", U, "黑色", "'Black, Text 1, Lighter 15%'"),
    # white and near-white: no marking
    ("FFFFFF", N, None, "white"),
    ("F2F2F2", N, None, "'White, Background 1, Darker 5%'"),
    ("FAFAFA", N, None, "near white"),
    ("FFFEFE", N, None, "near white with full HLS saturation"),
]


@pytest.mark.parametrize(("rgb", "colour", "name", "what"), CLASSIFICATION_TABLE,
                         ids=[f"{row[0]}-{row[3]}" for row in CLASSIFICATION_TABLE])
def test_classify_names_colours_as_a_reader_would(rgb: str, colour: Colour, name: str | None, what: str) -> None:
    assert classify(rgb) == (colour, name)


def test_classify_accepts_lowercase_hex() -> None:
    assert classify("9bc2e6") == (B, "蓝色")


def test_classify_without_a_colour_is_none() -> None:
    assert classify(None) == (N, None)


def test_classify_ignores_malformed_values() -> None:
    assert classify("Values must be of type <class 'str'>") == (N, None)


@pytest.mark.parametrize(("rgb", "tint", "expected", "tolerance"), [
    ("4472C4", 0.5999938962981048, "B4C6E7", 1),  # Blue, Accent 1, Lighter 60%
    ("4472C4", -0.249977111117893, "2F5597", 1),  # Darker 25%
    ("4472C4", 0.3999755851924192, "8EA9DB", 1),  # Lighter 40%
    ("4472C4", -0.499984740745262, "203764", 1),  # Darker 50%
    ("FFFFFF", -0.0499893185216834, "F2F2F2", 1),  # White, Darker 5%
    ("FFFFFF", -0.149998474074526, "D9D9D9", 1),  # White, Darker 15%
    ("000000", 0.499984740745262, "808080", 1),  # Black, Lighter 50%
    ("FFC000", 0.7999816888943144, "FFF2CC", 1),  # Gold, Accent 4, Lighter 80%
    ("ED7D31", 0.3999755851924192, "F4B084", 1),  # Orange, Accent 2, Lighter 40%
    # Excel's swatches come from integer HLS arithmetic: a few differ by two from the exact formula.
    ("4472C4", 0.7999816888943144, "D9E1F2", 2),  # Lighter 80%
    ("5B9BD5", 0.3999755851924192, "9BC2E6", 2),  # Blue, Accent 5, Lighter 40%
])
def test_apply_tint_matches_the_colours_excel_shows(rgb: str, tint: float, expected: str, tolerance: int) -> None:
    assert channels_close(apply_tint(rgb, tint), expected, tolerance)


def test_apply_tint_zero_leaves_the_colour_alone() -> None:
    assert apply_tint("4472c4", 0.0) == "4472C4"


def test_parse_theme_uses_excel_index_order_with_light_and_dark_swapped() -> None:
    theme = parse_theme(office_2013_theme())
    assert len(theme) == 12
    assert theme[0] == "FFFFFF"  # lt1 (sysClr window), background
    assert theme[1] == "000000"  # dk1 (sysClr windowText), text
    assert theme[2] == "E7E6E6"  # lt2
    assert theme[3] == "44546A"  # dk2
    assert theme[4] == "4472C4"  # accent1
    assert theme[7] == "FFC000"  # accent4
    assert theme[11] == "954F72"  # folHlink
    assert theme == DEFAULT_THEME


def test_parse_theme_reads_srgb_and_system_colours_under_any_prefix() -> None:
    xml = b"""<?xml version="1.0"?>
    <t:theme xmlns:t="http://schemas.openxmlformats.org/drawingml/2006/main"><t:themeElements>
    <t:clrScheme name="Custom">
      <t:dk1><t:sysClr val="windowText" lastClr="111111"/></t:dk1>
      <t:lt1><t:sysClr val="window"/></t:lt1>
      <t:dk2><t:srgbClr val="222222"/></t:dk2>
      <t:lt2><t:srgbClr val="eeeeee"/></t:lt2>
      <t:accent1><t:srgbClr val="0000AA"/></t:accent1>
    </t:clrScheme></t:themeElements></t:theme>"""
    theme = parse_theme(xml)
    assert theme[:5] == ["FFFFFF", "111111", "EEEEEE", "222222", "0000AA"]
    assert theme[5:] == DEFAULT_THEME[5:]  # slots the file leaves out keep the default


@pytest.mark.parametrize("xml", [
    None,
    b"",
    b"not xml at all",
    b"<root><nothing/></root>",
    # an entity expansion attack: defusedxml refuses it, the default theme is used
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
])
def test_parse_theme_falls_back_to_the_default_theme(xml: bytes | None) -> None:
    assert parse_theme(xml) == DEFAULT_THEME


PALETTE = workbook_palette(Workbook())


@pytest.mark.parametrize(("color", "expected"), [
    (Color(rgb="FF9BC2E6"), "9BC2E6"),  # Excel writes alpha FF
    (Color(rgb="9BC2E6"), "9BC2E6"),  # openpyxl pads to "009BC2E6"
    (Color(rgb="00FFC000"), "FFC000"),  # alpha 00 is still the colour
    (Color(rgb="FF000000"), "000000"),  # explicit black
    (Color(rgb="00000000"), None),  # openpyxl's default Color(): no colour named
    (Color(indexed=10), "FF0000"),
    (Color(indexed=8), "000000"),
    (Color(indexed=44), "99CCFF"),
    (Color(indexed=64), None),  # system foreground
    (Color(indexed=65), None),  # system background
    (Color(indexed=200), None),  # outside the palette
    (Color(theme=4), "4472C4"),
    (Color(theme=0), "FFFFFF"),
    (Color(theme=1), "000000"),
    (Color(theme=4, tint=0.5999938962981048), "B4C7E7"),
    (Color(theme=12), None),  # no such theme slot
    (Color(auto=True), None),
    (None, None),
])
def test_resolve_color_by_type(color: Color | None, expected: str | None) -> None:
    assert resolve_color(color, DEFAULT_THEME, PALETTE) == expected


def test_resolve_color_uses_a_custom_palette() -> None:
    palette = list(PALETTE)
    palette[10] = "00B0F0"
    assert resolve_color(Color(indexed=10), DEFAULT_THEME, palette) == "00B0F0"


def test_workbook_palette_reads_indexed_colors_and_pads_short_lists() -> None:
    wb = Workbook()
    assert workbook_palette(wb)[:3] == ["000000", "FFFFFF", "FF0000"]
    assert len(workbook_palette(wb)) == 64
    wb._colors = ["FF112233", "FF445566"]
    palette = workbook_palette(wb)
    assert palette[:3] == ["112233", "445566", "FF0000"]
    assert len(palette) == 64


@pytest.mark.parametrize(("fill", "expected"), [
    (PatternFill(), None),  # no pattern at all
    (PatternFill(fill_type="none", fgColor="FF0000"), None),
    (PatternFill(fill_type="solid", fgColor="FFFF00"), "FFFF00"),
    (PatternFill(fill_type="solid", fgColor=Color(theme=4, tint=0.6)), "B4C7E7"),
    (PatternFill(fill_type="solid", fgColor=Color(indexed=10), bgColor=Color(indexed=64)), "FF0000"),
    (PatternFill(fill_type="gray125", fgColor="FFC000", bgColor="FFFFFF"), "FFC000"),
    (PatternFill(fill_type="darkGray", bgColor="00B0F0"), "00B0F0"),  # no dot colour: the background
    (GradientFill(stop=("FF0000", "FFFFFF")), "FF0000"),
    (None, None),
])
def test_fill_rgb_is_the_visible_fill_colour(fill: PatternFill | GradientFill | None, expected: str | None) -> None:
    assert fill_rgb(fill, DEFAULT_THEME, PALETTE) == expected


@pytest.mark.parametrize(("font", "expected"), [
    (Font(), None),
    (Font(color="FFFF0000"), "FF0000"),
    (Font(color=Color(theme=1)), "000000"),
    (Font(color=Color(auto=True)), None),
    (None, None),
])
def test_font_rgb_is_none_when_automatic(font: Font | None, expected: str | None) -> None:
    assert font_rgb(font, DEFAULT_THEME, PALETTE) == expected


# The round-trip workbook: (label, fill or None, colour a reader sees).
ROUND_TRIP = [
    ("theme 4 tint 0.6", PatternFill(fill_type="solid", fgColor=Color(theme=4, tint=0.6)), B),
    ("theme 7 (gold)", PatternFill(fill_type="solid", fgColor=Color(theme=7)), Y),
    ("theme 5 tint 0.4", PatternFill(fill_type="solid", fgColor=Color(theme=5, tint=0.4)), Y),
    ("indexed 10", PatternFill(fill_type="solid", fgColor=Color(indexed=10)), R),
    ("indexed 13", PatternFill(fill_type="solid", fgColor=Color(indexed=13)), Y),
    ("rgb 00B0F0", PatternFill(fill_type="solid", fgColor="FF00B0F0"), B),
    ("rgb C00000", PatternFill(fill_type="solid", fgColor="C00000"), R),
    ("rgb FFC7CE", PatternFill(fill_type="solid", fgColor="FFC7CE"), R),
    ("rgb 00B050", PatternFill(fill_type="solid", fgColor="00B050"), U),
    ("darkGray FF0000", PatternFill(fill_type="darkGray", fgColor="FF0000", bgColor="FFFFFF"), R),
    ("no fill", None, N),
]


def build_colour_workbook(path: Path, theme: bytes | None) -> Path:
    wb = Workbook()
    ws = wb.active
    wb.loaded_theme = theme  # None: openpyxl writes its own (Office 2007) theme
    for row, (label, fill, _) in enumerate(ROUND_TRIP, start=1):
        ws.cell(row, 1, label)
        if fill is not None:
            ws.cell(row, 1).fill = fill
    ws.cell(1, 2, "red text").font = Font(color="FF0000")
    wb.save(path)
    return path


def read_xlsx_colours(path: Path) -> dict[str, Colour]:
    wb = openpyxl.load_workbook(path)
    theme, palette = workbook_theme(wb), workbook_palette(wb)
    ws = wb.active
    return {str(ws.cell(r, 1).value): classify(fill_rgb(ws.cell(r, 1).fill, theme, palette))[0]
            for r in range(1, len(ROUND_TRIP) + 1)}


def read_xls_colours(path: Path) -> dict[str, Colour]:
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheet = book.sheet_by_index(0)
    return {str(sheet.cell_value(r, 0)): classify(xls_fill_rgb(book, book.xf_list[sheet.cell_xf_index(r, 0)]))[0]
            for r in range(len(ROUND_TRIP))}


EXPECTED = {label: colour for label, _, colour in ROUND_TRIP}


def test_openpyxl_round_trip_classifies_every_fill(tmp_path: Path) -> None:
    path = build_colour_workbook(tmp_path / "colours.xlsx", office_2013_theme())
    assert read_xlsx_colours(path) == EXPECTED
    wb = openpyxl.load_workbook(path)
    theme, palette = workbook_theme(wb), workbook_palette(wb)
    assert channels_close(fill_rgb(wb.active["A1"].fill, theme, palette) or "", "B4C6E7")
    assert font_rgb(wb.active["B1"].font, theme, palette) == "FF0000"


def test_theme_colours_come_from_the_workbooks_own_theme(tmp_path: Path) -> None:
    # openpyxl's built-in theme is Office 2007's: accent4 is purple 8064A2 there, not gold.
    path = build_colour_workbook(tmp_path / "colours.xlsx", None)
    wb = openpyxl.load_workbook(path)
    theme, palette = workbook_theme(wb), workbook_palette(wb)
    assert fill_rgb(wb.active["A2"].fill, theme, palette) == "8064A2"
    assert read_xlsx_colours(path)["theme 7 (gold)"] is U


@pytest.mark.libreoffice
def test_libreoffice_xlsx_keeps_the_classification(
    tmp_path: Path, soffice_convert: Callable[[Path, str, Path], Path]
) -> None:
    src = build_colour_workbook(tmp_path / "colours.xlsx", office_2013_theme())
    out = soffice_convert(src, "xlsx", tmp_path / "lo")
    assert read_xlsx_colours(out) == EXPECTED
    wb = openpyxl.load_workbook(out)
    # LibreOffice resolves theme colours and writes plain RGB (the tint survives to within rounding).
    fill = wb.active["A1"].fill
    assert fill.fgColor.type == "rgb"
    assert channels_close(fill_rgb(fill, workbook_theme(wb), workbook_palette(wb)) or "", "B4C6E7")


@pytest.mark.libreoffice
def test_libreoffice_xls_keeps_the_classification(
    tmp_path: Path, soffice_convert: Callable[[Path, str, Path], Path]
) -> None:
    src = build_colour_workbook(tmp_path / "colours.xlsx", office_2013_theme())
    out = soffice_convert(src, "xls", tmp_path / "lo")
    assert read_xls_colours(out) == EXPECTED
    book = xlrd.open_workbook(str(out), formatting_info=True)
    sheet = book.sheet_by_index(0)
    assert xls_font_rgb(book, book.xf_list[sheet.cell_xf_index(0, 1)]) == "FF0000"
    assert xls_font_rgb(book, book.xf_list[sheet.cell_xf_index(1, 0)]) in (None, "000000")


def test_xlwt_written_xls_fills_resolve_through_xlrd(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    styles = [
        ("pattern: pattern solid, fore_colour pale_blue", B),
        ("pattern: pattern solid, fore_colour yellow", Y),
        ("pattern: pattern solid, fore_colour red", R),
        ("pattern: pattern solid, fore_colour light_green", U),
        ("font: colour red", N),
    ]
    for row, (style, _) in enumerate(styles):
        ws.write(row, 0, style, xlwt.easyxf(style))
    path = tmp_path / "colours.xls"
    wb.save(str(path))
    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheet = book.sheet_by_index(0)
    got = [classify(xls_fill_rgb(book, book.xf_list[sheet.cell_xf_index(r, 0)]))[0] for r in range(len(styles))]
    assert got == [colour for _, colour in styles]
    assert xls_font_rgb(book, book.xf_list[sheet.cell_xf_index(4, 0)]) == "FF0000"


def test_xls_system_colour_indices_have_no_rgb() -> None:
    book = SimpleNamespace(colour_map={10: (255, 0, 0), 64: None, 65: None, 0x7FFF: None})
    assert xls_rgb(book, 10) == "FF0000"
    for index in (64, 65, 0x7FFF, 999):
        assert xls_rgb(book, index) is None


def test_xls_fill_without_pattern_is_none() -> None:
    book = SimpleNamespace(colour_map={10: (255, 0, 0), 64: None, 65: None})
    no_pattern = SimpleNamespace(background=SimpleNamespace(
        fill_pattern=0, pattern_colour_index=10, background_colour_index=65))
    dotted = SimpleNamespace(background=SimpleNamespace(
        fill_pattern=3, pattern_colour_index=64, background_colour_index=10))
    assert xls_fill_rgb(book, no_pattern) is None
    assert xls_fill_rgb(book, dotted) == "FF0000"  # no dot colour: the background shows
