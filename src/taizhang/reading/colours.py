"""Cell colours: resolve what Excel/WPS/LibreOffice store to "RRGGBB" and name it like a person would.

The 进度评价 column is marked by fill colour (说明 第3条: 蓝 ahead, 黄 middling, 红 behind). Files store
that colour in many ways — plain RGB, an index into a (possibly customised) palette, or a theme slot
plus a tint — so everything is first resolved to one "RRGGBB" string, then classified by hue.
"""

from __future__ import annotations

import colorsys
import functools
import re
from typing import Any

from defusedxml import ElementTree

from taizhang.models import Colour

# Office 2013+ "Office" theme in Excel's colour-index order (lt1, dk1, lt2, dk2, accent1..6, hlink,
# folHlink): what Excel shows when a file has no theme part of its own.
DEFAULT_THEME: list[str] = [
    "FFFFFF",  # 0 lt1  (Background 1)
    "000000",  # 1 dk1  (Text 1)
    "E7E6E6",  # 2 lt2  (Background 2)
    "44546A",  # 3 dk2  (Text 2)
    "4472C4",  # 4 accent1 (Blue)
    "ED7D31",  # 5 accent2 (Orange)
    "A5A5A5",  # 6 accent3 (Gray)
    "FFC000",  # 7 accent4 (Gold)
    "5B9BD5",  # 8 accent5 (Blue)
    "70AD47",  # 9 accent6 (Green)
    "0563C1",  # 10 hlink
    "954F72",  # 11 folHlink
]

# Order of the slots inside <a:clrScheme>, and where each lands in Excel's index order: the XML
# lists dark before light, Excel's indices put light (background) first for both pairs.
_SCHEME_SLOTS: tuple[str, ...] = (
    "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
    "hlink", "folHlink",
)
_EXCEL_INDEX: dict[str, int] = {"lt1": 0, "dk1": 1, "lt2": 2, "dk2": 3} | {
    slot: i for i, slot in enumerate(_SCHEME_SLOTS) if i >= 4
}
# sysClr without lastClr: the usual Windows values of the two system colours themes use.
_SYSTEM_COLOURS: dict[str, str] = {"windowText": "000000", "window": "FFFFFF"}

_HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")
_HEX8 = re.compile(r"^[0-9A-Fa-f]{8}$")

# Indexed colours 64 and 65 are the system foreground/background: no fixed RGB.
_SYSTEM_INDEXED = frozenset({64, 65})


def _local(tag: str) -> str:
    """The tag name without its ``{namespace}``: themes may use any prefix for DrawingML."""
    return tag.rsplit("}", 1)[-1]


def _slot_rgb(element: Any) -> str | None:
    """The RRGGBB of one clrScheme slot (``srgbClr val`` or ``sysClr lastClr``)."""
    for child in element:
        name = _local(child.tag)
        if name == "srgbClr":
            val = child.get("val", "")
            return val.upper() if _HEX6.match(val) else None
        if name == "sysClr":
            last = child.get("lastClr", "")
            if _HEX6.match(last):
                return last.upper()
            return _SYSTEM_COLOURS.get(child.get("val", ""))
    return None


def parse_theme(xml: bytes | None) -> list[str]:
    """The 12 theme colours of a theme1.xml in Excel's index order; DEFAULT_THEME if unusable."""
    if not xml:
        return list(DEFAULT_THEME)
    try:
        root = ElementTree.fromstring(xml)
    except Exception:  # defusedxml raises its own errors for entity tricks; all mean "unusable"
        return list(DEFAULT_THEME)
    scheme = next((el for el in root.iter() if _local(el.tag) == "clrScheme"), None)
    if scheme is None:
        return list(DEFAULT_THEME)
    theme = list(DEFAULT_THEME)
    found = False
    for element in scheme:
        index = _EXCEL_INDEX.get(_local(element.tag))
        rgb = _slot_rgb(element) if index is not None else None
        if index is not None and rgb is not None:
            theme[index] = rgb
            found = True
    return theme if found else list(DEFAULT_THEME)


def _to_unit(rgb: str) -> tuple[float, float, float]:
    return int(rgb[0:2], 16) / 255, int(rgb[2:4], 16) / 255, int(rgb[4:6], 16) / 255


def _to_hex(r: float, g: float, b: float) -> str:
    return "".join(f"{min(255, max(0, round(x * 255))):02X}" for x in (r, g, b))


