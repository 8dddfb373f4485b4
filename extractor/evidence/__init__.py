"""The evidence stage: records in, arms and comparisons (with provenance) out.

::

    trials = list(extract_evidence(records))           # one TrialEvidence per record
    document = evidence_document(trials, records)       # {"records", "arms", "comparisons"}
    for row in fill_sheet(sheet_rows, docs_dir): ...    # a reviewer's extraction sheet, filled

Every number in a comparison carries the :class:`Evidence` it was read from: a section of the
record and character offsets into its normalised text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from extractor.errors import ExtractionError, InputError
from extractor.evidence.compare import comparisons, primary_outcomes
from extractor.evidence.effects import trial_effects
from extractor.evidence.fill import FILL_COLUMNS, FILLED_COLUMNS, Filled, Query, fill
from extractor.evidence.model import (
    COMPARISON_COLUMNS,
    Arm,
    ArmValue,
    Comparison,
    Evidence,
    Result,
    TrialEvidence,
)
from extractor.evidence.reader import TrialReader
from extractor.records import Record

__all__ = [
    "ARM_COLUMNS",
    "COMPARISON_COLUMNS",
    "FILL_COLUMNS",
    "FILLED_COLUMNS",
    "Arm",
    "ArmValue",
    "Comparison",
    "Evidence",
    "Filled",
    "Query",
    "Result",
    "TrialEvidence",
    "TrialReader",
    "evidence_document",
    "extract_evidence",
    "fill",
    "fill_sheet",
    "read_trial",
    "write_arms_csv",
    "write_comparisons_csv",
]

ARM_COLUMNS: tuple[str, ...] = ("pmid", "pmcid", "name", "n_randomised", "n_analysed", "description",
                                "role")


def read_trial(record: Record, reader: TrialReader | None = None) -> TrialEvidence:
    """Read the arms and comparisons of one trial."""
    reader = reader or TrialReader(record)
    primaries = primary_outcomes(p.text for p in reader.passages)
    results = (*reader.results(), *trial_effects(reader))  # estimates with no per-arm values last
    found = comparisons(results, reader.arms, (record.pmid, record.pmcid), primaries, reader.abbreviations)
    return TrialEvidence(record.pmid, record.pmcid, record.title, reader.arms, results, found)


def extract_evidence(records: Iterable[Record]) -> Iterator[TrialEvidence]:
    """Read every record; deleted records and records with no text are skipped."""
    for record in records:
        if record.deleted or not (record.title or record.abstract or record.sections or record.tables):
            continue
        yield read_trial(record)


def evidence_document(trials: Sequence[TrialEvidence], records: Sequence[Record] = ()) -> dict[str, Any]:
    """The JSON form of an evidence table: {"records": [...], "arms": [...], "comparisons": [...]}."""
    return {
        "records": [r.to_dict() for r in records],
        "arms": [arm for t in trials for arm in t.arms_dicts()],
        "comparisons": [c.to_dict() for t in trials for c in t.comparisons],
    }


def write_comparisons_csv(trials: Iterable[TrialEvidence], out: io.TextIOBase | Any) -> int:
    """Write the comparisons as CSV (``derived`` and ``rules`` as JSON lists, ``evidence`` JSON); return rows."""
    import json

    writer = csv.DictWriter(out, fieldnames=list(COMPARISON_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for trial in trials:
        for comparison in trial.comparisons:
            row = comparison.to_dict()
            row["derived"] = json.dumps(row["derived"])
            row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
            row["rules"] = json.dumps(row["rules"])
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
            count += 1
    return count


def write_arms_csv(trials: Iterable[TrialEvidence], out: io.TextIOBase | Any) -> int:
    """Write the arms of every trial as CSV; return the number of rows."""
    writer = csv.DictWriter(out, fieldnames=list(ARM_COLUMNS), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    count = 0
    for trial in trials:
        for arm in trial.arms_dicts():
            writer.writerow({k: "" if arm.get(k) is None else arm[k] for k in ARM_COLUMNS})
            count += 1
    return count


SHEET_COLUMNS = ("id", "pmcid", "outcome", "intervention", "comparator")


def fill_sheet(
    rows: Iterable[Mapping[str, str]], docs: Path, *, problems: list[str] | None = None
) -> Iterator[dict[str, str]]:
    """Fill an extraction sheet: every input column kept, the value columns added or replaced.

    Each row names a trial by ``pmcid`` (with or without "PMC"); ``docs`` holds ``PMC<id>.xml``.
    Rows whose document is missing or unreadable are kept with blank values, and the reason is
    appended to ``problems``.

    :raises ExtractionError: when a row lacks one of the sheet's required columns.
    """
    readers: dict[str, TrialReader | None] = {}
    for row in rows:
        missing = [c for c in SHEET_COLUMNS if c not in row]
        if missing:
            raise ExtractionError(f"sheet row {row.get('id', '?')} lacks columns: {', '.join(missing)}")
        pmcid = "PMC" + row["pmcid"].strip().upper().removeprefix("PMC")
        if pmcid not in readers:
            readers[pmcid] = _reader_for(docs / f"{pmcid}.xml", pmcid, problems)
        out = dict(row)
        out.update(_filled_row(readers[pmcid], row))
        yield out


def _reader_for(path: Path, pmcid: str, problems: list[str] | None) -> TrialReader | None:
    from dataclasses import replace

    from extractor.parse import parse_file

    try:
        records = parse_file(path)
    except (OSError, ValueError) as e:  # InputError and ParseError are both
        if problems is not None:
            problems.append(f"{path}: {e}")
        return None
    if not records:
        if problems is not None:
            problems.append(f"{path}: no record")
        return None
    record = records[0] if records[0].pmcid else replace(records[0], pmcid=pmcid)
    return TrialReader(record)


def _filled_row(reader: TrialReader | None, row: Mapping[str, str]) -> dict[str, str]:
    outcome_type = (row.get("outcome_type") or "").strip().lower() or None
    if reader is None:
        blank = Filled({}, outcome_type)
        result = blank.row()
    else:
        query = Query(row["outcome"], row["intervention"], row["comparator"], outcome_type)
        filled = fill(reader, query)
        result = filled.row()
        outcome_type = outcome_type or filled.outcome_type
    if not (row.get("outcome_type") or "").strip():
        result["outcome_type"] = outcome_type or ""
    return result


def open_text(path: str | Path) -> io.TextIOWrapper:
    """Open a sheet for reading as UTF-8 text (with a BOM if Excel left one).

    :raises InputError: when the file cannot be read.
    """
    try:
        return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - caller closes
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from e
