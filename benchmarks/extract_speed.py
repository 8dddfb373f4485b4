"""Extraction throughput beside spaCy's blank tokenizer + sentencizer, on the same texts, in one run.

Usage: python benchmarks/extract_speed.py [DOCS_DIR] [--repeat N]

DOCS_DIR holds PMC XML (whole articles or fragments); the default is the dev set of the
extraction benchmark (../shared/bench/ico-dev/docs). Both sides get the same parsed records:

- reference: ``spacy.blank("en")`` with a sentencizer over every text the extractor reads (the
  abstract, body sections, table captions, footnotes and table cells);
- extractor: ``extract_evidence`` (pipeline, arms, sentence and table results, comparisons).

Prints documents/s for each and their ratio (the target is a ratio of at least 1/3). Parsing the
XML is outside both timings. Both sides are timed in CPU seconds of this process, runs of the two
alternating, so that other work on a shared machine moves neither side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from extractor.evidence import extract_evidence  # noqa: E402
from extractor.evidence.document import passages  # noqa: E402
from extractor.nlp import get_nlp  # noqa: E402
from extractor.parse import parse_file  # noqa: E402
from extractor.records import Record  # noqa: E402


def texts_of(record: Record) -> list[str]:
    """Every text the extractor reads in a record."""
    out = [p.text for p in passages(record)]
    for table in record.tables:
        out += [cell for row in (*table.header, *table.body) for cell in row if cell]
    return out


def reference(records: list[Record]) -> float:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    started = time.process_time()
    for record in records:
        for _ in nlp.pipe(texts_of(record)):
            pass
    return time.process_time() - started


def extraction(records: list[Record]) -> float:
    get_nlp()  # build the pipeline outside the timing, as the reference is built outside it
    started = time.process_time()
    for _ in extract_evidence(records):
        pass
    return time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="?", default=str(ROOT.parent / "shared/bench/ico-dev/docs"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is kept")
    args = parser.parse_args(argv)
    paths = sorted(Path(args.docs).glob("*.xml"))
    if not paths:
        sys.exit(f"no XML files in {args.docs}")
    records = [r for p in paths for r in parse_file(p)]
    runs = [(reference(records), extraction(records)) for _ in range(args.repeat)]
    ref, ext = min(r for r, _ in runs), min(e for _, e in runs)
    n = len(records)
    print(f"documents: {n} ({sum(len(t) for r in records for t in texts_of(r)):,} characters)")
    print(f"blank tokenizer + sentencizer: {n / ref:8.1f} docs/s")
    print(f"extraction (extract_evidence): {n / ext:8.1f} docs/s")
    print(f"ratio extraction / reference:  {ref / ext:8.3f}  (target >= 0.333)")


if __name__ == "__main__":
    main()
