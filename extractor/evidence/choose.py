"""Which result answers a sheet's outcome: scoring how well results name it, and choosing one.

Every result giving both arms a value gets a score for how well its label and context name the
outcome (:func:`outcome_score`). The choice between them is a model learned from data
(``extractor/nlp/choice_model.json``, fitted by ``scripts/train_choice.py``): each candidate is seen
through :data:`FEATURES` (how it names the outcome, its time point against the outcome's others,
where it was read, what it gives, and against each rival saying other numbers, its margin and the
rules reviewers follow: the last time point, a label naming the outcome over a caption that does, the
outcome's own phrase, values over changes from baseline, intention-to-treat over per-protocol, the
total over its parts); a ranking puts one first, and a confidence gives the probability that it is
right. Below the model's threshold the values stay blank.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractor.errors import ExtractionError
from extractor.evidence.compare import percent_agrees, side
from extractor.evidence.model import Arm, Result
from extractor.evidence.similarity import coverage, expand, matched, normalise, terms, weight
from extractor.nlp import grammar
from extractor.nlp.rules import parse_timepoint, untimed

MIN_OUTCOME_SCORE = grammar.weight("choose.min_outcome_score")
FINAL_LEAD = grammar.weight("choose.final_lead")
_CONTEXT_SHARE = grammar.weight("choose.context_share")
_LABEL_CONTEXT_SHARE = grammar.weight("choose.label_context_share")
_MIN_CONTEXT_FOR_REVERSE = grammar.weight("choose.min_context_for_reverse")

Candidate = tuple[float, Result]

_NOT_OUTCOME = grammar.words("not_outcome") | grammar.words("direction_words")


def outcome_terms(text: str) -> tuple[str, ...]:
    """The terms of a phrase that say what is measured (not units, statistics, times or which way
    it went)."""
    return tuple(t for t in terms(text) if t not in _NOT_OUTCOME and not t.isdigit() and not _TIME_TERM.match(t))


_TIME_TERM = grammar.rule("choose.time_term")


def outcome_score(query: str, result: Result, abbreviations: Mapping[str, str]) -> float:
    """How well a result names the sheet's outcome (0..1): its own label first, then its context.
    A label whose qualifier contradicts the outcome's ("Total cholesterol" for "HDL cholesterol")
    scores 0. An outcome that lists several ("duration of surgery or cross-clamp time") is answered
    a little less well by a label naming all of one of them and little else ("Duration of surgery")."""
    whole = _outcome_score(query, result, abbreviations)
    parts = listed_outcomes(query)
    if whole >= _PART_SHARE or len(parts) < 2:
        return whole
    label = outcome_terms(expand(result.outcome, abbreviations))
    if contradicts(outcome_terms(expand(query, abbreviations)), label):
        return whole
    named = any(_names_all(outcome_terms(expand(p, abbreviations)), label) for p in parts)
    return _PART_SHARE if named else whole


_PART_SHARE = grammar.weight("choose.part_share")
_PART_LABEL_SHARE = grammar.weight("choose.part_label_share")
_LIST_BREAK = grammar.rule("choose.list_break")
_BRACKETED = grammar.rule("choose.bracketed")


def listed_outcomes(query: str) -> tuple[str, ...]:
    """The outcomes a sheet's phrase lists, split at commas, "and" and "or" outside brackets; a
    part that names nothing measured ("12 months" of "at 6 and 12 months") is left out."""
    parts = _LIST_BREAK.split(_BRACKETED.sub(" ", query))
    return tuple(p.strip() for p in parts if any(weight(t) == 1 for t in outcome_terms(p)))


def _names_all(part: tuple[str, ...], label: tuple[str, ...]) -> bool:
    """Whether a label names every word of a listed outcome, and most of its own words are in it."""
    return bool(part) and coverage(part, label) == 1.0 and coverage(label, part) >= _PART_LABEL_SHARE


def _outcome_score(query: str, result: Result, abbreviations: Mapping[str, str]) -> float:
    q = outcome_terms(expand(query, abbreviations))
    main = outcome_terms(expand(result.outcome, abbreviations))
    if contradicts(q, main):
        return 0.0
    context = set(outcome_terms(expand(result.context, abbreviations))) | set(main)
    forward = coverage(q, main)
    in_context = coverage(q, context)
    reverse = coverage(main, q) if main else 0.0
    both = _LABEL_CONTEXT_SHARE * in_context + _LABEL_CONTEXT_SHARE * reverse
    return max(forward, _CONTEXT_SHARE * in_context, both if in_context >= _MIN_CONTEXT_FOR_REVERSE else 0.0)


_CONTRASTS = tuple(frozenset(group.split()) for group in grammar.word_list("contrasting_qualifiers"))


def contradicts(query: Iterable[str], label: Iterable[str]) -> bool:
    """Whether the label says one qualifier of a group and the query only others of it ("ldl"
    against "hdl", "diastolic" against "systolic")."""
    q, lab = set(query), set(label)
    return any(q & group and lab & group and not q & lab & group for group in _CONTRASTS)


# --- time points ------------------------------------------------------------------------------

_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.4, "year": 365, "visit": 1}
_END_OF_TREATMENT = grammar.rule("choose.end_of_treatment")
_NUMBERED_TIME = grammar.rule("choose.numbered_time")


def time_rank(result: Result) -> float | None:
    """When a result was measured, in days; the end of treatment ("post-test") ranks after any
    dated follow-up, as reviewers take it for the trial's outcome."""
    if result.is_baseline:
        return -1.0
    tp = parse_timepoint(result.timepoint or "")
    if tp:
        return tp.value * _UNIT_DAYS[tp.unit]
    if _END_OF_TREATMENT.search(result.context):
        return math.inf
    numbered = _NUMBERED_TIME.findall(result.context)
    return float(numbered[-1]) if len(set(numbered)) == 1 else None


