"""Reading results out of sentences: which number belongs to which arm, and for what outcome.

A sentence such as "At week 12, the SRI-4 response rates were 55.17% and 30.00% for IL-2 and
placebo, respectively (p=0.052)" holds values (recognised by the spaCy pipeline), arm mentions
(found by :class:`~extractor.evidence.arms.ArmLexicon`) and context (time point, p-value, effect).
Values are tied to arms by "respectively" lists, else by the side on which the sentence names its
arms ("IL-2 group was 65.52%" names the arm first, "36.67% of the placebo group" after); a value
with no arm on either side within reach is left alone. Values that would give one arm two numbers
start a new result, so "X was a vs b, and Y was c vs d" gives two results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from extractor.evidence.arms import ArmLexicon, Mention
from extractor.evidence.model import ArmValue, Evidence, Result
from extractor.evidence.spans import span_text, spans_by_sentence
from extractor.nlp.grammar import cue_filter, limit, rule, words
from extractor.nlp.rules import (
    Effect,
    Interval,
    Proportion,
    PValue,
    Summary,
    Timepoint,
    effect_measure,
    parse_count_word,
)

RESULT_LABELS = ("PROPORTION", "SUMMARY")
_PEOPLE = words("people")
_OUTCOME_FOLLOWS = words("outcome_follows")
_TRIM_WORDS = words("trim_words")
_CLAUSE_END = words("clause_end")
_CLAUSE_BREAKS = words("clause_breaks")
_BETWEEN_LISTED = words("between_listed")
_SUBGROUP = rule("text.subgroup")
_BASELINE = rule("text.baseline")
_DEMOGRAPHIC = rule("text.demographic")
_BEFORE_TREATMENT = rule("text.before_treatment")
_SE_WORDS = rule("text.se_words")
_SD_WORDS = rule("text.sd_words")
_FRONTED_COMPARISON = rule("text.fronted_comparison")
_REACH_BEFORE = limit("text.reach_before")
_REACH_AFTER = limit("text.reach_after")


@dataclass(frozen=True, slots=True)
class Found:
    """A value in a sentence: token range (relative to the sentence) and what it says."""

    start: int
    end: int
    label: str
    value: object
    rule_id: str


def sentence_results(
    sent: Span, lexicon: ArmLexicon, *, section: str, label: str, dispersion: str | None
) -> list[Result]:
    """Results stated in one sentence (an empty list when it states none between arms)."""
    found = found_values(sent)
    values = _end_points([f for f in found if f.label in RESULT_LABELS and not _is_estimate(sent, f)], sent)
    mentions = None
    if not values:  # plain numbers are read only beside the arms the sentence names (read once here)
        mentions = lexicon.mentions(sent)
        values = _count_words(sent, lexicon) or _bare_pair(sent, mentions) or _bare_in_each(sent, mentions)
        if not values:
            return []
    shared = _in_each_group(sent, values, lexicon)
    if shared:
        result = _result(sent, shared, found, (section, label), dispersion, frozenset())
        return [result] if result is not None else []
    mentions = lexicon.mentions(sent) if mentions is None else mentions
    if not mentions:
        return []
    pairs = _pair(sent, values, mentions, lexicon)
    skip = mention_tokens(sent, mentions)
    out, start = [], 0
    for group in _groups(pairs):  # a later result's words come after the earlier one's values
        result = _result(sent, group, found, (section, label), dispersion, skip, start)
        # "X was 5 mm Hg in A, 6 mm Hg in B", or the k-th values of each arm's bracket: the outcome said once
        said_before = group[0][0].start < start
        if result is not None and start and (_after_a_unit(result.outcome) or said_before):
            first = min(v.start for v in values)
            result = replace(result, outcome=out[-1].outcome if out else outcome_phrase(sent, first, skip))
        if result is not None:
            out.append(result)
        start = max(start, _clause_end(group, found))
    return out


_UNITS = words("measurement_units")


def _after_a_unit(phrase: str) -> bool:
    """Whether a phrase opens with a unit of measure ("mm Hg with oral"): the words before a later
    value of a list, which begin with the unit of the value before it and name no outcome."""
    tokens = phrase.lower().replace(",", " ").split()
    return bool(tokens) and tokens[0] in _UNITS


def _end_points(values: list[Found], sent: Span) -> list[Found]:
    """The values a change ends at: in "rose from 20.1 ± 3.2 to 24.5 ± 3.0 kg in A" (or "in A (20.1
    ± 3.2 to 24.5 ± 3.0 kg)"), 20.1 is where A started, not a value to pair with the next arm."""
    starts = {id(v) for v, w in zip(values, values[1:], strict=False) if _from_to(sent, v, w)}
    return [v for v in values if id(v) not in starts]


