"""Parse-speed benchmark: our PubMed reader vs pubmed_parser and Bio.Entrez, on the same big file.

Builds ``benchmarks/data/pubmed_bench_<N>.xml.gz`` (git-ignored) by replicating the real
``PubmedArticle`` records of the shared corpus with new PMIDs, then, in one run:

1. parses it with ``extractor.parse.iter_records``, ``pubmed_parser.parse_medline_xml`` and
   ``Bio.Entrez.parse``, each in its own subprocess, printing records/s and the peak resident
   memory (``ru_maxrss``) and how much it grew after the imports;
2. does the same on a file three times as large, to show whose memory stays flat;
3. writes the same fields of every record as JSON lines with ours and with pubmed_parser (each
   in its own subprocess, timed after the imports), and times end to end ``python cli.py parse
   FILE --format jsonl -o OUT`` (every field) against a pubmed_parser script writing its records.

Rates are given per wall-clock second and per CPU second of the process (all its threads), the
latter being the rate per core.

pubmed_parser is a benchmark-only dependency, not one of the project's::

    .venv/bin/pip install pubmed_parser
    .venv/bin/python benchmarks/parse_speed.py            # 10,000 and 30,000 records

Each figure is the best of ``--repeat`` runs (the machine may be shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "pubmed"
HEADER = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
)
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.DOTALL)
_PMID = re.compile(rb'(<PMID Version="\d+">)\d+(</PMID>)')
_ARTICLE_ID = re.compile(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)')
FIELDS = ("pmid", "doi", "title", "abstract", "authors", "journal", "year", "pub_date", "language",
          "publication_types", "mesh_terms", "keywords", "pmcid", "epub_date")  # fmt: skip
# pubmed_parser's names for the same fields (its journal is split over journal, issue and pages)
PP_FIELDS = ("pmid", "doi", "title", "abstract", "authors", "journal", "issue", "pages", "pubdate", "languages",
             "publication_types", "mesh_terms", "keywords", "pmc")  # fmt: skip


# --- building the file ---------------------------------------------------------------------------


def real_articles(corpus: Path) -> list[bytes]:
    """Every ``PubmedArticle`` of the corpus's PubmedArticleSet files, byte for byte."""
    found = []
    for path in sorted(corpus.rglob("*.xml")):
        data = path.read_bytes()
        if b"<PubmedArticleSet" in data[:4096]:
            found.extend(m.group(0) for m in _ARTICLE.finditer(data))
    return found


def entrez_valid(articles: list[bytes]) -> list[bytes]:
    """The articles Bio.Entrez accepts under the 2025 DTD (it refuses tags of older DTDs, e.g.
    ``DateCreated``, and cannot stream without validating), so all three parsers read one file."""
    import io

    from Bio import Entrez

    kept = []
    for article in articles:
        try:
            Entrez.read(io.BytesIO(HEADER + article + b"</PubmedArticleSet>"))
        except Exception:  # noqa: BLE001 -- any refusal means: leave this record out
            continue
        kept.append(article)
    return kept


def build(count: int, corpus: Path) -> Path:
    """Write (once) a gzip PubMed file of ``count`` replicated real records with new PMIDs."""
    path = DATA / f"pubmed_bench_{count}.xml.gz"
    if path.exists():
        return path
    articles = entrez_valid(real_articles(corpus))
    if not articles:
        sys.exit(f"no PubmedArticle records under {corpus}; pass --corpus")
    DATA.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(HEADER)
        for i in range(count):
            pmid = b"%d" % (90_000_000 + i)
            article = _PMID.sub(rb"\g<1>" + pmid + rb"\g<2>", articles[i % len(articles)], count=1)
            out.write(_ARTICLE_ID.sub(rb"\g<1>" + pmid + rb"\g<2>", article, count=1) + b"\n")
        out.write(b"</PubmedArticleSet>\n")
    print(f"built {path.relative_to(ROOT)}: {count} records from {len(articles)} real ones", file=sys.stderr)
    return path


# --- the parsers, each run in a child process ----------------------------------------------------


def _ours(path: str) -> Iterator[object]:
    from extractor.parse import iter_records

    return iter_records(path)