def prefer_final(candidates: list[Candidate]) -> list[Candidate]:
    """Among results of one outcome at several time points, the last one reviewers take gets a lead
    (the order in which ``check`` looks for a cell's value; the choice weighs ``final`` itself)."""
    finals = _finals(candidates)
    return [(score + FINAL_LEAD if finals.get(id(result)) else score, result) for score, result in candidates]


# --- choosing ---------------------------------------------------------------------------------


class _Chooser:
    """What the preferences need to know about the query, computed once per choice."""

    def __init__(self, query: str, abbreviations: Mapping[str, str], arms: Mapping[str, Arm]) -> None:
        self.query = query
        self.abbreviations = abbreviations
        self.arms = arms
        self.q = outcome_terms(expand(query, abbreviations))
        self.phrase = _LEADING_ARTICLE.sub("", normalise(query))
        self._fit: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def fit(self, result: Result) -> tuple[frozenset[str], frozenset[str]]:
        """(query words a result matches, words of its own label the query does not have)."""
        if id(result) not in self._fit:
            label = set(outcome_terms(expand(result.outcome, self.abbreviations)))
            words = label | set(outcome_terms(expand(result.context, self.abbreviations)))
            extra = frozenset(t for t in label if not matched((t,), set(self.q)))
            self._fit[id(result)] = (matched(self.q, words), extra)
        return self._fit[id(result)]

    def in_label(self, result: Result) -> frozenset[str]:
        """Query words the result's own label matches (words of three letters or more)."""
        label = set(outcome_terms(expand(result.outcome, self.abbreviations)))
        return frozenset(t for t in matched(self.q, label) if len(t) >= 3)

    def verbatim(self, result: Result) -> bool:
        """Whether the result's label or sentence holds the sheet's outcome word for word."""
        return len(self.phrase.split()) >= 2 and (
            self.phrase in normalise(result.outcome) or self.phrase in normalise(result.context))


