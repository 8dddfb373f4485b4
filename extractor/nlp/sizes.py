"""Group sizes as the text states them: "placebo (n = 30)", "64 patients received drug A", "two
groups of 25", "51 of 111 patients given X", "A total of 120 patients were randomised".

The phrasings are rules held as data (``patterns/sizes.jsonl``): a regular expression over the
sentence written with the lexicon's word classes (``{people}``, ``{count}``, ...), the kind of size it
states and where the group's name stands (a named part of the match, or the words before it). Each
rule carries a purpose, examples and counter-examples, and the tests run every one of them.

:func:`find_sizes` gives plain frozen :class:`SizeMention` records (no spaCy here): the number, its
kind, the group's name as written, the offsets of the phrase and the id of the rule that read it.
Sentences about events, losses or the planned sample size state no group size and are passed over
(a fraction "4 of 26 patients" is the one exception: its denominator is the group read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from extractor.errors import ExtractionError
from extractor.nlp.grammar import cue_filter, limit, word_list
from extractor.nlp.grammar import rule as grammar_rule
from extractor.nlp.grammar import words as word_class
from extractor.nlp.rules import fold

SizeKind = Literal["group", "analysed", "total", "total_analysed", "each"]


@dataclass(frozen=True, slots=True)
class SizeMention:
    """One size the text states: ``n`` people in ``group`` (None for the whole trial)."""

    n: int
    kind: SizeKind
    group: str | None
    start: int  # the phrase read (the group's name and its size), as offsets into the text given
    end: int
    rule: str
    groups: int | None = None  # "two groups of 25": how many groups are that size
    number: tuple[int, int] = (0, 0)  # where the number itself stands


@dataclass(frozen=True, slots=True)
class SizeRule:
    id: str
    purpose: str
    pattern: re.Pattern[str]
    kind: SizeKind
    name: Literal["group", "before", "none"]
    in_event_sentences: bool
    in_result_sentences: bool  # read where a word of results stands near the count ("12 responded")
    result_sentence_blocks: bool  # a word of results anywhere in the sentence stops the rule
    list_item: bool  # reads one item of a list of sized groups ("A (n = 40), B (n = 41)")
    names_a_role: bool  # the group it reads is named by a role ("25 healthy controls")
    needs: str | None  # a lexicon class one of whose words the sentence must hold
    cues: tuple[str, ...] | None  # words one of which every sentence the rule can read holds (a fast pre-filter)
    examples: tuple[dict[str, Any], ...]
    counter_examples: tuple[str, ...]

    def may_read(self, lowered: str) -> bool:
        """Whether a lower-cased sentence holds one of the rule's cue words (or the rule has none)."""
        return self.cues is None or any(cue in lowered for cue in self.cues)


# --- the pieces rules are written with -------------------------------------------------------------


def _alternation(words: tuple[str, ...]) -> str:
    """Words as a non-capturing alternation, longest first so that "women" is tried before "men"."""
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)) + ")"


