"""Which of a trial's arms a sheet's arm names mean, and how large they are.

A sheet names arms in its own words ("Laser therapy (Group I)", "Control", "metformin,
sitagliptin"); the trial names them in its own ("Group I", "placebo arm"). Names are matched by
group label, abbreviation, dose and shared words, and in a two-arm trial by role. A sheet name that
covers two of the trial's groups (a factorial cell) or the same arm as the other name (subgroups of
one arm) is left unmatched. Sheet arms the trial does not name get their size from what the text
says of its design, or stay unsized.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from extractor.evidence.arms import NOT_DISTINCTIVE as NOT_DISTINCTIVE_QUERY
from extractor.evidence.arms import acronym_of, distinctive_terms, doses, group_label, role_of, same_group
from extractor.evidence.model import Arm, Query
from extractor.evidence.similarity import coverage, expand, matched, terms
from extractor.evidence.sizes import Design
from extractor.nlp.grammar import rule, weight

__all__ = ["arm_score", "main_arms", "query_arms", "resolve_arm", "sheet_arm_name"]


def sheet_arm_name(text: str) -> str:
    """A sheet's arm as a name: entities decoded ("10&nbsp;mg"), spaces squeezed, the punctuation
    that ended it in a list dropped ("X;"), and the words saying the group received it ("received
    an X", "the X group"), or a sentence goes on after it ("X was given to ..."); a group said to
    receive something is named by its name, or by what it received where it has no name of its own."""
    name = _CLAUSE.sub("", _SPACES.sub(" ", html.unescape(text))).strip(" ;,.:")
    if m := _GROUP_RECEIVED.match(name):  # "the placebo group received X"; "another group received X"
        name = m.group("what") if _UNNAMED_GROUP.match(m.group("group")) else m.group("group")
    while (m := _RECEIVED.match(name)) and m.end() < len(name):
        name = name[m.end():]
    return name or text


def arm_score(query: str, arm: Arm, abbreviations: Mapping[str, str]) -> float:
    """How well an arm name from a sheet names one of the trial's arms (0..1)."""
    best = 0.0
    for name in (arm.name, *arm.aliases):
        if doses(query) and doses(name) and doses(query) != doses(name):
            continue
        ql, al = group_label(query) or _bare_label(query) or _bracketed_label(query), \
            group_label(name) or _bracketed_label(name)
        if ql and al:
            best = max(best, 1.0 if ql == al else 0.0)
            continue
        if same_group(query, name, abbreviations) or _acronym(query, name):
            q, a = terms(expand(query, abbreviations)), terms(expand(name, abbreviations))
            best = max(best, _SAME_GROUP_BASE + _SAME_GROUP_COVERAGE * coverage(q, a))  # saying more of the query wins
            continue
        q = [t for t in terms(expand(query, abbreviations)) if t not in NOT_DISTINCTIVE_QUERY]
        a = [t for t in terms(expand(name, abbreviations)) if t not in NOT_DISTINCTIVE_QUERY]
        if q and a and role_of(query) == role_of(name):
            best = max(best, _SHARED_TERMS * max(coverage(q, a), coverage(a, q)))
    if arm.description:  # a sheet naming the group by what it received
        q = [t for t in terms(expand(query, abbreviations)) if t not in NOT_DISTINCTIVE_QUERY]
        best = max(best, _SHARED_TERMS * coverage(q, terms(expand(arm.description, abbreviations))))
    return best


_BARE_LABEL = rule("sheet_arms.bare_label")
_BRACKETED_LABEL = rule("sheet_arms.bracketed_label")
_RECEIVED = rule("sheet_arms.received")
_CLAUSE = rule("sheet_arms.clause")
_GROUP_RECEIVED = rule("sheet_arms.group_received")
_UNNAMED_GROUP = rule("sheet_arms.unnamed_group")
_SPACES = rule("common.spaces")
_CAPITAL_WORD = rule("sheet_arms.capital_word")
_SAME_GROUP_BASE = weight("sheet_arms.same_group_base")
_SAME_GROUP_COVERAGE = weight("sheet_arms.same_group_coverage")
_SHARED_TERMS = weight("sheet_arms.shared_terms")
_MIN_ARM_SCORE = weight("sheet_arms.min_arm_score")
_MIN_ARM_LEAD = weight("sheet_arms.min_arm_lead")
_MIN_MERGE_SCORE = weight("sheet_arms.min_merge_score")


def _bare_label(query: str) -> str | None:
    """A sheet naming a group by its label alone: "H0 (saline)", "II (placebo)"."""
    m = _BARE_LABEL.match(query)
    return f"group {m.group(1).lower()}" if m else None


def _bracketed_label(name: str) -> str | None:
    """A group label with "group" after it, alone or in brackets: "laryngoscope (N group)"."""
    m = _BRACKETED_LABEL.match(name)
    return f"group {m.group(1).lower()}" if m else None


def _acronym(a: str, b: str) -> bool:
    """Whether one name is an acronym of words of the other ("NBT group", "nature-based therapy")."""
    for short, long in ((a, b), (b, a)):
        for tok in _CAPITAL_WORD.findall(short):
            if acronym_of(tok, long):
                return True
    return False


def resolve_arm(query: str, arms: Sequence[Arm], abbreviations: Mapping[str, str]) -> Arm | None:
    """The trial arm a sheet's arm name denotes, when one stands out: the one arm its group label
    names ("Group B: X 0.2 mg"), or the arm it names best."""
    labelled = _labelled(query, arms)
    if labelled is not None:
        return labelled
    scored = sorted(((arm_score(query, a, abbreviations), i) for i, a in enumerate(arms)), reverse=True)
    if not scored or scored[0][0] < _MIN_ARM_SCORE:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - _MIN_ARM_LEAD:
        return None
    best = arms[scored[0][1]]
    return None if _names_a_cell(query, best, arms, abbreviations) else best


def _labelled(query: str, arms: Sequence[Arm]) -> Arm | None:
    """The one arm called by the one group label a sheet arm gives."""
    label = group_label(query) or _bracketed_label(query)
    if label is None or len(set(_LABELS.findall(query))) > 1:
        return None
    named = [a for a in arms if label in {group_label(n) or _bracketed_label(n) for n in (a.name, *a.aliases)}]
    return named[0] if len(named) == 1 else None


def _names_a_cell(query: str, arm: Arm, arms: Sequence[Arm], abbreviations: Mapping[str, str]) -> bool:
    """Whether the sheet's name, besides ``arm``, names another arm too: a cell of a factorial
    design ("palmvitee nonsmokers" where "Non-smokers" and "Palmvitee" are both groups)."""
    def distinct(text: str) -> list[str]:
        return [t for t in terms(expand(text, abbreviations)) if t not in NOT_DISTINCTIVE_QUERY and not t.isdigit()]
    q = distinct(query)
    left = set(q) - matched(q, {t for n in (arm.name, *arm.aliases) for t in distinct(n)})
    return bool(left) and any(
        other is not arm and (words := distinct(other.name)) and len(matched(words, left)) == len(set(words))
        for other in arms)


def main_arms(arms: Sequence[Arm]) -> list[Arm]:
    """The arms whose size the paper states: the groups the trial compares (those its tables
    head, when they head some)."""
    sized = [a for a in arms if a.n is not None]
    tabled = [a for a in sized if a.in_tables]
    return tabled if len(sized) > 2 and len(tabled) >= 2 else sized


def by_role(query: Query, arms: Sequence[Arm], found: list[Arm | None]) -> list[Arm | None]:
    """Fill unresolved sheet arms from a two-arm trial: the other arm, or the arm of the same role."""
    main = main_arms(arms) or [a for a in arms if a.in_tables and _ROLE_NAMED.match(a.name)]
    if len(main) != 2 or all(found):
        return found
    if found[0] in main and found[1] is None:
        return [found[0], next(a for a in main if a is not found[0])]
    if found[1] in main and found[0] is None:
        return [next(a for a in main if a is not found[1]), found[1]]
    roles = {a.role: a for a in main}
    contrast = _subgroup_contrast(query.intervention, query.comparator)
    if found == [None, None] and len(roles) == 2 and role_of(query.intervention) != "control" \
            and (not contrast or _without_the_intervention(query, main)):
        return [roles["intervention"], roles["control"]]
    return found


_ROLE_NAMED = rule("arms.role_named")


def _without_the_intervention(query: Query, main: Sequence[Arm]) -> bool:
    """"Website with X" against "website without X" in a trial whose groups are its experimental and
    control conditions: the sheet names the conditions by what the experimental one adds."""
    return all(_ROLE_NAMED.match(a.name) for a in main) and bool(_NEGATION.search(query.comparator)) \
        and not _NEGATION.search(query.intervention)


_NEGATION = rule("sheet_arms.negation")


def _subgroup_contrast(intervention: str, comparator: str) -> bool:
    """"ICU-acquired weakness" against "without an ICU-AW diagnosis": patients, not arms."""
    shared = (set(terms(intervention)) & set(terms(comparator))) - NOT_DISTINCTIVE_QUERY
    return bool(shared) and bool(_NEGATION.search(comparator) or _NEGATION.search(intervention))


def _one_arm_per_sheet_arm(texts: tuple[str, str], arms: list[Arm], abbreviations: Mapping[str, str]) -> list[Arm]:
    """Two of the trial's arms that one sheet arm names together, by different words, and that have
    one size are one group the paper names twice ("rocuronium 0.9 mg/kg" and "R group", which
    the sheet calls "rocuronium 0.9 mg/kg (R group)"): merged, the first name kept."""
    for k in (0, 1):
        close = [a for a in arms if arm_score(texts[k], a, abbreviations) >= _MIN_MERGE_SCORE]
        if len(close) != 2 or close[0].n is None or close[0].n != close[1].n:
            continue
        first, second = close
        if any(arm_score(texts[1 - k], a, abbreviations) >= _MIN_ARM_SCORE for a in close) \
                or set(distinctive_terms(first.name)) & set(distinctive_terms(second.name)):
            continue
        merged = replace(first, aliases=(*first.aliases, second.name, *second.aliases),
                         in_tables=first.in_tables or second.in_tables)
        arms = [merged if a is first else a for a in arms if a is not second]
    return arms


def _holding(arms: Sequence[Arm], arm: Arm | None) -> Arm | None:
    """The arm of ``arms`` that is ``arm`` or holds its name since a merge."""
    if arm is None:
        return None
    return next((a for a in arms if a.name == arm.name or arm.name in a.aliases), None)


def _what_it_adds_to(intervention: str, comparator: str) -> bool:
    """Whether the comparator is what the intervention adds something to ("X diet" against "X diet
    with almonds"): the control condition, however it is named."""
    base = {t for t in terms(comparator) if t not in NOT_DISTINCTIVE_QUERY}
    return bool(base) and base < {t for t in terms(intervention) if t not in NOT_DISTINCTIVE_QUERY}


def _negated(
    texts: tuple[str, str], arms: Sequence[Arm], arm: Arm, abbreviations: Mapping[str, str]
) -> list[Arm | None]:
    """"X" against "without X" where X names an arm: the one without is the trial's one control arm.
    "X in patients without Y" is a subgroup of X's arm, not the control."""
    negations = [_NEGATION.search(t) for t in texts]
    controls = [a for a in arms if a.role == "control"]
    if sum(m is not None for m in negations) != 1 or arm.role == "control" or len(controls) != 1:
        return [arm, arm]
    k = 0 if negations[0] else 1
    if arm_score(texts[k][negations[k].end():], arm, abbreviations) < _MIN_ARM_SCORE:  # type: ignore[union-attr]
        return [arm, arm]
    return [controls[0], arm] if k == 0 else [arm, controls[0]]


def _unresolved(arms: list[Arm], texts: tuple[str, str]) -> tuple[tuple[Arm, ...], str, str]:
    new = [Arm(name=t, role=role_of(t)) for t in texts]  # type: ignore[arg-type]
    return (*arms, *new), texts[0], texts[1]


def _the_control(text: str, arms: Sequence[Arm], found: list[Arm | None]) -> Arm | None:
    """A sheet's "Control" or "Placebo" is the trial's one control arm, however it is named."""
    controls = [a for a in arms if a.role == "control" and a.n is not None and a not in found]
    return controls[0] if role_of(text) == "control" and len(controls) == 1 else None


#: ``near(text, other=...)``: the arm a trial's sentences name beside the words of a sheet arm's name
#: that the other sheet arm lacks, when one clearly leads; else None.
ArmNear = Callable[..., Arm | None]


def query_arms(query: Query, trial: Sequence[Arm], abbreviations: Mapping[str, str], design: Design,
               near: ArmNear) -> tuple[tuple[Arm, ...], str, str]:
    """The trial's arms with the sheet's names added: (arms, intervention arm, comparator arm).

    ``trial`` are the trial's arms, ``abbreviations`` those it defines, ``design`` what its text says
    of the groups, and ``near`` finds the arm a name keeps company with in its sentences.
    """
    query = replace(query, intervention=sheet_arm_name(query.intervention), comparator=sheet_arm_name(query.comparator))
    texts = (query.intervention, query.comparator)
    arms = _one_arm_per_sheet_arm(texts, list(trial), abbreviations)
    found = [resolve_arm(t, arms, abbreviations) for t in texts]
    for k in (0, 1):
        if found[k] is None:
            close = _holding(arms, near(texts[k], other=texts[1 - k]))
            found[k] = close if close is not None and close is not found[1 - k] else None
    if found[0] is not None and found[0] is found[1]:
        found = _negated(texts, arms, found[0], abbreviations)
    if found[0] is not None and found[0] is found[1]:
        return _unresolved(arms, texts)  # both name one arm: the sheet compares subgroups we do not know
    found = by_role(query, arms, found)
    found = [arm or _the_control(text, arms, found) for text, arm in zip(texts, found, strict=True)]
    found = [None if _pooled(text, trial, abbreviations) else arm for text, arm in zip(texts, found, strict=True)]
    split = design.per_group
    if split is not None and all(a.n in (None, split) for a in arms):  # no equal split where sizes differ
        arms = [a if a.n is not None else replace(a, n_randomised=split) for a in arms]
        found = [None if a is None else next(b for b in arms if b.name == a.name) for a in found]
    sizes = _sheet_arm_sizes(query, found, trial, abbreviations, design)
    names = []
    for text, arm, size in zip(texts, found, sizes, strict=True):
        if arm is None:
            role = "control" if text == texts[1] and _what_it_adds_to(texts[0], text) else role_of(text)
            new = Arm(name=text, role=role, n_randomised=size)  # type: ignore[arg-type]
            arms.append(new)
            names.append(new.name)
        else:
            i = next(k for k, a in enumerate(arms) if a.name == arm.name)
            arms[i] = replace(arms[i], aliases=(*arms[i].aliases, text))
            names.append(arm.name)
    return tuple(arms), names[0], names[1]


def _sheet_arm_sizes(query: Query, found: list[Arm | None], trial: Sequence[Arm], abbreviations: Mapping[str, str],
                     design: Design) -> list[int | None]:
    """Sizes for sheet arms that name no arm of the trial's: the sum of the arms a sheet arm lists,
    k equal groups, when every participant had both conditions all of them, and for "no treatment"
    in a trial without a control arm, the treated arm's patients before treatment."""
    texts = (query.intervention, query.comparator)
    sizes = [None if arm is not None else _listed_arms_size(text, trial, abbreviations, design)
             for text, arm in zip(texts, found, strict=True)]
    if design.per_group and len(trial) <= (design.groups or 0) \
            and all(a.n in (None, design.per_group) for a in trial) \
            and not _subgroup_contrast(query.intervention, query.comparator):
        sizes = [size if arm is not None or size else design.per_group for arm, size in zip(found, sizes,
                                                                                          strict=True)]
    if found == [None, None] and sizes == [None, None] and not any(a.n for a in trial) \
            and design.participants and not _ONE_SEX.search(query.outcome) \
            and (design.within_subject or all(_CONDITION.search(t) for t in texts)):
        sizes = [design.participants, design.participants]
    if found[1] is None and found[0] is not None and found[0].n and _UNTREATED.match(query.comparator) \
            and not any(a.role == "control" for a in trial):
        sizes[1] = found[0].n  # "no treatment" in a trial without a control arm: the same patients before
    return sizes


_UNTREATED = rule("sheet_arms.untreated")


_LIST = rule("sheet_arms.list")
_LABELS = rule("sheet_arms.labels")
_CONDITION = rule("sheet_arms.condition")
_ONE_SEX = rule("sheet_arms.one_sex")


def _pooled(text: str, trial: Sequence[Arm], abbreviations: Mapping[str, str]) -> bool:
    """Whether a sheet arm lists two or more of the trial's arms ("control, or HP, or MIX"): the
    arms pooled, which no one arm's numbers answer."""
    parts = [p for p in _LIST.split(text) if len(p.strip()) >= 2]
    if len(parts) < 2:
        return False
    found = {a.name for p in parts if (a := resolve_arm(p, trial, abbreviations)) is not None}
    return len(found) >= 2


def _listed_arms_size(text: str, trial: Sequence[Arm], abbreviations: Mapping[str, str],
                      design: Design) -> int | None:
    """The size of a sheet arm that lists trial arms ("metformin, sitagliptin"; "groups 1 and 2")."""
    labels = set(_LABELS.findall(text))
    if len(labels) >= 2:
        return len(labels) * design.per_group if design.per_group else None
    parts = [p for p in _LIST.split(text) if len(p.strip()) >= 2]
    if len(parts) < 2:
        return None
    arms = [resolve_arm(p, trial, abbreviations) for p in parts]
    if any(a is None or a.n is None for a in arms) or len({a.name for a in arms}) < len(arms):  # type: ignore[union-attr]
        return None
    return sum(a.n for a in arms)  # type: ignore[misc, union-attr]