def choose(candidates: list[Candidate], query: str = "", abbreviations: Mapping[str, str] | None = None,
           arms: Mapping[str, Arm] | None = None) -> Candidate | None:
    """The candidate the choice model ranks first, with the probability that it is right in place of
    its score; None when that probability is below the model's threshold."""
    if not candidates:
        return None
    model = choice_model()
    numbers = [fill_numbers(r, arms or {}) for _, r in candidates]
    rivals = rivals_of(numbers)
    views = features(candidates, query, abbreviations, arms, rivals=rivals, numbers=numbers)
    scores = [model.rank_score(v) for v in views]
    k = _first(candidates, scores)
    probability = model.probability(row_view(views, scores, rivals, k))
    if probability < model.threshold:
        return None
    by_id = {id(r): n for (_, r), n in zip(candidates, numbers, strict=True)}
    return probability, _fullest(candidates[k], candidates, by_id)[1]


def ranked(candidates: list[Candidate], query: str = "", abbreviations: Mapping[str, str] | None = None,
           arms: Mapping[str, Arm] | None = None) -> list[Candidate]:
    """The candidates in the order the choice model ranks them, each with its rank score."""
    views = features(candidates, query, abbreviations, arms)
    scored = [(choice_model().rank_score(v), r) for v, (_, r) in zip(views, candidates, strict=True)]
    return sorted(scored, key=lambda c: (-c[0], c[1].order))


def _first(candidates: list[Candidate], scores: list[float]) -> int:
    """The candidate ranked first; of equal scores, the one the text gives first."""
    return max(range(len(candidates)), key=lambda i: (scores[i], -candidates[i][1].order))


# What the confidence sees of a row: the rank score of its first candidate, its lead over the best
# candidate saying other numbers, whether none does, how many candidates there are, and the first
# candidate's features.
_MAX_LEAD = 5.0


def row_view(views: list[dict[str, float]], scores: list[float], rivals: list[list[int]], k: int) -> dict[str, float]:
    """The features the confidence weighs for a row whose first candidate is ``k``."""
    others = [scores[j] for j in rivals[k]]
    lead = min(scores[k] - max(others), _MAX_LEAD) if others else _MAX_LEAD
    return {"top": scores[k], "lead": lead, "alone": float(not others), "candidates": math.log1p(len(views)),
            **{f"first_{f}": v for f, v in views[k].items() if not f.startswith(_NOT_FIRST)}}


@dataclass(frozen=True, slots=True)
class ChoiceModel:
    """The choice fitted by ``scripts/train_choice.py``: a ranking of a row's candidates (a weight per
    feature, learned from pairs of a right and a wrong candidate of one row), and a logistic
    regression giving the probability that the first-ranked candidate is right."""

    rank: Mapping[str, float]
    confidence: Mapping[str, float]
    intercept: float
    threshold: float

    def rank_score(self, view: Mapping[str, float]) -> float:
        return sum(w * view[f] for f, w in self.rank.items())

    def probability(self, row: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * row[f] for f, w in self.confidence.items())
        return 1.0 / (1.0 + math.exp(-z))


@cache
def choice_model() -> ChoiceModel:
    """The fitted model of ``extractor/nlp/choice_model.json``."""
    return read_choice_model(resources.files("extractor.nlp").joinpath("choice_model.json").read_text("utf-8"))


def read_choice_model(text: str) -> ChoiceModel:
    """A choice model from the JSON ``scripts/train_choice.py`` writes.

    :raises ExtractionError: when it is not that JSON, or was fitted on other features than
        :data:`FEATURES` and :data:`ROW_FEATURES`.
    """
    try:
        data = json.loads(text)
        rank, confidence = data["rank"], data["confidence"]
        model = ChoiceModel(rank, confidence["weights"], float(confidence["intercept"]), float(data["threshold"]))
    except (ValueError, KeyError, TypeError) as e:
        raise ExtractionError(f"choice_model.json is not a fitted choice model: {e}") from e
    if tuple(model.rank) != FEATURES or tuple(model.confidence) != ROW_FEATURES:
        raise ExtractionError("choice_model.json was fitted on other features: run scripts/train_choice.py")
    return model


def rivals_of(numbers: list[tuple]) -> list[list[int]]:
    """For each candidate, the others that fill in other numbers."""
    return [[j for j in range(len(numbers)) if j != k and not _same(numbers[j], numbers[k])]
            for k in range(len(numbers))]


