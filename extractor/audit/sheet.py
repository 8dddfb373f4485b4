"""Checking a sheet: its rows read against their articles, the verdicts as columns and a summary."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from extractor.audit.cells import FLAGS, STATUSES, CellCheck, check_cell, read_row
from extractor.audit.numbers import passage_around
from extractor.audit.trial import Trial, read_trial
from extractor.errors import ExtractionError
from extractor.evidence import FILL_COLUMNS, Query

__all__ = ["CheckedRow", "check_columns", "check_rows", "check_sheet", "load_trial", "pmcid_of", "summarise",
           "write_checked_csv"]

REQUIRED = ("id", "pmcid", "outcome", "intervention", "comparator")
_URGENCY = {"conflict": 3, "absent": 2, "elsewhere": 1}


@dataclass(frozen=True, slots=True)
class CheckedRow:
    """A sheet row with the verdict on each of its value cells."""

    values: Mapping[str, str]
    checks: Mapping[str, CellCheck]
    trial: Trial | None
    problem: str | None = None

    def row(self) -> dict[str, str]:
        """The input columns, then ``<column>_check`` and ``<column>_evidence`` for each value column."""
        out = dict(self.values)
        for column, check in self.checks.items():
            out[f"{column}_check"] = check.status
            out[f"{column}_evidence"] = self.evidence_json(check)
        return out

    def evidence_json(self, check: CellCheck) -> str:
        """The evidence of a verdict as JSON: what the tool reads, why, and each passage or cell."""
        if not check.status:
            return ""
        texts = self.trial.index.texts if self.trial else {}
        items = []
        for ev in check.evidence:
            item = ev.to_dict()
            passage, offset = passage_around(texts.get(ev.section, ""), ev.start, ev.end)
            item.update(passage=passage, passage_start=offset)
            items.append(item)
        return json.dumps({"why": check.why, "tool_value": check.tool_value, "evidence": items},
                          ensure_ascii=False)

    @property
    def flags(self) -> int:
        """How many of the row's cells are flagged."""
        return sum(c.status in FLAGS for c in self.checks.values())

    @property
    def weight(self) -> int:
        """How urgently the row needs a look: a conflict counts 3, an absent number 2, elsewhere 1."""
        return sum(_URGENCY.get(c.status, 0) for c in self.checks.values())


def check_columns(columns: Sequence[str]) -> list[str]:
    """The value columns of a sheet that get checked, in the order ``fill`` writes them."""
    return [c for c in FILL_COLUMNS if c in columns]


def load_trial(path: Path, pmcid: str, queries: Iterable[Query] = ()) -> Trial:
    """Read the article at ``path`` (any format ``parse`` reads) for checking the sheet rows ``queries``.

    :raises ExtractorError: when the file cannot be read or holds no record.
    """
    from extractor.parse import parse_file

    records = parse_file(path)
    if not records:
        raise ExtractionError(f"{path}: no record")
    record = records[0] if records[0].pmcid else replace(records[0], pmcid=pmcid)
    return read_trial(record, queries)


def check_rows(rows: Iterable[Mapping[str, str]], trials: Mapping[str, Trial | None],
               columns: Sequence[str]) -> Iterator[CheckedRow]:
    """Check each row against its trial (``trials`` by normalised PMCID, each read for its rows; None:
    not readable)."""
    for row in rows:
        missing = [c for c in REQUIRED if c not in row]
        if missing:
            raise ExtractionError(f"sheet row {row.get('id', '?')} lacks columns: {', '.join(missing)}")
        trial = trials.get(pmcid_of(row["pmcid"]))
        if trial is None:
            checks = {c: CellCheck("") for c in columns}
            yield CheckedRow(row, checks, None, f"no readable article for {pmcid_of(row['pmcid'])}")
            continue
        reading = read_row(trial.evidence, _query(row))
        yield CheckedRow(row, {c: check_cell(reading, trial, c, row) for c in columns}, trial)


def check_sheet(rows: Sequence[Mapping[str, str]], docs: Path, *,
                problems: list[str] | None = None) -> Iterator[CheckedRow]:
    """Check a filled sheet whose articles are ``docs/PMC<id>.xml``, each read once for all its rows.

    Articles that are missing or unreadable leave their rows unchecked; the reason is appended to
    ``problems``.
    """
    queries: dict[str, list[Query]] = {pmcid_of(r.get("pmcid", "")): [] for r in rows}
    for row in rows:
        if all(c in row for c in REQUIRED):  # a row lacking one stops check_rows
            queries[pmcid_of(row["pmcid"])].append(_query(row))
    trials: dict[str, Trial | None] = {}
    for pmcid, asked in queries.items():
        try:
            trials[pmcid] = load_trial(docs / f"{pmcid}.xml", pmcid, asked)
        except (OSError, ValueError, ExtractionError) as e:  # InputError, ParseError
            trials[pmcid] = None
            if problems is not None:
                problems.append(f"{docs / f'{pmcid}.xml'}: {e}")
    yield from check_rows(rows, trials, check_columns(list(rows[0]) if rows else []))


def pmcid_of(text: str) -> str:
    """A sheet's PMCID as its article is named: "7", "pmc7" and "PMC7" are "PMC7"."""
    return "PMC" + text.strip().upper().removeprefix("PMC")


def _query(row: Mapping[str, str]) -> Query:
    kind = (row.get("outcome_type") or "").strip().lower() or None
    return Query(row["outcome"], row["intervention"], row["comparator"], kind)


def summarise(checked: Sequence[CheckedRow], first: int = 10) -> str:
    """Counts per status and the rows with most flags (the ones to look at first)."""
    counts = Counter(c.status for row in checked for c in row.checks.values() if c.status)
    parts = [f"{status} {counts.get(status, 0)}" for status in STATUSES if status]
    lines = [f"{len(checked)} rows, {sum(counts.values())} filled cells: " + ", ".join(parts)]
    worst = sorted((r for r in checked if r.flags), key=lambda r: -r.weight)[:first]
    if worst:
        lines.append("look first at:")
    for row in worst:
        flagged = ", ".join(f"{c} ({k.status})" for c, k in row.checks.items() if k.status in FLAGS)
        lines.append(f"  id {row.values.get('id', '?')} ({row.values.get('pmcid', '')}, "
                     f"{row.values.get('outcome', '')[:50]}): {flagged}")
    return "\n".join(lines)



def write_checked_csv(checked: Iterable[CheckedRow], columns: Sequence[str], out: IO[str]) -> int:
    """Write the checked sheet: the input ``columns``, then ``<column>_check`` and ``<column>_evidence``
    for each value column; return the number of rows."""
    extra = [f"{c}{suffix}" for c in check_columns(columns) for suffix in ("_check", "_evidence")]
    writer = csv.DictWriter(out, fieldnames=[*columns, *(c for c in extra if c not in columns)],
                            lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in checked:
        writer.writerow(row.row())
        count += 1
    return count
