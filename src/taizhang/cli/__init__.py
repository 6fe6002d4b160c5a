"""The command line: thin typer commands over the core library."""

from __future__ import annotations

import sys

# Each module registers its commands on ``app``; the order here is the order in --help.
from . import validate as _validate  # noqa: F401  isort: skip
from . import template as _template  # noqa: F401  isort: skip
from . import merge as _merge  # noqa: F401  isort: skip
from . import report as _report  # noqa: F401  isort: skip
from . import init as _init  # noqa: F401  isort: skip
from .app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``taizhang`` script."""
    if sys.platform == "win32":  # Chinese in a Windows console
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")
    app()
