"""An article read once for checking every sheet row about it."""

from __future__ import annotations

from dataclasses import dataclass

from extractor.audit.numbers import NumberIndex, number_index
from extractor.audit.places import TablePlace, table_places
from extractor.evidence import TrialReader
from extractor.records import Record

__all__ = ["Trial", "read_trial"]


@dataclass(frozen=True, slots=True)
class Trial:
    """An article read once: its record, the extractor's reader, its numbers and table places."""

    record: Record
    reader: TrialReader
    index: NumberIndex
    places: dict[str, TablePlace]


def read_trial(record: Record) -> Trial:
    """Read ``record`` once for checking every row about it."""
    reader = TrialReader(record)
    return Trial(record, reader, number_index(record), table_places(reader))
