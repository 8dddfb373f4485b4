"""Token patterns matched over long texts quickly, with the matches one spaCy ``Matcher`` would find.

spaCy's ``Matcher`` starts every pattern at every token and tests word lists (``{"IN": [...]}``) in
Python. :class:`WindowedMatcher` finds the same matches for a fraction of the work:

- a word list becomes a lexeme flag, set once per word of the vocabulary and tested in C;
- a pattern that holds a number (or an anchor word) in every match is tried only in windows around
  the numbers of the text, as wide as the patterns reach (read from the patterns, see
  :func:`pattern_reach`), so the text between numbers is never matched;
- in each window only the patterns whose words the window holds are tried: the words a pattern needs
  are bits (:class:`WordIndex`), and each set of patterns a window may match gets a ``Matcher`` of
  its own, built on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy
from spacy.attrs import LIKE_NUM, LOWER, ORTH
from spacy.matcher import Matcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.errors import ExtractionError

# Repetitions a pattern token may have while the pattern keeps a bounded length.
BOUNDED_OPS = (None, "?", "!")
# spaCy's own lexeme flags end at 18: 19-63 are free for word lists.
FREE_FLAGS = range(19, 64)
# Words a window is checked for: one bit each in an unsigned 64-bit mask.
MAX_WORD_SETS = 64
# Matchers kept for the sets of patterns windows may match, and those sets kept for the sets of words
# windows hold (each computed again when dropped).
MAX_MATCHERS = 4096
MAX_WORD_SETS_SEEN = 65536

Word = tuple[str, frozenset[str]]  # ("ORTH" or "LOWER", the words one token may be)


class Reach(NamedTuple):
    """How far a match of a pattern reaches around the numbers (and anchor words) it holds, in tokens."""

    before: int  # tokens before its first number
    after: int  # tokens from its last number on, that number included
    gap: int  # the most tokens from one of its numbers to the next


class WindowedMatcher:
    """The matches of ``patterns`` ((key, Matcher pattern) pairs), found window by window.

    :raises ExtractionError: when a pattern is not a valid Matcher pattern.
    """

    def __init__(self, vocab: Vocab, patterns: Sequence[tuple[str, list[dict[str, Any]]]],
                 anchor_words: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.anchor_words = tuple(anchor_words)
        self.anchors = [vocab.strings.add(w) for w in self.anchor_words]
        flags: dict[Word, int] = {}
        self.patterns: list[tuple[str, list[dict[Any, Any]]]] = []
        reaches: list[Reach] = []
        self.windowed = self.whole = 0  # bit i: pattern i is tried around numbers / over the whole doc
        for i, (key, pattern) in enumerate(patterns):
            errors = validate_token_pattern(pattern)
            if errors:
                raise ExtractionError(f"pattern {key!r}: {'; '.join(errors)}")
            self.patterns.append((key, [flag_lists(token, vocab, flags) for token in pattern]))
            reach = pattern_reach(pattern, self.anchor_words)
            if reach is None:
                self.whole |= 1 << i
            else:
                self.windowed |= 1 << i
                reaches.append(reach)
        self.reach = window_reach(reaches)
        self.words = WordIndex(vocab, [needed_words(pattern) for _, pattern in patterns])
        self._may_match: dict[int, int] = {}
        self._matchers: dict[int, Matcher] = {}

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every match in ``doc``, window by window."""
        if not len(doc):
            return []
        columns = doc.to_array([LIKE_NUM, ORTH, LOWER])
        held = self.words.token_bits(columns[:, 1], columns[:, 2])
        windows = [(window, self.windowed) for window in self.windows(columns)] if self.windowed else []
        if self.whole:
            windows.append(((0, len(doc)), self.whole))
        found = []
        for (start_w, end_w), patterns in windows:
            patterns &= self.may_match(int(numpy.bitwise_or.reduce(held[start_w:end_w])))
            if patterns:
                found += [(key, start + start_w, end + start_w)
                          for key, start, end in self.matcher(patterns)(doc[start_w:end_w])]
        return found

    def windows(self, columns: numpy.ndarray) -> list[tuple[int, int]]:
        """Merged token ranges around every number-like token and anchor word, as wide as the patterns
        reach (``columns`` holds each token's LIKE_NUM and ORTH first)."""
        hit = columns[:, 0] != 0
        for anchor in self.anchors:
            hit |= columns[:, 1] == anchor
        hits = numpy.flatnonzero(hit)
        if not len(hits):
            return []
        before, after = self.reach
        starts, ends = numpy.maximum(hits - before, 0), numpy.minimum(hits + after, len(columns))
        # the ends only grow, so a window closes where the next one starts past its end
        breaks = numpy.flatnonzero(starts[1:] > ends[:-1]) + 1
        first, last = numpy.concatenate(([0], breaks)), numpy.concatenate((breaks - 1, [len(hits) - 1]))
        return list(zip(starts[first].tolist(), ends[last].tolist(), strict=True))

    def may_match(self, held: int) -> int:
        """The patterns (bit i for pattern i) whose needed words are all among the word bits ``held``."""
        found = self._may_match.get(held)
        if found is None:
            if len(self._may_match) >= MAX_WORD_SETS_SEEN:
                self._may_match.clear()
            found = self._may_match[held] = sum(1 << i for i, needs in enumerate(self.words.needs)
                                                if not needs & ~held)
        return found

    def matcher(self, patterns: int) -> Matcher:
        """A Matcher of the patterns in the bit set ``patterns``, in their order (built on first use)."""
        matcher = self._matchers.get(patterns)
        if matcher is None:
            if len(self._matchers) >= MAX_MATCHERS:
                self._matchers.clear()
            matcher = self._matchers[patterns] = Matcher(self.vocab, validate=False)  # validated in __init__
            for i, (key, pattern) in enumerate(self.patterns):
                if patterns >> i & 1:
                    matcher.add(key, [pattern])
        return matcher


