"""Command-line shell over the ``extractor`` library.

Each command parses its arguments, calls one library function and turns library errors into exit
codes: 0 when complete, 1 when partial (some records skipped; a summary goes to stderr), 2 on error.
Stage modules are imported inside the commands so that ``parse`` does not pay for spaCy or pandas.
"""

from __future__ import annotations

import enum
import errno
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

import click

import extractor

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class ExitCode(enum.IntEnum):
    """What a run achieved, as the process exit status."""

    COMPLETED = 0
    INCOMPLETE = 1
    ERROR = 2


class Failure(click.ClickException):
    """A one-line error that exits with status 2."""

    exit_code = ExitCode.ERROR


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; raised in the main thread so that every step can clean up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, frame: FrameType | None) -> NoReturn:
    raise Stopped(signum)


class Shell(click.Group):
    """The command group, turning a stop signal into its exit status and a fault into one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as e:
            _stopped(getattr(e, "signum", signal.SIGINT), ctx.invoked_subcommand)
        except OSError as e:  # an unwritable path, a full disk: what and why, no traceback
            if e.errno == errno.EPIPE:
                raise
            where = f"{e.filename}: " if e.filename else ""
            raise Failure(f"{where}{e.strerror or e}") from e


def _stopped(signum: int, command: str | None) -> NoReturn:
    """Exit 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells do."""
    resume = "; what was fetched is kept in the cache: run it again to resume"
    click.echo(f"stopped by {signal.Signals(signum).name}{resume if command in ('run', 'fetch') else ''}",
               err=True)  # fmt: skip
    code = 128 + signum
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        # a request still waiting for its answer would hold the process up to its timeout
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


@click.group(cls=Shell, context_settings=CONTEXT_SETTINGS)
@click.version_option(extractor.__version__, "--version")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """Fetch PubMed/PMC records, normalise them, and extract trial results with provenance."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl", "csv"]), default="jsonl", show_default=True,
    help="Output format (csv flattens lists; see extractor/writers.py).",
)  # fmt: skip
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Output file (default stdout).")
def parse(files: tuple[str, ...], fmt: str, output: IO[str]) -> None:
    """Parse PubMed XML, PMC JATS, MEDLINE text or catalogue records into normalised records.

    The format of each FILE is detected from its content; gzip is read as is; "-" reads stdin.
    A broken record is reported on stderr and skipped (exit 1); an unreadable FILE exits 2.

    Example:

    \b
        extractor parse pubmed_result.xml.gz --format jsonl -o records.jsonl
    """
    from extractor.parse import ParseReport, iter_records
    from extractor.writers import write_records

    report, failed = ParseReport(), []

    def records() -> Iterator[extractor.Record]:
        for path in files:
            try:
                yield from iter_records(path, on_error="skip", report=report)
            except extractor.ExtractorError as e:
                failed.append(e)
                click.echo(f"error: {e}", err=True)

    write_records(records(), output, fmt)  # type: ignore[arg-type]
    for error in report.errors:
        click.echo(f"skipped: {error}", err=True)
    if failed or report.errors:
        click.echo(f"{sum(report.records.values())} records written; {len(report.errors)} skipped", err=True)
    sys.exit(ExitCode.ERROR if failed else ExitCode.INCOMPLETE if report.errors else ExitCode.COMPLETED)


# -- fetching: fetch, search, run -------------------------------------------------------------


