"""Results with no per-arm values: an effect estimate and its CI, between two arms.

"The mean difference in pain between A and B was -2.1 (95% CI -3.4 to -0.8)" or "mortality was
lower with A (HR 0.72, 95% CI 0.58-0.89)" give no number for either arm, yet a meta-analysis can
pool them: ``yi`` is the estimate (its log for a ratio) and ``vi`` follows from the CI's width.
Such a result is kept with its two arms and no values. The arm the estimate is of is the one the
sentence names first, unless it is named as the reference ("compared with A", "than B"); a
sentence naming one arm of a two-arm trial compares it with the other. Where the trial's roles say
that arm is the control and the other the intervention, the estimate is turned round (a ratio
inverted, a difference negated) so it always reads intervention against comparator, and the
comparison lists ``effect`` as derived. An estimate with no CI, or whose arms cannot be told, is
left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence, Set

from spacy.tokens import Span

from extractor.evidence.arms import ArmLexicon, Mention
from extractor.evidence.compare import TURNED
from extractor.evidence.document import Passage
from extractor.evidence.model import Arm, ArmValue, Result, replace
from extractor.evidence.spans import span_text
from extractor.evidence.text import (
    Found,
    evidence_of,
    found_values,
    label_end,
    mention_tokens,
    named_measure,
    outcome_phrase,
    subgroup_of,
    timepoint_of,
)
from extractor.nlp.grammar import limit, rule, words
from extractor.nlp.rules import Effect, Interval, PValue, Summary, parse_interval, parse_number

#: The outcome type each measure pooled reports; estimates of other measures (IRR) are not kept.
MEASURE_TYPES = {"MD": "continuous", "SMD": "continuous", "RR": "binary", "OR": "binary",
                 "RD": "binary", "HR": "time-to-event"}
RATIOS = frozenset({"RR", "OR", "HR"})

_STANDARDISED = words("standardised")
_NOT_POOLED = words("not_pooled_measures")
_OPENERS = frozenset({"(", "[", ",", ";"})
_LOWER_WORDS = words("measure_lookalikes")
_TRIM = words("trim_words")
_ESTIMATE_LABELS = frozenset({"EFFECT", "CI", "SUMMARY"})  # an estimate, a CI, or a centre with its CI
_REFERENCE = rule("effects.reference")
_MEASURE_WORDS = rule("effects.measure_words")
_LABEL_LEAD = rule("effects.label_lead")
_SUBJECT = rule("effects.subject")
_CI_REACH = limit("effects.ci_reach")
_P_REACH = limit("effects.p_reach")


def trial_effects(arms: Sequence[Arm], abbreviations: Mapping[str, str], results: Iterable[Result],
                  sentences: Iterable[tuple[Passage, Span]]) -> list[Result]:
    """The effect estimates of a trial that none of its ``results`` (with per-arm values) already
    carries, each once (an abstract and a results section often give the same one), read from the
    ``sentences`` results are read from, between the trial's ``arms``."""
    if len(arms) < 2:
        return []
    lexicon = ArmLexicon(arms, abbreviations)
    taken = {(ev.section, ev.start, r.effect_measure, r.effect)
             for r in results if r.effect is not None for ev in r.evidence[:1]}
    seen: set[tuple[object, ...]] = set()
    out = []
    for passage, sent in sentences:
        for result in sentence_effects(sent, lexicon, section=passage.section, label=passage.label, taken=taken):
            same = (result.effect_measure, result.effect, result.ci_low, result.ci_high,
                    tuple(v.arm for v in result.values))  # the same numbers between the same arms
            if same not in seen:
                seen.add(same)
                out.append(result)
    return out


def sentence_effects(sent: Span, lexicon: ArmLexicon, *, section: str, label: str,
                     taken: Set[tuple[object, ...]] = frozenset()) -> list[Result]:
    """The effect estimates with a CI in one sentence, each with its pair of arms.

    ``taken`` holds (section, sentence start, measure, estimate) of estimates already read with
    per-arm values; they are passed over.
    """
    found = found_values(sent)
    estimates = list(_estimates(sent, found)) if any(f.label in _ESTIMATE_LABELS for f in found) else []
    mentions = lexicon.mentions(sent) if estimates else []
    if not mentions:
        return []
    out, start, claimed = [], 0, 0
    for k, (effect, interval, end) in enumerate(estimates):
        following = estimates[k + 1][0].start if k + 1 < len(estimates) else len(sent)
        pair, claimed = _arm_pair(sent, lexicon, mentions, (max(start, claimed), effect.start), (end, following))
        written = (section, sent.start_char, effect.value.measure, effect.value.value)  # type: ignore[attr-defined]
        if pair is not None and written not in taken:
            estimate = (effect, interval, end)
            result = _result(sent, found, estimate, _intervention_first(lexicon, pair), mentions,
                             (section, label), start)
            if not result.outcome:  # "... was 1.67 for A vs C and 1.98 for B vs C": the outcome named before
                result = replace(result, outcome=out[-1].outcome if out else span_text(sent))
            out.append(result)
        start = end
    return out


