"""Issue 7 acceptance: every ledger of the corpus is read the way its clerk wrote it.

Each case of ``tests/corpus/cases.py`` is one test id. Its ground truth (department, date, sheet,
counts, the exact set of error cells, the warnings the issue names) comes from the case's spec, never
from taizhang. The corpus is built once per session; the LibreOffice re-saves are made in one
soffice run per format, and skip cleanly where LibreOffice is not installed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SOFFICE, convert_many_with_soffice
from corpus.cases import CASES
from corpus.spec import Case, expected_errors, expected_warnings, intended_counts
from corpus.writer import Layout, write_case
from taizhang.models import FileReport, Finding
from taizhang.reading.grid import split_ref
from taizhang.validate import validate_file

# Warnings no corpus ledger deserves: each is written with consistent numbers (restarting after a
# heading is consistent), a sentence, a department, a readable date, distinct items, cached formulas.
UNWANTED = ("numbering.gap", "numbering.repeat", "numbering.invalid", "summary.missing", "summary.unfilled",
            "header.department_missing", "date.missing", "date.unreadable", "date.unfilled", "item.duplicate",
            "item.formula_uncached", "colour.ambiguous")


@dataclass
class Built:
    case: Case
    layout: Layout
    path: Path | None  # None: a LibreOffice re-save that could not be made


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every case written once; the LibreOffice ones re-saved in one soffice run per format."""
    root = tmp_path_factory.mktemp("corpus")
    built: dict[str, Built] = {}
    staged: dict[str, list[tuple[Built, Path]]] = {"xlsx": [], "xls": []}
    for n, case in enumerate(CASES):
        folder = root / case.id
        if case.save == "openpyxl":
            path = folder / f"{case.file}.xlsx"
            built[case.id] = Built(case, write_case(case, path), path)
            continue
        # Staged under a short unique name: one soffice run writes every output into one folder.
        src = root / f"_src-{case.save}" / f"c{n:02d}.xlsx"
        built[case.id] = b = Built(case, write_case(case, src), None)
        staged[case.save].append((b, src))
    if SOFFICE is not None:
        for fmt, pairs in staged.items():
            out = convert_many_with_soffice([src for _, src in pairs], fmt, root / f"_lo-{fmt}")
            for b, src in pairs:
                if src in out:
                    b.path = root / b.case.id / f"{b.case.file}{b.case.suffix}"
                    b.path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(out[src], b.path)
    return built


def _names(f: Finding, text: str) -> bool:
    """Whether a warning names ``text``: a row number (its cell is in that row, or its message says
    第N行), a sheet or a range (in its message or as its sheet)."""
    if "&" in text:
        return all(_names(f, part) for part in text.split("&"))
    if text.isdigit():
        return (f.cell is not None and split_ref(f.cell)[0] == int(text)) or f"第{text}行" in f.message
    return text in f.message or f.sheet == text


def _missing_warnings(report: FileReport, wanted: list[tuple[str, str | None, str | None]]) -> list[str]:
    missing = []
    for code, cell, text in wanted:
        if not any(f.code == code and (cell is None or f.cell == cell) and (text is None or _names(f, text))
                   for f in report.warnings):
            missing.append(f"{code} {cell or ''}{text or ''}".strip())
    return missing


def _counts(n: dict[str, int], colours: bool) -> dict[str, object]:
    out: dict[str, object] = {"total": n["total"], "stars": {k: n[k] for k in ("3", "2", "1")},
                              "sources": {k: n[k] for k in "ABCD"}}
    if colours:
        out["colours"] = {k: n[k] for k in ("blue", "yellow", "red", "none")}
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_ledger_is_read_as_its_clerk_wrote_it(case: Case, corpus: dict[str, Built]) -> None:
    built = corpus[case.id]
    if built.path is None:
        if SOFFICE is None:
            pytest.skip("LibreOffice (soffice) is not installed")
        pytest.fail(f"LibreOffice did not re-save {case.file} as {case.save}")
    report = validate_file(built.path)
    assert report.usable, [f.message for f in report.findings]

    layout = built.layout
    counts = report.counts
    actual = {
        "department": report.department,
        "date": report.date,
        "sheet": report.sheet,
        "counts": _counts({"total": counts.total, **counts.stars, **counts.sources, **counts.colours},
                          case.check_colours),
        "errors": sorted({(f.code, f.cell or "") for f in report.errors}),
        "missing warnings": _missing_warnings(report, expected_warnings(case, layout.cells, layout.rows)),
        "unwanted warnings": sorted(f"{f.code} {f.cell}" for f in report.warnings if f.code in UNWANTED
                                    and not (f.code == "summary.missing" and case.summary == "none")),
    }
    expected = {
        "department": case.department,
        "date": case.date,
        "sheet": case.sheet,
        "counts": _counts(intended_counts(case.items), case.check_colours),
        "errors": sorted(expected_errors(case, layout.cells, layout.summary_cell)),
        "missing warnings": [],
        "unwanted warnings": [],
    }
    assert actual == expected, "\n".join(f"{f.severity} {f.code} {f.cell}: {f.message}" for f in report.findings)


def test_corpus_is_large_varied_and_a_third_libreoffice() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    saved_by_lo = [c for c in CASES if c.needs_libreoffice]
    assert len(saved_by_lo) * 3 >= len(CASES) and len(saved_by_lo) >= 15
    assert {c.save for c in saved_by_lo} == {"xlsx", "xls"}
    # Ground truth is not trivial: errors, colours, several sizes.
    assert sum(1 for c in CASES if c.wrong or any(i.target == "" or i.stars is None or i.source is None
                                                   for i in c.items)) >= 5
    assert len({len(c.items) for c in CASES}) >= 8