def _pubmed_parser(path: str) -> Iterator[object]:
    import pubmed_parser

    return pubmed_parser.parse_medline_xml(path, year_info_only=False, author_list=True)


def _biopython(path: str) -> Iterator[object]:
    """``Bio.Entrez.parse``; Biopython 1.8x treats a PubmedArticleSet as a dict, not a list, so its
    parse() refuses one ("does not represent a list") and we fall back to ``Entrez.read``, which
    loads the whole file (memory grows with it). The DTD named in the file ships with Biopython."""
    from Bio import Entrez

    try:
        records = Entrez.parse(gzip.open(path, "rb"))
        yield next(records)
        yield from records
    except ValueError as e:
        if "does not represent a list" not in str(e):
            raise
        data = Entrez.read(gzip.open(path, "rb"))
        yield from data["PubmedArticle"]


PARSERS = {"ours": _ours, "pubmed_parser": _pubmed_parser, "Bio.Entrez": _biopython}


def _memory_kib(field: str) -> int:
    """``VmHWM`` (peak) or ``VmRSS`` of this process: per process, unlike ru_maxrss after a fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


PARSER_MODULES = {
    "ours": ("extractor.parse", "extractor.parse.pubmed"),
    "pubmed_parser": ("pubmed_parser",),
    "Bio.Entrez": ("Bio.Entrez", "Bio.Entrez.Parser"),
}


def child(name: str, path: str) -> None:
    """Parse ``path`` with one parser and print a JSON line of figures (runs in a subprocess).

    Imports happen before the clock starts and before the base memory is read; growth is the
    peak (``VmHWM``) minus the memory held after the imports.
    """
    import importlib

    for module in PARSER_MODULES[name]:
        importlib.import_module(module)
    base = _memory_kib("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in PARSERS[name](path))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _memory_kib("VmHWM")
    print(json.dumps({"records": count, "seconds": seconds, "cpu": cpu, "peak_mib": peak / 1024,
                      "growth_mib": (peak - base) / 1024}))  # fmt: skip


def measure(name: str, path: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", name, str(path)], capture_output=True, text=True)
        if out.returncode:
            return {"error": out.stderr.strip().splitlines()[-1]}  # type: ignore[dict-item]
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["seconds"])
    best["rate"] = best["records"] / best["seconds"]
    best["cpu_rate"] = best["records"] / min(r["cpu"] for r in runs)
    return best


def fill_rates(path: Path, sample: int = 2000) -> dict[str, float]:
    """Share of records in which each of our fields is filled (not None, not empty)."""
    from extractor.parse import iter_records

    counts = dict.fromkeys(FIELDS, 0)
    total = 0
    for total, record in enumerate(iter_records(path), 1):
        for name in FIELDS:
            counts[name] += bool(getattr(record, name))
        if total == sample:
            break
    return {name: counts[name] / total for name in FIELDS}


# --- end to end ----------------------------------------------------------------------------------


def pubmed_parser_jsonl(path: str, out: str) -> None:
    """Write pubmed_parser's records as JSON lines (the end-to-end comparison)."""
    import pubmed_parser

    with open(out, "w", encoding="utf-8") as f:
        for record in pubmed_parser.parse_medline_xml(path, year_info_only=False, author_list=True):
            f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def same_fields_jsonl(name: str, path: str, out: str) -> None:
    """Write the fields both parsers read as JSON lines (a child process); print the figures."""
    import dataclasses

    if name == "ours":
        from extractor.parse import iter_records

        names: dict[type, tuple[str, ...]] = {}

        def fields(o: object) -> dict[str, object]:  # Author, Journal: their fields, names looked up once
            keys = names.get(type(o)) or names.setdefault(type(o), tuple(f.name for f in dataclasses.fields(o)))  # type: ignore[arg-type]
            return {k: getattr(o, k) for k in keys}

        encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=fields)
        rows = ({k: getattr(r, k) for k in FIELDS} for r in iter_records(path))
    else:
        import pubmed_parser

        encoder = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=str)
        rows = ({k: r.get(k) for k in PP_FIELDS}
                for r in pubmed_parser.parse_medline_xml(path, year_info_only=False, author_list=True))  # fmt: skip
    start, cpu = time.perf_counter(), time.process_time()
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        for count, row in enumerate(rows, 1):  # noqa: B007 (count is the result)
            f.write(encoder.encode(row) + "\n")
    print(json.dumps({"records": count, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}))


