"""Command-line shell over the ``extractor`` library.

Each command parses its arguments, calls one library function and turns library errors into exit
codes: 0 when complete, 1 when partial (some records skipped; a summary goes to stderr), 2 on error.
Stage modules are imported inside the commands so that ``parse`` does not pay for spaCy or pandas.
"""

from __future__ import annotations

import enum
import logging
import sys

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


def main() -> None:
    """Entry point of the ``extractor`` console script."""
    cli(prog_name="extractor")


if __name__ == "__main__":
    sys.exit(main())
