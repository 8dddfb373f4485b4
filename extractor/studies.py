"""The identity of a trial in the evidence table: its PMID, PMCID and a study label ("He 2020").

Every comparison row of a record carries the same ``pmid``, ``pmcid`` and ``study``, so ``pool``,
the exports and R see the rows of one trial as one study. The label is the first author's family
name (or the group's name) and the year of publication, the way Cochrane names studies; labels
shared by different trials get a letter after the year ("He 2020a", "He 2020b") in the order the
trials come. A record with neither an author nor a year is labelled by its PMID or PMCID.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from extractor.evidence import COMPARISON_COLUMNS, TrialEvidence, evidence_document
from extractor.records import Record

__all__ = [
    "TABLE_COLUMNS",
    "comparison_rows",
    "document_with_studies",
    "study_label",
    "study_labels",
    "write_comparison_table",
]

#: The columns of ``evidence.csv``: the comparison columns with ``study`` after the PMCID.
TABLE_COLUMNS: tuple[str, ...] = (*COMPARISON_COLUMNS[:2], "study", *COMPARISON_COLUMNS[2:])

TrialKey = tuple[str | None, str | None]


def study_label(record: Record) -> str:
    """Return "FirstAuthor Year" for ``record`` (without the letter that tells trials apart)."""
    author = next((a.family or a.collective for a in record.authors if a.family or a.collective), None)
    parts = [str(p) for p in (author, record.year) if p]
    if parts:
        return " ".join(parts)
    if record.pmid:
        return f"PMID {record.pmid}"
    return record.pmcid or "unidentified record"


def study_labels(records: Iterable[Record]) -> dict[TrialKey, str]:
    """Label each record by ``(pmid, pmcid)``; records sharing a label get a, b, ... after it."""
    keys: dict[TrialKey, str] = {}
    for record in records:
        keys.setdefault((record.pmid, record.pmcid), study_label(record))
    counts, seen = Counter(keys.values()), Counter[str]()
    for key, label in keys.items():
        if counts[label] > 1:
            keys[key] = label + "abcdefghijklmnopqrstuvwxyz"[seen[label] % 26]
            seen[label] += 1
    return keys


def comparison_rows(
    trials: Iterable[TrialEvidence], records: Sequence[Record]
) -> list[dict[str, Any]]:
    """The JSON form of every comparison, with the ``study`` label of its trial after ``pmcid``."""
    trials = [t for t in trials if t.comparisons]
    wanted = {(t.pmid, t.pmcid) for t in trials}
    labels = study_labels(r for r in records if (r.pmid, r.pmcid) in wanted)
    rows = []
    for trial in trials:
        study = labels.get((trial.pmid, trial.pmcid))
        for comparison in trial.comparisons:
            row = comparison.to_dict()
            rows.append({name: study if name == "study" else row[name] for name in TABLE_COLUMNS})
    return rows


def document_with_studies(
    trials: Sequence[TrialEvidence], records: Sequence[Record]
) -> dict[str, Any]:
    """:func:`extractor.evidence.evidence_document` with a ``study`` label on each comparison."""
    document = evidence_document(trials, records)
    document["comparisons"] = comparison_rows(trials, records)
    return document


def write_comparison_table(
    trials: Iterable[TrialEvidence], records: Sequence[Record], out: io.TextIOBase | Any
) -> int:
    """Write ``evidence.csv``: the comparisons with their trial's identity; return the rows."""
    writer = csv.DictWriter(out, fieldnames=list(TABLE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    rows = comparison_rows(trials, records)
    for row in rows:
        writer.writerow({key: _cell(key, value) for key, value in row.items()})
    return len(rows)


def _cell(key: str, value: object) -> object:
    if value is None:
        return ""
    if key in ("derived", "evidence", "rules"):
        return json.dumps(value, ensure_ascii=False)
    return value