def _from_to(sent: Span, v: Found, w: Found) -> bool:
    """Whether ``v`` is where a change to ``w`` starts: "from v to w", or "v to w" alone."""
    between = [t.lower_ for t in sent[v.end : w.start]]
    if v.start > 0 and sent[v.start - 1].lower_ == "from":
        return len(between) <= 3 and "to" in between
    return between == ["to"]


_EACH_GROUP = rule("text.each_group")


def _in_each_group(sent: Span, values: list[Found], lexicon: ArmLexicon) -> list[tuple[Found, str]]:
    """One summary said of every group: "(−0.1 ± 0.6 in each group, P = 0.79)"."""
    if len(values) != 1 or len(lexicon.arms) < 2 or not isinstance(values[0].value, Summary):
        return []
    after = span_text(sent[values[0].end :]) if values[0].end < len(sent) else ""
    return [(values[0], arm.name) for arm in lexicon.arms] if _EACH_GROUP.match(after) else []


def _is_estimate(sent: Span, value: Found) -> bool:
    """A centre with its CI that the clause calls an effect ("the mean difference was -2.1 (95% CI
    -3.4 to -0.8)"): an estimate between arms, not an arm's value."""
    return value.label == "SUMMARY" and isinstance(value.value, Summary) and value.value.dispersion == "ci" \
        and named_measure(sent, value.start) is not None


def named_measure(sent: Span, at: int) -> str | None:
    """The effect measure the clause before token ``at`` names ("the odds ratio of response was"),
    if it names one that says its kind (a bare "difference" does not)."""
    start = max((i + 1 for i in range(at) if sent[i].text == ";" or sent[i].lower_ in _CLAUSE_BREAKS), default=0)
    names = [m.group("name") for m in _MEASURE_WORDS.finditer(span_text(sent[start:at]))]
    return effect_measure(names[-1]) if names and names[-1].lower() not in _VAGUE else None


_MEASURE_WORDS = rule("effects.measure_words")
_VAGUE = words("vague_measures")


def found_values(sent: Span) -> list[Found]:
    """The recognised values of a sentence."""
    return [Found(s.start - sent.start, s.end - sent.start, s.label_, s._.value, s.id_)
            for s in spans_by_sentence(sent.doc).get(sent.start, ()) if s.end <= sent.end]


_COUNT_CUE = rule("text.count_cue")


def _count_words(sent: Span, lexicon: ArmLexicon) -> list[Found]:
    """Counts written as words or bare numbers right before an arm ("but two in placebo group").

    Also "No X was observed in the A group" as a count of zero.
    """
    if not _COUNT_CUE.search(span_text(sent)):
        return []
    counts = [(i, count) for i, tok in enumerate(sent) if (count := _count_of_people(sent, i, tok)) is not None]
    if counts and sent[counts[0][0]].text[:1].isdigit():  # "15 children in A versus 27 in B": the people understood
        more = [(i, c) for i, tok in enumerate(sent)
                if i > counts[0][0] and (c := _bare_count(sent, i, tok)) is not None]
        counts = sorted(set(counts) | set(more))
    if len(counts) < 2:
        return []  # the arms are looked for only where two counts may name them
    out = []
    mentions = {m.start for m in lexicon.mentions(sent)}
    for i, count in counts:
        ahead = [j for j in range(i + 1, min(i + 8, len(sent))) if j in mentions]
        listed = ahead and any(i < k < ahead[0] for k, _ in counts)  # "8 men and 14 women in A": 8 is no count of A's
        if ahead and not listed and any(sent[k].lower_ in ("in", "among") for k in range(i + 1, ahead[0])):
            out.append(Found(i, i + 1, "COUNT", count, "count_before_arm"))
    return out if len(out) >= 2 else []


def _bare_pair(sent: Span, mentions: Sequence[Mention]) -> list[Found]:
    """Two plain numbers joined by "vs" in brackets after the sentence names both arms, in the order
    it named them: "stay was shorter with A than with B (8.2 vs. 10.4 days, P < 0.001)". Read only
    where the sentence has no other value; each number, with the unit after it, is that arm's mean."""
    if len({m.arm for m in mentions}) != 2:
        return []
    last = max(m.end for m in mentions)
    for i in range(last, len(sent) - 2):
        if sent[i - 1].text != "(" or not _BARE_NUMBER.match(sent[i].text):
            continue
        first_end = i + 2 if _unit_after(sent, i) else i + 1
        if first_end >= len(sent) - 1 or sent[first_end].lower_ not in _PAIR_JOINERS:
            return []
        j = first_end + 1
        if not _BARE_NUMBER.match(sent[j].text):
            return []
        end = j + 2 if j + 1 < len(sent) and _unit_after(sent, j) else j + 1
        if end >= len(sent) or sent[end].text not in (")", ",", ";"):
            return []
        return [Found(i, first_end, "SUMMARY", _bare_mean(sent[i].text), "bare_pair"),
                Found(j, end, "SUMMARY", _bare_mean(sent[j].text), "bare_pair")]
    return []