def _estimates(sent: Span, found: Sequence[Found]) -> Iterator[tuple[Found, Interval, int]]:
    """Each effect estimate with its interval (inside its span, or a CI right after it) and where
    the pair ends; only measures that are pooled, and estimates inside their interval."""
    used: set[int] = set()
    for f in sorted([*found, *_named_estimates(sent, found)], key=lambda x: x.start):
        if f.label != "EFFECT" or not isinstance(f.value, Effect) or sent[f.start].text in _LOWER_WORDS:
            continue  # "... or 97.2% (95% CI ...)": the word "or", not an odds ratio
        interval, end = f.value.interval, f.end
        if interval is None:
            ci = next((c for c in found if c.label == "CI" and 0 <= c.start - f.end <= _CI_REACH), None)
            interval, end = (ci.value, ci.end) if ci and isinstance(ci.value, Interval) else (None, end)
        if end in used:
            continue
        used.add(end)
        measure = _measure(sent, f)
        if interval is None or measure not in MEASURE_TYPES:
            continue
        if not interval.low <= f.value.value <= interval.high or (measure in RATIOS and interval.low <= 0):
            continue
        yield Found(f.start, f.end, f.label, Effect(measure, f.value.value, interval), f.rule_id), interval, end


def _named_estimates(sent: Span, found: Sequence[Found]) -> Iterator[Found]:
    """"The mean difference in pain between A and B was -2.1 (95% CI -3.4 to -0.8)": a number with
    a CI that no estimate holds (read as a CI after a number, or as a centre with its CI), the
    measure named earlier in its clause."""
    effects = [f for f in found if f.label == "EFFECT"]
    for f in found:
        if any(e.start <= f.start <= e.end + _CI_REACH for e in effects):
            continue
        at, value, interval = _number_with_ci(sent, f)
        if value is None:
            continue
        measure = named_measure(sent, at)
        if measure is not None:  # a CI given on its own stays a CI, found after the estimate
            yield Found(at, f.end if interval else at + 1, "EFFECT", Effect(measure, value, interval), "named_estimate")


def _number_with_ci(sent: Span, f: Found) -> tuple[int, float | None, Interval | None]:
    """Where a number with a CI starts, the number, and the CI (None for a CI given on its own)."""
    if f.label == "SUMMARY" and isinstance(f.value, Summary) and f.value.dispersion == "ci":
        interval = parse_interval(span_text(sent[f.start + 1 : f.end]))
        return f.start, f.value.centre, interval
    if f.label != "CI":
        return f.start, None, None
    at = f.start - 1
    while at > 0 and sent[at].text in _OPENERS:
        at -= 1
    return at, parse_number(sent[at].text) if at >= 0 and sent[at].like_num else None, None


def _measure(sent: Span, f: Found) -> str:
    """The measure of an estimate: "standardised mean difference" is an SMD, not an MD."""
    measure = f.value.measure  # type: ignore[attr-defined]
    if any(t.lower_ in _NOT_POOLED for t in sent[f.start : f.end]):
        return "IRR"  # "rate ratio (IRR)": an incidence rate ratio, whatever the name before it
    if measure == "MD" and f.start > 0 and sent[f.start - 1].lower_ in _STANDARDISED:
        return "SMD"
    return measure  # type: ignore[no-any-return]


def _arm_pair(sent: Span, lexicon: ArmLexicon, mentions: Sequence[Mention], before: tuple[int, int],
              after: tuple[int, int]) -> tuple[tuple[str, str] | None, int]:
    """(arm of the estimate, reference arm) from the arms named in the estimate's clause before it,
    else after it up to the next estimate ("1.67 for A vs C and 1.98 for B vs C"), and the token up
    to which the arms used were named (the next estimate's arms are named after that)."""
    near = [m for m in mentions if before[0] <= m.start < before[1]]
    claimed = before[0]
    if not near:
        near = [m for m in mentions if after[0] <= m.start < after[1]]
        claimed = max((m.end for m in near), default=before[0])
    return _named_pair(sent, lexicon, near), claimed


