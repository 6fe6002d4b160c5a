"""The least CPU any merge of an inbox can cost on taizhang's stack, whatever its code.

A merge must at least start Python with its command-line stack (typer, rich, pydantic), load the
workbook writer (openpyxl, without numpy as ``taizhang merge`` loads it), read every cell of every
file (``floor.floor_read``: zipfile + expat), compress the workbook it writes and insert the month
into the history store. This script does exactly that and nothing else, and prints the CPU
seconds of each step as JSON:

    python stack_bound.py MERGED.xlsx MERGED.db FILE.xlsx...

MERGED.xlsx and MERGED.db are what a ``taizhang merge`` of the same files wrote: their parts are
compressed again at the writer's level, and their rows inserted into an empty store of the same
schema (indexes included). Loading them is not counted. ``bench_merge.py --part bound`` runs it
on one core, side by side with pandas, so that a target can be compared with what the stack allows.
"""

from __future__ import annotations

import sys
import time

sys.modules["numpy"] = None  # type: ignore[assignment]  # as taizhang merge loads openpyxl (lean_openpyxl)
import openpyxl  # noqa: E402,F401
import pydantic  # noqa: E402,F401
import typer  # noqa: E402,F401
import typer.rich_utils  # noqa: E402,F401

del sys.modules["numpy"]
STARTED = time.process_time()  # the interpreter and the imports

import json  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import floor_read  # noqa: E402

COMPRESS_LEVEL = 1  # writing.consolidated.COMPRESS_LEVEL


def main() -> None:
    workbook, db, *files = (Path(a) for a in sys.argv[1:])
    steps: dict[str, float] = {"start-up and imports": STARTED}
    # Not counted: what the merge wrote, loaded to be written again.
    with zipfile.ZipFile(workbook) as zf:
        parts = [zf.read(name) for name in zf.namelist()]
    source = sqlite3.connect(db)
    schema = [sql for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'index', rowid")]
    tables = [name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    rows = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    source.close()

    t = time.process_time()
    for path in files:
        floor_read(path)
    steps["reading every cell (zipfile+expat floor)"] = time.process_time() - t

    t = time.process_time()
    for data in parts:
        compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
        compressor.compress(data)
        compressor.flush()
        zlib.crc32(data)
    steps[f"compressing the workbook ({sum(map(len, parts)) / 1048576:.1f} MB)"] = time.process_time() - t

    with tempfile.TemporaryDirectory() as tmp:
        t = time.process_time()
        store = sqlite3.connect(Path(tmp) / "bound.db", isolation_level=None)
        for sql in schema:
            store.execute(sql)
        store.execute("BEGIN")
        for table, values in rows.items():
            if values:
                store.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values[0]))})", values)
        store.execute("COMMIT")
        store.close()
        steps[f"storing the month ({sum(map(len, rows.values()))} rows)"] = time.process_time() - t
    print(json.dumps(steps, ensure_ascii=False))


if __name__ == "__main__":
    main()