def _eutils_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of every command that talks to E-utilities (also read from the environment)."""
    options = [
        click.option(
            "--eutils-url",
            envvar="EXTRACTOR_EUTILS_URL",
            show_envvar=True,
            help="E-utilities base URL (default NCBI's).",
        ),
        click.option(
            "--idconv-url",
            envvar="EXTRACTOR_IDCONV_URL",
            show_envvar=True,
            help="PMC ID Converter API URL, which maps DOIs and PMCIDs (default NCBI's).",
        ),
        click.option(
            "--email",
            envvar="NCBI_EMAIL",
            show_envvar=True,
            help="Contact address sent to NCBI with every request.",
        ),
        click.option(
            "--api-key",
            envvar="NCBI_API_KEY",
            show_envvar=True,
            help="NCBI API key (10 requests/s instead of 3); prefer the variable.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _cache_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of every command that reads or fills the record cache."""
    options = [
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="EXTRACTOR_CACHE",
            show_envvar=True,
            help="SQLite cache file [default: $XDG_CACHE_HOME/trial-extractor/eutils.sqlite3].",
        ),
        click.option("--refresh", is_flag=True, help="Fetch again what is already cached."),
        click.option(
            "--max-age",
            type=float,
            default=30.0,
            show_default=True,
            help="Days a cached record (or a known-absent ID) stays fresh.",
        ),
        click.option("--offline", is_flag=True, help="Use only the cache; fetch nothing."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _configs(opts: dict[str, Any]) -> tuple[Any, Any]:
    from extractor.config import CacheConfig, EutilsConfig

    eutils = EutilsConfig.from_env(
        base_url=opts["eutils_url"], idconv_url=opts["idconv_url"], email=opts["email"],
        api_key=opts["api_key"],
    )
    cache = CacheConfig.from_env(
        path=opts["cache_path"], max_age_days=opts["max_age"], refresh=opts["refresh"]
    )
    return eutils, cache


def _read_ids(ids: tuple[str, ...], ids_file: IO[bytes] | None, db: str = "pubmed") -> list[Any]:
    """The IDs given as arguments, then the citations of ``--ids-file`` (RIS, nbib, CSV/TSV or a
    plain list, told by content; see ``extractor/ids.py``)."""
    from extractor.ids import read_ids_file

    if ids_file is None:
        return list(ids)
    name = Path(getattr(ids_file, "name", "ids file")).name
    try:
        return [*ids, *read_ids_file(ids_file.read(), name, digits="pmcid" if db == "pmc" else "pmid")]
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e


def _echo_unmapped(unmapped: Any) -> None:
    for item in unmapped:
        click.echo(f"unmapped: {item['where']}: {item['input']}: {item['reason']}", err=True)


def _progress(quiet: bool) -> Callable[[str, int], Callable[[int], None]] | None:
    """Progress on stderr: bars on a terminal, else a line at most every 10 s; none if quiet."""
    from extractor.progress import progress_for

    return progress_for(sys.stderr, quiet=quiet)


_QUIET = click.option("--quiet", is_flag=True, help="No progress bars or lines on stderr.")


def _exit_status(failed: int, available: int) -> ExitCode:
    if not failed:
        return ExitCode.COMPLETED
    return ExitCode.INCOMPLETE if available else ExitCode.ERROR


_IDS_FILE = click.option(
    "--ids-file",
    type=click.File("rb"),
    help="PMIDs, PMCIDs or DOIs: a plain list, or a RIS, nbib (MEDLINE) or CSV/TSV export "
    "(told by content; - for stdin).",
)


@cli.command()
@click.argument("ids", nargs=-1)
@_IDS_FILE
@click.option(
    "--db",
    type=click.Choice(["pubmed", "pmc"]),
    default="pubmed",
    show_default=True,
    help="pubmed takes PMIDs, pmc takes PMCIDs (with or without the PMC prefix).",
)
@click.option(
    "-o", "--output", type=click.File("wb"), default="-", help="Output file (default stdout)."
)
@_QUIET
@_eutils_options
@_cache_options
def fetch(
    ids: tuple[str, ...],
    ids_file: IO[bytes] | None,
    db: str,
    output: IO[bytes],
    quiet: bool,
    **opts: Any,
) -> None:
    """Fetch raw PubMed or PMC XML records (through the cache) as one efetch-shaped document.

    IDS are PMIDs, PMCIDs, DOIs or PubMed/PMC URLs, mapped onto the database's IDs first.
    Exit 0 when every record that exists was written, 1 when some could not be fetched or an
    input could not be mapped (listed on stderr), 2 on error.

    Example:

    \b
        extractor fetch 28731372 12091962 -o records.xml
    """
    from extractor.pipeline import fetch_raw

    eutils, cache = _configs(opts)
    try:
        outcome, requests, mapping = fetch_raw(
            _read_ids(ids, ids_file, db),
            output,
            db=db,
            eutils=eutils,
            cache=cache,
            offline=opts["offline"],
            progress=_progress(quiet),
        )
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    click.echo(
        f"{len(outcome.available)} of {len(outcome.requested)} records "
        f"({len(outcome.from_cache)} cached, {requests} requests); "
        f"missing: {len(outcome.missing)}; failed: {len(outcome.failed)}",
        err=True,
    )
    _echo_unmapped(m.to_dict() for m in mapping.unmapped)
    sys.exit(_exit_status(len(outcome.failed) + len(mapping.unmapped), len(outcome.available)))


@cli.command()
@click.argument("query")
@click.option(
    "--max", "max_results", type=click.IntRange(min=1), help="Keep only the first N PMIDs."
)
@_eutils_options
def search(query: str, max_results: int | None, **opts: Any) -> None:
    """Print the PMIDs matching a PubMed QUERY, one per line (past esearch's 10,000 cap).

    Example:

    \b
        extractor search "lupus AND interleukin-2 AND randomized controlled trial[pt]" --max 50
    """
    from extractor.pipeline import search_ids

    eutils, _ = _configs({**opts, "cache_path": None, "max_age": None, "refresh": None})
    try:
        for pmid in search_ids(query, eutils=eutils, max_results=max_results):
            click.echo(pmid)
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e


@cli.command()
@click.argument("pmids", nargs=-1)
@_IDS_FILE
@click.option("--query", "-q", help="A PubMed query whose hits to fetch (instead of PMIDs).")
@click.option(
    "--max", "max_results", type=click.IntRange(min=1), help="With --query: keep the first N hits."
)
@click.option(
    "-o",
    "--outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for records.jsonl and report.json.",
)
@click.option(
    "--full-text", is_flag=True, help="Also fetch the PMC full text of records that have one."
)
@click.option(
    "--seed",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Recorded efetch XML (file or directory) to import into the cache first.",
)
@_QUIET
@_eutils_options
@_cache_options
def run(
    pmids: tuple[str, ...],
    ids_file: IO[bytes] | None,
    query: str | None,
    max_results: int | None,
    outdir: Path,
    full_text: bool,
    seed: tuple[Path, ...],
    quiet: bool,
    **opts: Any,
) -> None:
    """Fetch records (PMIDs, an IDs file or a query), parse them and write OUTDIR.

    PMIDS may be PMCIDs, DOIs or PubMed/PMC URLs too, and --ids-file a RIS, nbib or CSV/TSV
    export: inputs that map to no PMID are listed in report.json (inputs, unmapped) and on
    stderr, and make the exit status 1.

    Writes OUTDIR/records.jsonl, OUTDIR/arms.csv, OUTDIR/evidence.csv (the comparisons, each
    number with its evidence), OUTDIR/report.html (the evidence highlighted in its sources; with
    OUTDIR/report_pages/ when large) and OUTDIR/report.json ({requested, fetched, missing, failed,
    requests, retries, from_cache, seconds}), all replaced together or not at all. Exit 0 when
    every record that exists was obtained, 1 when some failed (run again: only what is missing is
    fetched), 2 on error; Ctrl-C exits 130 and SIGTERM 143, keeping what was fetched in the cache.

    Example:

    \b
        extractor run --offline --seed fixtures/eutils/efetch --cache out/c 28731372 -o out
    """
    from extractor import pipeline

    eutils, cache = _configs(opts)
    try:
        report = pipeline.run(
            _read_ids(pmids, ids_file),
            outdir=outdir,
            eutils=eutils,
            cache=cache,
            query=query,
            max_results=max_results,
            offline=opts["offline"],
            full_text=full_text,
            seed=seed,
            evidence=pipeline.write_evidence,
            progress=_progress(quiet),
        )
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    click.echo(
        f"{report.records} records in {outdir / 'records.jsonl'}: {report.fetched} fetched, "
        f"{report.from_cache} cached, {len(report.missing)} missing, {len(report.failed)} failed; "
        f"{report.requests} requests ({report.retries} retries) in {report.seconds:.1f}s",
        err=True,
    )
    _echo_unmapped(report.unmapped)
    sys.exit(_exit_status(len(report.failed) + len(report.unmapped), report.records))


# -- meta-analysis: export, pool --------------------------------------------------------------

_MEASURES = click.Choice(["RR", "OR", "RD", "MD", "SMD", "HR"], case_sensitive=False)


@cli.command()
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True,
              type=click.Choice(["metafor", "meta", "revman", "csv", "jsonl", "parquet", "xlsx"]),
              help="An analysis layout (metafor, meta, revman) or the whole table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default stdout). A layout of a table holding binary and continuous "
                   "rows is written as OUT.binary.csv and OUT.continuous.csv.")