def _bare_in_each(sent: Span, mentions: Sequence[Mention]) -> list[Found]:
    """Two plain numbers, each followed by "in" and a different arm: "the score was 12.4 in the A
    group and 8.9 in the B group". Read only where the sentence has no other value, and only where a
    number has decimals or a unit, never two bare integers (they may count people); each is that
    arm's mean."""
    starts = {m.start: m.arm for m in mentions}
    found: list[tuple[Found, str]] = []
    for i in range(len(sent) - 2):
        if not _BARE_NUMBER.match(sent[i].text) or (i > 0 and sent[i - 1].lower_ in _NOT_A_MEASURE):
            continue
        end = i + 2 if _unit_after(sent, i) and sent[i + 1].lower_ not in _AT_ARM else i + 1
        j = end + 1 if end < len(sent) and sent[end].lower_ in _AT_ARM else None
        if j is not None and j < len(sent) and sent[j].lower_ == "the":
            j += 1
        if j is not None and j in starts:
            found.append((Found(i, end, "SUMMARY", _bare_mean(sent[i].text), "bare_in_each"), starts[j]))
    if len(found) != 2 or found[0][1] == found[1][1]:
        return []
    decimals = any("." in sent[f.start].text for f, _ in found)
    units = {sent[f.end - 1].lower_ for f, _ in found if f.end > f.start + 1}
    if not decimals and (not units or units & _TIME_WORDS):
        return []  # "12 in A and 8 in B" may count people; "12 weeks in A" is how long it ran
    return [f for f, _ in found]


_AT_ARM = words("arm_prepositions")
_TIME_WORDS = words("schedule_times")
_NOT_A_MEASURE = words("not_before_a_measure")


def _unit_after(sent: Span, i: int) -> bool:
    """Whether the number at ``i`` is followed by its unit: a word ("days"), or "%" after a signed
    number, a change ("-21.5%": a mean change in percent, not a share of people)."""
    after = sent[i + 1]
    signed = sent[i].text[:1] in "-+\u2212"
    return (after.is_alpha and after.lower_ not in _PAIR_JOINERS) or (after.text == "%" and signed)


def _bare_mean(text: str) -> Summary:
    return Summary(float(text.replace("\u2212", "-")), "unknown", "unknown")


_BARE_NUMBER = rule("text.bare_number")
_PAIR_JOINERS = words("pair_joiners")


def _bare_count(sent: Span, i: int, tok: Token) -> int | None:
    """A count in digits whose people a count before it named, followed at once by "in"/"among"."""
    if not (tok.text.isdigit() and i + 1 < len(sent) and sent[i + 1].lower_ in ("in", "among")):
        return None
    return int(tok.text)


def _count_of_people(sent: Span, i: int, tok: Token) -> int | None:
    """The count token ``i`` writes ("two", "no", "3" before "patients"), if it writes one."""
    count = parse_count_word(tok.text) if (tok.like_num or tok.lower_ == "no") else None
    if count is None or (tok.like_num and "." in tok.text):
        return None
    digits = tok.text[:1].isdigit()
    if digits and not (i + 1 < len(sent) and sent[i + 1].lower_ in _PEOPLE):
        return None  # "(3) in the intervention group" may count anything; "3 patients" counts people
    return count


def _pair(sent: Span, values: Sequence[Found], mentions: Sequence[Mention],
          lexicon: ArmLexicon) -> list[tuple[Found, str]]:
    """Tie values to arm names: "respectively" lists first, else by the side the arms are named on."""
    if any(t.lower_ == "respectively" for t in sent):
        return _respectively(sent, values, mentions) or []
    in_order = (_bracketed_by_arm(sent, values, mentions) or _named_before_listed(sent, values, mentions)
                or _one_of_two_named(sent, values, mentions, lexicon) or _labelled_values(sent, values, mentions))
    if in_order:
        return in_order
    arms_first = mentions[0].start < values[0].start
    styles = [_assign(values, mentions, before_first=arms_first),
              _assign(values, mentions, before_first=not arms_first)]
    return max(styles, key=_consistency)


def _bracketed_by_arm(sent: Span, values: Sequence[Found], mentions: Sequence[Mention]) -> list[tuple[Found, str]]:
    """"less in group A (-0.10 cm, -12.5%) than in group B (-0.29 cm, -21.5%)": each arm named just
    before a bracket holding as many values as the other arms' brackets; the k-th values of the
    brackets are one result, every value of a bracket its arm's."""
    brackets: dict[int, list[Found]] = {}
    for value in values:
        opened = _bracket_opened(sent, value.start)
        if opened is None:
            return []
        brackets.setdefault(opened, []).append(value)
    owners, previous = [], 0
    for opened, held in brackets.items():
        named = [m for m in mentions if previous <= m.start and m.end <= opened and opened - m.end <= _REACH_BEFORE]
        if not named:
            return []
        owners.append(named[-1].arm)
        previous = held[-1].end
    counts = {len(held) for held in brackets.values()}
    if len(brackets) < 2 or len(set(owners)) < len(owners) or len(counts) > 1 or counts == {1}:
        return []
    lists = list(brackets.values())
    return [(held[k], arm) for k in range(len(lists[0])) for held, arm in zip(lists, owners, strict=True)]


