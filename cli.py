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


def main() -> None:
    """Entry point of the ``extractor`` console script."""
    cli(prog_name="extractor")


if __name__ == "__main__":
    sys.exit(main())
