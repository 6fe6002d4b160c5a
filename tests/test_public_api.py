"""The library a Python user calls: ``taizhang.__all__``, cheap to import, and the README's example."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

import taizhang
from taizhang.models import SectionKind

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pydantic", "openpyxl", "pandas", "docx", "xlrd", "rich", "typer")


def test_every_public_name_exists() -> None:
    names = [n for n in taizhang.__all__ if n != "__version__"]
    assert len(set(names)) == len(names)
    assert set(names) == set(taizhang._EXPORTS)
    for name in names:
        value = getattr(taizhang, name)
        assert getattr(value, "__name__", name) == name, name
    assert set(taizhang.__all__) <= set(dir(taizhang))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        taizhang.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("taizhang.no_such_name did not raise")


def test_importing_the_package_loads_nothing_heavy() -> None:
    """``taizhang validate`` starts by importing the package: it must not pay for what it does not use."""
    code = ("import sys, taizhang\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
            "taizhang.Config\n"
            "print('pydantic' in sys.modules, 'openpyxl' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == ""
    assert out[1] == "True False"  # a model loads pydantic, not the workbook readers


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"## 在 Python 中使用.*?```python\n(.*?)```", text, re.S)
    assert found is not None, "README.md has no library example"
    return found.group(1)


def test_the_readme_library_example_runs_as_a_plain_script(tmp_path: Path) -> None:
    """The README's example, as a user runs it: validate a file, merge two months, write the bulletin."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns("*.db", "重点工作台账汇总-*"))
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("水运服务部 ")
    titles = [line.rsplit(" ", 1)[0] for line in lines[1:]]
    assert titles[:4] == ["一、总体情况", "二、报送情况", "三、进展较快事项", "四、进展缓慢事项"]
    assert "七、事项变动" in titles and "附件2：各部室（单位）重点工作台账情况表" in titles

    for month in ("2022-04", "2022-05"):
        merged = load_workbook(tmp_path / f"重点工作台账汇总-{month}.xlsx", read_only=True)
        assert merged.sheetnames
        merged.close()
    with taizhang.Store(tmp_path / "台账历史.db") as store:
        assert store.months() == ["2022-04", "2022-05"]
        config = taizhang.load_config(tmp_path / "examples" / "taizhang.toml")
        report = taizhang.build_report(store, "2022-05", config=config)
    paragraphs = [p.text for p in Document(str(tmp_path / "督查通报-2022-05.docx")).paragraphs]
    assert report.sentence in paragraphs and report.comparison in paragraphs
    assert (tmp_path / "6月台账.zip").is_file()


def test_the_sections_are_what_each_bulletin_shows(tmp_path: Path) -> None:
    """One list of sections: the .docx headings and the .xlsx sheet titles are its titles."""
    config = taizhang.load_config(ROOT / "examples" / "taizhang.toml")
    with taizhang.Store(tmp_path / "h.db") as store:
        for month in ("2022-04", "2022-05"):
            merged = taizhang.merge_inbox(ROOT / "examples" / month, config=config, month=month)
            store.save_month(taizhang.snapshot_of(merged, config))
        report = taizhang.build_report(store, "2022-05", config=config)
    sections = {s.kind: s for s in taizhang.bulletin_sections(report)}
    changes = sections[SectionKind.CHANGES]
    assert len(changes.of_kind("补录")) == len(report.new) and len(changes.of_kind("销号")) == len(report.closed)
    slow, middle = sections[SectionKind.SLOW], sections[SectionKind.MIDDLE]
    assert len(slow.rows) == sum(len(d.red) for d in report.departments)  # issue 10: yellow is not 缓慢
    assert len(middle.rows) == sum(len(d.yellow) for d in report.departments)

    docx = taizhang.write_bulletin_docx(report, tmp_path / "通报.docx")
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    for kind in (SectionKind.OVERVIEW, SectionKind.SUBMISSION, SectionKind.FAST, SectionKind.SLOW,
                 SectionKind.MIDDLE, SectionKind.CHECKS, SectionKind.CHANGES, SectionKind.REQUIREMENTS,
                 SectionKind.DEPARTMENTS):
        assert sections[kind].title in paragraphs or sections[kind].number in paragraphs, kind
        for text in sections[kind].paragraphs:
            assert text in paragraphs
    xlsx = load_workbook(taizhang.write_bulletin_xlsx(report, tmp_path / "通报.xlsx"))
    assert xlsx["总体情况"]["A2"].value == sections[SectionKind.OVERVIEW].title
    assert xlsx["事项变动"]["A2"].value == changes.title
    assert xlsx["分部室"]["A2"].value == sections[SectionKind.DEPARTMENTS].title


def test_a_mistyped_month_is_a_taizhang_error_with_the_chinese_message() -> None:
    """Every entry point reads a month with the one parse_month and says the same thing when it cannot."""
    example = ROOT / "examples" / "2022-05" / "综合部2022.5.xlsx"
    assert taizhang.validate_file(example, month="2022年5月").usable
    for call in (lambda: taizhang.validate_file(example, month="2022-13"),
                 lambda: taizhang.merge_inbox(example.parent, config=taizhang.Config(), month="五月")):
        try:
            call()
        except taizhang.TaizhangError as exc:
            assert "格式不对，应为 YYYY-MM" in str(exc)
        else:
            raise AssertionError("a wrong month was accepted")