@cache
def _pieces() -> dict[str, str]:
    """The pieces rules are written with: each lexicon class, and numbers in digits or words."""
    units, teens, tens = (_alternation(word_list(k)) for k in ("number_units", "number_teens", "number_tens"))
    below_100 = rf"(?:{tens}(?:[\s-]+{units})?|{teens}|{units})"
    hundreds = rf"(?:(?:{units}|a)\s+hundred(?:\s+(?:and\s+)?{below_100})?|{below_100})"
    words = rf"{hundreds}(?:\s+thousand(?:,?\s+(?:and\s+)?{hundreds})?)?"
    digits = (r"(?=\d)(?<![\d.,])(?<![A-Za-z]-)"
              r"(?:\d{1,3}(?:,\d{3})+(?!\d)|(?<![A-Za-z])\d{1,3}(?:\s\d{3})+(?![\d.,])|\d{1,6})"
              r"(?![.,]\d|\s*%|\d|/|\s+to\s+\d|\s*[-–]\s*\d)")  # nor a range's start: "20 to 80"
    # a number in words is no count where it opens or closes a range: "seven to ten years", "two or three"
    not_range = rf"(?!\s+(?:to|or)\s+(?:\d|{units}\b|{teens}\b|{tens}\b))"
    pieces = {name: rf"\b{_alternation(word_list(name))}\b" for name in _CLASSES_USED}
    # "sex- and age-matched": a word whose ending a later one shares
    pieces |= {"adjs": r"(?:(?!(?:of|and|or|in|were|was|to|with|than|from)\b)(?:[A-Z]\.\s)?"
                       r"(?:[A-Za-z][\w']*-\s+(?:and|or)\s+)?[A-Za-z][\w'-]*,?\s+){0,6}?",
               "digits": digits,
               # the share of the sample: "120 (46%) patients"
               "share": r"(?:\(\s*\d{1,3}(?:[.,]\d{1,2})?\s*%\s*\)\s+)?",
               "aside": r"(?:\s*\([^()]{1,50}\))?",  # an aside in brackets after a name: "(COPD)", "(mean age 60)"
               # a number word only at a word's start, never the tail of "three hundred and forty"
               "count": rf"(?:{digits}|\b(?=[otfsenaOTFSENA])(?<!hundred )(?<!hundred and )(?<!thousand )"
                        rf"(?<!thousand and )(?<!\bto )(?<!\bor ){words}\b(?![\s-]+(?:{units}|{teens})\b){not_range})",
               "numword": rf"\b(?=[otfsenaOTFSENA])(?<!\bto )(?<!\bor ){words}\b{not_range}",
               "not_value": r"(?<!±)(?<!±\s)(?<!-\s)(?<!/-\s)(?<!to\s)(?<!from\s)"
                            r"(?:(?<=total\sof\s)|(?<!of\s))(?<!by\s)"
                            r"(?<!week\s)(?<!day\s)(?<!month\s)(?<!year\s)(?<!visit\s)(?<!cycle\s)(?<!hour\s)",
               "event_next": r"(?!\s*(?:\([^)]*\)\s*)?,?\s*(?:who\s+)?(?:had|has|have|developed|experienced|showed|"
                             r"died|required|reported|achieved|complained|suffered|needed|presented|responded|"
                             r"were\s+(?:free|cured|alive|dead|"
                             r"lost|withdrawn|excluded))\b)"}
    return pieces


# The lexicon classes a size rule may name as a {placeholder}.
_CLASSES_USED = ("size_people", "alloc_verbs", "role_people", "sexes", "dose_units", "control_words")


def _expand(regex: str) -> str:
    pieces = _pieces()
    return re.sub(r"\{(\w+)\}", lambda m: pieces[m.group(1)] if m.group(1) in pieces else m.group(0), regex)


# --- the rules ------------------------------------------------------------------------------------


@cache
def size_rules() -> tuple[SizeRule, ...]:
    """The rules of ``patterns/sizes.jsonl``, in the order they are tried."""
    text = resources.files("extractor.nlp").joinpath("patterns/sizes.jsonl").read_text("utf-8")
    rules = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            pattern = re.compile(_expand(raw["regex"]), re.I if "I" in raw.get("flags", []) else 0)
            rules.append(SizeRule(raw["id"], raw["purpose"], pattern, raw["kind"], raw["name"],
                                  raw.get("in_event_sentences", False), raw.get("in_result_sentences", False),
                                  raw.get("result_sentence_blocks", False), raw.get("list_item", False),
                                  raw.get("names_a_role", False),
                                  raw.get("needs"), _cue_filter(raw.get("cues")), tuple(raw["examples"]),
                                  tuple(raw.get("counter_examples", ()))))
        except (KeyError, ValueError, re.error) as exc:
            raise ExtractionError(f"patterns/sizes.jsonl line {line_no}: {exc}") from exc
    return tuple(rules)


def size_rule(rule_id: str) -> SizeRule:
    """The size rule called ``rule_id``."""
    return _rules_by_id()[rule_id]


@cache
def _rules_by_id() -> dict[str, SizeRule]:
    return {r.id: r for r in size_rules()}


def _cue_filter(cues: str | list[str] | None) -> tuple[str, ...] | None:
    """The rule's pre-filter: its cue words (a list, or "@class" for a lexicon class), found as they are
    in the lower-cased sentence. Tests check that every example of a rule passes its filter."""
    if not cues:
        return None
    return tuple(w.lower() for w in (word_list(cues[1:]) if isinstance(cues, str) else cues))


# --- reading a text -------------------------------------------------------------------------------


