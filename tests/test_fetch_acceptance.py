"""The acceptance scenario of the fetcher, against a real HTTP server at NCBI's real rate (3/s).

2,000 PMIDs, 50 of which do not exist; the server holds real records replicated under the other
1,950. These tests take about 25 s together: the rate limit is the real one.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_eutils import RECORDED, FakeEutils, FaultPlan, replicate, template_records

from extractor.config import CacheConfig, EutilsConfig
from extractor.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
EXISTING = [str(10_000_000 + 7 * n) for n in range(1950)]
ABSENT = [str(39_000_000 + n) for n in range(50)]
# every 40th ID does not exist, so every batch of 200 has some
REQUESTED = [pmid for n in range(50) for pmid in (*EXISTING[39 * n : 39 * n + 39], ABSENT[n])]


@pytest.fixture(scope="module")
def records() -> dict[str, bytes]:
    return replicate(template_records(sorted(RECORDED.glob("efetch_pubmed_1*.xml"))), EXISTING)


def _lines(path: Path) -> Counter[str]:
    return Counter(json.loads(line)["pmid"] for line in path.read_text().splitlines())


def _run(fake: FakeEutils, tmp_path: Path, **config: object) -> dict[str, object]:
    eutils = EutilsConfig(base_url=fake.url, **config)  # type: ignore[arg-type]
    cache = CacheConfig(path=tmp_path / "cache.sqlite3")
    run(REQUESTED, outdir=tmp_path / "out", eutils=eutils, cache=cache)
    return json.loads((tmp_path / "out" / "report.json").read_text())  # type: ignore[no-any-return]


def _assert_complete(report: dict[str, object], outdir: Path) -> None:
    assert _lines(outdir / "records.jsonl") == Counter(EXISTING)  # every record, exactly once
    assert report["missing"] == ABSENT
    assert report["failed"] == []
    assert report["requested"] == len(REQUESTED)


def test_fetch_acceptance_no_faults_11_requests_at_most_3_per_second(
    records: dict[str, bytes], tmp_path: Path
) -> None:
    with FakeEutils(pubmed=records) as fake:
        report = _run(fake, tmp_path)
        _assert_complete(report, tmp_path / "out")
        assert len(fake.requests_to("efetch.fcgi")) <= 11
        assert fake.max_in_window(1.0) <= 3
        assert report["fetched"] == len(EXISTING)
        seen = len(fake.seen)
        again = _run(fake, tmp_path)  # a second run makes no request
        assert len(fake.seen) == seen
        assert (again["requests"], again["from_cache"], again["fetched"]) == (0, len(EXISTING), 0)
        _assert_complete(again, tmp_path / "out")


def test_fetch_acceptance_a_fifth_of_requests_faulty(
    records: dict[str, bytes], tmp_path: Path
) -> None:
    faults = FaultPlan(rate=0.2, seed=4, slow_seconds=2.0, retry_after="1")
    with FakeEutils(pubmed=records, faults=faults) as fake:
        report = _run(fake, tmp_path, timeout=1.0, backoff_base=0.05)
        _assert_complete(report, tmp_path / "out")
        kinds = Counter(s.fault for s in fake.seen if s.fault)
        assert sum(kinds.values()) >= 2  # the plan did inject faults
        assert report["retries"] == sum(kinds.values())
        assert fake.max_in_window(1.0) <= 3


def _cached(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT id FROM records WHERE db = 'pubmed'")}


def test_fetch_acceptance_killed_run_resumes_without_duplicates(
    records: dict[str, bytes], tmp_path: Path
) -> None:
    ids_file = tmp_path / "pmids.txt"
    ids_file.write_text("\n".join(REQUESTED) + "\n")
    cache, out = tmp_path / "cache.sqlite3", tmp_path / "out"
    command = [
        sys.executable,
        str(ROOT / "cli.py"),
        "run",
        "--ids-file",
        str(ids_file),
        "-o",
        str(out),
    ]
    command += ["--cache", str(cache)]
    with FakeEutils(pubmed=records) as fake:
        env = {**os.environ, "EXTRACTOR_EUTILS_URL": fake.url}
        env.pop("NCBI_API_KEY", None)
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while len(fake.requests_to("efetch.fcgi")) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        before = len(fake.seen)
        committed = _cached(cache)
        assert 0 < len(committed) < len(EXISTING)  # killed half-way
        assert not (out / "records.jsonl").exists()

        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        asked_again = {pmid for seen in fake.seen[before:] for pmid in seen.ids()}
        assert not asked_again & committed  # fetches only what it lacks
        _assert_complete(json.loads((out / "report.json").read_text()), out)
        assert _cached(cache) == set(EXISTING)
