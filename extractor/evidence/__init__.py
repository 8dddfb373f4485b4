"""The evidence stage: records in, arms and comparisons (with provenance) out.

::

    trials = list(extract_evidence(records))           # one TrialEvidence per record
    document = evidence_document(trials, records)       # {"records", "arms", "comparisons"}
    trial = read_trial(record, [query])                 # read once, with a sheet row's arms
    filled = fill(trial, query)                         # the row's values, from what was read
    for row in fill_sheet(sheet_rows, docs_dir): ...    # a reviewer's extraction sheet, filled

Every number in a comparison carries the :class:`Evidence` it was read from: a section of the
record and character offsets into its normalised text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
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
    SheetArms,
    TablePlace,
    TrialEvidence,
)
from extractor.evidence.reader import TrialReader
from extractor.evidence.sheet_arms import query_arms
from extractor.evidence.tables import table_places
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
    "SheetArms",
    "TablePlace",
    "TrialEvidence",
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


def read_trial(record: Record, queries: Iterable[Query] = ()) -> TrialEvidence:
    """Read the arms and comparisons of one trial, and for each sheet row of ``queries`` the arms its
    names denote and the results between them (what :func:`fill` answers the row from)."""
    reader = TrialReader(record)
    primaries = primary_outcomes(p.text for p in reader.passages)
    own = reader.results()
    effects = trial_effects(reader.arms, reader.abbreviations, own, reader.result_sentences())
    results = (*own, *effects)  # estimates with no per-arm values last
    found = comparisons(results, reader.arms, (record.pmid, record.pmcid), primaries, reader.abbreviations)
    return TrialEvidence(
        record.pmid, record.pmcid, record.title, reader.arms, results, found,
        abbreviations=MappingProxyType(dict(reader.abbreviations)), acronyms=reader.acronyms,
        passages=tuple(reader.passages), places=MappingProxyType(table_places(reader.views)),
        sheet=MappingProxyType({q: _sheet_arms(reader, q) for q in queries}),
    )


def _sheet_arms(reader: TrialReader, query: Query) -> SheetArms:
    arms, i_name, c_name = query_arms(query, reader.arms, reader.abbreviations, reader.design, reader.arm_near)
    return SheetArms(arms, i_name, c_name, tuple(reader.results_with(arms)))


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

    Each row names a trial by ``pmcid`` (with or without "PMC"); ``docs`` holds ``PMC<id>.xml``,
    each read once for all its rows (:func:`read_trial`), which are then filled in order. Rows whose
    document is missing or unreadable are kept with blank values, and the reason is appended to
    ``problems``.

    :raises ExtractionError: when a row lacks one of the sheet's required columns.
    """
    for row, trial in sheet_trials(rows, docs, problems=problems):
        out = dict(row)
        out.update(_filled_row(trial, row))
        yield out


def sheet_trials(
    rows: Iterable[Mapping[str, str]], docs: Path, *, problems: list[str] | None = None
) -> Iterator[tuple[Mapping[str, str], TrialEvidence | None]]:
    """Each sheet row with its trial (None when its document is missing or unreadable, the reason
    appended to ``problems``), every document read once for all its rows, the rows in order.

    :raises ExtractionError: when a row lacks one of the sheet's required columns (after the rows
        before it).
    """
    rows = list(rows)
    end = next((k for k, row in enumerate(rows) if any(c not in row for c in SHEET_COLUMNS)), len(rows))
    good = rows[:end]  # the rows before one lacking a column are filled all the same
    by_document: dict[str, list[Query]] = {}
    for row in good:
        by_document.setdefault(_pmcid(row), []).append(_query(row))
    trials = {pmcid: _trial_for(docs / f"{pmcid}.xml", pmcid, queries, problems)
              for pmcid, queries in by_document.items()}
    for row in good:
        yield row, trials[_pmcid(row)]
    if end < len(rows):
        missing = [c for c in SHEET_COLUMNS if c not in rows[end]]
        raise ExtractionError(f"sheet row {rows[end].get('id', '?')} lacks columns: {', '.join(missing)}")


def _pmcid(row: Mapping[str, str]) -> str:
    return "PMC" + row["pmcid"].strip().upper().removeprefix("PMC")


def _outcome_type(row: Mapping[str, str]) -> str | None:
    return (row.get("outcome_type") or "").strip().lower() or None


def _query(row: Mapping[str, str]) -> Query:
    return Query(row["outcome"], row["intervention"], row["comparator"], _outcome_type(row))


def _trial_for(path: Path, pmcid: str, queries: list[Query], problems: list[str] | None) -> TrialEvidence | None:
    """The document at ``path`` read for its sheet rows; None (and the reason in ``problems``) when
    it cannot be read."""
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
    return read_trial(record, queries)


def _filled_row(trial: TrialEvidence | None, row: Mapping[str, str]) -> dict[str, str]:
    outcome_type = _outcome_type(row)
    if trial is None:
        result = Filled({}, outcome_type).row()
    else:
        filled = fill(trial, _query(row))
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
