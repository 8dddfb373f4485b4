"""From results to comparisons: which arm is compared with which, and the numbers of each side.

Counts missing from the text are reconstructed where the numbers allow only one answer (a
percentage and a group size); such fields are listed in ``derived``. A reported p-value is checked
against the one recomputed from the counts, and disagreement is kept in ``p_consistent``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from extractor.evidence.model import Arm, ArmValue, Comparison, Evidence, Result
from extractor.evidence.similarity import expand, similarity
from extractor.evidence.stats import check_p, effect_direction, sd_from_ci, sd_from_se
from extractor.nlp.grammar import limit, rule, weight
from extractor.nlp.rules import counts_from_percent, parse_timepoint, rounds_to

#: A rule id on the arm values of an effect estimate turned round to read intervention first.
TURNED = "effect_turned"
SD_DECIMALS = limit("compare.sd_decimals")
_PRIMARY_SIMILARITY = weight("compare.primary_similarity")
_CONFIDENCE_TEXT = weight("compare.confidence_text")
_MIN_CONFIDENCE = weight("compare.min_confidence")
_CONFIDENCE_TABLE = weight("compare.confidence_table")
_DERIVED_PENALTY = weight("compare.derived_penalty")
_INCONSISTENT_PENALTY = weight("compare.inconsistent_penalty")

_PRIMARY = rule("compare.primary")
_PERCENT_DIGITS = rule("compare.percent_digits")
_LAST_NUMBER_DIGITS = rule("compare.last_number_digits")


@dataclass(frozen=True, slots=True)
class Side:
    """One arm's side of a comparison, with the fields that were derived rather than read."""

    events: int | None = None
    total: int | None = None
    percent: float | None = None
    mean: float | None = None
    sd: float | None = None
    derived: tuple[str, ...] = ()


def primary_outcomes(texts: Iterable[str]) -> list[tuple[str, str | None]]:
    """The primary outcome(s) a paper declares, each with its time point when it gives one."""
    found = []
    for text in texts:
        for m in _PRIMARY.finditer(text):
            what = m.group("what").strip()
            tp = parse_timepoint(what)
            found.append((what, str(tp) if tp else None))
    return found


def is_primary(
    result: Result, primaries: Sequence[tuple[str, str | None]], abbreviations: Mapping[str, str]
) -> bool | None:
    """Whether a result reports a declared primary outcome (at its declared time point)."""
    if not primaries:
        return None
    for what, timepoint in primaries:
        if similarity(expand(result.outcome, abbreviations), expand(what, abbreviations)) < _PRIMARY_SIMILARITY:
            continue
        if timepoint and result.timepoint and timepoint != result.timepoint:
            continue
        return True
    return False


def side(value: ArmValue, arm: Arm | None) -> Side:
    """The numbers of one side, completing counts and SDs where the others determine them."""
    if value.kind == "binary":
        return _binary_side(value, arm)
    sd, derived = value.sd, ()
    n = value.n or (arm.n if arm else None)
    if sd is None and value.se is not None and n:
        sd, derived = _round_sd(sd_from_se(value.se, n)), ("standard_deviation",)
    elif sd is None and value.dispersion == "ci" and value.mean is not None and n and n > 1:
        sd, derived = _round_sd(sd_from_ci(value.low, value.high, n)), ("standard_deviation",)  # type: ignore[arg-type]
    return Side(mean=value.mean, sd=sd, total=value.n or (arm.n if arm else None), derived=derived)


def _round_sd(sd: float) -> float:
    """A computed SD to ``SD_DECIMALS`` decimals, or to two significant digits when it is smaller
    than that keeps (an SD of 0.0212 is 0.021, not 0.02)."""
    if sd <= 0:
        return sd
    return round(sd, max(SD_DECIMALS, 1 - math.floor(math.log10(sd))))


def _binary_side(value: ArmValue, arm: Arm | None) -> Side:
    """Counts as read; a count from a percentage only where exactly one integer of the group size
    fits it (the size the value gives, else the arm's analysed or randomised size; see
    :func:`~extractor.nlp.rules.counts_from_percent`), never by changing the size to fit."""
    events, total = value.events, value.total or value.n
    derived: list[str] = []
    stated = total is not None or (arm is not None and arm.n_analysed is not None)
    if total is None and arm and arm.n and (events is not None or value.percent is not None):
        total = arm.n
        derived.append("group_size")
    if events is None and value.percent is not None and total:
        pair = counts_from_percent(value.percent, _digits(value), total, randomised=not stated)
        if pair:
            events = pair[0]
            derived.append("events")
        elif "group_size" in derived:
            total, derived = None, []  # a size that gives the percentage no count is not its size
    percent = value.percent
    if percent is None and events is not None and total:
        percent = round(100.0 * events / total, 2)
        derived.append("percent")
    return Side(events=events, total=total, percent=percent, derived=tuple(derived))


