"""The parts of an .xlsx style sheet the ledger needs: each cell style's fill, font colour, font
strikethrough and whether its number format is a date.

A small parser of its own rather than openpyxl's ``Stylesheet``: importing openpyxl costs a
merge a tenth of a second before any file is read, and the reader needs only these three facts.
The colour objects mimic openpyxl's attribute names so that ``colours`` serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring

from . import colours

# Built-in number formats that show dates or times (ECMA-376 18.8.30), and the ones a
# Chinese-locale Excel/WPS adds (27–36, 50–58: 年月日 and 上午/下午 forms).
DATE_FORMAT_IDS = frozenset({*range(14, 23), 45, 46, 47, *range(27, 37), *range(50, 59)})
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]|\\.|_.|\*.')
_DATE_CODE = re.compile(r"[dmhysDMHYS年月日时分秒]")


def is_date_format(code: str | None) -> bool:
    """Whether a format code shows a date or time (quoted text and ``[Red]``-style parts ignored)."""
    if not code:
        return False
    first = _STRIP.sub("", code.split(";")[0])
    return first.lower() != "general" and _DATE_CODE.search(first) is not None


@dataclass(slots=True)
class Color:
    """Like openpyxl's ``Color``: ``type`` names the one attribute that is set."""

    type: str = "auto"
    rgb: str | None = None
    indexed: int | None = None
    theme: int | None = None
    tint: float = 0.0


@dataclass(slots=True)
class Fill:
    """Like openpyxl's ``PatternFill``/``GradientFill``."""

    tagname: str = "patternFill"
    fill_type: str | None = None
    fgColor: Color | None = None  # noqa: N815  openpyxl's names, read by colours.fill_rgb
    bgColor: Color | None = None  # noqa: N815
    stop: list[_Stop] = field(default_factory=list)


@dataclass(slots=True)
class _Stop:
    color: Color | None


@dataclass(slots=True)
class Font:
    color: Color | None = None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: object, name: str) -> object | None:
    for sub in el:  # type: ignore[attr-defined]
        if _local(sub.tag) == name:
            return sub
    return None


def _color(el: object | None) -> Color | None:
    if el is None:
        return None
    get = el.get  # type: ignore[attr-defined]
    tint = _float(get("tint"))
    if get("rgb") is not None:
        return Color("rgb", rgb=get("rgb"), tint=tint)
    if get("indexed") is not None:
        return Color("indexed", indexed=_int(get("indexed")), tint=tint)
    if get("theme") is not None:
        return Color("theme", theme=_int(get("theme")), tint=tint)
    return Color("auto")


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _float(text: str | None) -> float:
    try:
        return float(text) if text is not None else 0.0
    except ValueError:
        return 0.0


def _fill(el: object) -> Fill:
    pattern = _child(el, "patternFill")
    if pattern is not None:
        return Fill(fill_type=pattern.get("patternType"),  # type: ignore[attr-defined]
                    fgColor=_color(_child(pattern, "fgColor")), bgColor=_color(_child(pattern, "bgColor")))
    gradient = _child(el, "gradientFill")
    if gradient is not None:
        stops = [_Stop(_color(_child(s, "color"))) for s in gradient if _local(s.tag) == "stop"]  # type: ignore[attr-defined]
        return Fill(tagname="gradientFill", stop=stops)
    return Fill()


def _dxf_fill(el: object | None, theme: list[str], palette: list[str]) -> str | None:
    """The colour a conditional format's fill paints. In a dxf Excel and LibreOffice keep a solid
    fill's colour in ``bgColor`` (the cell-style convention is fgColor), and usually omit patternType."""
    pattern = _child(el, "patternFill") if el is not None else None
    if pattern is None:
        return None
    kind = pattern.get("patternType")  # type: ignore[attr-defined]
    if kind == "none":
        return None
    bg = colours.resolve_color(_color(_child(pattern, "bgColor")), theme, palette)
    fg = colours.resolve_color(_color(_child(pattern, "fgColor")), theme, palette)
    return (bg or fg) if kind in (None, "solid") else (fg or bg)


class CellStyles:
    """Per cell style index (the ``s`` of a cell): fill RGB, font RGB, is-a-date; and per
    differential style (the ``dxfId`` of a conditional format) the fill and font colours it paints."""

    def __init__(self, xml: bytes | None, theme: list[str]) -> None:
        self.fill: list[str | None] = []
        self.font: list[str | None] = []
        self.is_date: list[bool] = []
        self.strike: list[bool] = []
        self.dxf_fill: list[str | None] = []
        self.dxf_font: list[str | None] = []
        if xml is None:
            return
        root = fromstring(xml)
        sections = {_local(el.tag): el for el in root}
        palette = colours.DEFAULT_PALETTE
        custom = sections.get("colors")
        indexed = _child(custom, "indexedColors") if custom is not None else None
        if indexed is not None:
            entries = [c.get("rgb") for c in indexed if _local(c.tag) == "rgbColor"]  # type: ignore[attr-defined]
            palette = colours.palette_from(entries)
        fills = [colours.fill_rgb(_fill(el), theme, palette) for el in sections.get("fills", ())]
        fonts = [colours.resolve_color(_color(_child(el, "color")), theme, palette)
                 for el in sections.get("fonts", ())]
        strikes = [is_struck(el) for el in sections.get("fonts", ())]
        formats = {_int(el.get("numFmtId")): el.get("formatCode") for el in sections.get("numFmts", ())}
        for xf in sections.get("cellXfs", ()):
            fill_id, font_id, fmt_id = (_int(xf.get(k)) or 0 for k in ("fillId", "fontId", "numFmtId"))
            self.fill.append(fills[fill_id] if fill_id < len(fills) else None)
            self.font.append(fonts[font_id] if font_id < len(fonts) else None)
            self.strike.append(strikes[font_id] if font_id < len(strikes) else False)
            code = formats.get(fmt_id)  # a file may also redefine a built-in id's format
            self.is_date.append(is_date_format(code) if code else fmt_id in DATE_FORMAT_IDS)
        for dxf in sections.get("dxfs", ()):
            font = _child(dxf, "font")
            self.dxf_font.append(colours.resolve_color(_color(_child(font, "color")) if font is not None else None,
                                                       theme, palette))
            self.dxf_fill.append(_dxf_fill(_child(dxf, "fill"), theme, palette))

    def dxf(self, index: int | None) -> tuple[str | None, str | None]:
        """(fill, font colour) of differential style ``index``; (None, None) when there is none."""
        if index is not None and 0 <= index < len(self.dxf_fill):
            return self.dxf_fill[index], self.dxf_font[index]
        return None, None

    def get(self, index: int) -> tuple[str | None, str | None, bool]:
        if 0 <= index < len(self.fill):
            return self.fill[index], self.font[index], self.is_date[index]
        return None, None, False

    def struck(self, index: int) -> bool:
        """Whether the style's font is struck through."""
        return self.strike[index] if 0 <= index < len(self.strike) else False


def is_struck(font: object) -> bool:
    """A ``<font>`` (or a rich-text run's ``<rPr>``) with ``<strike/>`` (``val`` 1/true or absent)."""
    el = _child(font, "strike")
    return el is not None and el.get("val", "1") not in ("0", "false")  # type: ignore[attr-defined]