def _same(a: tuple, b: tuple) -> bool:
    """Two results fill in the same numbers: one may lack the SDs the other gives, or give as a
    percentage ("78.2%") what the other counts (79/101)."""
    return len(a) == len(b) and all(_same_side(x, y) for x, y in zip(a, b, strict=True))


def _same_side(x: tuple, y: tuple) -> bool:
    if x[0] != y[0]:
        return False
    if x[1:4] == y[1:4] and (x[4] == y[4] or x[4] is None or y[4] is None):
        return True
    vx, vy = x[5], y[5]
    return percent_agrees(vx, vy) or percent_agrees(vy, vx)


def _fullest(chosen: Candidate, close: list[Candidate], numbers: dict[int, tuple]) -> Candidate:
    """Of results saying the chosen numbers, one that also gives their SDs, or their counts."""
    if _complete(numbers[id(chosen[1])]):
        return chosen
    same = (c for c in close if _same(numbers[id(c[1])], numbers[id(chosen[1])]) and _complete(numbers[id(c[1])]))
    return next(same, chosen)


_CHANGE = grammar.rule("choose.change")
_CHANGE_QUERY = grammar.rule("choose.change_query")
_ITT = grammar.rule("choose.itt")
_PER_PROTOCOL = grammar.rule("choose.per_protocol")
_WHOLE = grammar.rule("choose.whole")
_PART = grammar.rule("choose.part")
_LEADING_ARTICLE = grammar.rule("choose.leading_article")
_BARE_NUMBER = grammar.rule("choose.bare_number")


def _names_more(chooser: _Chooser, a: Result, b: Result) -> bool:
    """a names more of the outcome and nothing else ("Clicked on Results link" for "Results link")."""
    fa, fb = chooser.fit(a), chooser.fit(b)
    return bool(chooser.in_label(a)) and fa[0] >= fb[0] and fa[1] <= fb[1] and (fa[0] > fb[0] or fa[1] < fb[1])


def _more_of_it(chooser: _Chooser, a: Result, b: Result) -> bool:
    """a names all of the outcome b names and more, and adds only generic words ("Proportion
    responders" over "No change (%)" for "CGI-I response rate")."""
    fa, fb = chooser.fit(a), chooser.fit(b)
    return bool(chooser.in_label(a)) and fa[0] > fb[0] and all(weight(t) < 1 for t in fa[1])


def _its_numbers(chooser: _Chooser, a: Result, b: Result) -> bool:
    """a's label has the numbers naming the outcome ("IL-2" for "interleukin 2"), b's does not."""
    wanted = _numbers_in(chooser.query)
    return bool(wanted) and wanted <= _numbers_in(a.outcome) and not wanted <= _numbers_in(b.outcome)


def _numbers_in(text: str) -> frozenset[str]:
    return frozenset(_BARE_NUMBER.findall(untimed(text)))


_OWN_N = grammar.rule("choose.own_n")


def _whole_sample(chooser: _Chooser, a: Result, b: Result) -> bool:
    """The same outcome for everyone over the one for a subsample given its own n: "Snacks" over
    "Snacks (n=808)"."""
    return not _OWN_N.search(a.outcome) and bool(_OWN_N.search(b.outcome)) and \
        normalise(_OWN_N.sub("", b.outcome)) == normalise(a.outcome)


def _label_over_caption(chooser: _Chooser, a: Result, b: Result) -> bool:
    """a's own label names the outcome, b matches it more through its caption (and no more of it)."""
    la, lb = chooser.in_label(a), chooser.in_label(b)
    return bool(la) and lb < la and chooser.fit(a)[0] >= chooser.fit(b)[0]


def _own_phrase(chooser: _Chooser, a: Result, b: Result) -> bool:
    return chooser.verbatim(a) and not chooser.verbatim(b)


def _values_over_changes(chooser: _Chooser, a: Result, b: Result) -> bool:
    """Values at a time point over changes from baseline, unless the sheet asks for a change."""
    return not _CHANGE_QUERY.search(chooser.query) and not _CHANGE.search(a.outcome) and bool(
        _CHANGE.search(b.outcome))


