"""A merge killed with ``kill -9`` leaves nothing behind that blocks the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import taizhang.store as store_module
from builders import build_ledger, item
from taizhang.children import ENV_TEST_HOLD, lock_holders
from taizhang.errors import StoreError
from taizhang.merge import usable_cpus
from taizhang.models import Counts, MonthSnapshot, StoredItem
from taizhang.store import Store

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")


def small_inbox(folder: Path) -> Path:
    inbox = folder / "inbox"
    for department in ("综合部", "规划发展部", "工程建设部"):
        build_ledger(inbox / f"{department}.xlsx", [item(f"{department}政务信息报送"), item("公文运转提速")],
                     department=department)
    return inbox


def merge_command(inbox: Path, tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "taizhang", "merge", str(inbox), "-o", str(tmp_path / "汇总.xlsx"),
            "--db", str(tmp_path / "taizhang.db"), "--date", "2022-04-05", "--month", "2022-04"]


def gone(pid: int) -> bool:
    """Dead: no such process, or a zombie nobody has reaped yet (it holds nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return stat[stat.rindex(b")") + 2:].split()[0] == b"Z"


def wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            if int(stat[stat.rindex(b")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def held_pids(marker: Path) -> list[int]:
    return [int(line) for line in marker.read_text().split()] if marker.exists() else []


def held_at(stage: str, tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A small inbox, and the environment in which a merge of it stops at ``stage`` ("read": in a
    reading worker; "store": in the history writer, transaction open), noting the pid in the marker."""
    if stage == "read" and usable_cpus() < 2:
        pytest.skip("one CPU: the files are read in the merge process itself, without workers")
    marker = tmp_path / "held.txt"
    env = {**os.environ, ENV_TEST_HOLD: f"{stage}:{marker}"}
    env.pop("TAIZHANG_DB", None)
    return small_inbox(tmp_path), marker, env


@pytest.mark.parametrize("stage", ["read", "store"])
def test_a_merge_killed_mid_run_takes_its_children_along_and_the_next_merge_succeeds(
        tmp_path: Path, stage: str) -> None:
    inbox, marker, env = held_at(stage, tmp_path)
    first = subprocess.Popen(merge_command(inbox, tmp_path), env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: held_pids(marker), 60), "the merge never reached the point to kill it at"
        held = [pid for pid in held_pids(marker) if pid != first.pid]
        if stage == "store":  # the writer holds the store's lock, transaction open
            assert held and wait_for(lambda: held[0] in lock_holders(tmp_path / "taizhang.db"), 10)
        children = sorted(set(held) | set(children_of(first.pid)))  # the workers and the writer
        assert len(children) >= 2 if stage == "read" else len(children) >= 1
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert wait_for(lambda: all(gone(pid) for pid in children), 5), f"children left alive: {children}"
    finally:
        if first.poll() is None:
            first.kill()
    env.pop(ENV_TEST_HOLD)
    start = time.monotonic()
    second = subprocess.run(merge_command(inbox, tmp_path), env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert second.returncode == 0, second.stdout + second.stderr
    assert time.monotonic() - start < 20
    with Store(tmp_path / "taizhang.db") as store:
        assert len(store.load_month("2022-04").items) == 6


ORPHAN = textwrap.dedent("""
    import os, sqlite3, sys, time
    from taizhang.children import name_writer
    db, marker = sys.argv[1], sys.argv[2]
    parent = os.getpid()
    if os.fork() == 0:
        # A history writer as older versions left it: nothing ends it when its merge dies.
        name_writer(parent)
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE months SET sentence = 'half written'")
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
        time.sleep(600)
        os._exit(0)
    while not os.path.exists(marker):
        time.sleep(0.05)
    os._exit(0)  # the merge dies; its writer is left holding the lock
""")


@pytest.mark.parametrize("group", [True, False], ids=["whole group", "merge only"])
@pytest.mark.parametrize("stage", ["read", "store"])
def test_ctrl_c_mid_merge_says_aborted_without_a_traceback_and_stores_nothing(
        tmp_path: Path, stage: str, group: bool) -> None:
    # Ctrl+C in a terminal reaches the whole process group: the merge, its reading workers, its
    # history writer (held here with its transaction open, or before anything is merged). An IDE's
    # stop button or a supervisor interrupts the merge alone, which must not wait for its writer.
    inbox, marker, env = held_at(stage, tmp_path)
    merge = subprocess.Popen(merge_command(inbox, tmp_path), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True)
    try:
        assert wait_for(lambda: held_pids(marker), 60), "the merge never reached the point to interrupt it at"
        children = children_of(merge.pid)
        if group:
            os.killpg(merge.pid, signal.SIGINT)
        else:
            os.kill(merge.pid, signal.SIGINT)
        _, err = merge.communicate(timeout=30)
    finally:
        if merge.poll() is None:
            os.killpg(merge.pid, signal.SIGKILL)
    assert merge.returncode == 130, err
    assert "已中止" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert wait_for(lambda: all(gone(pid) for pid in children), 10)
    with Store(tmp_path / "taizhang.db") as store:
        assert "2022-04" not in store.months()


def month(name: str, items: list[str]) -> MonthSnapshot:
    return MonthSnapshot(month=name, date=f"{name}-05", center="市港航事业发展中心", sentence="截至…",
                         counts=Counts(total=len(items)), departments=[],
                         items=[StoredItem(row=5 + i, name=n, key="", department="综合部") for i, n in enumerate(items)])


def test_a_writer_whose_merge_is_dead_is_ended_instead_of_blocking_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "taizhang.db"
    with Store(db) as store:
        store.save_month(month("2022-04", ["政务信息报送"]))
    marker = tmp_path / "orphan.pid"
    subprocess.run([sys.executable, "-c", ORPHAN, str(db), str(marker)], check=True, timeout=30)
    orphan = int(marker.read_text())
    assert orphan in lock_holders(db)
    monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 10.0)  # waiting for the orphan would fail
    start = time.monotonic()
    with Store(db) as store:
        store.save_month(month("2022-05", ["政务信息报送", "公文运转提速"]))
        assert store.months() == ["2022-04", "2022-05"]
        assert store.load_month("2022-04").sentence == "截至…"  # the orphan's half write rolled back
    assert time.monotonic() - start < 5
    assert wait_for(lambda: gone(orphan), 5)


HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(600)
""")


def test_a_store_locked_by_a_live_program_is_a_clear_message_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "taizhang.db"
    Store(db).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(store_module, "LOCK_TIMEOUT", 0.5)
        with Store(db) as store, pytest.raises(StoreError) as info:
            store.save_month(month("2022-04", ["政务信息报送"]))
        message = str(info.value)
        assert "占用" in message and f"进程 {holder.pid}" in message and "请" in message
        assert holder.poll() is None  # a live program is never ended
    finally:
        holder.kill()
        holder.wait()
