"""``run`` as a user meets it: a real ``cli.py`` process, stopped by signals, writing into bad places.

Each test starts ``python cli.py ...`` as a subprocess (so signals, exit statuses, the umask, a
terminal and file size limits are real) against the recorded fixtures or the fake E-utilities
server of ``fake_eutils.py``.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import resource
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_eutils import RECORDED, FakeEutils, FaultPlan, replicate, template_records

from cli import cli
from extractor.fetch import Cache

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ["28731372", "39077977", "12091962", "9997", "11748933", "11700088", "26702207"]
QUICKSTART = [*BUNDLED, "26702216", "26702202", "26432120", "26255087"]  # every recorded PubMed record
OUTPUTS = {"records.jsonl", "arms.csv", "evidence.csv", "report.html", "report.json"}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), *args]


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NCBI_", "EXTRACTOR_"))}
    return {**env, "NCBI_EMAIL": "tests@example.org", **extra}


def run_cli(
    *args: str, preexec: Callable[[], None] | None = None, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(*args), capture_output=True, text=True, env=cli_env(**extra),
                          preexec_fn=preexec, timeout=timeout, check=False)  # fmt: skip


def offline_run(tmp_path: Path, outdir: Path, ids: list[str], *options: str) -> list[str]:
    cache = tmp_path / "cache.sqlite3"
    return ["run", "--offline", "--seed", str(RECORDED), "--cache", str(cache), *ids, "-o", str(outdir), *options]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ") and all(n in lines[0] for n in needles), lines[0]


# -- stopping: SIGINT and SIGTERM ---------------------------------------------------------------

PMIDS = [str(30_000_000 + n) for n in range(1000)]  # five batches of 200


@pytest.fixture(scope="module")
def records() -> dict[str, bytes]:
    # a recorded record without an abstract: the rerun has nothing to extract, so it stays quick
    bare = [t for t in template_records(sorted(RECORDED.glob("efetch_pubmed_1*.xml"))) if b"<Abstract>" not in t]
    assert bare
    return replicate(bare, PMIDS)


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("signum,status,resume", [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)])
def test_cli_run_stops_on_a_signal_keeps_the_cache_and_resumes(
    tmp_path: Path, records: dict[str, bytes], signum: int, status: int, resume: bool
) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(PMIDS))
    cache, out = tmp_path / "cache.sqlite3", tmp_path / "out"
    args = ["run", "--ids-file", str(ids_file), "--cache", str(cache), "-o", str(out), "--quiet"]
    # the first three batches are answered at once, the next ones only after 5 s: the signal
    # comes while they are in flight, and the run must not wait for them
    plan = FaultPlan(script=[None, None, None], rate=1.0, kinds=["slow"], slow_seconds=5.0)
    with FakeEutils(pubmed=records, faults=plan) as fake:
        process = subprocess.Popen(cli_command(*args), env=cli_env(EXTRACTOR_EUTILS_URL=fake.url),
                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        _wait_for(lambda: len(fake.requests_to("efetch.fcgi")) >= 4, timeout=30)
        time.sleep(0.2)
        sent = time.monotonic()
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
        stopped_after = time.monotonic() - sent
    assert process.returncode == status, stderr
    assert stopped_after < 2.0
    assert "Traceback" not in stderr and f"stopped by {signal.Signals(signum).name}" in stderr
    assert not out.exists() or list(out.iterdir()) == []  # no output, no half file, no temporary
    with Cache(cache) as store:
        kept = store.have("pubmed", PMIDS)
    assert len(kept) == 600  # the three batches answered before the signal
    if not resume:
        return
    with FakeEutils(pubmed=records) as fake:
        done = run_cli(*args, EXTRACTOR_EUTILS_URL=fake.url)
        asked = [i for seen in fake.requests_to("efetch.fcgi") for i in seen.ids()]
    assert done.returncode == 0, done.stderr
    assert sorted(asked) == sorted(set(PMIDS) - kept)
    report = json.loads((out / "report.json").read_text())
    assert (report["records"], report["from_cache"], report["fetched"]) == (1000, 600, 400)


# -- faults: one line, exit 2, nothing left behind ---------------------------------------------


@pytest.mark.parametrize("target", ["outdir", "cache"])
def test_cli_run_names_an_unwritable_path(tmp_path: Path, target: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    outdir = blocker / "out" if target == "outdir" else tmp_path / "out"
    args = offline_run(tmp_path, outdir, BUNDLED[:1], "--quiet")
    if target == "cache":
        args[args.index("--cache") + 1] = str(blocker / "cache.sqlite3")
    done = run_cli(*args)
    shown = outdir if target == "outdir" else blocker / "cache.sqlite3"
    assert_one_line_error(done, str(shown), "Not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_cli_run_names_a_read_only_outdir(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir(mode=0o555)
    done = run_cli(*offline_run(tmp_path, outdir, BUNDLED[:1], "--quiet"))
    assert_one_line_error(done, str(outdir), "Permission denied")


def _file_size_limit(limit: int) -> Callable[[], None]:
    """Writes past ``limit`` bytes fail with EFBIG, as on a full disk (SIGXFSZ ignored)."""

    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_cli_run_on_a_full_disk_keeps_the_previous_outputs(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    first = run_cli(*offline_run(tmp_path, outdir, BUNDLED[:1], "--quiet"))
    assert first.returncode == 0, first.stderr
    before = snapshot(outdir)
    # records.jsonl of all eleven records passes 40 kB (59 kB); the cache is only read
    args = offline_run(tmp_path, outdir, QUICKSTART, "--quiet")
    del args[args.index("--seed") : args.index("--seed") + 2]  # seeded by the first run
    done = run_cli(*args, preexec=_file_size_limit(40_000))
    assert_one_line_error(done, str(outdir / "records.jsonl"), "File too large")
    assert sorted(p.name for p in outdir.iterdir()) == sorted(before)  # no temporary file left
    assert snapshot(outdir) == before  # the previous outputs, all of them, unchanged


def test_cli_run_on_a_full_disk_names_the_cache(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    done = run_cli(*offline_run(tmp_path, outdir, BUNDLED[:1], "--quiet"), preexec=_file_size_limit(20_000))
    assert_one_line_error(done, f"cannot write {tmp_path / 'cache.sqlite3'}: ")
    assert list(outdir.iterdir()) == []


def test_cli_pool_names_an_unwritable_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    table = tmp_path / "t.csv"
    table.write_text("study,intervention_events,intervention_group_size,comparator_events,comparator_group_size\n"
                     "A,10,100,20,100\nB,15,120,25,118\n")  # fmt: skip
    (tmp_path / "a-file").write_text("")
    plot = tmp_path / "a-file" / "forest.png"
    done = run_cli("pool", str(table), "--plot", str(plot))
    assert_one_line_error(done, str(plot), "Not a directory")


@pytest.mark.parametrize("mask,mode", [(0o027, 0o640)])  # neither the 0600 of mkstemp nor the usual 0644
def test_cli_run_outputs_follow_the_umask(tmp_path: Path, mask: int, mode: int) -> None:
    outdir = tmp_path / "out"
    done = run_cli(*offline_run(tmp_path, outdir, BUNDLED[:1], "--quiet"), preexec=lambda: os.umask(mask))
    assert done.returncode == 0, done.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in outdir.iterdir()}
    assert modes == dict.fromkeys(OUTPUTS, mode)


@pytest.mark.parametrize("pmid", ["0", "123456789", "12a", "12.5", "1" * 20])
def test_cli_run_names_a_bad_pmid_in_one_line(tmp_path: Path, pmid: str) -> None:
    result = CliRunner().invoke(cli, offline_run(tmp_path, tmp_path / "out", ["28731372", pmid], "--quiet"))
    assert result.exit_code == 1  # the other ID was obtained
    assert [line for line in result.stderr.splitlines() if line.startswith("unmapped:")] == [
        f"unmapped: ID 2: {pmid}: malformed: {pmid!r} is not a PMID, PMCID, DOI or PubMed/PMC URL"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["records"] == 1


def test_cli_run_of_bad_pmids_only_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, offline_run(tmp_path, tmp_path / "out", ["0", "123456789"], "--quiet"))
    assert result.exit_code == 2, result.output


def test_cli_run_drops_leading_zeros(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = CliRunner().invoke(cli, offline_run(tmp_path, outdir, ["028731372", "0009997", "28731372"], "--quiet"))
    assert result.exit_code == 0, result.output
    pmids = [json.loads(line)["pmid"] for line in (outdir / "records.jsonl").read_text().splitlines()]
    assert pmids == ["28731372", "9997"]


# -- progress ------------------------------------------------------------------------------------


def test_cli_run_progress_lines_without_a_terminal(tmp_path: Path) -> None:
    done = run_cli(*offline_run(tmp_path, tmp_path / "out", BUNDLED))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    # a fast run: the first line only, then the summary (the next would come 10 s later)
    assert lines[0] == f"fetch pubmed: 0 of {len(BUNDLED)} (0%), 0 s"
    assert len(lines) == 2 and lines[1].startswith(f"{len(BUNDLED)} records in ")
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


def _run_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; return the exit status and what the terminal got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    process = subprocess.Popen(cli_command(*args), env=cli_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=slave)  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("quiet", [False, True])
def test_cli_run_progress_bars_on_a_terminal(tmp_path: Path, quiet: bool) -> None:
    n = len(BUNDLED)
    status, shown = _run_on_a_terminal(offline_run(tmp_path, tmp_path / "out", BUNDLED, *(["--quiet"] * quiet)))
    assert status == 0, shown
    bars = ["fetch pubmed: 100%", "parse: 100%", "extract: 100%", "report: 100%"]
    if quiet:
        assert not any(bar.split(":")[0] + ":" in shown for bar in bars), shown
        assert f"{n} records in " in shown
    else:
        assert all(bar in shown for bar in bars), shown
        assert f"| {n}/{n} [" in shown  # tqdm's bar with its count
