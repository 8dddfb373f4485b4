"""The evidence grammar as data: regex rules, word classes and weights, loaded once and checked.

Three packaged files hold what the evidence stage reads text with (no spaCy here):

- ``patterns/<area>.jsonl`` (every ``*.jsonl`` there but ``values.jsonl`` and ``sizes.jsonl``, read by
  :mod:`extractor.nlp.components` and :mod:`extractor.nlp.sizes`):
  one rule a line, ``{"id": "<area>.<name>", "purpose": "...", "regex": "...", "flags": ["I"],
  "mode": "search", "cues": [...], "examples": [...], "counter_examples": [...]}``.
  ``mode`` (``search`` by default, or ``match`` / ``fullmatch``) is how the code applies the rule,
  so how its examples are tried. An example is a text the rule must take, or ``{"text": ...,
  "groups": {"name or number": "value"}}`` when a group's value matters (``null``: the group takes no
  part); a counter-example is a text it must not take. ``cues`` are lower-case words (or phrases) of
  which every text the rule takes holds one as a whole word: :func:`cue_filter` is built from them,
  and every example is checked against them, so a pre-filter never falls out of step with its rule.
- ``lexicon.json``: word classes ``{"class": {"purpose": "...", "words": [...]}}``. A regex names a
  class as ``{class}`` (lower-case letters and underscores only, so no regex quantifier such as
  ``{2,5}`` can be read as one), expanded to ``(?:word|word|...)`` with the words escaped, in the
  order listed (put a longer word before a word it starts with when that matters).
- ``weights.json``: every weight and threshold ``{"name": {"value": x, "reason": "..."}}``.

Everything is validated on first use; a bad file raises :class:`~extractor.errors.ExtractionError`
naming the rule, class or weight.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from extractor.errors import ExtractionError

__all__ = ["Example", "Rule", "cue_filter", "limit", "rule", "rules", "weight", "word_list", "words"]

Mode = Literal["search", "match", "fullmatch"]
# Pattern files of other schemas, read by their own modules: spaCy Matcher patterns (nlp.components)
# and the size phrasings (nlp.sizes: rules with a kind and a group, over this lexicon's classes).
_OTHER_FILES = frozenset({"values.jsonl", "sizes.jsonl"})
_FLAGS = {"I": re.I, "M": re.M, "S": re.S, "X": re.X, "A": re.A}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_MIN_EXAMPLES = 2


@dataclass(frozen=True, slots=True)
class Example:
    """A text a rule must take (or, as a counter-example, must not), and group values it must give."""

    text: str
    groups: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One regex rule of the grammar, compiled, with what it is for and the texts that show it."""

    id: str
    purpose: str
    pattern: re.Pattern[str]
    mode: Mode
    cues: tuple[str, ...]
    examples: tuple[Example, ...]
    counter_examples: tuple[str, ...]
    source: str

    def apply(self, text: str) -> re.Match[str] | None:
        """The rule applied as the code applies it (its ``mode``)."""
        return getattr(self.pattern, self.mode)(text)


def rule(rule_id: str) -> re.Pattern[str]:
    """The compiled regex of rule ``rule_id`` ("arms.control")."""
    try:
        return _grammar()[rule_id].pattern
    except KeyError:
        raise ExtractionError(f"no grammar rule {rule_id!r}") from None


def rules(prefix: str = "") -> list[Rule]:
    """Every rule whose id starts with ``prefix`` ("arms." for one area), in file order."""
    return [r for key, r in _grammar().items() if key.startswith(prefix)]


def words(cls: str) -> frozenset[str]:
    """The words of lexicon class ``cls``."""
    return frozenset(word_list(cls))


def word_list(cls: str) -> tuple[str, ...]:
    """The words of lexicon class ``cls`` in the order listed."""
    try:
        return _lexicon()[cls]
    except KeyError:
        raise ExtractionError(f"no lexicon class {cls!r}") from None


def weight(name: str) -> float:
    """The weight or threshold called ``name``."""
    try:
        return _weights()[name]
    except KeyError:
        raise ExtractionError(f"no weight {name!r}") from None


def limit(name: str) -> int:
    """A whole-number threshold (a count of tokens or characters) called ``name``."""
    value = weight(name)
    if value != int(value):
        raise ExtractionError(f"weight {name!r} is {value}, not a whole number")
    return int(value)


def cue_filter(ids: Iterable[str]) -> Callable[[str], bool]:
    """A fast test that ``text`` may be taken by any of the rules ``ids``: it holds one of their cues.

    Each rule must declare cues; the test is a case-insensitive search for any of them as whole words.
    """
    cues: list[str] = []
    for rule_id in ids:
        found = _grammar().get(rule_id)
        if found is None:
            raise ExtractionError(f"no grammar rule {rule_id!r}")
        if not found.cues:
            raise ExtractionError(f"grammar rule {rule_id!r} declares no cues to filter by")
        cues.extend(c for c in found.cues if c not in cues)
    return _cue_search(tuple(cues))


@cache
def _cue_search(cues: tuple[str, ...]) -> Callable[[str], bool]:
    search = re.compile(r"\b(?:" + "|".join(map(re.escape, cues)) + r")\b", re.I).search
    return lambda text: search(text) is not None


# --- loading and validation ------------------------------------------------------------------------


def _read(name: str) -> str:
    return resources.files("extractor.nlp").joinpath(name).read_text("utf-8")