def _bracket_opened(sent: Span, at: int) -> int | None:
    """Where the innermost bracket still open before token ``at`` opens, if one is."""
    opened: list[int] = []
    for tok in sent[:at]:
        if tok.text in "([":
            opened.append(tok.i - sent.start)
        elif tok.text in ")]" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _named_before_listed(sent: Span, values: Sequence[Found], mentions: Sequence[Mention]) -> list[tuple[Found, str]]:
    """"More patients in A than in B reported X (79% vs. 29%)": values listed after the arms, in
    the order the arms were named, with nothing but "vs", "and" or punctuation between them."""
    if len(values) < 2 or any(m.end > values[0].start for m in mentions):
        return []
    between = {t.lower_ for v, w in zip(values, values[1:], strict=False) for t in sent[v.end : w.start]}
    if not between <= _BETWEEN_LISTED:
        return []
    arms = _subject_first(sent, mentions, _distinct(iter(mentions)))
    return list(zip(values, arms, strict=True)) if len(arms) == len(values) else []


def _one_of_two_named(sent: Span, values: Sequence[Found], mentions: Sequence[Mention],
                      lexicon: ArmLexicon) -> list[tuple[Found, str]]:
    """"Nausea was more frequent in the A group (20% vs. 10%)": in a trial of two arms, a comparison
    that names one arm lists its value first and the other arm's second, or, named as the reference
    ("... than in the B group", "compared with B"), second. Only a comparative says the two values
    are of two arms: "fell in the A group (8.1 vs 7.2)" may compare A with itself over time."""
    named = _distinct(iter(mentions))
    if len(values) != 2 or len(named) != 1 or len(lexicon.arms) != 2 or mentions[-1].end > values[0].start:
        return []
    before = sent[: values[0].start]
    if not {t.lower_ for t in sent[values[0].end : values[1].start]} <= _BETWEEN_LISTED \
            or not any(t.lower_ in _COMPARATIVES for t in before) or _OVER_TIME.search(span_text(sent)):
        return []
    reference = bool(_REFERENCE_BEFORE.search(sent[: mentions[0].start].text))
    if not reference and any(t.lower_ == "than" for t in before):
        return []  # "higher in A than at entry": A against itself
    other = next(a.name for a in lexicon.arms if a.name != named[0])
    order = [other, named[0]] if reference else [named[0], other]
    return list(zip(values, order, strict=True))


_COMPARATIVES = words("comparatives")
_REFERENCE_BEFORE = rule("text.reference_before")
_OVER_TIME = rule("text.over_time")


def _subject_first(sent: Span, mentions: Sequence[Mention], arms: list[str]) -> list[str]:
    """"Compared with B, A had fewer X (5% vs 9%)": a sentence that opens on the arm it compares
    with lists the values of its subject first, so the two arms swap places."""
    if len(arms) != 2 or not _FRONTED_COMPARISON.search(sent[: mentions[0].start].text):
        return arms
    second = next(m for m in mentions if m.arm != mentions[0].arm)
    if not any(t.text == "," for t in sent[mentions[0].end : second.start]):
        return arms
    return [arms[1], arms[0]]


def _labelled_values(sent: Span, values: Sequence[Found], mentions: Sequence[Mention]) -> list[tuple[Found, str]]:
    """"(75% intervention versus 84% control)": every value followed at once by an arm's name, the
    next value by another's."""
    starts = {m.start: m.arm for m in mentions}
    arms = [starts.get(v.end) for v in values]
    if len(values) < 2 or None in arms or any(a == b for a, b in zip(arms, arms[1:], strict=False)):
        return []
    return list(zip(values, arms, strict=True))  # type: ignore[arg-type]


def _assign(values: Sequence[Found], mentions: Sequence[Mention], *, before_first: bool) -> list[tuple[Found, str]]:
    """Give each value the arm named next to it, looking first before it (or first after it)."""
    pairs = []
    for i, value in enumerate(values):
        before = _mention_before(value, values[i - 1] if i else None, mentions)
        after = _mention_after(value, values[i + 1] if i + 1 < len(values) else None, mentions)
        arm = (before or after) if before_first else (after or before)
        if arm is not None:
            pairs.append((value, arm.arm))
    return pairs


def _consistency(pairs: list[tuple[Found, str]]) -> int:
    """How many values a reading ties to arms without giving one arm two values in a row."""
    score = 0
    for k, (_, arm) in enumerate(pairs):
        score += 1 if k == 0 or pairs[k - 1][1] != arm else -1
    return score


