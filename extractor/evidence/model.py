"""Frozen records of the evidence stage: arms, per-arm values, results and comparisons.

A :class:`Result` is one outcome read in one place (a sentence or a table row) with a value for
each arm found there. A :class:`Comparison` is the row of the evidence table: one outcome, two arms
(intervention and comparator), their numbers, and the :class:`Evidence` each number was read from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from extractor.evidence.document import Passage

#: "time-to-event" is an outcome reported only as a hazard ratio; "median" (of :func:`outcome_type`) is
#: a continuous outcome given as medians, which a meta-analysis of means cannot use.
OutcomeType = Literal["binary", "continuous", "time-to-event"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value was read: ``text[start:end]`` of the normalised text of ``section``.

    ``section`` names a text of the record: ``"abstract"``, ``"sections/<i>"`` (a body section),
    ``"tables/<t>/caption"``, ``"tables/<t>/header/<r>/<c>"`` or ``"tables/<t>/body/<r>/<c>"``
    (a table cell). ``label`` says the same for a reader ("Results > Efficacy", "Table 2, row 3").
    """

    section: str
    text: str
    start: int
    end: int
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "text": self.text, "start": self.start, "end": self.end,
                "label": self.label}


SizeKind = Literal["randomised", "analysed", "table"]


@dataclass(frozen=True, slots=True)
class GroupSize:
    """One size stated for a group: how many, of whom (``kind``: randomised or allocated, analysed or
    evaluated, or given by a results table's header), the rule that read it and where."""

    n: int
    kind: SizeKind
    rule: str
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "kind": self.kind, "rule": self.rule,
                "evidence": self.evidence.to_dict() if self.evidence else None}


@dataclass(frozen=True, slots=True)
class Arm:
    """A group of the trial: its name, sizes and the names it goes by in the text. ``sizes`` lists
    every size the paper states for it; ``n_randomised`` and ``n_analysed`` are the ones chosen."""

    name: str
    n_randomised: int | None = None
    n_analysed: int | None = None
    description: str | None = None
    aliases: tuple[str, ...] = ()
    role: Literal["intervention", "control"] | None = None
    evidence: tuple[Evidence, ...] = ()
    in_tables: bool = False
    sizes: tuple[GroupSize, ...] = ()
    rules: tuple[str, ...] = ()  # the rules that named the arm

    @property
    def n(self) -> int | None:
        """The best group size known: analysed, else randomised."""
        return self.n_analysed if self.n_analysed is not None else self.n_randomised


@dataclass(frozen=True, slots=True)
class ArmValue:
    """What one arm scored on one outcome in one place."""

    arm: str
    events: int | None = None
    total: int | None = None
    percent: float | None = None
    mean: float | None = None
    sd: float | None = None
    se: float | None = None
    median: float | None = None
    low: float | None = None
    high: float | None = None
    dispersion: str | None = None
    n: int | None = None
    evidence: tuple[Evidence, ...] = ()
    rule_ids: tuple[str, ...] = ()

    @property
    def kind(self) -> OutcomeType | None:
        if self.events is not None or self.percent is not None:
            return "binary"
        if self.mean is not None or self.median is not None:
            return "continuous"
        return None


@dataclass(frozen=True, slots=True)
class Result:
    """One outcome as reported in one sentence or table row, with a value per arm."""

    outcome: str
    kind: OutcomeType
    values: tuple[ArmValue, ...]
    context: str
    source: Literal["text", "table"]
    timepoint: str | None = None
    subgroup: str | None = None
    is_primary: bool | None = None
    p_value: float | None = None
    p_operator: str | None = None
    p_pair: tuple[str, ...] | None = None  # the arms the p-value compares (one: against each other arm)
    effect_measure: str | None = None
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    is_baseline: bool = False
    evidence: tuple[Evidence, ...] = ()
    order: int = 0

    def value_for(self, arm: str) -> ArmValue | None:
        return next((v for v in self.values if v.arm == arm), None)

    @property
    def effect_only(self) -> bool:
        """Whether the result is an effect estimate between arms with no value for either."""
        return self.effect is not None and all(v.kind is None for v in self.values)


