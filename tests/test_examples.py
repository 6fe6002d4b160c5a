"""The shipped examples read as their maker says they are (examples/README.md has the same table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taizhang.validate import validate_file

EXAMPLES = Path(__file__).parent.parent / "examples"

# month, department: items, closed, ★★★ ★★ ★, A B C D, blue yellow red none
EXPECTED = {
    ("2022-04", "综合部"): (11, 0, 4, 4, 3, 3, 4, 3, 1, 2, 2, 1, 6),
    ("2022-04", "规划发展部"): (12, 0, 4, 6, 2, 2, 5, 2, 3, 5, 1, 1, 5),
    ("2022-04", "污染防治部"): (10, 0, 4, 3, 3, 3, 3, 3, 1, 2, 1, 2, 5),
    ("2022-04", "工程建设部"): (10, 0, 4, 3, 3, 5, 3, 3, 0, 1, 0, 2, 7),
    ("2022-04", "智慧港航部"): (9, 0, 2, 4, 3, 1, 4, 3, 1, 1, 1, 2, 5),
    ("2022-05", "综合部"): (11, 1, 4, 4, 3, 3, 4, 3, 1, 3, 0, 1, 7),
    ("2022-05", "规划发展部"): (11, 1, 4, 6, 1, 2, 5, 1, 3, 3, 2, 1, 5),
    ("2022-05", "污染防治部"): (11, 0, 4, 4, 3, 3, 4, 3, 1, 4, 1, 1, 5),
    ("2022-05", "工程建设部"): (9, 1, 4, 2, 3, 5, 2, 3, 0, 3, 1, 0, 5),
    ("2022-05", "智慧港航部"): (9, 0, 2, 4, 3, 1, 4, 3, 1, 3, 2, 0, 4),
    ("2022-05", "水运服务部"): (10, 0, 5, 3, 2, 3, 3, 3, 1, 3, 1, 2, 4),
}


def reports(month: str) -> dict[str, object]:
    return {r.department: r for r in (validate_file(p) for p in sorted((EXAMPLES / month).iterdir()))}


@pytest.mark.parametrize("month", ["2022-04", "2022-05"])
def test_every_example_is_read_with_the_counts_its_maker_wrote(month: str) -> None:
    found = reports(month)
    expected = {dept: v for (m, dept), v in EXPECTED.items() if m == month}
    assert set(found) == set(expected)
    for dept, numbers in expected.items():
        report = found[dept]
        c = report.counts  # type: ignore[attr-defined]
        got = (c.total, c.closed, c.stars["3"], c.stars["2"], c.stars["1"], *c.sources.values(),
               c.colours["blue"], c.colours["yellow"], c.colours["red"], c.colours["none"])
        assert got == numbers, dept


def test_the_deliberate_mismatch_is_the_only_error_in_the_examples() -> None:
    errors = [(r.department, f.code) for month in ("2022-04", "2022-05") for r in reports(month).values()
              for f in r.findings if f.severity == "error"]  # type: ignore[attr-defined]
    assert errors == [("水运服务部", "summary.mismatch")] * 2
