"""Filling an extraction sheet the way a reviewer does: one row per outcome and pair of arms.

For a row (outcome, intervention, comparator) the sheet's arm names are matched to the trial's
arms as the trial is read (``read_trial(record, queries)``, :mod:`extractor.evidence.sheet_arms`),
and ``fill`` reads only what that gives (a frozen ``TrialEvidence``): every result giving both
arms a value that names the outcome well enough is a candidate (:func:`choices`), and the choice
model of :mod:`extractor.evidence.choose` takes the one it ranks first, or none when the probability
that it is right is below its threshold; ``confidence`` is that probability.
Group sizes are filled from the arms even when the outcome's numbers are not found, as reviewers do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from extractor.evidence.choose import MIN_OUTCOME_SCORE, choose, outcome_score
from extractor.evidence.compare import Side, outcome_type, side
from extractor.evidence.model import Arm, ArmValue, Evidence, Query, Result, TrialEvidence
from extractor.evidence.similarity import CLINICAL_ABBREVIATIONS, defined_in, initialisms
from extractor.nlp.grammar import rule, weight
from extractor.nlp.rules import counts_fitting, parse_timepoint

FILL_COLUMNS: tuple[str, ...] = (
    "intervention_events", "intervention_group_size", "comparator_events", "comparator_group_size",
    "intervention_mean", "intervention_standard_deviation", "comparator_mean",
    "comparator_standard_deviation",
)
# every column fill adds to a sheet, in order
FILLED_COLUMNS: tuple[str, ...] = (*FILL_COLUMNS, "outcome_type", "evidence", "confidence", "group_size_evidence")
_SUBSET = rule("fill.subset")
# A result for "serious", "treatment-related" or "no" X is not one for X.
_QUALIFIER = rule("fill.qualifier")
_NEGATED = rule("fill.negated")
_BASELINE_QUERY = rule("fill.baseline_query")
_DECIMALS = rule("fill.decimals")
_SENTENCE_END = rule("fill.sentence_end")
_MAX_SENTENCE_REST = 200  # characters: a sentence runs on no longer than this after its last value
_DERIVED_FACTOR = weight("fill.derived_factor")
_TIMEPOINT_PENALTY = weight("fill.timepoint_penalty")
_QUALIFIED_PENALTY = weight("fill.qualified_penalty")
_NEGATED_PENALTY = weight("fill.negated_penalty")
_SUBSET_PENALTY = weight("fill.subset_penalty")
_TIMEPOINT_BONUS = weight("fill.timepoint_bonus")


@dataclass(frozen=True, slots=True)
class Filled:
    """The values found for a query, with their evidence and a confidence in [0, 1]."""

    values: Mapping[str, float | int | None]
    outcome_type: str | None
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 0.0
    derived: tuple[str, ...] = field(default=())
    sizes: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # where each group size comes from

    def row(self) -> dict[str, str]:
        """The sheet columns this fills, as CSV text (blank for unknown)."""
        out = {k: _fmt(self.values.get(k)) for k in FILL_COLUMNS}
        out["evidence"] = json.dumps([e.to_dict() for e in self.evidence], ensure_ascii=False) if self.evidence else ""
        out["confidence"] = f"{self.confidence:.2f}"
        out["group_size_evidence"] = json.dumps(self.sizes, ensure_ascii=False) if self.sizes else ""
        return out


def _fmt(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill(trial: TrialEvidence, query: Query) -> Filled:
    """Fill one sheet row from a trial read for it (``read_trial(record, [query])``); fields stay None
    when not clearly reported.

    :raises KeyError: when the trial was not read for ``query``.
    """
    among = choices(trial, query)
    if among is None:
        return Filled({}, query.outcome_type)
    (i_name, c_name), by_name = among.names, among.arms
    chosen = choose(list(among.candidates), query.outcome, among.abbreviations, by_name)
    if chosen is None:
        values = _settled_sizes(by_name[i_name], by_name[c_name])
        return Filled(values, query.outcome_type, confidence=0.0,
                      sizes=_size_sources(values, (None, by_name[i_name]), (None, by_name[c_name])))
    values = _group_sizes(by_name[i_name], by_name[c_name])
    score, result = chosen
    vi, vc = result.value_for(i_name), result.value_for(c_name)
    si = side(vi, by_name[i_name])  # type: ignore[arg-type]
    sc = side(vc, by_name[c_name])  # type: ignore[arg-type]
    values = _values(result.kind, si, sc, values)
    derived = tuple(f"intervention_{d}" for d in si.derived) + tuple(f"comparator_{d}" for d in sc.derived)
    evidence = (*vi.evidence, *vc.evidence)  # type: ignore[union-attr]
    confidence = round(min(score, 1.0) * (_DERIVED_FACTOR if derived else 1.0), 2)
    sizes = _size_sources(values, (vi, by_name[i_name]), (vc, by_name[c_name]))
    return Filled(values, outcome_type(result), evidence, confidence, derived, sizes)


@dataclass(frozen=True, slots=True)
class Choices:
    """What a sheet row is answered from: the results giving both of its arms a value that name its
    outcome well enough, each with its outcome score; the two arms, by name; the abbreviations read."""

    candidates: tuple[tuple[float, Result], ...]
    names: tuple[str, str]  # the intervention's arm, then the comparator's
    arms: Mapping[str, Arm]
    abbreviations: Mapping[str, str]


def choices(trial: TrialEvidence, query: Query) -> Choices | None:
    """The candidates for a sheet row (``trial`` read for it); None when both of its names denote
    one arm.

    :raises KeyError: when the trial was not read for ``query``.
    """
    sheet = trial.sheet_arms(query)
    i_name, c_name = sheet.intervention, sheet.comparator
    if i_name == c_name:
        return None
    by_name = {a.name: a for a in sheet.arms}
    abbreviations = {**defined_in(query.outcome), **_implied(query.outcome, trial.acronyms), **trial.abbreviations}
    candidates = _candidates(trial, sheet.results, query, (i_name, c_name), abbreviations)
    return Choices(tuple(candidates), (i_name, c_name), {n: by_name[n] for n in (i_name, c_name)}, abbreviations)


def _size_sources(values: Mapping[str, float | int | None], *sides: tuple[ArmValue | None, Arm]) -> dict[str, Any]:
    """Where each filled group size comes from: the result's own n, else one of the sizes the
    article states for the arm (analysed, randomised, or a results table's header), with its
    evidence, else the design the text states ("two groups of 30"), which sizes no arm by name."""
    out = {}
    for prefix, (value, arm) in zip(("intervention", "comparator"), sides, strict=True):
        n = values.get(f"{prefix}_group_size")
        if n is None:
            continue
        if value is not None and (value.total or value.n) == n:
            out[prefix] = {"n": n, "from": "result", "evidence": [e.to_dict() for e in value.evidence]}
            continue
        stated = next((z for z in arm.sizes if z.n == n), None)
        out[prefix] = {"n": n, "from": stated.kind if stated else "design", "rule": stated.rule if stated else None,
                       "evidence": [stated.evidence.to_dict()] if stated and stated.evidence else []}
    return out


def _implied(outcome: str, acronyms: frozenset[str]) -> dict[str, str]:
    """Acronyms of the sheet's outcome, and common clinical abbreviations, that the article uses
    without defining them (``acronyms``: those it uses, upper-cased)."""
    known = {short: long for short, long in CLINICAL_ABBREVIATIONS.items() if short.upper() in acronyms}
    return {**known, **{short: long for short, long in initialisms(outcome).items() if short in acronyms}}


def _candidates(trial: TrialEvidence, results: tuple[Result, ...], query: Query, names: tuple[str, str],
                abbreviations: Mapping[str, str]) -> list[tuple[float, Result]]:
    """The results giving both arms a value that name the outcome well enough, scored."""
    i_name, c_name = names
    texts = _section_texts(trial)
    wanted = parse_timepoint(query.outcome)
    out = []
    for result in results:
        if result.value_for(i_name) is None or result.value_for(c_name) is None:
            continue
        if query.outcome_type == "binary" and result.kind == "continuous":
            result = as_proportions(result) or result
        if query.outcome_type and result.kind != query.outcome_type:
            continue
        if result.is_baseline and not _BASELINE_QUERY.search(query.outcome):
            continue  # characteristics at entry do not answer an outcome
        result = _to_sentence_end(texts, result)
        score = outcome_score(query.outcome, result, abbreviations)
        if _SUBSET.search(result.context) and not _SUBSET.search(query.outcome):
            score -= _SUBSET_PENALTY
        score -= _narrower(query.outcome, result)
        if wanted and result.timepoint:
            score += _TIMEPOINT_BONUS if result.timepoint == str(wanted) else -_TIMEPOINT_PENALTY
        if score >= MIN_OUTCOME_SCORE:
            out.append((score, result))
    return out


def _to_sentence_end(texts: Mapping[str, str], result: Result) -> Result:
    """A sentence result whose context runs on to the end of its sentence, where the outcome may be
    named after the values ("4 (20%) in A and 6 (30%) in B required a drain")."""
    ends = [e for v in result.values for e in v.evidence]
    if result.source != "text" or not ends or any("none_in_any_group" in v.rule_ids for v in result.values):
        return result  # "no X occurred in either group" is a whole sentence already
    last = max(ends, key=lambda e: e.end)
    text = texts.get(last.section, "")
    stop = _SENTENCE_END.search(text, last.end, last.end + _MAX_SENTENCE_REST)
    rest = text[last.end: stop.start() if stop else last.end + _MAX_SENTENCE_REST]
    return replace(result, context=f"{result.context}{rest}") if rest.strip() else result


def _section_texts(trial: TrialEvidence) -> dict[str, str]:
    return {p.section: p.text for p in trial.passages}


def _narrower(outcome: str, result: Result) -> float:
    """What the result's label adds to the sheet's outcome, as a score penalty: a severity or cause
    ("serious", "treatment-related": the events are a subset, so never the answer alone), or a
    negation ("no pad usage", which may still be what the outcome counts) other than "no X occurred"."""
    qualified = bool(_QUALIFIER.search(result.outcome)) and not _QUALIFIER.search(outcome)
    negated = bool(_NEGATED.search(result.outcome)) and not _NEGATED.search(outcome) and not any(
        "none_in_any_group" in v.rule_ids for v in result.values)
    return _QUALIFIED_PENALTY * qualified + _NEGATED_PENALTY * negated


def as_proportions(result: Result) -> Result | None:
    """A binary outcome reported as the mean of a 0/1 variable ("0.272" of N = 1,511): counts.

    Only when every arm has such a mean, no SD, a group size, and a count that gives back the
    reported decimals; the count is kept only when exactly one does (0.226 of 1,512 is 341 or 342).
    """
    values = []
    for v in result.values:
        if v.mean is None or v.sd is not None or not v.n or not 0.0 <= v.mean <= 1.0:
            return None
        digits = _decimals(v.evidence[0].text if v.evidence else "")
        fits = counts_fitting(100.0 * v.mean, max(digits - 2, 0), v.n)
        if not fits:
            return None  # no count of the group gives that mean: not a proportion
        values.append(replace(v, mean=None, dispersion=None, events=fits[0] if len(fits) == 1 else None, total=v.n,
                              percent=round(100.0 * v.mean, max(digits - 2, 0)),
                              rule_ids=(*v.rule_ids, "proportion_from_mean")))
    return replace(result, kind="binary", values=tuple(values))


def _decimals(text: str) -> int:
    m = _DECIMALS.search(text)
    return len(m.group(1)) if m else 0


def _group_sizes(i_arm: Arm, c_arm: Arm) -> dict[str, float | int | None]:
    return {"intervention_group_size": i_arm.n, "comparator_group_size": c_arm.n}


_MAX_SIZES = weight("fill.max_sizes_unanswered")


def _settled_sizes(i_arm: Arm, c_arm: Arm) -> dict[str, float | int | None]:
    """The group sizes of a row no result answers: an arm's size only when the article states few
    different sizes for it (say randomised and analysed). Which of more (per table, per time
    point) a sheet wants depends on the result it reports, which here is unknown."""
    return {f"{prefix}_group_size": arm.n if len({z.n for z in arm.sizes} | {arm.n}) <= _MAX_SIZES else None
            for prefix, arm in (("intervention", i_arm), ("comparator", c_arm))}


def _values(kind: str, si: Side, sc: Side, sizes: dict[str, float | int | None]) -> dict[str, float | int | None]:
    values = dict(sizes)
    counted = kind == "binary" and si.events is not None and sc.events is not None
    if counted or kind == "continuous" or not (si.derived or sc.derived):  # not sizes a lone percentage implies
        values.update(intervention_group_size=si.total or sizes["intervention_group_size"],
                      comparator_group_size=sc.total or sizes["comparator_group_size"])
    if counted:
        values.update(intervention_events=si.events, comparator_events=sc.events)
    elif kind == "continuous" and si.mean is not None and sc.mean is not None:
        both_sd = si.sd is not None and sc.sd is not None  # half a pair of SDs is of no use
        values.update(intervention_mean=si.mean, comparator_mean=sc.mean,
                      intervention_standard_deviation=si.sd if both_sd else None,
                      comparator_standard_deviation=sc.sd if both_sd else None)
    return values
