"""Bulk-run benchmark: ``run_bulk`` on 1 and on 2 workers over baseline-like and update files.

Makes (once) in ``benchmarks/data/bulk/`` (git-ignored) eight baseline-like files of ``--records``
records each (the real records of ``fixtures/``, see ``tests/bulk_files.py``, replicated under new
PMIDs) and two update files that replace, add and delete records, then in one run:

1. runs the bulk job on a LocalCluster of 1 worker, then of 2, each into a fresh directory, and
   prints records/s for each and their ratio (the target is >= 1.7 on 2 free cores);
2. prints each worker's peak memory after its first file and after its last one (flat: it does
   not grow with what the worker has read);
3. prints the share of a core each worker got while busy (the CPU time of its tasks over their
   wall time), which tells a ratio held down by other processes on the machine from one held
   down by the job;
4. prints the count of ``records_current`` beside the count expected from the updates, computed
   here by walking the files in order (replacements kept, deletions applied).

::

    .venv/bin/pip install -e '.[bulk]'
    .venv/bin/python benchmarks/bulk_speed.py                 # 8 x 10,000 records
    .venv/bin/python benchmarks/bulk_speed.py --records 2000  # a quicker look

The machine may be shared: the load average is printed before each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "bulk"
BASELINE_FILES = 8
FIRST_PMID = 30_000_000


def plan(records: int) -> list[tuple[str, list[str], list[str], str | None]]:
    """(file name, PMIDs written, PMIDs deleted, title prefix) of every file, in file order.

    Update 1 replaces 10% of the first file's records, adds 2% new ones and deletes 5% of the
    second file's; update 2 brings back half of those deleted and deletes 3% of what update 1
    replaced.
    """
    files = []
    for n in range(BASELINE_FILES):
        start = FIRST_PMID + n * records
        files.append((f"pubmed26n{n + 1:04d}.xml.gz", [str(start + i) for i in range(records)], [], None))
    first, second = files[0][1], files[1][1]
    replaced = first[: records // 10]
    new = [str(FIRST_PMID + BASELINE_FILES * records + i) for i in range(records // 50)]
    deleted = second[: records // 20]
    files.append((f"pubmed26n{BASELINE_FILES + 1:04d}.xml.gz", replaced + new, deleted, "Revised: "))
    files.append((f"pubmed26n{BASELINE_FILES + 2:04d}.xml.gz", deleted[: len(deleted) // 2], replaced[: records * 3 // 100],
                  "Restored: "))  # fmt: skip
    return files


def expected_current(files: list[tuple[str, list[str], list[str], str | None]]) -> int:
    current: set[str] = set()
    for _, written, deleted, _ in files:
        current.update(written)
        current.difference_update(deleted)
    return len(current)


def build(records: int) -> tuple[Path, list[tuple[str, list[str], list[str], str | None]]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from bulk_files import write_pubmed  # the tests' maker of PubMed files from real fixture records

    folder = DATA / str(records)
    files = plan(records)
    if not (folder / files[-1][0]).exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name, written, deleted, prefix in files:
            write_pubmed(folder / name, written, deleted=deleted, title_prefix=prefix)
        print(f"built {folder.relative_to(ROOT)}: {len(files)} files", file=sys.stderr)
    return folder, files


def run(folder: Path, workers: int) -> dict[str, object]:
    from extractor.bulk import run_bulk

    out = Path(tempfile.mkdtemp(prefix=f"bulk{workers}-", dir=DATA))
    try:
        print(f"load average before {workers} worker(s): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        started = time.perf_counter()
        report = run_bulk([str(folder)], out, workers=workers)
        seconds = time.perf_counter() - started
        with sqlite3.connect(out / "manifest.sqlite3") as db:
            rows = db.execute("SELECT worker, peak_mib FROM files ORDER BY rowid").fetchall()
            busy, cpu = db.execute("SELECT sum(seconds), sum(cpu_seconds) FROM files").fetchone()
        return {"report": report, "seconds": seconds, "peaks": _peaks(rows), "share": cpu / busy}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _peaks(rows: list[tuple[str, float]]) -> dict[str, tuple[float, float, int]]:
    """Per worker: peak MiB after its first file, after its last, and how many files it did."""
    peaks: dict[str, tuple[float, float, int]] = {}
    for worker, peak in rows:
        first, _, count = peaks.get(worker, (peak, peak, 0))
        peaks[worker] = (first, peak, count + 1)
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="records per baseline-like file")
    args = parser.parse_args()
    folder, files = build(args.records)
    results = {workers: run(folder, workers) for workers in (1, 2)}
    print(f"{'workers':>7} {'records':>8} {'seconds':>8} {'records/s':>10} {'current':>8} {'CPU share':>9}")
    for workers, r in results.items():
        report = r["report"]
        print(f"{workers:>7} {report.records:>8} {r['seconds']:>8.1f} {report.records / r['seconds']:>10.0f} "  # type: ignore[attr-defined]
              f"{report.current_records:>8} {r['share']:>9.0%}")  # type: ignore[attr-defined]
    print("(CPU share: the CPU time of the workers' tasks over their wall time; below 100% the cores were shared)")
    rate = {w: r["report"].records / r["seconds"] for w, r in results.items()}  # type: ignore[attr-defined]
    print(f"2 workers / 1 worker records/s: {rate[2] / rate[1]:.2f}x (on {os.cpu_count()} cores)")
    for workers, r in results.items():
        for worker, (first, last, count) in r["peaks"].items():  # type: ignore[attr-defined]
            print(f"{workers} worker(s): {worker}: peak {first:.0f} MiB after its first file, {last:.0f} MiB after its {count}th")
    expected = expected_current(files)
    current = {r["report"].current_records for r in results.values()}  # type: ignore[attr-defined]
    print(f"records_current: {sorted(current)} (expected {expected}: {'exact' if current == {expected} else 'WRONG'})")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
