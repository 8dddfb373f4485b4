"""Finding the arms of a trial, their sizes, and where the text mentions them.

Arms come from two places: table headers ("Placebo (n = 75)") and sentences that name several
groups with their sizes ("IL-2 (n=30) or placebo (n=30)"). Candidates naming the same group are
merged. :class:`ArmLexicon` then finds mentions of each arm in a sentence: its name, the
abbreviation the paper defined for it, a group label ("group I") or a word of its name that no other
arm shares.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER
from spacy.tokens import Doc, Span, Token

from extractor.evidence.model import Arm, Evidence, GroupSize
from extractor.evidence.similarity import STOP_WORDS, normalise, stem, terms, tokens
from extractor.evidence.spans import span_text
from extractor.nlp.components import is_initial
from extractor.nlp.grammar import cue_filter, limit, rule, words
from extractor.nlp.rules import fold, parse_count_word

CONTROL = rule("arms.control")
# Words that do not tell one arm from another.
NOT_DISTINCTIVE = words("not_distinctive")
_GROUP_LABEL = rule("arms.group_label")
_NAME_STOP = words("name_stop")
_HEADER_NOT_ARM = rule("arms.header_not_arm")
_N_IN_TEXT = rule("arms.n_in_text")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A group named somewhere, with the size given there."""

    name: str
    n: int | None
    source: str  # "text" or "table"
    evidence: Evidence | None = None
    aliases: tuple[str, ...] = ()
    weight: int = 1  # how much its n is trusted: 2 for abstract and methods, 1 elsewhere
    analysed: bool = False  # the size of those evaluated, not of those randomised
    description: str | None = None  # what the group received, as the text says it beside the name
    rule: str = "arms.text"  # the rule that read the name (and size)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


_STAT_PHRASES = rule("arms.stat_phrase")
_NAME_WORD = rule("arms.name_word")
_NOT_NAME_WORDS = words("not_name_words")
_LEADING = rule("arms.leading_words")
_NOT_A_GROUP = rule("arms.not_a_group")
_NOT_A_NAME = rule("arms.not_a_name")
_LEADING_UNIT = rule("arms.leading_unit")
# Populations and times, which sizes are given for, are not groups: "ITT analyses (n = 101)".
_POPULATION = rule("arms.population")
_VERBISH = rule("arms.verbish")
_NAME_MARKS = rule("arms.name_marks")
_STARTS_WITH_NUMBER = rule("arms.starts_with_number")
_SPACES = rule("common.spaces")
_MAX_NAME_WORDS = limit("arms.max_name_words")
_MAX_DESCRIPTION_WORDS = limit("arms.max_description_words")


def clean_arm_name(name: str) -> str | None:
    """A group name without stat labels, footnote marks, quotes or unbalanced brackets; None if none is left."""
    text = _NAME_MARKS.sub("", name).strip()
    for _ in range(2):
        text = _STAT_PHRASES.sub("", text).strip(" ,;:-")
    text = _balance(text).strip(" ,;:-")
    text = _LEADING.sub("", _LEADING_UNIT.sub("", text)).strip()
    if _NOT_A_GROUP.match(text) or _NOT_A_NAME.match(text) or _POPULATION.search(text):
        return None
    words = [w for w in _NAME_WORD.findall(text) if w.lower() not in _NOT_NAME_WORDS and parse_count_word(w) is None]
    starts_with_number = _STARTS_WITH_NUMBER.match(text) and not _DOSE.match(fold(text))  # "30 µg YIC" is a name
    too_long = len(text.split()) > _MAX_NAME_WORDS
    if not (words or group_label(text)) or starts_with_number or too_long or _VERBISH.search(text):
        return None
    if _a_year(text.split()[-1]):
        return None  # "February 2006 (n = 150)": a date, not a group
    if _ENDS_WITH_A_VALUE.search(name.strip()):
        return None  # "but only 17% (n = 14)": a value, then the size it was read from
    return text


_ENDS_WITH_A_VALUE = rule("arms.ends_with_value")