def apply_tint(rgb: str, tint: float) -> str:
    """Lighten (tint > 0) or darken (tint < 0) an RRGGBB colour as ECMA-376 §18.8.19 says (in HLS)."""
    if not tint:
        return rgb.upper()
    h, lum, s = colorsys.rgb_to_hls(*_to_unit(rgb))
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return _to_hex(*colorsys.hls_to_rgb(h, min(1.0, max(0.0, lum)), s))


def workbook_theme(wb: Any) -> list[str]:
    """The theme colours of an openpyxl workbook (its theme1.xml, kept raw as ``loaded_theme``)."""
    return parse_theme(getattr(wb, "loaded_theme", None))


def _strip_alpha(argb: object) -> str | None:
    if isinstance(argb, str) and _HEX8.match(argb):
        return argb[2:].upper()
    if isinstance(argb, str) and _HEX6.match(argb):
        return argb.upper()
    return None


# The legacy indexed palette (ECMA-376 18.8.27), as openpyxl's COLOR_INDEX; kept here so that
# reading a workbook does not import openpyxl.
_LEGACY = (
    "000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 "
    "FF00FF 00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF "
    "660066 FF8080 0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF "
    "CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 "
    "003366 339966 003300 333300 993300 993366 333399 333333"
)
DEFAULT_PALETTE: list[str] = _LEGACY.split()


def palette_from(custom: list[str | None] | tuple[str | None, ...] | None) -> list[str]:
    """A workbook's ``<indexedColors>`` as "RRGGBB"; a short list keeps the later default entries."""
    if not custom:
        return DEFAULT_PALETTE
    palette = [_strip_alpha(c) or "000000" for c in custom]
    return palette + DEFAULT_PALETTE[len(palette):]


def workbook_palette(wb: Any) -> list[str]:
    """The indexed-colour palette of an openpyxl workbook: its ``<indexedColors>`` or the default."""
    return palette_from(getattr(wb, "_colors", None))


def resolve_color(color: Any, theme: list[str], palette: list[str]) -> str | None:
    """An openpyxl ``Color`` as "RRGGBB", or None when it is automatic, a system colour or unset."""
    if color is None:
        return None
    # openpyxl answers an unset attribute with an error *string* ("Values must be of type ..."),
    # so only the attribute named by ``type`` is ever read.
    kind = getattr(color, "type", None)
    rgb: str | None
    if kind == "rgb":
        value = color.rgb
        # "00000000" is openpyxl's default Color(): what it reads when a fill names no colour.
        if value == "00000000":
            return None
        # Alpha is ignored: Excel writes FF, openpyxl 00 (it pads "RRGGBB" with "00"); both show the colour.
        rgb = _strip_alpha(value)
    elif kind == "indexed":
        index = color.indexed
        if not isinstance(index, int) or index in _SYSTEM_INDEXED or not 0 <= index < len(palette):
            return None
        rgb = palette[index]
    elif kind == "theme":
        index = color.theme
        if not isinstance(index, int) or not 0 <= index < len(theme):
            return None
        rgb = theme[index]
    else:  # "auto" and anything unknown: the application decides, there is no colour to report
        return None
    if rgb is None:
        return None
    tint = getattr(color, "tint", 0.0)
    return apply_tint(rgb, tint) if isinstance(tint, int | float) and tint else rgb


def fill_rgb(fill: Any, theme: list[str], palette: list[str]) -> str | None:
    """The visible colour of an openpyxl cell fill, None when the cell is not filled."""
    if fill is None:
        return None
    if getattr(fill, "tagname", None) == "gradientFill":
        stops = getattr(fill, "stop", None) or ()
        return resolve_color(stops[0].color, theme, palette) if stops else None
    pattern = getattr(fill, "fill_type", None)
    if not pattern or pattern == "none":
        return None
    colour = resolve_color(fill.fgColor, theme, palette)
    if pattern == "solid" or colour is not None:
        return colour
    # A pattern (gray125, darkGray...) shows fgColor dots on bgColor; with no usable dot colour the
    # background is what the eye sees.
    return resolve_color(fill.bgColor, theme, palette)


def font_rgb(font: Any, theme: list[str], palette: list[str]) -> str | None:
    """An openpyxl font's explicit colour, None when it is automatic or unset."""
    if font is None:
        return None
    return resolve_color(getattr(font, "color", None), theme, palette)


