"""The command line: thin typer commands over the core library."""

from __future__ import annotations

import sys

from .app import app

# Each module registers its commands on ``app``.
from . import validate as _validate  # noqa: E402,F401  isort: skip

for _name in ("template", "merge", "report", "init"):
    try:
        __import__(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a command not written yet
        if exc.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    """Entry point of the ``taizhang`` script."""
    if sys.platform == "win32":  # Chinese in a Windows console
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")
    app()