def _respectively(sent: Span, values: Sequence[Found], mentions: Sequence[Mention]) -> list[tuple[Found, str]] | None:
    """"a, b and c for A, B and C, respectively": the n-th value goes to the n-th arm named (a value
    in brackets among more values than arms defines the outcome: "response (a fall of over 50%)")."""
    if len(values) > 2:
        listed = [v for v in values if not _in_brackets(sent, v)]
        if 2 <= len(listed) < len(values):
            return _respectively(sent, listed, mentions)
    stop = next((i for i in range(values[-1].end, len(sent)) if sent[i].text == ";" or sent[i].lower_ in
                 _CLAUSE_BREAKS), len(sent))
    start = max((i for i in range(0, values[0].start) if sent[i].text == ";" or sent[i].lower_ in
                 _CLAUSE_BREAKS), default=0)
    arms_after = _distinct(m for m in mentions if values[-1].end <= m.start < stop)
    arms_before = _distinct(m for m in mentions if start <= m.start and m.end <= values[0].start)
    for arms in (arms_after, arms_before):
        if len(arms) == len(values) >= 2:
            return list(zip(values, arms, strict=True))
    return None


def _in_brackets(sent: Span, value: Found) -> bool:
    return _bracket_opened(sent, value.start) is not None


def _distinct(mentions: Iterator[Mention]) -> list[str]:
    names = [m.arm for m in mentions]
    return names if len(set(names)) == len(names) else []


def _mention_before(value: Found, previous: Found | None, mentions: Sequence[Mention]) -> Mention | None:
    limit = previous.end if previous else value.start - _REACH_BEFORE
    near = [m for m in mentions if limit <= m.start and m.end <= value.start]
    return near[-1] if near else None


def _mention_after(value: Found, following: Found | None, mentions: Sequence[Mention]) -> Mention | None:
    limit = following.start if following else value.end + _REACH_AFTER
    near = [m for m in mentions if m.start >= value.end and m.end <= limit]
    return near[0] if near else None


def _groups(pairs: list[tuple[Found, str]]) -> Iterator[list[tuple[Found, str]]]:
    """Split pairs into results: a new result starts when an arm would get a second value."""
    group: list[tuple[Found, str]] = []
    for value, arm in pairs:
        kind = _kind(value)
        if group and (arm in {a for _, a in group} or kind != _kind(group[0][0])):
            yield group
            group = []
        group.append((value, arm))
    if group:
        yield group


def _kind(value: Found) -> str:
    return "continuous" if value.label == "SUMMARY" else "binary"


def _result(
    sent: Span,
    group: list[tuple[Found, str]],
    found: list[Found],
    where: tuple[str, str],
    dispersion: str | None,
    skip: frozenset[int],
    start: int = 0,
) -> Result | None:
    section, label = where
    if len({arm for _, arm in group}) < 2:
        return None
    first, last = group[0][0], group[-1][0]
    kind = _kind(first)
    clause = _clause(sent, group, found, start)
    spread = _dispersion(span_text(sent), dispersion)
    values = tuple(_arm_value(sent, v, arm, section, label, spread) for v, arm in group)
    if kind == "continuous" and _MEDIAN.search(clause) and not _MEAN.search(clause):
        values = tuple(_as_median(v) for v in values)
    if kind == "continuous" and any(v.mean is None and v.median is None for v in values):
        return None
    p, effect = _stats_after(sent, found, last.end)
    outcome = outcome_phrase(sent, first.start, skip, first.label == "COUNT", start)
    if first.label == "COUNT" and all(w.lower() in _PEOPLE for w in outcome.split()):
        outcome = _predicate_after(sent, last.end, skip) or outcome
    return Result(
        outcome=outcome,
        kind=kind,  # type: ignore[arg-type]
        values=values,
        context=clause,
        source="text",
        timepoint=timepoint_of(found, first.start),
        subgroup=subgroup_of(span_text(sent)),
        p_value=p.value if p else None,
        p_operator=p.relation if p else None,
        effect_measure=effect.measure if effect else None,
        effect=effect.value if effect else None,
        ci_low=effect.interval.low if effect and effect.interval else None,
        ci_high=effect.interval.high if effect and effect.interval else None,
        ci_level=effect.interval.level if effect and effect.interval else None,
        is_baseline=bool(_BASELINE.search(span_text(sent)) or _BEFORE_TREATMENT.search(clause)
                         or _DEMOGRAPHIC.match(outcome)) or _baseline_heading(label),
        evidence=(evidence_of(sent, 0, len(sent), section, label),),
    )


def _baseline_heading(label: str) -> bool:
    """A sentence under a heading about the groups at entry ("Results > Patients' characteristics")."""
    heading = label.rsplit(" > ", 1)[-1]
    return bool(_BASELINE_HEADING.search(heading)) and not _NOT_BASELINE_HEADING.search(heading)