def xls_rgb(book: Any, index: int) -> str | None:
    """An .xls colour index as "RRGGBB" via xlrd's ``colour_map`` (None for system colours)."""
    colour_map = getattr(book, "colour_map", None) or {}
    rgb = colour_map.get(index)
    if not rgb:  # xlrd maps the system indices (64, 65, 0x51, 0x7FFF) to None
        return None
    r, g, b = rgb
    return f"{r:02X}{g:02X}{b:02X}"


def xls_fill_rgb(book: Any, xf: Any) -> str | None:
    """The visible fill colour of an xlrd XF record, None when it has no fill pattern."""
    background = getattr(xf, "background", None)
    if background is None or not background.fill_pattern:
        return None
    colour = xls_rgb(book, background.pattern_colour_index)
    if background.fill_pattern == 1 or colour is not None:  # 1 = solid: the pattern colour is the fill
        return colour
    return xls_rgb(book, background.background_colour_index)


def xls_font_rgb(book: Any, xf: Any) -> str | None:
    """The font colour of an xlrd XF record, None when automatic."""
    fonts = getattr(book, "font_list", None) or []
    index = getattr(xf, "font_index", None)
    if not isinstance(index, int) or not 0 <= index < len(fonts):
        return None
    return xls_rgb(book, fonts[index].colour_index)


# Classification thresholds (hue in degrees, lightness/chroma on 0..1), tuned on the colours people
# pick in Excel/WPS: see tests/test_colours.py for the table.
WHITE_LIGHTNESS = 0.96  # FAFAFA and lighter look white whatever the hue
GREY_CHROMA = 0.07  # max-min below this is grey: D6DCE4 "Blue-Gray lighter 80%" (0.055) still grey
GREY_WHITE_LIGHTNESS = 0.93  # a grey this light (F2F2F2 "White, darker 5%") reads as unfilled
BLACK_LIGHTNESS = 0.12  # darker than this is black whatever the hue (1F0000 is not a red mark)
BEIGE_CHROMA = 0.12  # yellows need more colour than blues to look yellow: DDD9C4 is tan, FFF2CC yellow
RED_END = 20.0  # red-orange FF5500 and beyond is orange: ED7D31/F4B084 (24°) belong to yellow
YELLOW_END = 70.0  # CCFF00 (72°) is already yellow-green
GREEN_END = 165.0  # teal/cyan from here on reads as (light) blue
BLUE_END = 260.0  # 7030A0 (274°) and CC99FF (270°) are purple, 9999FF (240°) periwinkle blue
PURPLE_END = 330.0  # FF99CC (330°) "Rose" and FFC7CE (352°) are pinks, i.e. red marks


PALE_LIGHTNESS = 0.8  # table stripes are pale; a strong colour on every other row is more likely marks


def is_pale(rgb: str) -> bool:
    """Whether a colour is a pale tint (HLS lightness at least PALE_LIGHTNESS), as stripes are."""
    if not _HEX6.match(rgb):
        return False
    return colorsys.rgb_to_hls(*_to_unit(rgb))[1] >= PALE_LIGHTNESS


@functools.lru_cache(maxsize=1024)  # a workbook uses a handful of colours, on thousands of cells
def classify(rgb: str | None) -> tuple[Colour, str | None]:
    """Name a fill colour as a reader of the ledger would: the Colour and its Chinese name."""
    if rgb is None or not _HEX6.match(rgb):
        return Colour.NONE, None
    r, g, b = _to_unit(rgb)
    hue, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    hue *= 360
    # Chroma (max-min) rather than HLS saturation: saturation is 1.0 for FFFEFE, chroma is ~0.
    chroma = max(r, g, b) - min(r, g, b)
    if lightness >= WHITE_LIGHTNESS:
        return Colour.NONE, None
    if lightness < BLACK_LIGHTNESS:
        return Colour.UNKNOWN, "黑色"
    if chroma < GREY_CHROMA:
        if lightness >= GREY_WHITE_LIGHTNESS:
            return Colour.NONE, None
        return Colour.UNKNOWN, "黑色" if lightness < 0.2 else "灰色"
    if hue < RED_END or hue >= PURPLE_END:
        return Colour.RED, "红色"
    if hue < YELLOW_END:
        return (Colour.YELLOW, "黄色") if chroma >= BEIGE_CHROMA else (Colour.UNKNOWN, "米色")
    if hue < GREEN_END:
        return Colour.UNKNOWN, "绿色"
    if hue < BLUE_END:
        return Colour.BLUE, "蓝色"
    return Colour.UNKNOWN, "紫色"