def _itt_over_per_protocol(chooser: _Chooser, a: Result, b: Result) -> bool:
    """The intention-to-treat analysis over the per-protocol one, when both give their group sizes."""
    if _PER_PROTOCOL.search(chooser.query):
        return False
    sized = all(v.n or v.total for r in (a, b) for v in r.values if not chooser.arms or v.arm in chooser.arms)
    return sized and _only(_ITT, _PER_PROTOCOL, a.context) and _only(_PER_PROTOCOL, _ITT, b.context)


def _whole_over_parts(chooser: _Chooser, a: Result, b: Result) -> bool:
    """The total of a scale over its subscales, or "Total tibial plateau" over "Medial tibial
    plateau", when the sheet names no part."""
    if _PART.search(chooser.query) or not _WHOLE.search(a.outcome) or _WHOLE.search(b.outcome):
        return False
    if _PART.search(b.outcome):
        return True
    extra_a, extra_b = chooser.fit(a)[1], chooser.fit(b)[1]
    whole_words = {t for t in extra_a if _WHOLE.search(t)}
    return bool(whole_words) and extra_a - whole_words < extra_b


def _only(this: re.Pattern[str], other: re.Pattern[str], text: str) -> bool:
    return bool(this.search(text)) and not other.search(text)


_PREFERENCES: tuple[Callable[[_Chooser, Result, Result], bool], ...] = (
    _names_more, _more_of_it, _its_numbers, _label_over_caption, _own_phrase, _values_over_changes,
    _itt_over_per_protocol, _whole_over_parts, _whole_sample,
)


def has_counts(result: Result, arms: Mapping[str, Arm] | None) -> bool:
    """Whether a binary result states the counts of the arms asked about (not only percentages)."""
    wanted = [v for v in result.values if not arms or v.arm in arms]
    return result.kind != "binary" or all(v.events is not None for v in wanted)


def fill_numbers(result: Result, arms: Mapping[str, Arm] | None = None) -> tuple:
    """What a result would fill in for ``arms`` (all of its arms when not given), to tell real
    alternatives from the same numbers said twice: (arm, events, total, mean, sd, value) per arm."""
    arms = arms or {}
    out = []
    for v in result.values:
        if arms and v.arm not in arms:
            continue
        s = side(v, arms.get(v.arm))
        events = s.events
        if events is None and v.percent is not None and v.total is None and arms.get(v.arm) and arms[v.arm].n:
            # "20%" of 30 and "6/30" say the same; this only compares, it fills nothing in
            events = round(v.percent * arms[v.arm].n / 100)  # type: ignore[operator]
        out.append((v.arm, events, s.total or (arms[v.arm].n if v.arm in arms else None), s.mean, s.sd, v))
    return tuple(sorted(out, key=lambda x: x[0]))


# --- the learned choice -----------------------------------------------------------------------

# What the choice model sees of a candidate, against the other candidates for the same row. The
# preferences above are features here: for each, the share of rivals (candidates saying other
# numbers) it takes the candidate over, and the share it takes over the candidate.
_PREFERENCE_NAMES = tuple(p.__name__.strip("_") for p in _PREFERENCES)
FEATURES: tuple[str, ...] = (
    "score", "margin", "alone", "best", "rivals", "table", "abstract", "final", "earlier", "verbatim",
    "counts", "complete", "change", "binary", "forward", "in_context", "reverse", "subgroup", "primary",
    "p_value", "label_words", "results", "discussion", "sized", "position",
    *(f"wins_{n}" for n in _PREFERENCE_NAMES), *(f"loses_{n}" for n in _PREFERENCE_NAMES),
)
# (the first candidate's own features, but its wins and losses by each preference, which the
# ranking weighs)
_NOT_FIRST = ("wins_", "loses_")
ROW_FEATURES: tuple[str, ...] = ("top", "lead", "alone", "candidates",
                                 *(f"first_{f}" for f in FEATURES if not f.startswith(_NOT_FIRST)))
_NO_RIVAL_MARGIN = 0.5  # the margin of a candidate no other contradicts: as if well ahead