def count_value(text: str) -> int | None:
    """The number a count states: "1,028", "12 651", "Thirty-six", "Three hundred and forty-seven"."""
    t = fold(text).strip().lower()
    if t.replace(",", "").replace(" ", "").isdigit():
        return int(t.replace(",", "").replace(" ", ""))
    values = _word_values()
    total, current, seen = 0, 0, False
    for word in t.replace("-", " ").split():
        if word == "and":
            continue
        if word == "a":
            current = 1
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total, current = (total + (current or 1)) * 1000, 0
        elif word in values:
            current += values[word]
        else:
            return None
        seen = True
    return total + current if seen else None


@cache
def _word_values() -> dict[str, int]:
    values = {w: i + 1 for i, w in enumerate(word_list("number_units"))}
    values |= {w: 10 + i for i, w in enumerate(word_list("number_teens"))}
    values |= {w: 20 + 10 * i for i, w in enumerate(word_list("number_tens"))}
    return values


def find_sizes(text: str, keep: Callable[[str], bool] | None = None,
               kinds: frozenset[str] | None = None) -> tuple[SizeMention, ...]:
    """Every group or trial size ``text`` states, each number read once (the first rule wins);
    with ``keep``, only in the sentences whose lower-cased text it keeps; with ``kinds``, only by the
    rules that read those kinds."""
    rules = [r for r in size_rules() if kinds is None or r.kind in kinds]
    folded = fold(text)
    found: list[SizeMention] = []
    taken: set[int] = set()  # where the numbers already read start
    for start, end in _sentences(folded):
        sentence = folded[start:end]
        lowered = sentence.lower()
        if not _has_number(lowered) or (keep is not None and not keep(lowered)):
            continue
        eventful, resultful = _has_cue("event_cues", _without_conditions(lowered)), _has_cue("result_cues", lowered)
        losses = _has_cue("loss_cues", lowered)
        breakdown: bool | None = None
        for rule in rules:
            if (eventful and not rule.in_event_sentences) or (resultful and rule.result_sentence_blocks):
                continue
            if not rule.may_read(lowered):
                continue
            if rule.needs and not _has_cue(rule.needs, sentence):
                continue
            if rule.name == "before":
                breakdown = _breakdown(sentence) if breakdown is None else breakdown
                if breakdown:
                    continue  # "rash (n = 71), fever (n = 36), ... (n = 2)" lists findings, not groups
            read: list[SizeMention] = []  # a rule may give one count to two groups ("108 each to A and B")
            for mention in _read(rule, sentence, start):
                if losses and not rule.in_event_sentences and _in_loss_clause(sentence, mention.number[0] - start):
                    continue  # "of 300 screened, ...": the clause counts those lost or left out
                if resultful and not rule.in_result_sentences and _near_result(sentence, mention, start):
                    continue  # "12 patients responded": a count of those with an outcome
                if mention.number[0] not in taken:
                    read.append(mention)
            found += read
            taken.update(m.number[0] for m in read)
    return _doses_named(sorted(found, key=lambda m: m.start), folded)


def _doses_named(mentions: list[SizeMention], text: str) -> tuple[SizeMention, ...]:
    """A group named by a dose alone takes the drug of the dose group listed before it in the same
    sentence: in "drug 10 mg (n = 120), 20 mg (n = 118)" the second group is "drug 20 mg"."""
    out: list[SizeMention] = []
    for m in mentions:
        dose = m.group is not None and dose_only(m.group)
        before = out[-1] if out else None
        if dose and before and before.group and _same_sentence(text, before.end, m.start):
            drug = _drug_of(before.group)
            if drug:
                m = replace(m, group=f"{drug} {m.group}")
        out.append(m)
    return tuple(out)


def dose_only(name: str) -> bool:
    """Whether a name is a dose alone: "40 mg", "0.3 mg/kg", "10 mg/day"."""
    words = name.lower().split()
    if len(words) != 2 or not _thousands(words[0]).replace(".", "", 1).isdigit():
        return False
    unit, _, per = words[1].partition("/")
    return unit in word_list("dose_units") and (not per or per in word_list("dose_rates"))


def _thousands(number: str) -> str:
    """"1,000" -> "1000": a comma between groups of three digits is no comma."""
    _, *groups = number.split(",")
    return number.replace(",", "") if groups and all(len(g) == 3 and g.isdigit() for g in groups) else number


