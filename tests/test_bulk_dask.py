"""``cli.py bulk`` on real Dask clusters: a LocalCluster whose worker is killed mid-task, and a
scheduler and worker started here as ``dask scheduler`` / ``dask worker`` processes.

Each run is a child process in its own session, killed with its whole group at the end, so no
scheduler or worker outlives a test.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from bulk_files import write_pubmed

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
FILES, PER_FILE = 4, 20
_TEMP = re.compile(r"^\.(.+)\.(\d+)\.tmp$")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(FILES):
        write_pubmed(folder / f"pubmed25n{n + 1:04d}.xml.gz", [str(1_000_000 + n * PER_FILE + i) for i in range(PER_FILE)])
    return folder


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started by a test, each the leader of its own group; all killed at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for child in started:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)


def _start(children: list[subprocess.Popen[bytes]], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        child = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    children.append(child)
    return child


def _bulk(children: list[subprocess.Popen[bytes]], args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return _start(children, [sys.executable, "cli.py", "bulk", *args], log)


def _finish(child: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> str:
    child.wait(timeout=timeout)
    return log.read_text()


def _kill_a_worker_mid_task(outdir: Path, child: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """SIGKILL the worker writing a part: its temporary file names its process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        for path in (outdir / "records").glob(".*.tmp") if (outdir / "records").exists() else ():
            pid = int(_TEMP.match(path.name).group(2))  # type: ignore[union-attr]
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            return pid
        time.sleep(0.005)
    raise AssertionError("no worker was seen writing a part")


def _keys(outdir: Path, table: str) -> Counter[str]:
    return Counter(ds.dataset(outdir / table, format="parquet").to_table(columns=["key"])["key"].to_pylist())


def test_bulk_worker_killed_then_rerun_writes_every_record_once(
    tmp_path: Path, inputs: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    out = tmp_path / "out"
    first = _bulk(children, [str(inputs), "-o", str(out), "--workers", "2"], tmp_path / "first.log")
    killed = _kill_a_worker_mid_task(out, first)
    log = _finish(first, tmp_path / "first.log")
    # the killed worker's task ran again elsewhere: the job completes
    assert first.returncode == 0 and f"{FILES} files processed, 0 already done, 0 failed" in log, log
    with sqlite3.connect(out / "manifest.sqlite3") as db:
        workers = [w for (w,) in db.execute("SELECT worker FROM files WHERE status = 'done'")]
    assert len(workers) == FILES and not any(w.endswith(f":{killed}") for w in workers)

    rerun = _finish(_bulk(children, [str(inputs), "-o", str(out), "--workers", "2"], tmp_path / "rerun.log"),
                    tmp_path / "rerun.log")  # fmt: skip
    expected = {f"pubmed:{1_000_000 + i}" for i in range(FILES * PER_FILE)}
    for table in ("records", "records_current"):
        counts = _keys(out, table)
        assert set(counts) == expected and set(counts.values()) == {1}, table
    assert not list(out.glob("*/.*.tmp"))
    assert f"0 files processed, {FILES} already done, 0 failed" in rerun, rerun

    again = _finish(_bulk(children, [str(inputs), "-o", str(out)], tmp_path / "again.log"), tmp_path / "again.log")
    assert f"0 files processed, {FILES} already done, 0 failed" in again, again
    assert f"{FILES * PER_FILE} current records" in again


def test_bulk_on_a_running_scheduler(tmp_path: Path, inputs: Path, children: list[subprocess.Popen[bytes]]) -> None:
    address_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    _start(children, [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                      "--scheduler-file", str(address_file)], tmp_path / "scheduler.log")  # fmt: skip
    deadline = time.monotonic() + 60
    while not address_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    address = json.loads(address_file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    _start(children, [*dask, "worker", "--scheduler-file", str(address_file), "--nworkers", "1", "--nthreads", "1",
                      "--host", "127.0.0.1", "--no-dashboard"], tmp_path / "worker.log")  # fmt: skip
    out = tmp_path / "out"
    log = _finish(_bulk(children, [str(inputs / "*.xml.gz"), "-o", str(out), "--scheduler", address, "--rct-only"],
                        tmp_path / "bulk.log"), tmp_path / "bulk.log")  # fmt: skip
    assert f"{FILES} files processed, 0 already done, 0 failed" in log, log
    assert f"bulk: {FILES}/{FILES} files" in log  # plain progress lines: stderr is not a terminal
    with sqlite3.connect(out / "manifest.sqlite3") as db:
        workers = {w for (w,) in db.execute("SELECT DISTINCT worker FROM files")}
    assert len(workers) == 1 and all(w.split(":")[1].isdigit() for w in workers)
    assert 0 < sum(_keys(out, "records_current").values()) < FILES * PER_FILE  # --rct-only dropped some


def test_bulk_refuses_workers_with_scheduler(tmp_path: Path, inputs: Path) -> None:
    done = subprocess.run([sys.executable, "cli.py", "bulk", str(inputs), "-o", str(tmp_path / "o"), "--workers", "2",
                           "--scheduler", "tcp://127.0.0.1:1"], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "not both" in done.stderr


def test_bulk_unreachable_scheduler_is_an_error(tmp_path: Path, inputs: Path) -> None:
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    done = subprocess.run([sys.executable, "cli.py", "bulk", str(inputs), "-o", str(tmp_path / "o"),
                           "--scheduler", "tcp://127.0.0.1:9"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env)  # fmt: skip
    assert done.returncode == 2 and "cannot reach the Dask scheduler" in done.stderr, done.stderr
