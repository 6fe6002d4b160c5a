"""Write the corpus to a folder to look at it: ``cd tests && python -m corpus 输出文件夹``.

Every case is written as its clerk made it (openpyxl); the LibreOffice cases are re-saved when
soffice is installed. One line per case gives its ground truth.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import SOFFICE, convert_many_with_soffice

from .cases import CASES
from .spec import expected_errors, intended_counts
from .writer import write_case


def main(out: Path) -> None:
    staged: dict[str, list[tuple[Path, Path]]] = {"xlsx": [], "xls": []}
    for n, case in enumerate(CASES):
        target = out / case.id / f"{case.file}{case.suffix}"
        src = target if case.save == "openpyxl" else out / f"_src-{case.save}" / f"c{n:02d}.xlsx"
        layout = write_case(case, src)
        if case.save != "openpyxl":
            staged[case.save].append((src, target))
        n_ = intended_counts(case.items)
        print(f"{case.id}: {case.department} {case.date} 共{n_['total']}项 "
              f"蓝{n_['blue']}黄{n_['yellow']}红{n_['red']} 错误{sorted(expected_errors(case, layout.cells, layout.summary_cell))}")
    if SOFFICE is None:
        print("LibreOffice is not installed: the LibreOffice cases are left as their openpyxl sources")
        return
    for fmt, pairs in staged.items():
        done = convert_many_with_soffice([src for src, _ in pairs], fmt, out / f"_lo-{fmt}")
        for src, target in pairs:
            if src in done:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(done[src], target)
    for fmt in staged:
        shutil.rmtree(out / f"_src-{fmt}", ignore_errors=True)
        shutil.rmtree(out / f"_lo-{fmt}", ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out"))