def _drug_of(name: str) -> str | None:
    """The drug of a dose group's name: "telmisartan 40 mg" -> "telmisartan"; None if it names no dose."""
    words = name.split()
    if len(words) >= 3 and dose_only(" ".join(words[-2:])) and words[-3][:1].isalpha():
        return " ".join(words[:-2])
    return None


def _same_sentence(text: str, start: int, end: int) -> bool:
    return not any(c in text[start:end] for c in ".;\n")


def _read(rule: SizeRule, sentence: str, offset: int) -> Iterator[SizeMention]:
    matches = list(rule.pattern.finditer(sentence))
    before = _names_before(matches, sentence) if rule.name == "before" else {}
    for m in matches:
        if _counts_a_dose(rule, m):
            continue
        for suffix in ("", "2"):
            key = _count_key(rule, suffix)
            if key is None or m.group(key) is None:
                continue
            n = count_value(m.group(key))
            if not n or n < 2 or n > 1_000_000 or _a_year(m.group(key), sentence[m.end(key):]):
                continue
            kind: SizeKind | None = rule.kind
            group = before.get(m.start()) if rule.name == "before" else _group_of(rule, m, suffix)
            if kind in ("group", "analysed"):
                if group is None or _not_a_group(group, m, rule):
                    continue
                kind = _what_group(rule, m, sentence, suffix, kind)
                if kind is None:
                    continue
                if rule.name == "before" and shared_out(group, sentence[m.end() :]):
                    kind = "total"  # "Adults with asthma (n = 200) were randomised to ...": the sample the arms share
                group = None if kind == "total" else group
            k = count_value(m.group("k")) if "k" in rule.pattern.groupindex and m.group("k") else None
            start = m.start()
            if rule.name == "before" and group is not None:
                start = min(start, max(0, sentence.rfind(group, 0, m.start())))
            yield SizeMention(n, kind, group, offset + start, offset + m.end(), rule.id, k,
                              (offset + m.start(key), offset + m.end(key)))


def _count_key(rule: SizeRule, suffix: str) -> str | None:
    """The capture holding the count of the rule's group ``suffix`` ("" or "2"); a second group with
    no count of its own shares the first's ("108 each to drug A and to drug B")."""
    names = rule.pattern.groupindex
    if f"n{suffix}" in names:
        return f"n{suffix}"
    return "n" if suffix and f"group{suffix}" in names and "n" in names else None


def _counts_a_dose(rule: SizeRule, m: re.Match[str]) -> bool:
    """Whether a name the rule read begins with a dose unit ("and 1,000 IU of vitamin D"): its count
    was a dose, and the match no list of groups (its other count is no group's size either)."""
    names = (m.group(k) for k in ("group", "group2") if k in rule.pattern.groupindex and m.group(k))
    return any(name.split()[0].lower() in word_list("dose_units") for name in names if name.split())


def _names_before(matches: list[re.Match[str]], sentence: str) -> dict[int, str | None]:
    """The name before each size a rule read, by where the match starts. Groups of one list that the
    words before their sizes would name alike get longer names: in "a double dose of drug A (n = 30)
    or a single dose of drug A (n = 31)" both stop at "of"; read through such words, they are "double
    dose of drug A" and "single dose of drug A"."""
    names = {m.start(): name_before(sentence[: m.start()], sentence[m.end() :]) for m in matches}
    seen: dict[str, list[int]] = {}
    for start, name in names.items():
        if name:
            seen.setdefault(name.lower(), []).append(start)
    alike = {s for starts in seen.values() if len(starts) > 1 for s in starts}
    if not alike:
        return names
    through = word_class("name_joiners")
    longer = {m.start(): name_before(sentence[: m.start()], sentence[m.end() :], through) for m in matches
              if m.start() in alike}
    found = [n.lower() for n in longer.values() if n]
    if len(found) == len(set(found)) == len(alike):
        return names | longer
    inner = {m.start(): _label_in_bracket(sentence[: m.start()]) for m in matches if m.start() in alike}
    labels = [n.lower() for n in inner.values() if n]  # "(Group T1, n = 60); ... (Group T2, n = 20)"
    return names | inner if len(labels) == len(set(labels)) == len(alike) else names


def _label_in_bracket(text: str) -> str | None:
    """The words opening the bracket a size stands in, before a comma: "... surgery (Group T1, " -> "Group T1"."""
    words = (_bracket_opening(text) or "").split()
    return " ".join(words) if 0 < len(words) <= 5 and any(c.isalpha() for c in words[0]) else None