_BASELINE_HEADING = rule("reader.baseline_table")
_NOT_BASELINE_HEADING = rule("reader.not_baseline_table")


_MEDIAN = rule("text.median")
_MEAN = rule("text.mean")


def _as_median(value: ArmValue) -> ArmValue:
    """A value the sentence calls a median: never a mean, and its interval not an SD."""
    from dataclasses import replace

    centre = value.mean if value.mean is not None else value.median
    dispersion = value.dispersion if value.dispersion in ("iqr", "range") else "unknown"
    return replace(value, mean=None, sd=None, se=None, median=centre, dispersion=dispersion)


def _clause(sent: Span, group: list[tuple[Found, str]], found: list[Found], start: int = 0) -> str:
    """The sentence from ``start`` up to the group's last value and the statistics right after it;
    from the item the values are given for when the sentence lists one ("..., including X (155/406 ...)")."""
    end = _clause_end(group, found)
    items = (t.i - sent.start for t in sent[start : group[0][0].start] if t.lower_ in _ITEM_FOLLOWS)
    return sent[max(items, default=start) : end].text


def _clause_end(group: list[tuple[Found, str]], found: list[Found]) -> int:
    """Where a group's statement ends: its last value and the statistics right after it."""
    end = group[-1][0].end
    for f in found:
        if f.start >= end and f.label in ("P_VALUE", "EFFECT", "CI") and f.start - end <= 4:
            end = f.end
    return end


_ITEM_FOLLOWS = words("item_follows")


def _dispersion(text: str, default: str | None) -> str | None:
    if _SE_WORDS.search(text):
        return "se"
    if _SD_WORDS.search(text):
        return "sd"
    return default


def _arm_value(sent: Span, value: Found, arm: str, section: str, label: str, spread: str | None) -> ArmValue:
    ev = (evidence_of(sent, value.start, value.end, section, label),)
    v = value.value
    if isinstance(v, Proportion):
        return ArmValue(arm, events=v.events, total=v.total, percent=v.percent, evidence=ev,
                        rule_ids=(value.rule_id,))
    if isinstance(v, int):  # a count written out
        return ArmValue(arm, events=v, evidence=ev, rule_ids=(value.rule_id,))
    assert isinstance(v, Summary)
    if spread is None and value.rule_id.startswith("mean_pm_sd"):
        spread = "sd"  # "mean ± x" with nothing saying otherwise: the SD, as nearly always
    return summary_value(v, arm, spread, ev, value.rule_id)


def summary_value(v: Summary, arm: str, spread: str | None, ev: tuple[Evidence, ...], rule_id: str) -> ArmValue:
    """An arm's value from a read summary, its spread resolved by what the context says."""
    dispersion = v.dispersion
    if dispersion == "unknown" and spread in ("sd", "se") and v.spread is not None:
        dispersion = spread
    if dispersion == "unknown" and spread in ("iqr", "range", "ci") and v.low is not None and v.spread is None:
        dispersion = spread
    if dispersion in ("sd", "se"):
        return ArmValue(arm, mean=v.centre, sd=v.spread if dispersion == "sd" else None,
                        se=v.spread if dispersion == "se" else None, dispersion=dispersion,
                        evidence=ev, rule_ids=(rule_id,))
    if dispersion in ("iqr", "range"):
        return ArmValue(arm, median=v.centre, low=v.low, high=v.high, dispersion=dispersion,
                        evidence=ev, rule_ids=(rule_id,))
    if dispersion == "ci":
        return ArmValue(arm, mean=v.centre, low=v.low, high=v.high, dispersion="ci", evidence=ev,
                        rule_ids=(rule_id,))
    return ArmValue(arm, mean=v.centre, dispersion="unknown", evidence=ev, rule_ids=(rule_id,))


def _stats_after(sent: Span, found: list[Found], position: int) -> tuple[PValue | None, Effect | None]:
    """The p-value and the effect given after ``position``; an effect without its interval takes the
    CI right after it ("odds ratio 2.6, 95% CI 1.2-5.1"), and an estimate read as a centre with its
    CI takes the measure its clause names ("odds ratio 2.6 (95% CI 1.2-5.1)")."""
    p = next((f.value for f in found if f.label == "P_VALUE" and f.start >= position), None)
    at = next((k for k, f in enumerate(found)
               if f.start >= position and (f.label == "EFFECT" or _is_estimate(sent, f))), None)
    if at is None:
        return p, None  # type: ignore[return-value]
    if found[at].label != "EFFECT":
        centre: Summary = found[at].value  # type: ignore[assignment]
        measure = named_measure(sent, found[at].start)
        return p, Effect(measure, centre.centre, Interval(centre.low, centre.high))  # type: ignore[arg-type]
    effect, after = found[at].value, found[at + 1] if at + 1 < len(found) else None
    if effect.interval is None and after is not None and after.label == "CI" and after.start - found[at].end <= 1:
        effect = replace(effect, interval=after.value)
    return p, effect  # type: ignore[return-value]


