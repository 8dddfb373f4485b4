"""Measure the fetcher's acceptance scenario: 2,000 PMIDs (50 absent) at NCBI's real rate (3/s).

Runs against the test suite's fake E-utilities server (tests/fake_eutils.py) on 127.0.0.1, or, with
``--url``, against any E-utilities-compatible server that holds those PMIDs. Prints, for a run
with no faults, a run with a fifth of the requests faulty, and a second run on a full cache: the
requests by endpoint, retries, the faults injected, the most requests seen in any 1 s window, the
records written and the wall time.

    .venv/bin/python benchmarks/fetch_acceptance.py [--seed 4] [--fault-rate 0.2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_eutils import RECORDED, FakeEutils, FaultPlan, replicate, template_records  # noqa: E402

from extractor.config import CacheConfig, EutilsConfig  # noqa: E402
from extractor.pipeline import run  # noqa: E402

EXISTING = [str(10_000_000 + 7 * n) for n in range(1950)]
ABSENT = [str(39_000_000 + n) for n in range(50)]
REQUESTED = [pmid for n in range(50) for pmid in (*EXISTING[39 * n : 39 * n + 39], ABSENT[n])]


def measure(fake: FakeEutils, cache: Path, out: Path, label: str, **config: object) -> None:
    before = len(fake.seen)
    started = time.monotonic()
    eutils = EutilsConfig(base_url=fake.url, **config)  # type: ignore[arg-type]
    report = run(REQUESTED, outdir=out, eutils=eutils, cache=CacheConfig(path=cache))
    seconds = time.monotonic() - started
    seen = fake.seen[before:]
    lines = [json.loads(line)["pmid"] for line in (out / "records.jsonl").read_text().splitlines()]
    print(
        f"{label}: {seconds:.2f}s; requests {dict(Counter(s.endpoint for s in seen))}, "
        f"retries {report.retries}, faults {dict(Counter(s.fault for s in seen if s.fault))}; "
        f"max {fake.max_in_window(1.0)} requests in any 1 s; records {len(lines)} "
        f"(distinct {len(set(lines))}), missing {len(report.missing)}, failed {len(report.failed)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    args = parser.parse_args()
    records = replicate(template_records(sorted(RECORDED.glob("efetch_pubmed_1*.xml"))), EXISTING)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with FakeEutils(pubmed=records) as fake:
            measure(fake, work / "a.sqlite3", work / "a", "no faults")
            measure(fake, work / "a.sqlite3", work / "a", "second run")
        faults = FaultPlan(rate=args.fault_rate, seed=args.seed, slow_seconds=2.0, retry_after="1")
        with FakeEutils(pubmed=records, faults=faults) as fake:
            measure(fake, work / "b.sqlite3", work / "b", f"{args.fault_rate:.0%} faulty",
                    timeout=1.0, backoff_base=0.05)  # fmt: skip


if __name__ == "__main__":
    main()