def _bracket_opening(text: str) -> str | None:
    """The text between an unclosed bracket and the comma or semicolon ``text`` ends with
    ("... (Group T1, " -> "Group T1"); None when ``text`` does not end so inside a bracket."""
    t = text.rstrip()
    opened = _unclosed(t) if t[-1:] in (",", ";") else 0
    return t[opened + 1 :].rstrip(",; ") if opened > 0 else None


def _what_group(rule: SizeRule, m: re.Match[str], sentence: str, suffix: str, kind: SizeKind) -> SizeKind | None:
    """The kind of a size whose group a rule read, from what stands around the name: "total" where
    the name opens a list of groups, None where it opens a regimen of several drugs."""
    key = f"group{suffix}" if f"group{suffix}" in rule.pattern.groupindex and m.group(f"group{suffix}") else None
    if rule.name == "group" and key:
        if _regimen_goes_on(sentence[m.end(key) :]):
            return None  # "received drug C, drug D and drug E": one regimen, named by more than the first
        if _lists_groups(m.group(key), sentence[m.end() :]) or _either_before(sentence[: m.start(key)], m.group(key)):
            return "total"  # "40 women were assigned to A or B": the whole sample
    return "analysed" if kind == "group" and _flow(sentence) else kind


def _a_year(number: str, after: str) -> bool:
    """"between 1980 and 1995": a four-digit number from 1900 to 2099 not followed by who it counts."""
    if not (len(number) == 4 and number.isdigit() and 1900 <= int(number) <= 2099):
        return False
    return _people_next().match(after) is None


@cache
def _people_next() -> re.Pattern[str]:  # noqa: N802
    people = r"(?:[\w-]+\s+){0,2}?{size_people}"
    return re.compile(_expand(rf"\s+(?:{people}|(?:were|had\s+been)\s+(?:\w+ly\s+)?{{alloc_verbs}})"), re.I)


def _not_a_group(group: str, m: re.Match[str], rule: SizeRule) -> bool:
    """Names that are a measure, a time, a sex or the sample itself ("mg", "weeks", "men", "patients")."""
    if rule.id == "size.count_people_paren" and m.group(0).lower().rstrip(" ),;").split()[-1] in word_list("sexes"):
        return True  # "(18 women, 34 men)": a make-up by sex
    if dose_only(group):
        return False  # "40 mg", "0.3 mg/kg": a dose group
    words = group.lower().replace("/", " ").split()
    ends_with_dose = dose_only(" ".join(group.split()[-2:]))  # "drug K 7.5 mg/day"
    if (words[-1] in word_list("not_group_names") and not ends_with_dose) or words[0] in word_list("not_group_names"):
        return True
    sample_word = words[0] in word_list("size_people") or words[0] in word_list("dose_units")
    if len(words) == 1 and sample_word and words[0] not in word_list("role_people"):
        return True  # "patients (n = 20)": the sample, not a group
    if _LABEL.match(group):
        return False  # "G3", "A1": a group's label
    if not any(sum(c.isalpha() for c in w) >= 2 and w not in word_list("not_group_names") for w in words):
        return True  # "22 mg/L", "15.6 mmHg": a value, not a name
    if "group2" in rule.pattern.groupindex and m.group("group2"):
        pair = {m.group("group").lower().split()[-1], m.group("group2").lower().split()[-1]}
        return pair <= set(word_list("sexes"))
    return False


_LABEL = re.compile(r"^[A-Z]{1,2}\d{1,2}$")


def _lists_groups(group: str, after: str) -> bool:
    """Whether a name read after an allocation verb is a list of groups or a number of groups:
    "A or B", "A (n = 20) versus B", "two treatment groups"."""
    lowered = f" {group.lower()} "
    listed = any(f" {w} " in lowered for w in ("or", "versus", "vs", "vs."))
    if listed or _GROUP_COUNT.match(group) or _RATIO.match(group):
        return True  # "A or B", "two groups", "1:1 to receive A ...": a randomisation ratio speaks of all the groups
    return _list_after().match(after) is not None


