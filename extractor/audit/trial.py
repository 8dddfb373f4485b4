"""An article read once for checking every sheet row about it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from extractor.audit.numbers import NumberIndex, number_index
from extractor.evidence import Query, TablePlace, TrialEvidence
from extractor.evidence import read_trial as read_evidence
from extractor.records import Record

__all__ = ["Trial", "read_trial"]


@dataclass(frozen=True, slots=True)
class Trial:
    """An article read once: its record, the extractor's evidence (read with the sheet's rows), its
    numbers and its table cells' places."""

    record: Record
    evidence: TrialEvidence
    index: NumberIndex

    @property
    def places(self) -> Mapping[str, TablePlace]:
        """Each table cell's place, by evidence section (read with the evidence)."""
        return self.evidence.places


def read_trial(record: Record, queries: Iterable[Query] = ()) -> Trial:
    """Read ``record`` once for checking every row about it (``queries``: those rows)."""
    evidence = read_evidence(record, queries)
    return Trial(record, evidence, number_index(record))