@click.option("--outcome", help="Only rows whose outcome contains this text (any case).")
@click.option("--measure", type=_MEASURES, help="metafor layout: the measure of yi, vi [default: RR, MD].")
@click.option("--timepoint", metavar="first|last|primary|TEXT", help="One time point per trial, as in pool.")
@click.option("--where", multiple=True, metavar="COLUMN=TEXT", help="Row filter, as in pool; repeatable.")
def export(table: Path, fmt: str, output: Path | None, outcome: str | None, measure: str | None,
           timepoint: str | None, where: tuple[str, ...]) -> None:  # fmt: skip
    """Write a comparison table for metafor or meta, as a RevMan data grid, or as CSV, JSONL, ...

    TABLE is a CSV (or extract's JSON, or JSONL) with the comparison columns. Rows are labelled
    by their trial (study "He 2020", else pmid, pmcid or id) and kept together by trial. The
    revman layout is RevMan's data-grid columns, not a RevMan Web import file. Rows whose outcome
    type cannot be told fit no layout: they are listed on stderr and the exit status is 1.

    Example:

    \b
        extractor export comparisons.csv --format metafor -o trials.csv
    """
    from extractor.export import write_table
    from extractor.meta import read_table

    try:
        written = write_table(read_table(table), output, fmt, measure=measure and measure.upper(),
                              outcome=outcome, where=where, timepoint=timepoint)  # fmt: skip
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    for label in written.left_out:
        click.echo(f"left out: {label}: neither binary nor continuous", err=True)
    for skipped in written.skipped:
        click.echo(f"skipped: {skipped}", err=True)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    sys.exit(ExitCode.INCOMPLETE if written.left_out or written.skipped else ExitCode.COMPLETED)