def shared_out(group: str, after: str) -> bool:
    """Whether the people a size counts (``group``, its name; ``after``, the text after the size)
    are then shared out among the groups, so are no group of their own: "Adults with asthma (n =
    200) were randomised to ...". A name saying it is one ("Group A (n = 30) was assigned ...") is."""
    return bool(grammar_rule("common.shared_out_after").search(after[:80])) \
        and not grammar_rule("common.group_named").search(group)


def _either_before(before: str, group: str) -> bool:
    """"... assigned to receive either A, 20 mg/day (n = 30), or B": a group read after "either" is one of a list."""
    return before.rstrip().lower().endswith("either") or group.lower().startswith("either ")


def _regimen_goes_on(after: str) -> bool:
    """Whether a name read after an allocation verb is the first of a list of drugs given together:
    "received drug C, drug D, and drug E for four cycles" (but not ", and 30 received drug D")."""
    return _REGIMEN_GOES_ON.match(after) is not None


_ITEM = r"[A-Za-z][\w'+/-]*(?:\s+[A-Za-z][\w'+/-]*){0,2}"  # a drug's name: at most three words, no number
_REGIMEN_GOES_ON = re.compile(rf"^\s*,\s*(?!and\b|or\b|while\b|whereas\b){_ITEM}(?:,\s*(?!and\b|or\b){_ITEM}){{0,4}},?"
                              r"\s+and\s+(?!the\s+other|the\s+remaining)[A-Za-z]")
_RATIO = re.compile(r"^(?:in\s+an?\s+)?\(?\d+\s*:\s*\d+(?:\s*:\s*\d+)*\)?(?:\s+ratio)?\s")
_GROUP_COUNT = re.compile(r"^(?:\w+\s+)?(?:two|three|four|five|six|\d)\s+(?:[\w-]+\s+){0,2}?(?:groups|arms)\b", re.I)
@cache
def _list_after() -> re.Pattern[str]:
    """After a group's name, another group: "... to A (10 mg) or B", "... to A once daily or 10 mg B"
    (a schedule may come between); not a count of people, nor the other end of a dose ("or 0.6 mg per day")."""
    return re.compile(_expand(
        r"^\s*(?:\([^)]*\)\s*|(?:once|twice|daily|weekly|a\s+day|per\s+day|every\s+\w+|for\s+\w+\s+\w+)\s*){0,5}"
        r",?\s*(?:or|versus|vs\.?)\s+(?!\d+\s+(?:\w+\s+)?(?:{size_people}|received|were|took|had|got|in|among)\b)"
        r"(?!\d[\d.]*\s*(?:{dose_units})?(?:/\w+)?\s*(?:per\b|daily|a\s+day|[,;.)]|$))"), re.I)


def _group_of(rule: SizeRule, m: re.Match[str], suffix: str) -> str | None:
    """The group a rule names in its match (None for rules that name none)."""
    key = f"group{suffix}"
    if rule.name != "group" or key not in rule.pattern.groupindex or not m.group(key):
        return None
    if suffix and m.group("group") and " ".join(m.group(key).lower().split()) in _NOT_GIVEN:
        return _clean(f"without {m.group('group')}")  # "51 with psoriasis and 51 without", "37 did not"
    return _clean(m.group(key))


# the second of a pair of groups named by what the first has and it has not
_NOT_GIVEN = frozenset(("without", "did not", "didn't", "never", "were not", "had not",
                        "had no", "received no", "took no", "used no", "were given no"))


def name_before(text: str, after: str = "", through: frozenset[str] = frozenset()) -> str | None:
    """The group named right before a size: "placebo (" -> "placebo", "(yogurt group, " -> "yogurt
    group", "X (100 mg/day) (" -> "X", "drug 3 mg (R3) group (" -> "drug 3 mg (R3) group"; None when
    no name stands there. ``after`` is the text after the size: in a list of groups inside one bracket
    ("(AA, n = 33; AG, n = 28)") each name stands inside it."""
    t = text.rstrip()
    inner = _bracket_opening(t)
    if inner is not None:
        if ";" in inner or _LIST_IN_BRACKET.match(after):
            return _clean(inner[inner.rfind(";") + 1 :])
        t = t[: _unclosed(t)]  # "basic (tailored advice; n=456)": the name stands before the bracket
    t = t.rstrip("([,:;").rstrip()
    while t.endswith(")"):  # a description in brackets between the name and its size
        opened = _opening(t, len(t) - 1)
        if opened <= 0:
            break
        if t[:-1].rstrip().lower().endswith(_GROUP_WORDS):
            return _clean(t[opened + 1 : -1])  # "X in Y (X + Y group) (n = 11)": the bracket names the group
        t = t[:opened].rstrip()
    depth, i = 0, len(t)
    while i > 0:
        c = t[i - 1]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (c in "[;:,=" or (c == "." and not _decimal_point(t, i - 1) and not _initialism(t, i - 1))):
            break
        i -= 1
    return _clean(" ".join(_past_schedule(t[i:].split(), through)))