def timepoint_of(found: list[Found], position: int) -> str | None:
    before = [f for f in found if f.label == "TIMEPOINT" and f.end <= position]
    tp = before[-1] if before else next((f for f in found if f.label == "TIMEPOINT"), None)
    return str(tp.value) if tp and isinstance(tp.value, Timepoint) else None


def subgroup_of(text: str) -> str | None:
    m = _SUBGROUP.search(text)
    return m.group(1).strip() if m else None


def outcome_phrase(sent: Span, value_start: int, skip: frozenset[int] = frozenset(),
                   count: bool = False, start: int = 0) -> str:
    """Name the outcome a value reports: the words before it (from ``start``), or after it after
    "resulted in".

    Tokens in ``skip`` (arm mentions) are left out, and so is a subgroup ("in patients with ...").
    """
    lead = max(label_end(sent), start)
    before = [t for t in sent[lead:value_start] if t.i - sent.start not in skip]
    verb_at = max((i for i, t in enumerate(before) if t.lower_ in _OUTCOME_FOLLOWS), default=None)
    if count and value_start == lead or verb_at is not None and verb_at >= len(before) - 3:
        words = _after_value(sent, value_start, skip)
    else:
        words = _before_value(before)
    phrase = " ".join(words).strip(" ,;:-")
    sub = _SUBGROUP.search(phrase)
    if sub and sub.start() > 0:
        phrase = phrase[: sub.start()].strip(" ,;:-")
    return _rejoin(_detokenise(phrase), span_text(sent)) or span_text(sent)


def _rejoin(phrase: str, text: str) -> str:
    """Words the sentence writes joined ("ICIQ-SF", "follow-up", "mg/kg"), joined again after tokenising;
    quote marks standing alone (one of a pair the phrase cut) left out."""
    phrase = " ".join(w for w in phrase.split() if w not in _QUOTES)
    return _SPACED_JOINER.sub(lambda m: m.group(1) + m.group(2) + m.group(3)
                              if m.group(1) + m.group(2) + m.group(3) in text else m.group(0), phrase)


_SPACED_JOINER = rule("text.spaced_joiner")
_QUOTES = frozenset('"“”‘’«»')


def label_end(sent: Span) -> int:
    """Where a sentence starts after a structured-abstract label ("RESULTS:")."""
    for i, tok in enumerate(sent[:6]):
        if tok.text == ":":
            return i + 1 if all(t.is_upper or t.is_space for t in sent[:i]) else 0
    return 0


def _detokenise(text: str) -> str:
    return _SPACE_BEFORE_CLOSE.sub(lambda m: m.group(1) or m.group(2), text)


def mention_tokens(sent: Span, mentions: Sequence[Mention]) -> frozenset[int]:
    """Relative indexes of the tokens of arm mentions, with a "group" or "arm" right after them."""
    out: set[int] = set()
    for m in mentions:
        out.update(range(m.start, m.end))
        if m.end < len(sent) and sent[m.end].lower_ in ("group", "groups", "arm", "arms"):
            out.add(m.end)
    return frozenset(out)


def _before_value(before: list) -> list[str]:
    # From the last clause boundary before the value, dropping a leading time phrase.
    start = max((i + 1 for i, t in enumerate(before) if t.text in (";", ":") or t.lower_ in
                 ("whereas", "while", *_ITEM_FOLLOWS)), default=0)
    words = [t.text for t in before[start:]]
    if "," in words[:-1] and _is_time_phrase(words[: words.index(",")]):
        words = words[words.index(",") + 1 :]
    if "," in words[:-1] and all(w.lower() in _OPENERS for w in words[: words.index(",")]):
        words = words[words.index(",") + 1 :]  # "However, pain ...", "In addition, the mean ..."
    return _trim(_before_start_point(words))


_OPENERS = words("discourse_openers")


def _before_start_point(words: list[str]) -> list[str]:
    """A label without the value a change started from: "Grip strength rose from 20.1 ± 3.2 to"
    (or "rose in A (20.1 ± 3.2 to") names "Grip strength rose"."""
    for at, word in enumerate(words):
        rest = words[at + 1 :]
        if (word.lower() == "from" or word == "(") and any(_NUMBER_WORD.match(w) for w in rest) and all(
                _NUMBER_WORD.match(w) or w.lower() in _CHANGE_FILLERS for w in rest):
            return words[:at]
    return words


_NUMBER_WORD = rule("text.number_word")
_CHANGE_FILLERS = words("change_fillers")


def _after_value(sent: Span, value_start: int, skip: frozenset[int] = frozenset()) -> list[str]:
    words: list[str] = []
    for tok in sent[value_start:]:
        if not words and (tok.like_num or tok.text in "()[]%/" or tok.lower_ in ("no", "none")):
            continue
        if tok.text in ",;(" or tok.lower_ in _CLAUSE_END or tok.i - sent.start in skip:
            break
        words.append(tok.text)
    return _trim(words)


