"""Regenerate the README's screenshots from the example inbox.

    python scripts/screenshots.py [--out docs/img] [--dpi 60]

(with the Python that has taizhang's dependencies, e.g. ``.venv/bin/python scripts/screenshots.py``)

Runs ``taizhang merge`` on examples/2022-04 and examples/2022-05 (one history database in a
temporary folder, fixed dates), then ``taizhang report --month 2022-05 -o 督查通报.docx``, renders
the consolidated workbook of May and the bulletin through LibreOffice to PDF and their pages
through pdftoppm to PNG, each cropped to what is printed on it:

- ``consolidated-summary.png``: the first page of the consolidated workbook (汇总);
- ``consolidated-ledger.png``: the first page of its 台账 sheet;
- ``bulletin.png``: the bulletin's first page.

Everything runs in a temporary folder with its own LibreOffice profile; only the PNGs are written
into the repository, and the same sources give the same PNGs. Needs LibreOffice (soffice) and
pdftoppm/pdftotext (poppler-utils); says so and exits 2 when either is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MONTHS = (("2022-04", "2022-04-06"), ("2022-05", "2022-05-10"))  # (month, the summary's 截至 date)
REPORT_MONTH, REPORT_DATE = "2022-05", "2022-05-12"
MARGIN_PT = 14  # white space kept around the printed content when cropping


class Missing(Exception):
    """A tool the script needs is not installed."""


def need(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise Missing(f"找不到 {' 或 '.join(names)}（not found on PATH）")


def taizhang(*args: str, ok: tuple[int, ...] = (0, 1), cwd: Path) -> str:
    """Run the taizhang CLI of this checkout; exits 0 and 1 (findings) are both a result."""
    # This checkout's code, a fixed terminal width and no colour whoever runs the script.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("TAIZHANG_DB", None)  # --db is always given
    proc = subprocess.run([sys.executable, "-m", "taizhang", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)
    if proc.returncode not in ok:
        raise RuntimeError(f"taizhang {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def to_pdf(soffice: str, src: Path, outdir: Path, profile: Path) -> Path:
    """``src`` printed to PDF by LibreOffice (soffice exits 0 even when it fails: the file is the check)."""
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(src)],
                   capture_output=True, text=True, timeout=300)
    pdf = outdir / f"{src.stem}.pdf"
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice did not print {src.name} to PDF")
    return pdf


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (form feeds separate pages in pdftotext's output)."""
    out = subprocess.run([need("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")


def content_box(pdf: Path, page: int) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) in points around every word printed on ``page`` (1-based), without the
    page-number header/footer lines LibreOffice adds; None for an empty page."""
    html = subprocess.run([need("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    words = [(float(x0), float(y0), float(x1), float(y1), text) for x0, y0, x1, y1, text in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]
    if not words or size is None:
        return None
    height = float(size.group(2))
    # The page number LibreOffice or the bulletin prints in the header/footer ("1", "— 1 —",
    # "第 1 页，共 3 页", "1 / 3") is left out: the picture is of the content.
    body = [w for w in words if not (_PAGE_NUMBER.match(w[4]) and (w[1] < 60 or w[3] > height - 60))] or words
    return (min(w[0] for w in body), min(w[1] for w in body), max(w[2] for w in body), max(w[3] for w in body))


_PAGE_NUMBER = re.compile(r"^[\d/—\-–第页共，,]+$")


def to_png(pdf: Path, page: int, target: Path, dpi: int) -> Path:
    """Page ``page`` of ``pdf`` as a PNG at ``dpi``, cropped to its printed content plus a margin."""
    pdftoppm = need("pdftoppm")
    args = [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    box = content_box(pdf, page)
    if box is not None:
        scale = dpi / 72
        x0, y0 = max(box[0] - MARGIN_PT, 0), max(box[1] - MARGIN_PT, 0)
        x1, y1 = box[2] + MARGIN_PT, box[3] + MARGIN_PT
        args += ["-x", str(int(x0 * scale)), "-y", str(int(y0 * scale)),
                 "-W", str(int((x1 - x0) * scale)), "-H", str(int((y1 - y0) * scale))]
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*args, str(pdf), str(target.with_suffix(""))], check=True, capture_output=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README screenshots from examples/.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="where the PNGs go (docs/img)")
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the PNGs (60)")
    args = parser.parse_args(argv)
    try:
        soffice = need("soffice", "libreoffice")
        need("pdftoppm")
        need("pdftotext")
    except Missing as exc:
        print(f"screenshots: {exc}。请先安装 LibreOffice 和 poppler-utils（pdftoppm、pdftotext），"
              "例如 apt-get install libreoffice-calc libreoffice-writer poppler-utils。", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="taizhang-screenshots-") as tmp:
        work = Path(tmp)
        config, db = work / "taizhang.toml", work / "taizhang.db"
        shutil.copy(EXAMPLES / "taizhang.toml", config)
        books: dict[str, Path] = {}
        for month, date in MONTHS:
            inbox = work / month
            shutil.copytree(EXAMPLES / month, inbox)  # the inputs are never touched, even by accident
            books[month] = work / f"重点工作台账汇总-{month}.xlsx"
            taizhang("merge", str(inbox), "-o", str(books[month]), "--month", month, "--date", date,
                     "--config", str(config), "--db", str(db), cwd=work)
        bulletin = work / "督查通报.docx"
        report_args = ["report", "--month", REPORT_MONTH, "-o", str(bulletin), "--config", str(config),
                       "--db", str(db)]
        if "--date" in taizhang("report", "--help", cwd=work):  # the 成文日期, today by default
            report_args += ["--date", REPORT_DATE]
        taizhang(*report_args, cwd=work)

        profile = work / "lo-profile"
        pdfs = work / "pdf"
        book_pdf = to_pdf(soffice, books[REPORT_MONTH], pdfs, profile)
        bulletin_pdf = to_pdf(soffice, bulletin, pdfs, profile)
        texts = page_texts(book_pdf)
        # The 台账 sheet's first page: the first page after 汇总's first with the 附件2 header.
        ledger_page = next((i for i, text in enumerate(texts, start=1)
                            if i > 1 and "工作事项" in text and "推进情况" in text), 2)
        written = [
            to_png(book_pdf, 1, args.out / "consolidated-summary.png", args.dpi),
            to_png(book_pdf, ledger_page, args.out / "consolidated-ledger.png", args.dpi),
            to_png(bulletin_pdf, 1, args.out / "bulletin.png", args.dpi),
        ]
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