def _past_schedule(words: list[str], through: frozenset[str] = frozenset()) -> list[str]:
    """The words of a name, read back from its size to the first stop word, past a schedule that
    stands between them: "drug A 1 g/kg on 2 consecutive days" -> "drug A 1 g/kg"."""
    stops = set(word_list("size_name_stops")) - through
    for _ in range(3):
        j = next((j for j in range(len(words) - 1, -1, -1) if words[j].lower() in stops), -1)
        if j <= 0 or not _a_schedule(words[j + 1 :]) or words[j - 1].lower() in stops or words[j - 1].endswith("ed"):
            return words[j + 1 :]  # "treated for 12 weeks (n = 40)": the time names the group
        words = words[:j]  # "... on 2 consecutive days", "... by day 21": a schedule, not the name
    return words


def _a_schedule(words: list[str]) -> bool:
    """Whether words are a time and nothing else: "2 consecutive days", "day 21", "the first 3 weeks"."""
    tail = [w.lower().strip("(),") for w in words if w.lower() not in ("the", "a", "an", "first", "last")]
    if len(tail) == 2 and tail[0] in word_list("same_as_before") and tail[1] in word_list("schedule_nouns"):
        return True  # "placebo on the same schedule": the schedule of the group before
    times = set(word_list("schedule_times"))
    if not 0 < len(tail) <= 3 or not (tail[0].isdigit() or tail[0] in _word_values() or tail[0] in times):
        return False
    return tail[-1] in times or (len(tail) > 1 and tail[-1].isdigit() and tail[-2] in times)


_GROUP_WORDS = (" group", " arm", " cohort")

# after a size, the next group of a list inside the same bracket: "; AG, n = 28"
_LIST_IN_BRACKET = re.compile(r"[^()]{0,3};\s*[^;,()]{1,60},\s*[nN]\s*=")


def _unclosed(text: str) -> int:
    """Where the last bracket still open at the end of ``text`` opens (-1 if none is)."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth < 0:
            return i
    return -1


def _opening(text: str, close: int) -> int:
    depth = 0
    for i in range(close, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _initialism(text: str, i: int) -> bool:
    """Whether the full stop at ``i`` is one of an abbreviation written with stops: "b.i.d.", "t.i.d"."""
    return i >= 2 and text[i - 1].isalpha() and (text[i - 2] == "." or (i + 1 < len(text) and text[i + 1].isalpha()))


def _decimal_point(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _clean(name: str) -> str | None:
    words = name.strip(" ,;:-").split()
    articles = set(word_list("name_openers"))
    while words and words[0].lower() in articles and not _a_label(words):
        words = words[1:]
    words = _without_schedule(words)
    name = " ".join(words).strip(" ,;:-")
    if len(name) < 2 or not any(c.isalpha() for c in name) or len(words) > 12:
        return None
    if words[-1].isdigit() and (len(words) < 2 or words[-2].lower() not in word_list("numbered_groups")):
        return None  # "continued for 1", but "group 1"
    return name


def _a_label(words: list[str]) -> bool:
    """Whether a capital "A" opening a name is the group's label ("A group", "A arm"), not an article."""
    return words[0] == "A" and len(words) == 2 and words[1].lower() in word_list("group_nouns")


def _without_schedule(words: list[str]) -> list[str]:
    """A name without the schedule that ends it: "drug A once daily" -> "drug A", "placebo per day" -> "placebo"."""
    schedule = set(word_list("schedule_words"))
    while len(words) > 1:
        last = words[-1].lower().rstrip(".")
        if last in schedule:
            words = words[:-1]
        elif len(words) > 2 and last in ("day", "week", "night") and words[-2].lower() in ("per", "a", "each", "every"):
            words = words[:-2]
        else:
            break
    return words