def features(candidates: list[Candidate], query: str, abbreviations: Mapping[str, str] | None = None,
             arms: Mapping[str, Arm] | None = None, *, rivals: list[list[int]] | None = None,
             numbers: list[tuple] | None = None) -> list[dict[str, float]]:
    """The model's view of each candidate (``FEATURES``), in the order given. Scores are the outcome
    scores before any lead for the last time point (``final`` says that)."""
    arms = arms or {}
    chooser = _Chooser(query, abbreviations or {}, arms)
    numbers = numbers if numbers is not None else [fill_numbers(r, arms) for _, r in candidates]
    rivals = rivals if rivals is not None else rivals_of(numbers)
    finals = _finals(candidates)
    top = max((s for s, _ in candidates), default=0.0)
    order = sorted(r.order for _, r in candidates)
    out = []
    for k, (score, result) in enumerate(candidates):
        mine = rivals[k]
        best_rival = max((candidates[j][0] for j in mine), default=None)
        row = {
            "score": min(score, 1.2),
            "margin": _NO_RIVAL_MARGIN if best_rival is None else max(-1.0, min(score - best_rival, _NO_RIVAL_MARGIN)),
            "alone": float(not mine),
            "best": float(score >= top),
            "rivals": math.log1p(len(mine)),
            "table": float(result.source == "table"),
            "abstract": float(any(e.section == "abstract" for v in result.values for e in v.evidence)),
            "final": float(finals.get(id(result)) is True),
            "earlier": float(finals.get(id(result)) is False),
            "verbatim": float(chooser.verbatim(result)),
            "counts": float(has_counts(result, arms)),
            "complete": float(_complete(numbers[k])),
            "change": float(bool(_CHANGE.search(result.outcome)) and not _CHANGE_QUERY.search(query)),
            "binary": float(result.kind == "binary"),
            **_naming(chooser, result),
            "subgroup": float(result.subgroup is not None),
            "primary": float(result.is_primary is True),
            "p_value": float(result.p_value is not None),
            "label_words": math.log1p(len(result.outcome.split())),
            "results": float(_in_part(result, "result")),
            "discussion": float(_in_part(result, "discussion")),
            "sized": float(all(v.n or v.total for v in result.values if not arms or v.arm in arms)),
            "position": order.index(result.order) / max(1, len(order) - 1),
        }
        for name, rule in zip(_PREFERENCE_NAMES, _PREFERENCES, strict=True):
            share = 1.0 / len(mine) if mine else 0.0
            row[f"wins_{name}"] = share * sum(rule(chooser, result, candidates[j][1]) for j in mine)
            row[f"loses_{name}"] = share * sum(rule(chooser, candidates[j][1], result) for j in mine)
        out.append(row)
    return out


def _naming(chooser: _Chooser, result: Result) -> dict[str, float]:
    """How the result names the outcome: the share of the query's words its label holds, the share
    its label and context hold, the share of its label's words the query holds."""
    main = outcome_terms(expand(result.outcome, chooser.abbreviations))
    context = set(outcome_terms(expand(result.context, chooser.abbreviations))) | set(main)
    return {"forward": coverage(chooser.q, main), "in_context": coverage(chooser.q, context),
            "reverse": coverage(main, chooser.q) if main else 0.0}


def _in_part(result: Result, part: str) -> bool:
    """Whether a value of the result was read in a section whose heading names ``part``."""
    return any(part in (e.label or "").lower() for v in result.values for e in v.evidence)


def _finals(candidates: list[Candidate]) -> dict[int, bool]:
    """For results of an outcome reported at several time points: True for the last, False for the
    others (results reported once are not in it)."""
    times = {id(r): time_rank(r) for _, r in candidates}
    labels = {id(r): untimed(r.outcome) for _, r in candidates}
    out = {}
    for _, result in candidates:
        mine = times[id(result)]
        peers = [times[id(r)] for _, r in candidates if labels[id(r)] == labels[id(result)] and r is not result]
        if peers and mine is not None:
            out[id(result)] = all(p is not None and p < mine for p in peers)
    return out


def _complete(numbers: tuple) -> bool:
    """Whether numbers a result fills in give the SD of each mean and the count of each percentage."""
    return all((x[4] is not None or x[3] is None) and (x[5].events is not None or x[5].percent is None)
               for x in numbers)