def percent_agrees(counted: ArmValue, percent: ArmValue) -> bool:
    """Whether a percentage as reported ("78.2%") is what a count of the same arm gives (79/101)."""
    total = counted.total or counted.n
    return counted.events is not None and bool(total) and percent.percent is not None and rounds_to(
        counted.events, total, percent.percent, _digits(percent), slack=1)  # type: ignore[arg-type]


def _digits(value: ArmValue) -> int:
    text = value.evidence[0].text if value.evidence else ""
    m = _PERCENT_DIGITS.search(text) or _LAST_NUMBER_DIGITS.search(text)
    return len(m.group(2) or "") if m else 0


def pairs(result: Result, arms: Mapping[str, Arm]) -> Iterator[tuple[ArmValue, ArmValue]]:
    """(intervention, comparator) value pairs: each arm against the control arm when there is one,
    then the other arms against each other (in the order a p-value's note names them, "Difference
    between group 1 and group 2", else in the result's order); without a control arm, every pair."""
    values = list(result.values)
    control = _control(result, arms)
    others = [v for v in values if v is not control]
    if control is not None:
        yield from ((v, control) for v in others)
    named = result.p_pair if result.p_pair is not None and len(result.p_pair) == 2 else ()
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            yield (b, a) if (b.arm, a.arm) == tuple(named) else (a, b)


def _control(result: Result, arms: Mapping[str, Arm]) -> ArmValue | None:
    """The value of the result's one control arm (None when it has none, or several)."""
    controls = [v for v in result.values if arms.get(v.arm) and arms[v.arm].role == "control"]
    return controls[0] if len(controls) == 1 else None


def comparison(
    result: Result,
    pair: tuple[ArmValue, ArmValue],
    arms: Mapping[str, Arm],
    ids: tuple[str | None, str | None],
    primary: bool | None,
) -> Comparison:
    """The evidence-table row comparing two arms on one result."""
    a, b = pair
    if result.p_pair is not None and not set(result.p_pair) <= {a.arm, b.arm}:
        result = replace(result, p_value=None, p_operator=None)  # the p-value compares another pair
    elif result.p_pair is None and _control(result, arms) not in (None, a, b):
        # two arms beside a control: the result's p-value and effect compare an arm with the control,
        # or all arms at once, never these two unless a note says so
        result = replace(result, p_value=None, p_operator=None, effect_measure=None, effect=None, ci_low=None,
                         ci_high=None, ci_level=None)
    sa, sb = side(a, arms.get(a.arm)), side(b, arms.get(b.arm))
    derived = tuple(f"intervention_{f}" for f in sa.derived) + tuple(f"comparator_{f}" for f in sb.derived)
    if effect_direction(result.effect_measure, result.effect, (sa.mean, sa.events, sa.total),
                        (sb.mean, sb.events, sb.total)) == -1:
        result = _turned(result)  # the estimate was of the comparator against the intervention
        derived += ("effect",)
    p_check = _p_check(result, sa, sb)
    evidence = _evidence(result, a, b)
    return Comparison(
        pmid=ids[0], pmcid=ids[1], outcome=result.outcome, outcome_type=result.kind,
        intervention=a.arm, comparator=b.arm, timepoint=result.timepoint, subgroup=result.subgroup,
        is_primary=primary,
        intervention_events=sa.events, intervention_group_size=sa.total,
        comparator_events=sb.events, comparator_group_size=sb.total,
        intervention_percent=sa.percent, comparator_percent=sb.percent,
        intervention_mean=sa.mean, intervention_standard_deviation=sa.sd,
        comparator_mean=sb.mean, comparator_standard_deviation=sb.sd,
        effect_measure=result.effect_measure, effect=result.effect, ci_low=result.ci_low,
        ci_high=result.ci_high, ci_level=result.ci_level, p_value=result.p_value, p_operator=result.p_operator,
        p_recomputed=round(p_check.recomputed, 6) if p_check else None,
        p_consistent=p_check.consistent if p_check else None,
        derived=derived, evidence=evidence,
        confidence=_confidence(result, derived, p_check.consistent if p_check else None),
        rules=_rules((a, sa), (b, sb), arms=arms),
    )