def _balance(text: str) -> str:
    """Drop a bracket that is never closed ("normal renal function (lixisenatide")."""
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")] if text.rfind("(") > 0 else text.replace("(", "")
    if text.count(")") > text.count("("):
        text = text.replace(")", "")
    return text.strip()


@lru_cache(maxsize=16384)  # a header is split for each of its cells
def split_header_n(text: str) -> tuple[str, int | None]:
    """Split "Placebo (n = 75)" into ("Placebo", 75); a header without n keeps n None."""
    m = _N_IN_TEXT.search(text)
    if not m:
        return text.strip(), None
    name = (text[: m.start()] + " " + text[m.end():]).strip(" ,;:()[]")
    return _SPACES.sub(" ", name), int(m.group(1).replace(",", ""))


def is_arm_header(text: str) -> bool:
    """Whether a column header could name a group (not "P value", "95% CI", "Total", ...)."""
    name, n = split_header_n(text)
    if not name and n is None:
        return False
    return not _HEADER_NOT_ARM.match(normalise(name))


def name_before(doc: Doc | Span, index: int) -> tuple[int, int] | None:
    """Token range of the group name that ends right before token ``index`` ("IL-2" in "IL-2 (n=30)")."""
    end = index
    if end > 0 and doc[end - 1].text in ",;" and (opened := _open_bracket(doc, end - 1)) is not None:
        end = opened  # "basic (tailored intervention ...; n=456)": the name is before the bracket
    elif end > 0 and doc[end - 1].text in "([,:;":
        end -= 1
    named = _bracketed_group(doc, end)
    if named:  # "(MPC + HA group) (n = 11)"
        return named
    while end > 0 and doc[end - 1].text in ")]":  # skip a description in brackets: "X (100 mg) (n=3)"
        depth, j = 0, end - 1
        while j >= 0:
            depth += doc[j].text in ")]"
            depth -= doc[j].text in "(["
            if depth == 0:
                break
            j -= 1
        if j <= 0:
            break
        end = j
    start = end
    while start > 0 and end - start < 8 and (doc[start - 1].lower_ not in _NAME_STOP or _initial_stop(doc, start - 1)):
        start -= 1
    while start < end and doc[start].lower_ in _ARTICLES:
        start += 1
    while start < end - 1 and doc[start].lower_ in ("group", "groups", "arm") and not group_label(
        doc[start:end].text
    ):
        start += 1
    return (start, end) if start < end else None


def _initial_stop(doc: Doc | Span, k: int) -> bool:
    """The full stop of an abbreviated genus inside a name ("H. pylori-positive patients"): after a
    lone capital, with the sentence going on."""
    return doc[k].text == "." and 0 < k < len(doc) - 1 and is_initial(doc[k - 1]) and not doc[k + 1].is_sent_start


def _open_bracket(doc: Doc | Span, k: int, reach: int = 30) -> int | None:
    """The unclosed "(" before token ``k`` in the same stretch of text, if there is one."""
    depth = 0
    for j in range(k - 1, max(-1, k - reach - 1), -1):
        text = doc[j].text
        if text in ")]":
            depth += 1
        elif text in "([":
            if depth == 0:
                return j
            depth -= 1
        elif text in ".;" and j < k - 1 and doc[j].is_sent_start:
            return None
    return None


def _bracketed_group(doc: Doc | Span, end: int) -> tuple[int, int] | None:
    """The words of a bracket closing at ``end`` that name a group: "(MPC + HA group)"."""
    if end < 2 or doc[end - 1].text != ")" or doc[end - 2].lower_ not in ("group", "arm"):
        return None
    j = end - 2
    while j > 0 and doc[j].text not in "()":
        j -= 1
    return (j + 1, end - 1) if doc[j].text == "(" and end - 1 - (j + 1) >= 2 else None


def role_of(name: str) -> str:
    """"control" for placebo, usual care, sham and the like; else "intervention"."""
    return "control" if CONTROL.search(name) else "intervention"


def group_label(name: str) -> str | None:
    """The label of "Group I", "group B", "Groups 2", "group H1" as "group i" / "group b" / ..."""
    m = _GROUP_LABEL.search(name) or _GROUP_LABEL_CI.search(name)
    return f"group {m.group(1).lower()}" if m else None


_GROUP_LABEL_CI = rule("arms.group_label_any_case")
_WORD_SPLIT = rule("arms.word_split")
_INITIALS_SKIPPED = words("initials_skipped")


def acronym_of(short: str, long: str) -> bool:
    """Whether ``short`` ("NBT", "CACP") spells the initials of words of ``long``
    ("nature-based therapy", "corporate-academic cooperation program"), in order and in a run."""
    letters = short.lower()
    if not (2 <= len(letters) <= 6 and short.isupper() and short.isalpha()):
        return False
    words = [w for w in _WORD_SPLIT.split(long.lower()) if w and w[0].isalpha()]
    initials = "".join(w[0] for w in words if w not in _INITIALS_SKIPPED)
    return letters in initials


def same_group(a: str, b: str, abbreviations: Mapping[str, str]) -> bool:
    """Whether two names denote the same group (by label, abbreviation or shared content words)."""
    la, lb = group_label(a), group_label(b)
    if la and lb:
        return la == lb
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return True
    if bool(_NEGATED.search(na)) != bool(_NEGATED.search(nb)):
        return False  # "no phone calls" is not "phone calls", "non-smokers" not "smokers"
    for short, long in abbreviations.items():
        s, lf = short.lower(), normalise(long)
        if (_only_word(na, s) and lf in nb) or (_only_word(nb, s) and lf in na):
            return True
    if doses(a) and doses(b) and doses(a) != doses(b):
        return False
    if _numbering(a) and _numbering(b) and _numbering(a) != _numbering(b):
        return False
    ta, tb = set(distinctive_terms(a)), set(distinctive_terms(b))
    if not ta or not tb:
        return False
    if role_of(a) != role_of(b):
        return False
    if ta != tb and (_COMBINED.search(na) or _COMBINED.search(nb)):
        return False  # "MPC + HA" is neither "HA" nor "HA alone"
    return ta <= tb or tb <= ta


_NEGATED = rule("arms.negated")
_COMBINED = rule("arms.combined")


def _only_word(name: str, short: str) -> bool:
    """Whether abbreviation ``short`` is all that ``name`` says, but for words that do not tell
    groups apart ("HA group" is hyaluronan; "MPC + HA" is not)."""
    words = tokens(name)
    return short in words and all(w == short or w in NOT_DISTINCTIVE or w in STOP_WORDS for w in words)


_DOSE = rule("arms.dose")
_NUMBERING = rule("arms.numbering")


@lru_cache(maxsize=16384)  # names are compared pairwise when candidates merge
def doses(name: str) -> frozenset[str]:
    """The doses a group name states ("macitentan 0.2 mg" -> {"0.2"})."""
    return frozenset(m.group(1).replace(",", ".") for m in _DOSE.finditer(fold(name)))


@lru_cache(maxsize=16384)
def _numbering(name: str) -> frozenset[str]:
    """Numbers that tell groups apart without being doses: "GDM 1", "GDM2", "Period 1", "phase II"."""
    text = split_header_n(name)[0]
    text = _DOSE.sub(" ", fold(text))
    found = _NUMBERING.findall(text)
    return frozenset(a or b.lower() for a, b in found)


def _generic_pairs(name: str, others: set[str]) -> set[tuple[str, ...]]:
    """Where arms differ only by a generic word ("double dose of X", "single dose of X"), that word
    with the next one names the arm ("the double dose group"); alone it would name too much."""
    toks = tokens(name)
    return {(a, b) for a, b in zip(toks, toks[1:], strict=False)
            if a in NOT_DISTINCTIVE and stem(a) not in others and a not in STOP_WORDS and b not in STOP_WORDS
            and not a.isdigit()}


def distinctive_terms(name: str) -> tuple[str, ...]:
    return tuple(t for t in terms(name) if t not in NOT_DISTINCTIVE and not t.isdigit())


def merge_candidates(candidates: Sequence[Candidate], abbreviations: Mapping[str, str]) -> tuple[Arm, ...]:
    """Merge candidates naming the same group into arms, in order of first mention."""
    clusters: list[list[Candidate]] = []
    known: dict[tuple[str, str], bool] = {}  # the same names meet again and again

    def same(a: str, b: str) -> bool:
        if (a, b) not in known:
            known[a, b] = same_group(a, b, abbreviations)
        return known[a, b]

    for cand in candidates:
        for cluster in clusters:
            if any(same(a, b) for other in cluster for a in cand.names for b in other.names) \
                    and not any(_listed_apart(cand, other) for other in cluster):
                cluster.append(cand)
                break
        else:
            clusters.append([cand])
    return tuple(_arm(cluster) for cluster in clusters)


def _listed_apart(a: Candidate, b: Candidate) -> bool:
    """Whether two differently named candidates are sized side by side in one list of groups
    ("prophylactic X (n = 125) vs. X as treatment (n = 126)"): a list names different groups."""
    ea, eb = a.evidence, b.evidence
    if a.n is None or b.n is None or ea is None or eb is None or ea.section != eb.section:
        return False
    apart = ea.end <= eb.start or eb.end <= ea.start
    near = abs(ea.start - eb.start) < _LIST_REACH
    return apart and near and _bare_name(a.name) != _bare_name(b.name)


def _bare_name(name: str) -> str:
    """A name without the noun that ends it: "TAU group" and "TAU" name one group."""
    words = normalise(name).split()
    return " ".join(words[:-1] if len(words) > 1 and words[-1] in _NAME_END else words)


_LIST_REACH = limit("arms.list_reach")


def _arm(cluster: list[Candidate]) -> Arm:
    n_rand, n_anal = _sizes(cluster)
    names = list(dict.fromkeys(n for c in cluster for n in c.names))
    name = min(names, key=lambda s: (len(s) > 40, group_label(s) is not None,
                                      -len(terms(s)) if len(s) <= 40 else len(s)))
    return Arm(
        name=name,
        n_randomised=n_rand,
        n_analysed=n_anal,
        aliases=tuple(n for n in names if n != name),
        role=role_of(" ".join(names)),  # type: ignore[arg-type]
        evidence=tuple(c.evidence for c in cluster if c.evidence),
        in_tables=any(c.source == "table" for c in cluster),
        description=next((c.description for c in cluster if c.description), None),
        sizes=tuple(_stated_sizes(cluster)),
        rules=tuple(dict.fromkeys(c.rule for c in cluster)),
    )


def _stated_sizes(cluster: list[Candidate]) -> Iterator[GroupSize]:
    """Every size the cluster's candidates state, each once, with its kind, rule and evidence."""
    seen = set()
    for c in cluster:
        if c.n is None:
            continue
        kind = "table" if c.source == "table" else "analysed" if c.analysed else "randomised"
        if (c.n, kind) not in seen:
            seen.add((c.n, kind))
            yield GroupSize(c.n, kind, c.rule, c.evidence)


def _sizes(cluster: list[Candidate]) -> tuple[int | None, int | None]:
    """(randomised, analysed): the first size stated on allocation, and the usual size in tables
    (or, without tables, the size stated on evaluation); analysed is None when it is the same."""
    allocated = [c for c in cluster if c.source == "text" and c.n and not c.analysed and c.weight > 1]
    evaluated = [c.n for c in cluster if c.source == "text" and c.n and (c.analysed or c.weight == 1)]
    table_ns = [c.n for c in cluster if c.source == "table" and c.n]
    n_rand = allocated[0].n if allocated else None
    if table_ns:  # the whole group is the largest column that is not larger than those randomised
        fitting = [n for n in table_ns if n_rand is None or n <= n_rand]
        n_anal: int | None = max(fitting or table_ns)
    else:
        n_anal = evaluated[0] if evaluated else None
    if n_rand is None:
        n_rand, n_anal = (n_anal, None) if not evaluated or table_ns else (evaluated[0], None)
    return n_rand, (n_anal if n_anal != n_rand else None)


_ARTICLES = words("articles")
_BRACKETED_SHORT = rule("arms.bracketed_short")


def _split_hyphens(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part for word in phrase for part in word.replace("+", "").split("-") if part)


def _words(span: Doc | Span) -> list[tuple[int, str]]:
    """The stemmed words of a span with their offsets in it (the doc's are read once)."""
    doc, start = (span, 0) if isinstance(span, Doc) else (span.doc, span.start)
    cached = doc.user_data.get("extractor_words")
    if cached is None:
        words = _doc_words(doc)
        cached = doc.user_data["extractor_words"] = (words, [i for i, _ in words])
    words, positions = cached
    lo, hi = bisect_left(positions, start), bisect_left(positions, start + len(span))
    return [(i - start, w) for i, w in words[lo:hi]]


_ALNUM = rule("arms.alnum")
_LETTERED_LABEL = rule("arms.lettered_label")


def _doc_words(doc: Doc) -> list[tuple[int, str]]:
    if len(doc) < 40:  # a label: reading the arrays costs more than the tokens
        return [(t.i, stem(t.lower_)) for t in doc
                if not (t.is_punct or t.is_space) and (t.text.isalnum() or _ALNUM.search(t.text))]
    strings = doc.vocab.strings
    out = []
    columns = doc.to_array([LOWER, IS_PUNCT, IS_SPACE]).T.tolist()  # three lists, not a list per token
    for i, (lower, punct, space) in enumerate(zip(*columns, strict=True)):
        text = strings[lower]
        if not (punct or space) and (text.isalnum() or _ALNUM.search(text)):
            out.append((i, stem(text)))
    return out


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of an arm in a sentence: token range and arm name."""

    arm: str
    start: int
    end: int


def _names_spelled_out(arm: Arm, abbreviations: Mapping[str, str]) -> tuple[str, ...]:
    """An arm's names, and the long form of a name that is an abbreviation the paper defines ("TOS"
    and "TOS group" are also "transobturator midurethral sling")."""
    names = (arm.name, *arm.aliases)
    by_short = {short.lower(): long for short, long in abbreviations.items()}
    longs = [long for n in names if (long := by_short.get(_without_group_word(n).lower()))]
    return (*names, *dict.fromkeys(longs))


def _without_group_word(name: str) -> str:
    words = name.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1].lower() in ("group", "arm") else name


class ArmLexicon:
    """Find mentions of known arms in tokenised text."""

    def __init__(self, arms: Iterable[Arm], abbreviations: Mapping[str, str] | None = None) -> None:
        self.arms = tuple(arms)
        self.entries: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        abbreviations = abbreviations or {}
        for arm in self.arms:
            for phrase in self._phrases(arm, abbreviations):
                self._add(phrase, arm.name)
        for entries in self.entries.values():
            entries.sort(key=lambda e: -len(e[0]))

    def arm(self, name: str) -> Arm | None:
        """The arm called ``name``."""
        return next((a for a in self.arms if a.name == name), None)

    def _phrases(self, arm: Arm, abbreviations: Mapping[str, str]) -> set[tuple[str, ...]]:
        phrases: set[tuple[str, ...]] = set()
        names = _names_spelled_out(arm, abbreviations)
        for name in names:
            toks = tuple(t for k, t in enumerate(tokens(name)) if t not in _ARTICLES or
                         k > 0 and tokens(name)[k - 1] in ("group", "groups", "arm"))
            if toks:
                phrases.add(toks)
            label = group_label(name)
            if label:
                phrases.add(tuple(label.split()))
                if _LETTERED_LABEL.fullmatch(label):  # "groups H1 and H2": bare "H2"
                    phrases.add((label.split()[1],))
            for short, long in abbreviations.items():
                if normalise(long) in normalise(name) and len(long) > 3:
                    phrases.add((short.lower(),))
            for short in _BRACKETED_SHORT.findall(name):  # "patients without ICU-AW (non-ICU-AW)"
                phrases.add(tuple(tokens(short)))
        phrases |= {split for p in phrases if (split := _split_hyphens(p)) != p}  # "short-bore" is "short bore"
        others = {t for other in self.arms if other is not arm for n in _names_spelled_out(other, abbreviations)
                  for t in terms(n)}
        for name in names:
            for term in distinctive_terms(name):
                if term not in others and len(term) > 2 and term not in STOP_WORDS:
                    phrases.add((term,))
            phrases |= _generic_pairs(name, others)
        roles = [a.role for a in self.arms]
        if arm.role == "control" and roles.count("control") == 1:
            phrases.update({("control",), ("controls",)})
        if arm.role == "intervention" and roles.count("intervention") == 1 and len(roles) == 2:
            phrases.update({("intervention",), ("experimental",), ("treatment", "group"),
                            ("active", "group")})
        return phrases

    def _add(self, phrase: tuple[str, ...], arm: str) -> None:
        key = tuple(stem(w) for w in phrase)
        self.entries.setdefault(key[0], []).append((key, arm))

    def mentions(self, span: Doc | Span) -> list[Mention]:
        """Arm mentions in ``span`` (token offsets relative to the span), longest first, no overlaps.

        Punctuation between words is skipped, so "CZP 200 mg + MTX" matches the name "CZP 200 mg MTX".
        """
        words = _words(span)
        found: list[Mention] = []
        k = 0
        while k < len(words):
            hit = self._match_at(words, k)
            if hit:
                found.append(Mention(hit[0], words[k][0], words[k + hit[1] - 1][0] + 1))
                k += hit[1]
            else:
                k += 1
        return found

    def _match_at(self, words: list[tuple[int, str]], k: int) -> tuple[str, int] | None:
        """The longest phrase starting at word ``k``: (arm, words used). An article inside a
        phrase is passed over ("without an ICU-AW diagnosis" reads "without ICU-AW diagnosis")."""
        for phrase, arm in self.entries.get(words[k][1], ()):
            got, j = 0, k
            while got < len(phrase) and j < len(words):
                if words[j][1] == phrase[got]:
                    got += 1
                elif not (got and words[j][1] in _ARTICLES):
                    break
                j += 1
            if got == len(phrase):
                return arm, j - k
        return None


_SIZE_CUE = rule("arms.size_cue")
_COUNT_NOUNS = words("counted_nouns")
_COUNT_VERBS = words("count_verbs")
_COUNT_LINKS = words("count_links")
_NAME_END = words("group_nouns")


def count_phrases(sent: Span) -> Iterator[tuple[int, int, int]]:
    """Group sizes stated as counts: (name start, name end, n), token offsets within ``sent``.

    Reads "24 in the EMS group", "28 patients were randomised to the placebo group",
    "fentanyl group: 76" and "(251 intervention and 246 control)".
    """
    if not _SIZE_CUE.search(span_text(sent)):
        return
    for i, tok in enumerate(sent):
        counted = _count_at(sent, i, tok)
        if counted is None:
            continue
        n, j = counted
        found = _count_then_name(sent, j) or _paired_count_name(sent, j) or _count_who_underwent(sent, j)
        if found:
            yield found[0], found[1], n
    yield from _name_colon_count(sent)


def _count_at(sent: Span, i: int, tok: Token) -> tuple[int, int] | None:
    """The count starting at token ``i`` and the token after it ("Thirty-seven" is three tokens,
    read once from the first: its "seven" counts nobody)."""
    if not (tok.like_num and "." not in tok.text) or (i > 0 and sent[i - 1].text in _NOT_BEFORE_A_COUNT):
        return None  # "n = 30" is read as a size; "10 ± 2 ms" and "< 5" are values
    if i > 0 and _thousands_group(sent[i - 1], tok):
        return None  # "3 181 women": the last digits of a number written with a space
    if i > 1 and sent[i - 1].text == "-" and parse_count_word(sent[i - 2].text) is not None:
        return None  # the unit of "thirty-seven"
    j = i + 3 if i + 2 < len(sent) and sent[i + 1].text == "-" else i + 1
    n = parse_count_word(sent[i:j].text) if j > i + 1 else None
    if n is None:
        j, n = i + 1, parse_count_word(tok.text)
    if n is None or (j < len(sent) and sent[j].text in ("%", "/", "±")):
        return None
    if _a_year(tok.text) and not (j < len(sent) and sent[j].lower_ in _COUNT_NOUNS):
        return None  # "from March 2010 to July 2012 in the surgery group": dates; "2012 patients" counts
    return n, j


_NOT_BEFORE_A_COUNT = frozenset({"=", "n", "N", "±", "+/-", "+-", "<", ">", "≤", "≥"})


def _thousands_group(before: Token, tok: Token) -> bool:
    return before.text.isdigit() and len(before.text) <= 3 and before.whitespace_ == " " \
        and tok.text.isdigit() and len(tok.text) == 3


def _a_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2099


_MEASURES = words("not_group_names") | words("dose_units")
_SEXES = words("sexes")


def _count_then_name(sent: Span, j: int) -> tuple[int, int] | None:
    if j < len(sent) and sent[j].lower_ in _MEASURES:
        return None  # "250 mg clarithromycin", "2 h before surgery": a dose or a time
    j = _skip_brackets(sent, j)
    if j < len(sent) and sent[j].lower_ in _COUNT_NOUNS:
        j += 1
    while j < len(sent) and sent[j].lower_ in _COUNT_VERBS:
        j += 1
    if j >= len(sent) or sent[j].lower_ not in _COUNT_LINKS:
        return None
    j += 1
    if j < len(sent) and sent[j].lower_ in _ARTICLES:
        j += 1
    end = j
    while end < len(sent) and end - j < 6 and sent[end].lower_ not in _NAME_END and not sent[end].is_punct \
            and sent[end].lower_ not in ("and", "or", "vs", "versus", "while", "whereas"):
        end += 1
    if end < len(sent) and sent[end].lower_ in _NAME_END and end > j:
        return j, end + 1
    return None


_UNDERWENT = words("underwent")
_TREATMENT_END = words("treatment_end")


def _count_who_underwent(sent: Span, j: int) -> tuple[int, int] | None:
    """"20 overweight female patients underwent the TOS procedure": the name after the verb."""
    k = j
    while k < len(sent) and k - j < 3 and sent[k].is_alpha and sent[k].lower_ not in _COUNT_NOUNS:
        k += 1  # "overweight female"
    if k >= len(sent) or sent[k].lower_ not in _COUNT_NOUNS:
        return None
    k += 1
    if k >= len(sent) or sent[k].lower_ not in _UNDERWENT or not _SPLIT_CUE.search(span_text(sent)):
        return None
    start = k + 1 + (k + 1 < len(sent) and sent[k + 1].lower_ in _ARTICLES)
    end = start
    while end < len(sent) and end - start < 6 and sent[end].lower_ not in _TREATMENT_END and (
            not sent[end].is_punct or _joins_words(sent, end)):
        end += 1
    return (start, end) if end > start else None


_SPLIT_CUE = rule("arms.split_cue")


def _joins_words(sent: Span, k: int) -> bool:
    """A hyphen inside a word ("single-incision")."""
    return sent[k].text == "-" and 0 < k < len(sent) - 1 and not sent[k - 1].whitespace_ and sent[k + 1].is_alpha


def _paired_count_name(sent: Span, j: int) -> tuple[int, int] | None:
    """"(251 intervention and 246 control)": a count, one to three words, then "and" or a bracket."""
    if not any(t.text == "(" for t in sent[max(0, j - 8) : j]):
        return None
    end = j
    while end < len(sent) and end - j < 3 and sent[end].is_alpha and sent[end].lower_ not in ("and", "or"):
        end += 1
    if not (end > j and end < len(sent) and sent[end].lower_ in ("and", ",", ")", "or", ";")):
        return None
    if sent[j].lower_ in _MEASURES or sent[end - 1].lower_ in _SEXES:
        return None  # "(two puffs, 12 hourly)", "(27 males and 31 females)": doses and make-ups
    sibling_after = end + 1 < len(sent) and sent[end].text != ")" and sent[end + 1].like_num
    sibling_before = j >= 2 and sent[j - 2].lower_ in ("and", ",", ";", "or")
    return (j, end) if sibling_after or sibling_before else None


def _name_colon_count(sent: Span) -> Iterator[tuple[int, int, int]]:
    """"fentanyl group: 76" and "fentanyl group, 76 patients"."""
    for k, tok in enumerate(sent):
        if tok.lower_ not in _NAME_END or k + 2 >= len(sent) or sent[k + 1].text not in (":", "="):
            continue
        n = parse_count_word(sent[k + 2].text) if sent[k + 2].like_num else None
        if n is None or "." in sent[k + 2].text:
            continue
        start = k
        while start > 0 and k - start < 4 and sent[start - 1].is_alpha and sent[start - 1].lower_ not in _NAME_STOP:
            start -= 1
        if start < k:
            yield start, k + 1, n


def _skip_brackets(sent: Span, j: int) -> int:
    if j < len(sent) and sent[j].text in "([":
        depth = 0
        while j < len(sent):
            depth += sent[j].text in "(["
            depth -= sent[j].text in ")]"
            j += 1
            if depth == 0:
                break
    return j


_LABEL_FIRST = rule("arms.label_first")
_LABEL_VERB = rule("arms.label_verb")
_LABEL_PASSIVE = rule("arms.label_passive")
_LABEL_IN_BRACKETS = rule("arms.label_in_brackets")
_MAY_DEFINE_LABELS = cue_filter(("arms.label_first", "arms.label_verb", "arms.label_passive", "arms.label_in_brackets"))
_NAME_BEFORE = rule("arms.name_before")
_LETTERS3 = rule("common.letters3")
_BRACKETED = rule("common.bracketed")
_SMALL_LEADING_WORD = rule("arms.small_leading_word")


def _long_name(text: str) -> str | None:
    """A group described by what it received: kept whole, but not a sentence about results."""
    text = text.strip(" ,;:")
    if len(text.split()) > _MAX_DESCRIPTION_WORDS or _VERBISH.search(text) or not _LETTERS3.search(text):
        return None
    return text


def label_definitions(text: str) -> Iterator[tuple[str, str, str]]:
    """("Group L", "lidocaine 40 mg", rule id) for "Group L, lidocaine 40 mg", "lidocaine (group L)",
    "group L received lidocaine 40 mg" and "in group L lidocaine 40 mg was given"."""
    if not _MAY_DEFINE_LABELS(text):
        return
    for m in _LABEL_FIRST.finditer(text):
        name = clean_arm_name(m.group(2))
        if name and not group_label(name) and not name.lower().startswith(("and ", "or ", "received", "was", "were")):
            yield f"Group {m.group(1)}", name, "arms.label_first"
    for m in _LABEL_VERB.finditer(text):
        name = _long_name(m.group(2))
        if name:
            yield f"Group {m.group(1)}", name, "arms.label_verb"
    for m in _LABEL_PASSIVE.finditer(text):
        name = _long_name(_BRACKETED.sub("", m.group(2)))
        if name:
            yield f"Group {m.group(1)}", name, "arms.label_passive"
    for m in _LABEL_IN_BRACKETS.finditer(text):
        before = _NAME_BEFORE.search(text[max(0, m.start() - 64) : m.start()])
        if not before:
            continue
        name = clean_arm_name(_SMALL_LEADING_WORD.sub("", before.group(1).strip()))
        if name:
            yield f"Group {m.group(1)}", name, "arms.label_in_brackets"


_COORDINATED = rule("arms.coordinated_groups")


def coordinated_groups(text: str) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each of two groups named together before "groups" or "arms": "the
    apixaban and placebo groups" names "apixaban" and "placebo"."""
    for m in _COORDINATED.finditer(text):
        for k in (1, 2):
            name = clean_arm_name(m.group(k))
            if name:
                yield name, m.start(), m.end()


_PARTITION = rule("arms.partition")
_PART = rule("arms.partition_part")
_OF_DRUG = rule("arms.of_drug")


def partition_sizes(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Groups sized by a partition of the participants: "Out of 14 patients; 5 (35.7%) obtained 32 mg,
    4 (28.6%) obtained 64 mg and 5 (35.7%) obtained 96 mg of buprenorphine" gives (name, n, start,
    end) for each part, the drug of the last named in every one, when the parts add up."""
    for m in _PARTITION.finditer(text):
        parts = list(_PART.finditer(m.group("body")))
        if len(parts) < 2 or sum(int(p.group("n")) for p in parts) != int(m.group("total")):
            continue
        drug = _OF_DRUG.search(parts[-1].group("name"))
        offset = m.start("body")
        for part in parts:
            name = _OF_DRUG.sub("", part.group("name")).strip()
            if drug:
                name = f"{drug.group(1)} {name}"
            yield name, int(part.group("n")), offset + part.start(), offset + part.end()

