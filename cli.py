"""Command-line shell over the ``extractor`` library.

Each command parses its arguments, calls one library function and turns library errors into exit
codes: 0 when complete, 1 when partial (some records skipped; a summary goes to stderr), 2 on error.
Stage modules are imported inside the commands so that ``parse`` does not pay for spaCy or pandas.
"""

from __future__ import annotations

import enum
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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


@click.group(context_settings=CONTEXT_SETTINGS)
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
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
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


# -- meta-analysis: export, pool --------------------------------------------------------------

_MEASURES = click.Choice(["RR", "OR", "RD", "MD", "SMD"], case_sensitive=False)


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
def export(table: Path, fmt: str, output: Path | None, outcome: str | None, measure: str | None) -> None:
    """Write a comparison table for metafor, meta or RevMan, or as CSV, JSONL, Parquet or Excel.

    TABLE is a CSV (or extract's JSON, or JSONL) with the comparison columns. Rows whose outcome
    type cannot be told fit no layout: they are listed on stderr and the exit status is 1.

    Example:

    \b
        extractor export comparisons.csv --format metafor -o trials.csv
    """
    from extractor.export import write_table
    from extractor.meta import read_table

    try:
        written = write_table(read_table(table), output, fmt, measure=measure and measure.upper(),
                              outcome=outcome)  # fmt: skip
    except extractor.ExtractorError as e:
        raise Failure(str(e)) from e
    for label in written.left_out:
        click.echo(f"left out: {label}: neither binary nor continuous", err=True)
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    sys.exit(ExitCode.INCOMPLETE if written.left_out else ExitCode.COMPLETED)


@cli.command()
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outcome", help="Only rows whose outcome contains this text (any case).")
@click.option("--measure", type=_MEASURES, help="Effect measure [default: RR binary, MD continuous].")
@click.option("--model", type=click.Choice(["fixed", "random"]), default="random", show_default=True,
              help="Inverse-variance fixed effect or DerSimonian-Laird random effects.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw a forest plot to this .png or .svg file.")
def pool(table: Path, outcome: str | None, measure: str | None, model: str, fmt: str,
         plot: Path | None) -> None:  # fmt: skip
    """Pool one outcome of a comparison table: effect sizes, pooled estimate, tau², I², Q.

    Rows lacking a needed number are skipped and listed on stderr (exit status 1).

    Example:

    \b
        extractor pool comparisons.csv --outcome "SRI-4" --measure RR --plot forest.png
    """
    import json

    from extractor.meta import analyse, format_summary, read_table

    try:
        analysis = analyse(read_table(table), outcome=outcome, measure=measure and measure.upper(),
                           model=model)  # fmt: skip
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


def main() -> None:
    """Entry point of the ``extractor`` console script."""
    cli(prog_name="extractor")


if __name__ == "__main__":
    sys.exit(main())