def _predicate_after(sent: Span, value_end: int, skip: frozenset[int]) -> str:
    """What counted people did or had, said after the last arm they are counted in: "one patient in A
    and four in B [were unable to finish the test]"."""
    arm_ends = [i + 1 for i in skip if i >= value_end]
    if not arm_ends:
        return ""
    words: list[str] = []
    for tok in sent[max(arm_ends) :]:
        if tok.text in ",;(" or tok.is_punct and tok.text != "-":
            break
        words.append(tok.text)
    return _detokenise(" ".join(words).strip())


def _is_time_phrase(words: list[str]) -> bool:
    text = " ".join(words).lower()
    return bool(_TIME_PHRASE.match(text))


_COPULAS = words("copulas")


def _trim(words: list[str]) -> list[str]:
    words = [w for w in words if w not in "()[]"]
    verb = next((i for i, w in enumerate(words) if w.lower() in _COPULAS), None)
    if verb is not None:  # "the mean duration of analgesia [was significantly longer in]", "as was [the rate]"
        before, after = words[:verb], words[verb + 1 :]
        words = before if _content_words(before) >= 2 or not _content_words(after) else after  # "Pain [was]"
    while words and (words[0].lower() in _TRIM_WORDS or words[0] in ",;:"):
        words = words[1:]
    while words and (words[-1].lower() in _TRIM_WORDS or words[-1] in ",;:("):
        words = words[:-1]
    return words


def _content_words(words: list[str]) -> int:
    return sum(w.isalpha() and w.lower() not in _TRIM_WORDS for w in words)


def evidence_of(sent: Span, start: int, end: int, section: str, label: str) -> Evidence:
    """Evidence of tokens ``start:end`` of a sentence, its text taken from the original passage.

    The pipeline reads a folded copy of the text (mid-dots as full stops, Unicode minus as "-");
    the folding keeps every offset, so the evidence slices the original exactly.
    """
    span = sent[start:end]
    original = sent.doc.user_data.get("original")
    if original is None:
        original = sent.doc.text
    return Evidence(section, original[span.start_char : span.end_char], span.start_char, span.end_char, label)


_NONE = rule("text.none_observed")
_ALL_WITHOUT = rule("text.all_without")
_MAY_SAY_NONE = cue_filter(["text.none_observed", "text.all_without", "text.there_were_no"])
_THERE_WERE_NO = rule("text.there_were_no")
_ALL_ARMS_WORDS = words("all_arms_words")
_NO_ITEMS = rule("text.no_items")
_EITHER = rule("text.either")
_NOT_EVENT = rule("text.not_event")
_PEOPLE_WITH = rule("text.people_with")
_CASES_OF = rule("text.cases_of")
_SPACE_BEFORE_CLOSE = rule("text.space_before_close")
_TIME_PHRASE = rule("text.time_phrase")


def zero_event_results(sent: Span, lexicon: ArmLexicon, *, section: str, label: str) -> list[Result]:
    """"No serious adverse events were observed in either group": zero events in every arm.

    Read only when the sentence holds no numbers and names no single arm, so the statement is
    about all groups; the outcome is what the sentence says did not happen.
    """
    text = span_text(sent)
    if not _MAY_SAY_NONE(text) or len(lexicon.arms) < 2 or any(t.like_num for t in sent):
        return []
    whats = _none_happened(text, sent, lexicon)
    ev = (evidence_of(sent, 0, len(sent), section, label),)
    values = tuple(ArmValue(a.name, events=0, evidence=ev, rule_ids=("none_in_any_group",)) for a in lexicon.arms)
    return [Result(outcome=what, kind="binary", values=values, context=text, source="text", evidence=ev)
            for what in whats]


def _none_happened(text: str, sent: Span, lexicon: ArmLexicon) -> list[str]:
    """What a sentence says happened in no group ("no serious adverse events were observed",
    "there were no cases of ketoacidosis and no serious adverse events")."""
    m = _NONE.search(text)
    what, whole = (m.group("what"), bool(_EITHER.search(m.group("where"))) or not lexicon.mentions(sent)) if m \
        else (None, False)
    if not what:
        m = _ALL_WITHOUT.search(text)
        what, whole = (m.group("what"), True) if m else (None, False)
    if what and whole and not _NOT_EVENT.search(what):
        return [_PEOPLE_WITH.sub("", what.strip())]
    m = _THERE_WERE_NO.search(text)
    named = {x.arm for x in lexicon.mentions(sent) if sent[x.start : x.end].text.lower() not in _ALL_ARMS_WORDS}
    if not m or (named and not _EITHER.search(text)):
        return []
    items = (_CASES_OF.sub("", item.strip())
             for item in _NO_ITEMS.split(m.group("what")))
    return [item for item in items if len(item) >= 3 and not _NOT_EVENT.search(item)]