@cli.command()
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outcome", help="Only rows whose outcome contains this text (any case).")
@click.option("--measure", type=_MEASURES, help="Effect measure [default: RR binary, MD continuous].")
@click.option("--method", type=click.Choice(["REML", "DL", "PM", "FE", "MH"], case_sensitive=False),
              default="REML", show_default=True,
              help="Random effects: REML, DerSimonian-Laird (DL), Paule-Mandel (PM); fixed effect: "
                   "inverse variance (FE) or Mantel-Haenszel (MH, binary measures).")
@click.option("--hk", is_flag=True,
              help="Hartung-Knapp-Sidik-Jonkman: t-based intervals for the pooled effect (random effects).")
@click.option("--timepoint", metavar="first|last|primary|TEXT",
              help="One time point per trial: the earliest, the latest, the row marked primary, "
                   "or rows whose timepoint contains TEXT.")
@click.option("--where", multiple=True, metavar="COLUMN=TEXT",
              help="Keep rows whose COLUMN contains TEXT (COLUMN!=TEXT drops them); repeatable.")
@click.option("--multiarm", type=click.Choice(["combine", "split"]),
              help="Arms compared with one shared comparator: combine them into one group, or "
                   "split the comparator's n between the comparisons (Cochrane Handbook 23.3.4).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw a forest plot to this .png or .svg file.")
def pool(table: Path, outcome: str | None, measure: str | None, method: str, hk: bool,
         timepoint: str | None, where: tuple[str, ...], multiarm: str | None, fmt: str,
         plot: Path | None) -> None:  # fmt: skip
    """Pool one outcome of a comparison table, one row per trial: estimate, tau², I², Q, PI.

    Rows of one trial (same study, pmid or pmcid) are never pooled as separate studies: when a
    trial has several rows for the outcome (time points, subgroups, arms), pool stops and names
    them; choose with --timepoint, --where or --multiarm. Rows lacking a needed number, and
    trials without the chosen time point, are skipped and listed on stderr (exit status 1).

    Example:

    \b
        extractor pool comparisons.csv --outcome "SRI-4" --timepoint primary --measure RR --plot forest.png
    """
    import json

    from extractor.meta import analyse, format_summary, read_table

    try:
        analysis = analyse(read_table(table), outcome=outcome, measure=measure and measure.upper(),
                           method=method.upper(), hk=hk, timepoint=timepoint, where=where,
                           multiarm=multiarm)  # fmt: skip
        if plot is not None:
            from extractor.meta.plot import forest_plot

            forest_plot(analysis, plot)
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    click.echo(json.dumps(analysis.to_dict(), indent=2) if fmt == "json" else format_summary(analysis))
    for skipped in analysis.skipped:
        click.echo(f"skipped: {skipped.study}: {skipped.reason}", err=True)
    if plot is not None:
        click.echo(f"forest plot: {plot}", err=True)
    sys.exit(ExitCode.INCOMPLETE if analysis.skipped else ExitCode.COMPLETED)

