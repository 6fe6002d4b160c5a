"""The small exception family for what stops a file (or a call) from being used at all.

Rule problems in a readable ledger are never raised: they are ``Finding`` data.
"""

from __future__ import annotations

from .models import Finding


class TaizhangError(Exception):
    """A problem the user must fix before the command can do its job; the message says how."""


class UnreadableFile(TaizhangError):
    """A workbook that cannot be read at all, with its one ``file.*``/``sheet.*``/``header.*`` finding."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class ConfigError(TaizhangError):
    """``taizhang.toml`` is wrong; the message names the line."""


class StoreError(TaizhangError):
    """The history store cannot answer (e.g. a month that is not stored)."""
