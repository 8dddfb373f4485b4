"""How long a 20,000-record run's evidence report takes to write, and to open in headless Chromium.

The records are the recorded PubMed and PMC records of ``fixtures/eutils/efetch`` (and the PMC
article of ``fixtures/pmc``), replicated under new PMIDs; each template is extracted once and its
evidence replicated with it (extraction speed is ``extract_speed.py``'s business). The report is
written as ``run`` writes it (an index and pages of articles), then Chromium opens the index and
the largest page with ``--dump-dom``, which returns once the page is loaded and its script (the
highlight self-check) has run. A blank page opened the same way is the reference: Chromium's own
start-up. Figures are wall-clock seconds, the best of ``--repeat`` openings.

    .venv/bin/python benchmarks/report_speed.py [--records 20000] [--repeat 3] [--single 1000]

``--single N`` also times the one-page report of N records (the layout before pages), to show
how that grows.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from extractor.evidence import extract_evidence
from extractor.parse import iter_records
from extractor.records import Record
from extractor.report import pages_dir, render_report, write_report_files

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "fixtures" / "eutils" / "efetch").glob("*.xml")), ROOT / "fixtures" / "pmc" / "PMC4497726.nxml"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--dump-dom"]


def templates() -> list[tuple[Record, object]]:
    records = [r for path in SOURCES for r in iter_records(path, on_error="skip")]
    trials = {(t.pmid, t.pmcid): t for t in extract_evidence(records)}
    return [(r, trials.get((r.pmid, r.pmcid))) for r in records]


def replicate(pairs: list[tuple[Record, object]], n: int) -> tuple[list[Record], list[object]]:
    records, trials = [], []
    for i in range(n):
        record, trial = pairs[i % len(pairs)]
        pmid = str(40_000_000 + i)
        records.append(replace(record, pmid=pmid))
        if trial is not None:
            comparisons = tuple(replace(c, pmid=pmid) for c in trial.comparisons)  # type: ignore[attr-defined]
            trials.append(replace(trial, pmid=pmid, comparisons=comparisons))  # type: ignore[type-var]
    return records, trials


def open_seconds(chromium: str, page: Path, profile: Path, repeat: int) -> tuple[float, str]:
    best, dom = float("inf"), ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", page.as_uri()],
                              capture_output=True, text=True, timeout=600, check=True)
        best, dom = min(best, time.perf_counter() - started), done.stdout
    return best, dom


def selfcheck(dom: str) -> str:
    tag = re.search(r'<output id="selfcheck"[^>]*>', dom)
    return tag.group() if tag else "(no self-check on this page)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--single", type=int, default=0, help="also time a one-page report of N records")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (Debian: apt-get install -y chromium)")
    pairs = templates()
    records, trials = replicate(pairs, args.records)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        write_report_files(out / "report.html", records, trials)
        written = time.perf_counter() - started
        pages = sorted(pages_dir(out / "report.html").glob("*.html"))
        largest = max(pages, key=lambda p: p.stat().st_size)
        blank = out / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>")
        profile = out / "profile"
        reference, _ = open_seconds(chromium, blank, profile, args.repeat)
        index_s, _ = open_seconds(chromium, out / "report.html", profile, args.repeat)
        page_s, dom = open_seconds(chromium, largest, profile, args.repeat)
        print(f"{args.records} records from {len(pairs)} templates ({len(trials)} with a trial), "
              f"written in {written:.1f} s: index {(out / 'report.html').stat().st_size / 1e6:.2f} MB, "
              f"{len(pages)} pages, largest {largest.name} {largest.stat().st_size / 1e6:.2f} MB, "
              f"all {sum(p.stat().st_size for p in pages) / 1e6:.1f} MB")
        print(f"Chromium --dump-dom, best of {args.repeat}: blank page {reference:.2f} s, "
              f"index {index_s:.2f} s, largest page {page_s:.2f} s")
        print(f"largest page's self-check: {selfcheck(dom)}")
        if args.single:
            few_records, few_trials = replicate(pairs, args.single)
            single = out / "single.html"
            single.write_text(render_report(few_records, few_trials), encoding="utf-8")
            single_s, _ = open_seconds(chromium, single, profile, 1)
            print(f"one page of {args.single} records ({single.stat().st_size / 1e6:.1f} MB): {single_s:.2f} s")


if __name__ == "__main__":
    main()
