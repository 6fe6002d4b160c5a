"""The zipfile+expat floor of issue 13: every cell of a workbook read with its reference, style index,
fill colour and value (shared strings resolved), and nothing else. No reader of the same facts can
be much faster in Python. Used by ``bench_merge.py`` (the floor ratio) and ``stack_bound.py``."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.parsers import expat


def floor_read(path: Path) -> list[tuple[int, str, int, str | None, object]]:
    """The floor: zipfile + expat reading every cell's reference, style index, fill colour and value
    (shared strings resolved), and nothing else. No reader of the same facts can be much faster."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            parts: list[str] = []
            in_t = [False]

            def s_start(tag: str, attrs: dict[str, str]) -> None:
                if tag == "si":
                    parts.clear()
                elif tag == "t":
                    in_t[0] = True

            def s_end(tag: str) -> None:
                if tag == "si":
                    shared.append("".join(parts))
                elif tag == "t":
                    in_t[0] = False

            def s_text(data: str) -> None:
                if in_t[0]:
                    parts.append(data)

            p = expat.ParserCreate()
            p.buffer_text = True
            p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = s_start, s_end, s_text
            p.Parse(zf.read("xl/sharedStrings.xml"), True)
        # Fill colour of each cell style: cellXfs/xf@fillId -> fills/fill/patternFill/fgColor@rgb.
        fills: list[str | None] = []
        xf_fill: list[int] = []
        where: list[str] = []

        def st_start(tag: str, attrs: dict[str, str]) -> None:
            where.append(tag)
            if tag == "fill":
                fills.append(None)
            elif tag == "fgColor" and "fills" in where:
                fills[-1] = attrs.get("rgb") or attrs.get("theme") or attrs.get("indexed")
            elif tag == "xf" and "cellXfs" in where:
                xf_fill.append(int(attrs.get("fillId", 0)))

        p = expat.ParserCreate()
        p.StartElementHandler = st_start
        p.EndElementHandler = lambda tag: where.pop()
        p.Parse(zf.read("xl/styles.xml"), True)
        style_fill = [fills[i] if i < len(fills) else None for i in xf_fill]

        cells: list[tuple[int, str, int, str | None, object]] = []
        cur: dict[str, object] = {}
        value: list[str] = []
        capture = [False]

        def c_start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "c":
                cur.clear()
                cur.update(attrs)
                value.clear()
            elif tag in ("v", "t"):
                capture[0] = True

        def c_end(tag: str) -> None:
            if tag == "c":
                s = int(cur.get("s", 0))  # type: ignore[call-overload]
                raw = "".join(value)
                v: object = shared[int(raw)] if cur.get("t") == "s" and raw else raw
                cells.append((0, str(cur.get("r")), s, style_fill[s] if s < len(style_fill) else None, v))
            elif tag in ("v", "t"):
                capture[0] = False

        def c_text(data: str) -> None:
            if capture[0]:
                value.append(data)

        sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
        for n in sheets:
            p = expat.ParserCreate()
            p.buffer_text = True
            p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = c_start, c_end, c_text
            with zf.open(n) as fh:
                p.ParseFile(fh)
        return cells