@cache
def _lexicon() -> dict[str, tuple[str, ...]]:
    data = json.loads(_read("lexicon.json"))
    out = {}
    for cls, entry in data.items():
        if not _PLACEHOLDER.fullmatch("{" + cls + "}"):
            raise ExtractionError(f"lexicon class {cls!r}: names are lower-case letters and underscores")
        if not isinstance(entry, dict) or not str(entry.get("purpose", "")).strip():
            raise ExtractionError(f"lexicon class {cls!r} has no purpose")
        found = entry.get("words")
        if not found or not all(isinstance(w, str) and w for w in found) or len(set(found)) != len(found):
            raise ExtractionError(f"lexicon class {cls!r}: words must be distinct non-empty strings")
        out[cls] = tuple(found)
    return out


@cache
def _weights() -> dict[str, float]:
    out = {}
    for name, entry in json.loads(_read("weights.json")).items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExtractionError(f"weight {name!r} has no numeric value")
        if not str(entry.get("reason", "")).strip():
            raise ExtractionError(f"weight {name!r} has no reason")
        out[name] = value
    return out


@cache
def _grammar() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    files = sorted(f.name for f in resources.files("extractor.nlp").joinpath("patterns").iterdir()
                   if f.name.endswith(".jsonl") and f.name not in _OTHER_FILES)
    for name in files:
        for line_no, line in enumerate(_read(f"patterns/{name}").splitlines(), 1):
            if not line.strip():
                continue
            where = f"patterns/{name}:{line_no}"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as e:
                raise ExtractionError(f"{where}: not JSON ({e})") from None
            built = _build(entry, where, area=name.removesuffix(".jsonl"))
            if built.id in found:
                raise ExtractionError(f"grammar rule {built.id!r} defined twice ({found[built.id].source}, {where})")
            found[built.id] = built
    return found


def _build(entry: Mapping[str, Any], where: str, *, area: str) -> Rule:
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id.startswith(f"{area}."):
        raise ExtractionError(f"{where}: rule id {rule_id!r} must start with {area + '.'!r}")
    fail = _failer(rule_id, where)
    purpose = entry.get("purpose")
    if not isinstance(purpose, str) or not purpose.strip() or "\n" in purpose:
        fail("needs a one-line purpose")
    unknown = set(entry) - {"id", "purpose", "regex", "flags", "mode", "cues", "examples", "counter_examples"}
    if unknown:
        fail(f"unknown keys {sorted(unknown)}")
    mode = entry.get("mode", "search")
    if mode not in ("search", "match", "fullmatch"):
        fail(f"mode {mode!r} is not search, match or fullmatch")
    built = Rule(
        id=rule_id,
        purpose=purpose,
        pattern=_compile(entry.get("regex"), entry.get("flags", []), fail),
        mode=mode,
        cues=tuple(_strings(entry.get("cues", []), "cues", fail)),
        examples=tuple(_example(e, fail) for e in entry.get("examples", [])),
        counter_examples=tuple(_strings(entry.get("counter_examples", []), "counter_examples", fail)),
        source=where,
    )
    _check(built, fail)
    return built


def _failer(rule_id: str, where: str) -> Callable[[str], Any]:
    def fail(message: str) -> Any:
        raise ExtractionError(f"grammar rule {rule_id!r} ({where}): {message}")

    return fail


def _compile(regex: Any, flags: Any, fail: Callable[[str], Any]) -> re.Pattern[str]:
    if not isinstance(regex, str) or not regex:
        fail("needs a regex")
    bits = 0
    for flag in flags:
        if flag not in _FLAGS:
            fail(f"unknown flag {flag!r} (known: {', '.join(_FLAGS)})")
        bits |= _FLAGS[flag]
    try:
        return re.compile(expand(regex), bits)
    except (re.error, ExtractionError) as e:
        return fail(f"regex does not compile: {e}")  # type: ignore[no-any-return]


def expand(regex: str) -> str:
    """``regex`` with each ``{class}`` replaced by its lexicon words as a non-capturing alternation."""

    def words_of(m: re.Match[str]) -> str:
        return "(?:" + "|".join(map(re.escape, word_list(m.group(1)))) + ")"

    return _PLACEHOLDER.sub(words_of, regex)


def _strings(values: Any, key: str, fail: Callable[[str], Any]) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        fail(f"{key} must be a list of non-empty strings")
    return values  # type: ignore[no-any-return]


def _example(value: Any, fail: Callable[[str], Any]) -> Example:
    if isinstance(value, str):
        return Example(value)
    if isinstance(value, dict) and isinstance(value.get("text"), str) and isinstance(value.get("groups"), dict):
        return Example(value["text"], tuple((str(k), v) for k, v in value["groups"].items()))
    return fail(f"example {value!r} is neither a text nor {{'text': ..., 'groups': {{...}}}}")  # type: ignore[no-any-return]


def _check(built: Rule, fail: Callable[[str], Any]) -> None:
    """Every example taken (with its groups), no counter-example taken, every example holding a cue."""
    if len(built.examples) < _MIN_EXAMPLES:
        fail(f"needs at least {_MIN_EXAMPLES} examples, has {len(built.examples)}")
    for example in built.examples:
        m = built.apply(example.text)
        if m is None:
            fail(f"does not take its example {example.text!r}")
        for key, want in example.groups:
            try:
                got = m.group(int(key) if key.isdigit() else key)  # type: ignore[union-attr]
            except IndexError:
                fail(f"example {example.text!r} names group {key}, which the regex does not have")
            if got != want:
                fail(f"example {example.text!r}: group {key} is {got!r}, not {want!r}")
        if built.cues and not _cue_search(built.cues)(example.text):
            fail(f"example {example.text!r} holds none of the cues {list(built.cues)} as a word")
    for counter in built.counter_examples:
        if built.apply(counter) is not None:
            fail(f"takes its counter-example {counter!r}")
    if any(cue != cue.lower() for cue in built.cues):
        fail("cues are written in lower case")