def _named_pair(sent: Span, lexicon: ArmLexicon, near: Sequence[Mention]) -> tuple[str, str] | None:
    names = list(dict.fromkeys(m.arm for m in near))
    if not names or len(names) > 2:
        return None  # three arms named: which two the estimate compares cannot be told
    first = next(m for m in near if m.arm == names[0])
    reference = bool(_REFERENCE.search(span_text(sent[max(0, first.start - 4) : first.start])))
    if len(names) == 2:
        return (names[1], names[0]) if reference else (names[0], names[1])
    others = [a.name for a in lexicon.arms if a.name != names[0]]
    if len(lexicon.arms) != 2:
        return None  # one arm named in a trial of three: its reference cannot be told
    return (others[0], names[0]) if reference else (names[0], others[0])


def _result(sent: Span, found: Sequence[Found], estimate: tuple[Found, Interval, int],
            pair: tuple[tuple[str, str], bool],
            mentions: Sequence[Mention], where: tuple[str, str], start: int) -> Result:
    effect, interval, end = estimate
    value: Effect = effect.value  # type: ignore[assignment]
    section, label = where
    arms, turned = pair
    estimate_value, low, high = (_turn(value.measure, value.value, interval) if turned
                                 else (value.value, interval.low, interval.high))
    rule_ids = (effect.rule_id, TURNED) if turned else (effect.rule_id,)
    p = next((f.value for f in found if f.label == "P_VALUE" and 0 <= f.start - end <= _P_REACH), None)
    evidence = (evidence_of(sent, effect.start, end, section, label),)
    named_at = min((f.start for f in found if start <= f.start < effect.start), default=effect.start)
    return Result(
        outcome=effect_label(sent, named_at, mention_tokens(sent, mentions), start),
        kind=MEASURE_TYPES[value.measure],  # type: ignore[arg-type]
        values=tuple(ArmValue(arm, rule_ids=rule_ids) for arm in arms),
        context=span_text(sent), source="text",
        timepoint=timepoint_of(found, effect.start), subgroup=subgroup_of(span_text(sent)),
        p_value=p.value if isinstance(p, PValue) else None,
        p_operator=p.relation if isinstance(p, PValue) else None,
        effect_measure=value.measure, effect=estimate_value, ci_low=low, ci_high=high,
        ci_level=interval.level, evidence=evidence,
    )


def _intervention_first(lexicon: ArmLexicon, pair: tuple[str, str]) -> tuple[tuple[str, str], bool]:
    """The pair with the intervention first, and whether it had to be turned round (the estimate is
    of the control arm against the intervention, by the trial's roles)."""
    a, b = lexicon.arm(pair[0]), lexicon.arm(pair[1])
    turned = a is not None and b is not None and a.role == "control" and b.role == "intervention"
    return ((pair[1], pair[0]) if turned else pair), turned


def _turn(measure: str, value: float, interval: Interval) -> tuple[float, float, float]:
    """The estimate of the reference against the other arm, with its CI: a ratio inverted (to four
    decimals), a difference negated."""
    def flip(x: float) -> float:
        return round(1.0 / x, 4) if measure in RATIOS else -x

    return flip(value), flip(interval.high), flip(interval.low)


def effect_label(sent: Span, at: int, skip: frozenset[int], start: int = 0) -> str:
    """The outcome an estimate is of: what the measure is "of" ("the hazard ratio for death" names
    death), else the subject of the clause ("falls were more common with A"), else the phrase
    before the estimate without its verb ("reduced the odds of opioid use" names opioid use); ""
    when the clause names none."""
    words = [t for t in sent[max(label_end(sent), start) : at] if t.i - sent.start not in skip]
    before = "".join(t.text_with_ws for t in words).strip()
    m = _MEASURE_WORDS.search(before)
    if m and m.group("what"):
        return m.group("what").strip()
    subject = _SUBJECT.search(before)
    if subject and not _MEASURE_WORDS.fullmatch(subject.group("what")):
        return subject.group("what").strip()
    phrase = outcome_phrase(sent, at, skip, start=start)
    if phrase == span_text(sent):
        return ""  # the clause names nothing before the estimate
    label = _LABEL_LEAD.sub("", _MEASURE_WORDS.sub("", phrase).strip(" ,;:-")).strip()
    return label if any(len(w) >= 3 and w.lower() not in _TRIM for w in label.split()) else ""