def measure_jsonl(name: str, path: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        command = [sys.executable, __file__, "--same-fields", name, str(path), str(DATA / f"out.{name}.jsonl")]
        runs.append(json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    return {"rate": runs[0]["records"] / min(r["seconds"] for r in runs),
            "cpu_rate": runs[0]["records"] / min(r["cpu"] for r in runs)}


def wall(command: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def end_to_end(path: Path, repeat: int) -> tuple[float, float]:
    out = DATA / "out.jsonl"
    ours = wall([sys.executable, "cli.py", "parse", str(path), "--format", "jsonl", "-o", str(out)], repeat)
    theirs = wall([sys.executable, __file__, "--pp-jsonl", str(path), str(out)], repeat)
    return ours, theirs


# --- report --------------------------------------------------------------------------------------


def main() -> None:
    args = _arguments()
    if args.child:
        return child(*args.child)
    if args.pp_jsonl:
        return pubmed_parser_jsonl(*args.pp_jsonl)
    if args.same_fields:
        return same_fields_jsonl(*args.same_fields)
    try:
        import pubmed_parser  # noqa: F401
    except ImportError:
        sys.exit("pubmed_parser is missing: it is a benchmark-only dependency; .venv/bin/pip install pubmed_parser")
    files = {n: build(n, args.corpus) for n in (args.records, 3 * args.records)}
    print(f"{'parser':14} {'records':>8} {'records/s':>10} {'per CPU s':>10} {'peak MiB':>9} {'growth MiB':>11}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    for count, path in files.items():
        for name in args.parsers:
            r = results[name, count] = measure(name, path, args.repeat)
            if "error" in r:
                print(f"{name:14} {count:>8} failed: {r['error']}")
                continue
            print(f"{name:14} {r['records']:>8} {r['rate']:>10.0f} {r['cpu_rate']:>10.0f} {r['peak_mib']:>9.1f} "
                  f"{r['growth_mib']:>11.1f}")  # fmt: skip
    ours, theirs = results["ours", args.records], results["pubmed_parser", args.records]
    if "rate" in theirs:
        print(f"ours / pubmed_parser, parsing: {ours['rate'] / theirs['rate']:.2f}x records/s, "
              f"{ours['cpu_rate'] / theirs['cpu_rate']:.2f}x per CPU second")  # fmt: skip
    same = {name: measure_jsonl(name, files[args.records], args.repeat) for name in ("ours", "pubmed_parser")}
    print(f"same fields to JSON lines, {args.records} records: ours {same['ours']['rate']:.0f} records/s "
          f"({same['ours']['cpu_rate']:.0f} per CPU s), pubmed_parser {same['pubmed_parser']['rate']:.0f} "
          f"({same['pubmed_parser']['cpu_rate']:.0f}): {same['ours']['rate'] / same['pubmed_parser']['rate']:.2f}x "
          f"records/s, {same['ours']['cpu_rate'] / same['pubmed_parser']['cpu_rate']:.2f}x per CPU second")  # fmt: skip
    print("field fill rate (ours, first 2000 records):", json.dumps({k: round(v, 3) for k, v in fill_rates(files[args.records]).items()}))
    ours, theirs = end_to_end(files[args.records], args.repeat)
    print(f"end to end, {args.records} records to JSON lines: cli.py parse {ours:.2f}s, "
          f"pubmed_parser script {theirs:.2f}s ({theirs / ours:.2f}x)")  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="records in the smaller file (the larger has 3x)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure; the best is kept")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of real PubMed XML files")
    parser.add_argument("--child", nargs=2, metavar=("PARSER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--parsers", nargs="+", choices=list(PARSERS), default=list(PARSERS),
                        help="parsers to time (ours and pubmed_parser always)")
    parser.add_argument("--pp-jsonl", nargs=2, metavar=("FILE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--same-fields", nargs=3, metavar=("PARSER", "FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.parsers = list(dict.fromkeys(["ours", "pubmed_parser", *args.parsers]))
    return args


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