def _turned(result: Result) -> Result:
    """The result with its estimate read the other way round: a difference negated, a ratio inverted
    (its CI's limits swapped)."""
    turn = _negated if result.effect_measure == "MD" else _inverted
    return replace(result, effect=turn(result.effect), ci_low=turn(result.ci_high), ci_high=turn(result.ci_low))


def _negated(x: float | None) -> float | None:
    return -x if x is not None else None


def _inverted(x: float | None) -> float | None:
    return round(1 / x, 4) if x else None


def _rules(*sides: tuple[ArmValue, Side], arms: Mapping[str, Arm]) -> tuple[str, ...]:
    """The ids of the rules that read a row's values, and of those that read a group size taken from
    the arm (not from the result)."""
    out = [r for value, _ in sides for r in value.rule_ids]
    for value, side_ in sides:
        arm = arms.get(value.arm)
        if arm is not None and side_.total is not None and side_.total != (value.total or value.n):
            out += [z.rule for z in arm.sizes if z.n == side_.total][:1]
    return tuple(dict.fromkeys(out))


def _p_check(result: Result, a: Side, b: Side):  # type: ignore[no-untyped-def]
    if result.kind != "binary" or None in (a.events, a.total, b.events, b.total):
        return None
    return check_p(a.events, a.total, b.events, b.total, result.p_value, result.p_operator)  # type: ignore[arg-type]


def _evidence(result: Result, a: ArmValue, b: ArmValue) -> tuple[Evidence, ...]:
    seen: dict[tuple[str, int, int], Evidence] = {}
    for ev in (*a.evidence, *b.evidence, *result.evidence):
        seen.setdefault((ev.section, ev.start, ev.end), ev)
    return tuple(seen.values())


def _confidence(result: Result, derived: tuple[str, ...], consistent: bool | None) -> float:
    score = _CONFIDENCE_TABLE if result.source == "table" else _CONFIDENCE_TEXT
    score -= _DERIVED_PENALTY * len([d for d in derived if not d.endswith("percent")])
    if consistent is False:
        score -= _INCONSISTENT_PENALTY
    return round(max(score, _MIN_CONFIDENCE), 2)


def comparisons(
    results: Sequence[Result],
    arms: Sequence[Arm],
    ids: tuple[str | None, str | None],
    primaries: Sequence[tuple[str, str | None]],
    abbreviations: Mapping[str, str],
) -> tuple[Comparison, ...]:
    """Every comparison the results support, in reading order."""
    by_name = {arm.name: arm for arm in arms}
    out = []
    for result in results:
        if result.is_baseline:
            continue  # characteristics at baseline describe the groups; they are not outcomes
        primary = is_primary(result, primaries, abbreviations)
        if result.effect_only:
            out.append(effect_comparison(result, ids, primary))
            continue
        for pair in pairs(result, by_name):
            row = comparison(result, pair, by_name, ids, primary)
            if _has_numbers(row):
                out.append(row)
    return tuple(out)


def effect_comparison(result: Result, ids: tuple[str | None, str | None], primary: bool | None) -> Comparison:
    """The evidence-table row of an effect estimate with no per-arm values: its measure, estimate and
    CI, intervention first (``effect`` is derived when the sentence gave it the other way round)."""
    a, b = result.values[0], result.values[1]
    turned = any(TURNED in v.rule_ids for v in result.values)
    return Comparison(
        pmid=ids[0], pmcid=ids[1], outcome=result.outcome, outcome_type=result.kind,
        intervention=a.arm, comparator=b.arm, timepoint=result.timepoint, subgroup=result.subgroup,
        is_primary=primary, effect_measure=result.effect_measure, effect=result.effect,
        ci_low=result.ci_low, ci_high=result.ci_high, ci_level=result.ci_level,
        p_value=result.p_value, p_operator=result.p_operator,
        derived=("effect",) if turned else (), evidence=result.evidence,
        confidence=_confidence(result, ("effect",) if turned else (), None),
        rules=tuple(dict.fromkeys(r for v in result.values for r in v.rule_ids)),
    )


def outcome_type(result: Result) -> str:
    """The outcome type the values say: events or percentages binary, means continuous, an effect
    estimate its measure's type, and medians "median" (continuous, but no use to a meta-analysis
    of means)."""
    if result.kind == "continuous" and all(v.mean is None and v.median is not None for v in result.values):
        return "median"
    return result.kind


def _has_numbers(row: Comparison) -> bool:
    """A comparison is worth a row when both sides have a count, a percentage or a mean."""
    sides = ((row.intervention_events, row.intervention_percent, row.intervention_mean),
             (row.comparator_events, row.comparator_percent, row.comparator_mean))
    return all(any(v is not None for v in side) for side in sides)