def _breakdown(sentence: str) -> bool:
    """Whether a sentence sizes a make-up rather than groups: three or more bracketed sizes, one of
    them of one or two people."""
    found = list(_BRACKETED_N.finditer(sentence))
    return len(found) >= 3 and (min(int(m.group(1)) for m in found) <= 2 or any(m.group(2) for m in found))


_BRACKETED_N = re.compile(r"\b[nN]\s*[=:]\s*(\d+)\b(\s*[;,]\s*\d+(?:\.\d+)?\s*%)?")


def _has_number(lowered: str) -> bool:
    return _DIGIT.search(lowered) is not None or _has_cue("any_number_word", lowered)


_DIGIT = re.compile(r"\d")


def reports_events(sentence: str) -> bool:
    """Whether a sentence speaks of events, losses or the planned sample, where counts of people are
    not group sizes."""
    lowered = sentence.lower()
    return _has_cue("event_cues", _without_conditions(lowered)) or _has_cue("loss_cues", lowered)


def _without_conditions(lowered: str) -> str:
    """A lower-cased sentence without the names of conditions that hold an event word ("heart failure")
    and without event words that describe people rather than count events ("men who developed gout")."""
    for name in word_list("conditions_with_event_words"):
        if name in lowered:
            lowered = lowered.replace(name, " ")
    if _may_describe_people()(lowered):
        lowered = grammar_rule("events.described").sub(" ", lowered)
    return lowered


@cache
def _may_describe_people() -> Callable[[str], bool]:
    return cue_filter(["events.described"])


def _near_result(sentence: str, mention: SizeMention, offset: int) -> bool:
    """Whether a word of results stands in the clause of a mention, near it."""
    reach = limit("sizes.result_reach")
    return _has_cue("result_cues", _clause(sentence, mention.start - offset, mention.end - offset, reach))


def _in_loss_clause(sentence: str, at: int) -> bool:
    """Whether the clause around offset ``at`` speaks of losses: in "Of 300 screened, 200 were
    randomised to A (n = 101)" the first clause does, the second not."""
    return _has_cue("loss_cues", _clause(sentence, at, at))


def _clause(sentence: str, start: int, end: int, reach: int | None = None) -> str:
    """The clause (between commas, semicolons or colons) around ``sentence[start:end]``, cut to
    ``reach`` characters either side."""
    opens = max(sentence.rfind(c, 0, start) for c in ",;:") + 1
    closes = min((i for c in ",;:" if (i := sentence.find(c, end)) >= 0), default=len(sentence))
    if reach is not None:
        opens, closes = max(opens, start - reach), min(closes, end + reach)
    return sentence[opens:closes]


def _has_cue(name: str, sentence: str) -> bool:
    """Whether a word of lexicon class ``name`` starts a word of ``sentence`` (its plain substring
    test first, which settles most sentences without the regex)."""
    lowered = sentence.lower()
    return any(w in lowered for w in _cue_words(name)) and _cue(name).search(sentence) is not None


@cache
def _cue_words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in word_list(name)) if name != "any_number_word" else _number_words()


def _number_words() -> tuple[str, ...]:
    return (*word_list("number_units"), *word_list("number_teens"), *word_list("number_tens"), "hundred")


def _flow(sentence: str) -> bool:
    return _has_cue("flow_cues", sentence)


@cache
def _cue(name: str) -> re.Pattern[str]:
    return re.compile(r"\b" + _alternation(_cue_words(name)), re.I)


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans: a full stop, "?" or "!" followed by a space and a capital or a digit ends one,
    except after a one-letter initial or a common abbreviation."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[max(0, m.start() - 8) : m.start() + 1].split()[-1] if text[: m.start() + 1].split() else ""
        no_end = before.lower().rstrip(".") in _NO_END or _STOPPED_INITIALISM.match(before)
        if no_end and not _LABEL_END.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9(\[])|\n+")
_STOPPED_INITIALISM = re.compile(r"^(?:[a-z]\.){2,3}$")  # "b.i.d.", "t.i.d." end no sentence
_NO_END = frozenset("vs e.g i.e al fig no approx ca ref p".split()) | frozenset("abcdefghijklmnopqrstuvwxyz")
# a group's one-letter label ends a sentence where an initial would not: "... formed group B. Group A had 57"
_LABEL_END = re.compile(r"\b(?:group|arm|cohort|phase|type|grade|class|stage)\s+[A-Za-z]\.$", re.I)
