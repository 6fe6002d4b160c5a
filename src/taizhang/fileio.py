"""Writing files safely: never over an input, never half-written (no openpyxl here, so the
command line can check its output paths before the heavy libraries are loaded)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import TaizhangError


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):  # a symbolic link loop (RuntimeError before Python 3.13)
        return False
    try:  # hard links, case-insensitive file systems
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_refused(path: Path, refuse: Iterable[Path | str] = ()) -> None:
    """Raise ``TaizhangError`` when ``path`` is one of the files that must not be written (inputs)."""
    for other in refuse:
        if _same_file(Path(path), Path(other)):
            raise TaizhangError(f"拒绝写入 {path}：它是输入文件，不能被覆盖。请换一个输出文件名。")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, refuse: Iterable[Path | str], write: Callable[[Path], None]) -> Path:
    path = Path(path)
    check_not_refused(path, refuse)
    if path.is_dir():
        raise TaizhangError(f"无法写入 {path}：这是一个文件夹，请给出文件名。")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Same folder as the target, so os.replace is a rename on one file system: readers see
        # either the old file or the complete new one, never a half-written workbook.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}.", suffix=path.suffix or ".tmp",
                                         delete=False) as handle:
            tmp = Path(handle.name)
    except OSError as exc:
        raise TaizhangError(f"无法在 {folder} 中写入文件：{exc.strerror or exc}") from exc
    try:
        write(tmp)  # written after the handle is closed: Windows cannot open a file twice
        # NamedTemporaryFile creates the file private (0600); give it the mode a normal file gets.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except PermissionError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise TaizhangError(f"无法写入 {path}：没有权限，或文件正被 Excel/WPS 打开。请关闭该文件后重试。") from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise TaizhangError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def atomic_write_bytes(data: bytes, path: Path, refuse: Iterable[Path | str] = ()) -> Path:
    """Write ``data`` (e.g. a .docx made in memory) to ``path`` through a temporary file in the same
    folder, refusing to write over any path in ``refuse``."""
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, refuse, write)
