"""Field-by-field comparison of our PubMed reader with ``pubmed_parser.parse_medline_xml``.

Reads every PubMed XML file of the corpus with both, pairs records by PMID and prints, per field,
how many records agree and examples of where they differ (values shortened)::

    .venv/bin/pip install pubmed_parser     # benchmark-only; not a project dependency
    .venv/bin/python benchmarks/compare_pubmed_parser.py [CORPUS_DIR] [--examples 4]

Values are brought to a common form before comparing (pubmed_parser's "UI:Name; ..." strings are
split, ISO 639-2 codes mapped to ISO 639-1, whitespace collapsed), so only real differences show.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.normalise import language_code, normalise_doi, normalise_pmcid  # noqa: E402
from extractor.parse import iter_records  # noqa: E402
from extractor.records import Record  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "pubmed"


def _ws(text: Any) -> str | None:
    return " ".join(str(text).split()) or None if text else None


def _names(joined: str) -> tuple[str, ...]:
    """pubmed_parser's "D000001:Name; D000002:Other" -> ("Name", "Other")."""
    parts = (p.strip() for p in (joined or "").split(";"))
    return tuple(p.split(":", 1)[1] if re.match(r"^[A-Z]\d+:", p) else p for p in parts if p)


def _abstract_ours(r: Record) -> str | None:
    return _ws(" ".join(f"{s.label} {s.text}" if s.label else s.text for s in r.abstract_sections))


def _pages(pp: dict[str, Any]) -> str | None:
    return _ws(pp.get("pages"))


# field -> (our value, pubmed_parser's value), both in a comparable form
FIELDS: dict[str, tuple[Callable[[Record], Any], Callable[[dict[str, Any]], Any]]] = {
    "doi": (lambda r: r.doi, lambda p: normalise_doi(p.get("doi"))),
    "pmcid": (lambda r: r.pmcid, lambda p: normalise_pmcid(p.get("pmc") or None)),
    "title": (lambda r: _ws(r.title), lambda p: _ws(p.get("title"))),
    "abstract": (_abstract_ours, lambda p: _ws(p.get("abstract"))),
    "authors (count)": (lambda r: len(r.authors), lambda p: len(p.get("authors") or [])),
    "authors (family names)": (
        lambda r: tuple(a.family or a.collective for a in r.authors),
        lambda p: tuple(a.get("lastname") or None for a in p.get("authors") or []),
    ),
    "affiliations (count)": (
        lambda r: sum(len(a.affiliations) for a in r.authors),
        lambda p: sum(len([x for x in (a.get("affiliation") or "").split("; ") if x]) for a in p.get("authors") or []),
    ),
    "orcid": (
        lambda r: tuple(a.orcid for a in r.authors if a.orcid),
        lambda p: tuple(a["identifier"] for a in p.get("authors") or [] if a.get("identifier")),
    ),
    "journal": (lambda r: r.journal and _ws(r.journal.title), lambda p: _ws(p.get("journal"))),
    "pages": (lambda r: r.journal and r.journal.pages, _pages),
    "pub_date": (lambda r: r.pub_date, lambda p: p.get("pubdate") or None),
    "language": (lambda r: r.language, lambda p: language_code((p.get("languages") or "").split(";")[0].strip())),
    "publication_types": (lambda r: r.publication_types, lambda p: _names(p.get("publication_types"))),
    "mesh_terms": (lambda r: r.mesh_terms, lambda p: _names(p.get("mesh_terms"))),
    "keywords": (lambda r: tuple(sorted(r.keywords)), lambda p: tuple(sorted(_names(p.get("keywords"))))),
}


def pubmed_parser_records(path: Path) -> dict[str, dict[str, Any]]:
    """pubmed_parser's records of ``path`` by PMID (it only opens gzip files, so plain XML is gzipped)."""
    import pubmed_parser

    with tempfile.TemporaryDirectory() as tmp:
        gz = path
        if path.suffix != ".gz":
            gz = Path(tmp) / (path.name + ".gz")
            gz.write_bytes(gzip.compress(path.read_bytes()))
        found = pubmed_parser.parse_medline_xml(str(gz), year_info_only=False, author_list=True)
        return {str(r["pmid"]): r for r in found if not r.get("delete")}


def compare(paths: list[Path], examples: int) -> None:
    agree: dict[str, int] = defaultdict(int)
    differ: dict[str, list[tuple[str, str, Any, Any]]] = defaultdict(list)
    only_ours: list[str] = []
    paired = 0
    for path in paths:
        try:
            ours = {r.pmid: r for r in iter_records(path) if not r.deleted}
        except Exception as e:  # noqa: BLE001 -- report and go on
            print(f"ours refused {path.name}: {e}")
            continue
        try:
            theirs = pubmed_parser_records(path)
        except Exception as e:  # noqa: BLE001
            print(f"pubmed_parser failed on {path.name}: {type(e).__name__}: {e}")
            theirs = {}
        only_ours.extend(f"{path.name}:{pmid}" for pmid in ours.keys() - theirs.keys())
        for pmid in ours.keys() & theirs.keys():
            paired += 1
            for field, (mine, other) in FIELDS.items():
                a, b = mine(ours[pmid]), other(theirs[pmid])
                if a == b:
                    agree[field] += 1
                else:
                    differ[field].append((path.name, pmid, a, b))
    report(paired, agree, differ, only_ours, examples)


def _short(value: Any, width: int = 110) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def report(paired: int, agree: dict[str, int], differ: dict[str, list[Any]], only_ours: list[str], examples: int) -> None:
    print(f"{paired} records read by both; {len(only_ours)} read only by ours (e.g. {', '.join(only_ours[:4])})")
    print(f"{'field':26} {'agree':>6} {'differ':>6}")
    for field in FIELDS:
        print(f"{field:26} {agree[field]:>6} {len(differ[field]):>6}")
    for field in FIELDS:
        if differ[field]:
            print(f"\n== {field}: {len(differ[field])} differences, e.g.")
            for name, pmid, a, b in differ[field][:examples]:
                print(f"  {name} PMID {pmid}\n    ours:          {_short(a)}\n    pubmed_parser: {_short(b)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--examples", type=int, default=4)
    args = parser.parse_args()
    try:
        import pubmed_parser  # noqa: F401
    except ImportError:
        sys.exit("pubmed_parser is missing: .venv/bin/pip install pubmed_parser (benchmark-only)")
    paths = sorted(p for p in args.corpus.rglob("*") if p.suffix in (".xml", ".gz"))
    compare(paths, args.examples)


if __name__ == "__main__":
    main()