class WordIndex:
    """The words each pattern needs, as bits, and the bits of the words each token of a doc is."""

    def __init__(self, vocab: Vocab, needs: Sequence[list[Word]]) -> None:
        bits: dict[Word, int] = {}
        self.needs: list[int] = []
        for words in needs:
            mask = 0
            for word in words:
                if word not in bits and len(bits) < MAX_WORD_SETS:  # beyond: a need not checked
                    bits[word] = len(bits)
                if word in bits:
                    mask |= 1 << bits[word]
            self.needs.append(mask)
        self.tables = [_bits_by_id(vocab, {w: b for w, b in bits.items() if w[0] == attr})
                       for attr in ("ORTH", "LOWER")]

    def token_bits(self, orth: numpy.ndarray, lower: numpy.ndarray) -> numpy.ndarray:
        """For each token (by its ORTH and LOWER ids), the bits of the word sets it belongs to."""
        out = numpy.zeros(len(orth), dtype=numpy.uint64)
        for ids, (keys, masks) in zip((orth, lower), self.tables, strict=True):
            if len(keys) and len(ids):
                at = numpy.minimum(numpy.searchsorted(keys, ids), len(keys) - 1)
                out |= numpy.where(keys[at] == ids, masks[at], numpy.uint64(0))
        return out


def _bits_by_id(vocab: Vocab, bits: dict[Word, int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Sorted string ids of the words in ``bits`` and, for each, the mask of the sets it is in."""
    by_id: dict[int, int] = {}
    for (_, words), bit in bits.items():
        for word in words:
            key = vocab.strings.add(word)
            by_id[key] = by_id.get(key, 0) | 1 << bit
    keys = sorted(by_id)
    return numpy.array(keys, dtype=numpy.uint64), numpy.array([by_id[k] for k in keys], dtype=numpy.uint64)


def needed_words(pattern: list[dict[str, Any]]) -> list[Word]:
    """The words every match holds: for each token the pattern always has, the word (or list of words)
    its text or lower case must be."""
    out = []
    for token in _upper_keys(pattern):
        if token.get("OP") is not None:
            continue
        for attr in ("TEXT", "ORTH", "LOWER"):
            words = _listed(token.get(attr))
            if words:
                out.append(("LOWER" if attr == "LOWER" else "ORTH", frozenset(words)))
    return out


def pattern_reach(pattern: list[dict[str, Any]], anchor_words: Sequence[str] = ()) -> Reach | None:
    """The reach of a Matcher pattern, with its optional tokens present; None when it holds no number
    or anchor word that every match has, or when a token may repeat (its matches have no bound)."""
    tokens = _upper_keys(pattern)
    if any(token.get("OP") not in BOUNDED_OPS for token in tokens):
        return None
    anchored = [i for i, token in enumerate(tokens) if token.get("OP") is None and
                (token.get("LIKE_NUM") is True or _only_words(token, anchor_words))]
    if not anchored:
        return None
    gap = max((b - a for a, b in zip(anchored, anchored[1:], strict=False)), default=0)
    return Reach(anchored[0], len(pattern) - anchored[-1], gap)


def window_reach(reaches: Sequence[Reach]) -> tuple[int, int]:
    """(before, after) of windows that hold every match of patterns with these reaches: a match lies in
    the window its numbers' windows merge into, as no two of its numbers are further apart than
    ``before + after``."""
    if not reaches:
        return 0, 0
    before = max(r.before for r in reaches)
    return before, max(max(r.after for r in reaches), max(r.gap for r in reaches) - before)


def flag_lists(token: dict[str, Any], vocab: Vocab, flags: dict[Word, int]) -> dict[Any, Any]:
    """A token pattern whose lists of words ({"LOWER": {"IN": [...]}}) are tested as lexeme flags.

    Each list gets one flag (kept in ``flags``); when the free flags run out, a list stays as it is.
    """
    out: dict[Any, Any] = {}
    for attr, value in token.items():
        name = "ORTH" if attr.upper() == "TEXT" else attr.upper()
        if name not in ("ORTH", "LOWER") or not isinstance(value, dict) or list(value) != ["IN"]:
            out[attr] = value
            continue
        key = (name, frozenset(value["IN"]))
        if key not in flags:
            free = [f for f in FREE_FLAGS if f not in vocab.lex_attr_getters]
            if not free:
                out[attr] = value
                continue
            lower = vocab.lex_attr_getters[LOWER] if name == "LOWER" else None
            flags[key] = vocab.add_flag(_in_list(key[1], lower), free[0])
        out[flags[key]] = True
    return out


def _in_list(words: frozenset[str], lower: Any) -> Any:
    """The test of a lexeme flag: whether a word (lower-cased by spaCy's own rule if ``lower``) is listed."""
    if lower is None:
        return lambda text: text in words
    return lambda text: lower(text) in words


def _upper_keys(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key.upper(): value for key, value in token.items()} for token in pattern]


def _listed(value: Any) -> list[str]:
    """The words a token attribute allows: one word, or a list given with "IN"; [] for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and list(value) == ["IN"] and all(isinstance(w, str) for w in value["IN"]):
        return list(value["IN"])
    return []


def _only_words(token: dict[str, Any], words: Sequence[str]) -> bool:
    """Whether a token's text may only be one of ``words``."""
    listed = _listed(token.get("TEXT", token.get("ORTH")))
    return bool(listed) and all(w in words for w in listed)