# -- extraction: extract, fill ----------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: {records, arms, comparisons}; csv: the comparisons table.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Output file (default stdout).")
def extract(files: tuple[str, ...], fmt: str, output: IO[str]) -> None:
    """Extract arms and comparisons, each number with its evidence, from records in any format.

    Example:

    \b
        extractor extract PMC5614421.xml --format csv -o evidence.csv
    """
    import json

    from extractor.evidence import extract_evidence
    from extractor.parse import ParseReport, iter_records
    from extractor.studies import document_with_studies, write_comparison_table

    report, failed, records = ParseReport(), [], []
    for path in files:
        try:
            records.extend(iter_records(path, on_error="skip", report=report))
        except extractor.ExtractorError as e:
            failed.append(e)
            click.echo(f"error: {e}", err=True)
    trials = list(extract_evidence(records))
    if fmt == "json":
        json.dump(document_with_studies(trials, records), output, ensure_ascii=False, indent=1)
        output.write("\n")
    else:
        write_comparison_table(trials, records, output)
    for error in report.errors:
        click.echo(f"skipped: {error}", err=True)
    sys.exit(ExitCode.ERROR if failed and not records else
             ExitCode.INCOMPLETE if failed or report.errors else ExitCode.COMPLETED)


def _read_sheet(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The rows and column names of an extraction sheet (CSV, UTF-8, with or without a BOM)."""
    import csv

    from extractor.evidence import open_text

    with open_text(path) as f:
        reader = csv.DictReader(f)
        return list(reader), list(reader.fieldnames or [])


def _sheet_arguments(command: Callable[..., None]) -> Callable[..., None]:
    """The SHEET argument and the --docs option of the commands reading a sheet against articles."""
    command = click.option(
        "--docs", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Directory holding PMC<id>.xml for every pmcid of the sheet.")(command)
    return click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


@cli.command()
@_sheet_arguments
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Filled sheet (default stdout).")
def fill(sheet: Path, docs: Path, output: IO[str]) -> None:
    """Fill an extraction sheet (id, pmcid, outcome, intervention, comparator[, outcome_type]).

    Every input column is kept; the events, group sizes, means and SDs of each arm are added,
    with the evidence they were read from and a confidence. Unsure means blank.

    Example:

    \b
        extractor fill sheet.csv --docs pmc_xml/ -o filled.csv
    """
    import csv

    from extractor.evidence import FILLED_COLUMNS, fill_sheet

    problems: list[str] = []
    try:
        rows, columns = _read_sheet(sheet)
        extra = [c for c in FILLED_COLUMNS if c not in columns]
        writer = csv.DictWriter(output, fieldnames=columns + extra, lineterminator="\n")
        writer.writeheader()
        for row in fill_sheet(rows, docs, problems=problems):
            writer.writerow(row)
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)
    sys.exit(ExitCode.INCOMPLETE if problems else ExitCode.COMPLETED)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
def report(files: tuple[str, ...], output: Path) -> None:
    """Write the HTML evidence report: each comparison beside its highlighted source text.

    Reads records in any format ``parse`` reads, extracts their evidence and writes a
    self-contained report (no external resources): one page, or an index and OUTPUT's _pages
    directory when it holds more than 50 articles. Exit 1 when records were skipped, 2 on error.

    Example:

    \b
        extractor report PMC5614421.xml -o report.html
    """
    from extractor.evidence import extract_evidence
    from extractor.parse import ParseReport, iter_records
    from extractor.report import write_report

    parsed, failed, records = ParseReport(), [], []
    for path in files:
        try:
            records.extend(iter_records(path, on_error="skip", report=parsed))
        except extractor.ExtractorError as e:
            failed.append(e)
            click.echo(f"error: {e}", err=True)
    trials = list(extract_evidence(records))
    try:
        write_report(output, records, trials)
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    for error in parsed.errors:
        click.echo(f"skipped: {error}", err=True)
    compared = sum(bool(t.comparisons) for t in trials)
    click.echo(f"{len(records)} records, {compared} with comparisons "
               f"({sum(len(t.comparisons) for t in trials)} comparisons): {output}", err=True)  # fmt: skip
    sys.exit(ExitCode.ERROR if failed and not records else
             ExitCode.INCOMPLETE if failed or parsed.errors else ExitCode.COMPLETED)


# -- bulk runs over PubMed and PMC files --------------------------------------------------------


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the Parquet parts, their current views and the manifest.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes of the local cluster [default: cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Use the Dask cluster of this scheduler (tcp://host:8786).")
@click.option("--rct-only", is_flag=True, help="Keep only randomised trials (see README, Bulk runs).")
@click.option("--full-text", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of PMC<id>.nxml full texts to read evidence from.")
def bulk(inputs: tuple[str, ...], outdir: Path, workers: int | None, scheduler: str | None, rct_only: bool,
         full_text: Path | None) -> None:  # fmt: skip
    """Process PubMed baseline/update files or PMC JATS files on Dask, resumably, into Parquet.

    INPUT is a file, a glob or a directory. Writes OUTDIR/records/, arms/, comparisons/ (one part
    per file), records_current/ (updates and deletions applied in file order), arms_current/,
    comparisons_current/ and manifest.sqlite3. A rerun skips finished files. Exit 1 when some
    files failed (run again to retry them), 2 on error. Needs the extra trial-extractor[bulk].

    Example:

    \b
        extractor bulk 'baseline/*.xml.gz' updates/ -o evidence-base --workers 4 --rct-only
    """
    from extractor.bulk import run_bulk

    if workers is not None and scheduler is not None:
        raise Failure("give --workers (a local cluster) or --scheduler (an existing one), not both")
    if logging.getLogger().level > logging.INFO:  # Dask logs every worker's start and stop at INFO
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    show = _BulkProgress(sys.stderr.isatty())
    try:
        report = run_bulk(inputs, outdir, workers=workers, scheduler=scheduler, rct_only=rct_only,
                          full_text=full_text, progress=show)  # fmt: skip
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    finally:
        show.close()
    for failed in report.failed:
        click.echo(f"failed: {failed}", err=True)
    click.echo(
        f"{report.processed} files processed, {report.already_done} already done, {len(report.failed)} failed; "
        f"{report.records} records, {report.comparisons} comparisons in {report.seconds:.1f}s; "
        f"{report.current_records} current records in {outdir / 'records_current'}",
        err=True,
    )
    sys.exit(ExitCode.INCOMPLETE if report.failed else ExitCode.COMPLETED)


class _BulkProgress:
    """The job's progress on stderr: one line redrawn on a terminal, plain lines otherwise."""

    def __init__(self, terminal: bool):
        self.terminal = terminal
        self.dashboard_shown = False
        self.drawn = False

    def __call__(self, p: Any) -> None:
        if p.dashboard and not self.dashboard_shown:
            click.echo(f"dashboard: {p.dashboard}", err=True)
            self.dashboard_shown = True
        line = (f"bulk: {p.files_done}/{p.files_total} files, {p.records:,} records, "
                f"{p.rate:,.0f} records/s, {p.seconds:.0f}s")  # fmt: skip
        if self.terminal:
            click.echo("\r\x1b[K" + line, err=True, nl=False)
            self.drawn = True
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.drawn:
            click.echo("", err=True)



@cli.command()
@_sheet_arguments
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Checked sheet (default stdout).")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv", show_default=True,
              help="csv: the sheet with <column>_check and <column>_evidence; html: a page for reviewers.")
def check(sheet: Path, docs: Path, output: IO[str], fmt: str) -> None:
    """Check a filled extraction sheet against the articles, cell by cell.

    Each value cell is found, derived, elsewhere, absent or conflict (empty where the cell is);
    a summary (counts per status, the rows to look at first) goes to stderr.

    Example:

    \b
        extractor check filled.csv --docs pmc_xml/ -o checked.csv
    """
    from extractor.audit import check_columns, check_sheet, render_page, summarise, write_checked_csv

    problems: list[str] = []
    try:
        rows, columns = _read_sheet(sheet)
        checked = list(check_sheet(rows, docs, problems=problems))
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    if fmt == "html":
        output.write(render_page(checked, check_columns(columns)))
    else:
        write_checked_csv(checked, columns, output)
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)
    click.echo(summarise(checked), err=True)
    sys.exit(ExitCode.INCOMPLETE if problems else ExitCode.COMPLETED)


def main() -> None:
    """Entry point of the ``extractor`` console script.

    SIGTERM stops a command as Ctrl-C does: outputs are written whole or not at all, the cache
    keeps what was fetched, and the exit status is 143 (130 for Ctrl-C).
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_stopped)
    cli(prog_name="extractor")


if __name__ == "__main__":
    sys.exit(main())