COMPARISON_COLUMNS: tuple[str, ...] = (
    "pmid", "pmcid", "outcome", "timepoint", "subgroup", "is_primary", "outcome_type",
    "intervention", "comparator",
    "intervention_events", "intervention_group_size", "comparator_events", "comparator_group_size",
    "intervention_percent", "comparator_percent",
    "intervention_mean", "intervention_standard_deviation",
    "comparator_mean", "comparator_standard_deviation",
    "effect_measure", "effect", "ci_low", "ci_high", "ci_level", "p_value", "p_operator",
    "p_recomputed", "p_consistent", "derived", "evidence", "confidence", "rules",
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A row of the evidence table: one outcome compared between two arms."""

    pmid: str | None
    pmcid: str | None
    outcome: str
    outcome_type: OutcomeType
    intervention: str
    comparator: str
    timepoint: str | None = None
    subgroup: str | None = None
    is_primary: bool | None = None
    intervention_events: int | None = None
    intervention_group_size: int | None = None
    comparator_events: int | None = None
    comparator_group_size: int | None = None
    intervention_percent: float | None = None
    comparator_percent: float | None = None
    intervention_mean: float | None = None
    intervention_standard_deviation: float | None = None
    comparator_mean: float | None = None
    comparator_standard_deviation: float | None = None
    effect_measure: str | None = None
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    p_value: float | None = None
    p_operator: str | None = None
    p_recomputed: float | None = None
    p_consistent: bool | None = None
    derived: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 0.0
    rules: tuple[str, ...] = ()  # the ids of the rules that read its values and group sizes

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, keys in :data:`COMPARISON_COLUMNS` order."""
        out = {name: getattr(self, name) for name in COMPARISON_COLUMNS}
        out["derived"] = list(self.derived)
        out["evidence"] = [e.to_dict() for e in self.evidence]
        out["rules"] = list(self.rules)
        return out


@dataclass(frozen=True, slots=True)
class TablePlace:
    """A table cell's place: the text naming its row (with its group and caption), its column, the
    row's own label and group, and whether the row or the column gives sizes ("n", "No. of patients")."""

    row: str
    column: str
    is_header: bool
    is_size_row: bool
    label: str = ""
    is_size_column: bool = False
    group: str = ""


@dataclass(frozen=True, slots=True)
class SheetArms:
    """What a sheet row's arm names denote in a trial: the trial's arms with the sheet's names added
    (:func:`~extractor.evidence.sheet_arms.query_arms`), the names of the row's two arms among them,
    and every result read between those arms."""

    arms: tuple[Arm, ...]
    intervention: str
    comparator: str
    results: tuple[Result, ...] = ()


_NOTHING: Mapping[Any, Any] = MappingProxyType({})


def _nothing() -> Mapping[Any, Any]:
    return _NOTHING


@dataclass(frozen=True, slots=True)
class TrialEvidence:
    """Everything read from one record: its arms, results and comparisons, the texts and table cells
    they were read from, and what each sheet row given to ``read_trial`` compares (``sheet``)."""

    pmid: str | None
    pmcid: str | None
    title: str | None
    arms: tuple[Arm, ...]
    results: tuple[Result, ...]
    comparisons: tuple[Comparison, ...] = field(default=())
    abbreviations: Mapping[str, str] = field(default_factory=_nothing)  # defined in the text or a table's notes
    acronyms: frozenset[str] = frozenset()  # upper-cased, defined or not
    passages: tuple[Passage, ...] = ()
    places: Mapping[str, TablePlace] = field(default_factory=_nothing)  # each table cell's, by evidence section
    sheet: Mapping[Query, SheetArms] = field(default_factory=_nothing)

    def arms_dicts(self) -> list[dict[str, Any]]:
        """The arms in the JSON form of the evidence table."""
        return [
            {"pmid": self.pmid, "pmcid": self.pmcid, "name": a.name, "n_randomised": a.n_randomised,
             "n_analysed": a.n_analysed, "description": a.description, "aliases": list(a.aliases),
             "role": a.role, "rules": list(a.rules), "sizes": [z.to_dict() for z in a.sizes],
             "evidence": [e.to_dict() for e in a.evidence]}
            for a in self.arms
        ]

    def sheet_arms(self, query: Query) -> SheetArms:
        """What ``query``'s arms denote in the trial.

        :raises KeyError: when ``query`` was not among the sheet rows the trial was read for.
        """
        try:
            return self.sheet[query]
        except KeyError:
            raise KeyError(f"{query} was not read: pass it to read_trial") from None


def replace(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` re-exported for the stage modules."""
    return dataclasses.replace(obj, **changes)


@dataclass(frozen=True, slots=True)
class Query:
    """One row of an extraction sheet."""

    outcome: str
    intervention: str
    comparator: str
    outcome_type: str | None = None
