"""Finding the arms of a trial, their sizes, and where the text mentions them.

Arms come from two places: table headers ("Placebo (n = 75)") and sentences that name several
groups with their sizes ("IL-2 (n=30) or placebo (n=30)"). Candidates naming the same group are
merged. :class:`ArmLexicon` then finds mentions of each arm in a sentence: its name, the
abbreviation the paper defined for it, a group label ("group I") or a word of its name that no other
arm shares.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER
from spacy.tokens import Doc, Span

from extractor.evidence.model import Arm, Evidence
from extractor.evidence.similarity import STOP_WORDS, normalise, stem, terms, tokens
from extractor.evidence.spans import span_text
from extractor.nlp.rules import fold, parse_count_word

CONTROL = re.compile(
    r"\b(?:placebos?|pbo|controls?|usual|standard[- ](?:care|treatment|therapy)|sham|vehicle|"
    r"no[- ](?:treatment|intervention)|saline|conventional|routine[- ]care|wait[- ]?list|"
    r"treatment as usual|tau|comparators?|untreated)\b",
    re.I,
)
# Words that do not tell one arm from another.
NOT_DISTINCTIVE = frozenset(
    """
    group groups arm arms treatment treated therapy therapies dose doses dosage low high daily
    mg g kg ml mcg µg iu day days week weeks month months plus alone combined combination once twice
    standard receiving received patients subjects regimen intervention treatment oral intravenous
    subcutaneous iv sc po bid tid qd per total single double first second
    """.split()
)
_GROUP_LABEL = re.compile(
    r"\bgroups?\s+(?:no\.?\s*)?([A-Z]{1,2}\d{0,2}|[a-z]\d{0,2}|[IVX]{1,4}|\d{1,2}[a-z]?)\b(?![\w-])"
)
# Words at which the name of a group, read backwards from its "(n = 30)", stops.
_NAME_STOP = frozenset(
    """
    and or to versus vs into received receive receiving either were was are is in randomized
    randomised allocated assigned between comprising including included namely with given
    while whereas both each from of : ; , . = n ( [
    """.split()
)
_HEADER_NOT_ARM = re.compile(
    r"^(?:p|p[- ]?values?|sig\.?|significance|difference|diff\.?|mean difference|95\s*%\s*ci|ci|"
    r"or|rr|hr|odds ratio|risk ratio|relative risk|hazard ratio|effect(?: size)?|total|all|overall|"
    r"all patients|whole sample|t|f|z|χ2|chi|statistic|test|variable|characteristic|outcome|"
    r"parameter|measure|item|n|%|no\.?|number)\b",
    re.I,
)
_N_IN_TEXT = re.compile(r"[(\[,;]?\s*\b[nN]\s*[=:]\s*(\d{1,3}(?:,\d{3})+|\d+)\s*[)\]]?")


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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


_STAT_PHRASES = re.compile(
    r"\(?\s*(?:n\s*(?:\(\s*%\s*\)|,\s*%|/\s*%)|no\.?\s*\(\s*%\s*\)|mean\s*(?:±|\+/-)\s*sd|"
    r"mean\s*\(\s*sd\s*\)|median\s*\(\s*iqr\s*\)|%|mean|sd)\s*\)?\s*$",
    re.I,
)
_NAME_WORD = re.compile(r"[A-Za-zα-ωµ]{2,}|\b[A-Z]\b")
_NOT_NAME_WORDS = frozenset(
    """
    n mean sd median iqr range no number total baseline value values p years year months month weeks
    week days day hours hour minutes min mg g kg ml l mmol µg mcg iu cm mm men women patients
    participants subjects people persons individuals children adults cases each all per both groups
    group arm arms lessons times sessions visits items points events total
    """.split()
)
_LEADING = re.compile(r"^(?:(?:in|on|of|to|for|with|and|or|the|a|an|from|into)\s+)+", re.I)
_NOT_A_GROUP = re.compile(
    r"^(?:each|all|both|either|per|every|two|three|four|the two|follow[- ]?up|baseline|entry|visit|week|"
    r"month|day|year|period|pre-?treatment|post-?treatment|before|after|total|overall)\b",
    re.I,
)
# Populations and times, which sizes are given for, are not groups: "ITT analyses (n = 101)".
_POPULATION = re.compile(r"\b(?:analys[ie]s|population|per[- ]protocol|intention[- ]to[- ]treat|ITT|enrol+ees|"
                         r"completers|(?:post-?operative|post-?treatment|post-?natal)\s+(?:day|week|month)s?|"
                         r"(?:first|second|third|last|final)\s+(?:day|week|month|visit|year)s?)\b", re.I)
_VERBISH = re.compile(r"\b(?:was|were|is|are|had|has|have|showed|show|did|significant(?:ly)?|improv\w*|"
                      r"differ\w*|compared|respectively|observed|reported|found)\b", re.I)


def clean_arm_name(name: str) -> str | None:
    """A group name without stat labels, footnote marks, quotes or unbalanced brackets; None if none is left."""
    text = re.sub(r"[*†‡§¶¤#“”\"]+", "", name).strip()
    for _ in range(2):
        text = _STAT_PHRASES.sub("", text).strip(" ,;:-")
    text = _balance(text).strip(" ,;:-")
    text = _LEADING.sub("", text).strip()
    if _NOT_A_GROUP.match(text) or _POPULATION.search(text):
        return None
    words = [w for w in _NAME_WORD.findall(text) if w.lower() not in _NOT_NAME_WORDS]
    starts_with_number = re.match(r"^[\d.%(<>=]", text) and not _DOSE.match(fold(text))  # "30 µg YIC" is a name
    if not (words or group_label(text)) or starts_with_number or len(text.split()) > 8 or _VERBISH.search(text):
        return None
    return text


def _balance(text: str) -> str:
    """Drop a bracket that is never closed ("normal renal function (lixisenatide")."""
    if text.count("(") > text.count(")"):
        text = text[: text.rfind("(")] if text.rfind("(") > 0 else text.replace("(", "")
    if text.count(")") > text.count("("):
        text = text.replace(")", "")
    return text.strip()


def split_header_n(text: str) -> tuple[str, int | None]:
    """Split "Placebo (n = 75)" into ("Placebo", 75); a header without n keeps n None."""
    m = _N_IN_TEXT.search(text)
    if not m:
        return text.strip(), None
    name = (text[: m.start()] + " " + text[m.end():]).strip(" ,;:()[]")
    return re.sub(r"\s+", " ", name), int(m.group(1).replace(",", ""))


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
    while start > 0 and end - start < 8 and doc[start - 1].lower_ not in _NAME_STOP:
        start -= 1
    while start < end and doc[start].lower_ in ("the", "a", "an"):
        start += 1
    while start < end - 1 and doc[start].lower_ in ("group", "groups", "arm") and not group_label(
        doc[start:end].text
    ):
        start += 1
    return (start, end) if start < end else None


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


_GROUP_LABEL_CI = re.compile(r"\b[Gg][Rr][Oo][Uu][Pp][Ss]?\s+([IVX]{1,4}|[A-Za-z]\d{0,2}|\d{1,2})\b(?![\w-])")


def acronym_of(short: str, long: str) -> bool:
    """Whether ``short`` ("NBT", "CACP") spells the initials of words of ``long``
    ("nature-based therapy", "corporate-academic cooperation program"), in order and in a run."""
    letters = short.lower()
    if not (2 <= len(letters) <= 6 and short.isupper() and short.isalpha()):
        return False
    words = [w for w in re.split(r"[\s\-/]+", long.lower()) if w and w[0].isalpha()]
    initials = "".join(w[0] for w in words if w not in ("and", "of", "the", "with", "for", "in"))
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
    ta, tb = set(_distinctive_terms(a)), set(_distinctive_terms(b))
    if not ta or not tb:
        return False
    if role_of(a) != role_of(b):
        return False
    if ta != tb and (_COMBINED.search(na) or _COMBINED.search(nb)):
        return False  # "MPC + HA" is neither "HA" nor "HA alone"
    return ta <= tb or tb <= ta


_NEGATED = re.compile(r"\b(?:no|not|without|non)\b|\bnon-")
_COMBINED = re.compile(r"\+|\b(?:plus|combined|combination|alone|only|monotherapy)\b")


def _only_word(name: str, short: str) -> bool:
    """Whether abbreviation ``short`` is all that ``name`` says, but for words that do not tell
    groups apart ("HA group" is hyaluronan; "MPC + HA" is not)."""
    words = tokens(name)
    return short in words and all(w == short or w in NOT_DISTINCTIVE or w in STOP_WORDS for w in words)


_DOSE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:mg|g|µg|μg|mcg|ug|iu|u|ml|mmol|mg/kg|µg/kg|μg/kg|%)(?![a-z])", re.I)


def doses(name: str) -> frozenset[str]:
    """The doses a group name states ("macitentan 0.2 mg" -> {"0.2"})."""
    return frozenset(m.group(1).replace(",", ".") for m in _DOSE.finditer(fold(name)))


def _numbering(name: str) -> frozenset[str]:
    """Numbers that tell groups apart without being doses: "GDM 1", "GDM2", "Period 1", "phase II"."""
    text = split_header_n(name)[0]
    text = _DOSE.sub(" ", fold(text))
    found = re.findall(r"\b[A-Za-z]{2,}\s?(\d{1,2})\b|\b(?:phase|period|stage|cohort|part)\s+([IVX]{1,4})\b", text)
    return frozenset(a or b.lower() for a, b in found)


def _distinctive_terms(name: str) -> tuple[str, ...]:
    return tuple(t for t in terms(name) if t not in NOT_DISTINCTIVE and not t.isdigit())


def merge_candidates(candidates: Sequence[Candidate], abbreviations: Mapping[str, str]) -> tuple[Arm, ...]:
    """Merge candidates naming the same group into arms, in order of first mention."""
    clusters: list[list[Candidate]] = []
    for cand in candidates:
        for cluster in clusters:
            if any(same_group(a, b, abbreviations) for other in cluster for a in cand.names
                   for b in other.names):
                cluster.append(cand)
                break
        else:
            clusters.append([cand])
    return tuple(_arm(cluster) for cluster in clusters)


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
    )


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


_ARTICLES = frozenset(("a", "an", "the"))
_BRACKETED_SHORT = re.compile(r"\(\s*([A-Za-z][\w-]{1,10})\s*\)")


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


_ALNUM = re.compile(r"[^\W_]")


def _doc_words(doc: Doc) -> list[tuple[int, str]]:
    if len(doc) < 40:  # a label: reading the arrays costs more than the tokens
        return [(t.i, stem(t.lower_)) for t in doc
                if not (t.is_punct or t.is_space) and (t.text.isalnum() or _ALNUM.search(t.text))]
    strings = doc.vocab.strings
    out = []
    for i, (lower, punct, space) in enumerate(doc.to_array([LOWER, IS_PUNCT, IS_SPACE]).tolist()):
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
        names = (arm.name, *arm.aliases)
        for name in names:
            toks = tuple(t for k, t in enumerate(tokens(name)) if t not in ("the", "a", "an") or
                         k > 0 and tokens(name)[k - 1] in ("group", "groups", "arm"))
            if toks:
                phrases.add(toks)
            label = group_label(name)
            if label:
                phrases.add(tuple(label.split()))
                if re.fullmatch(r"group [a-z]{1,2}\d{1,2}", label):  # "groups H1 and H2": bare "H2"
                    phrases.add((label.split()[1],))
            for short, long in abbreviations.items():
                if normalise(long) in normalise(name) and len(long) > 3:
                    phrases.add((short.lower(),))
            for short in _BRACKETED_SHORT.findall(name):  # "patients without ICU-AW (non-ICU-AW)"
                phrases.add(tuple(tokens(short)))
        phrases |= {split for p in phrases if (split := _split_hyphens(p)) != p}  # "short-bore" is "short bore"
        others = {t for other in self.arms if other is not arm for n in (other.name, *other.aliases)
                  for t in terms(n)}
        for name in names:
            for term in _distinctive_terms(name):
                if term not in others and len(term) > 2 and term not in STOP_WORDS:
                    phrases.add((term,))
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


_SIZE_CUE = re.compile(r"random|allocat|assign|evaluat|analy[sz]|enrol|includ|complet|divided|recruit|"
                       r"were given|received", re.I)
_COUNT_NOUNS = frozenset("patients participants subjects women men children infants cases persons "
                         "individuals eyes mothers neonates adults volunteers people".split())
_COUNT_VERBS = frozenset("were was randomized randomised allocated assigned included enrolled evaluated "
                         "analyzed analysed received receiving completed treated".split())
_COUNT_LINKS = frozenset("in to into for received receiving".split())
_NAME_END = frozenset("group arm groups arms".split())


def count_phrases(sent: Span) -> Iterator[tuple[int, int, int]]:
    """Group sizes stated as counts: (name start, name end, n), token offsets within ``sent``.

    Reads "24 in the EMS group", "28 patients were randomised to the placebo group",
    "fentanyl group: 76" and "(251 intervention and 246 control)".
    """
    if not _SIZE_CUE.search(span_text(sent)):
        return
    for i, _tok in enumerate(sent):
        n = _count_at(sent, i)
        if n is None:
            continue
        found = _count_then_name(sent, i + 1) or _paired_count_name(sent, i + 1) or _count_who_underwent(sent, i + 1)
        if found:
            yield found[0], found[1], n
    yield from _name_colon_count(sent)


def _count_at(sent: Span, i: int) -> int | None:
    tok = sent[i]
    if not (tok.like_num and "." not in tok.text) or (i > 0 and sent[i - 1].text in ("=", "n", "N")):
        return None
    if i + 1 < len(sent) and sent[i + 1].text in ("%", "/", "±"):
        return None
    return parse_count_word(tok.text)


def _count_then_name(sent: Span, j: int) -> tuple[int, int] | None:
    j = _skip_brackets(sent, j)
    if j < len(sent) and sent[j].lower_ in _COUNT_NOUNS:
        j += 1
    while j < len(sent) and sent[j].lower_ in _COUNT_VERBS:
        j += 1
    if j >= len(sent) or sent[j].lower_ not in _COUNT_LINKS:
        return None
    j += 1
    if j < len(sent) and sent[j].lower_ in ("the", "a", "an"):
        j += 1
    end = j
    while end < len(sent) and end - j < 6 and sent[end].lower_ not in _NAME_END and not sent[end].is_punct \
            and sent[end].lower_ not in ("and", "or", "vs", "versus", "while", "whereas"):
        end += 1
    if end < len(sent) and sent[end].lower_ in _NAME_END and end > j:
        return j, end + 1
    return None


_UNDERWENT = frozenset("underwent received got".split())
_TREATMENT_END = frozenset("procedure procedures operation surgery treatment therapy and or while whereas".split())


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
    start = k + 1 + (k + 1 < len(sent) and sent[k + 1].lower_ in ("the", "a", "an"))
    end = start
    while end < len(sent) and end - start < 6 and sent[end].lower_ not in _TREATMENT_END and (
            not sent[end].is_punct or _joins_words(sent, end)):
        end += 1
    return (start, end) if end > start else None


_SPLIT_CUE = re.compile(r"divided|randomi[sz]|allocat|assign", re.I)


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


_LABEL = r"(?:[A-Z]{1,2}\d{0,2}|[IVX]{1,4}|\d{1,2})"
_NAME_CHARS = r"(?:[^;,().:\n]|(?<=\d)\.(?=\d))"
_LABEL_FIRST = re.compile(
    rf"\b[Gg]roups?\s+({_LABEL})\b\s*[,:(=–-]\s*(?:the\s+|a\s+)?({_NAME_CHARS}{{3,60}}?)\s*(?=[;,)]|$|\.(?:\s|$))"
)
_LABEL_VERB = re.compile(
    rf"\b[Gg]roups?\s+({_LABEL})\b\s*(?:\([^)]*\)\s*)?(?:was|were)?\s*(?:randomi[sz]ed\s+to\s+)?"
    rf"(?:received?|given|treated\s+with|underwent|presented\s+with|assigned\s+to|allocated\s+to)\s+"
    rf"(?:the\s+|a\s+|an\s+)?({_NAME_CHARS}{{3,120}}?)\s*(?=[;)]|$|\.(?:\s|$)|,\s+(?:and|while|whereas)\b)"
)
_LABEL_PASSIVE = re.compile(  # "in group I (120 people) intravenous lidocaine (1.5 mg/kg) was administered"
    rf"\b[Gg]roups?\s+({_LABEL})\b\s*(?:\([^)]*\)\s*)?,?\s*(?:the\s+|a\s+|an\s+)?"
    rf"([A-Za-z](?:[^;,.:()\n]|(?<=\d)\.(?=\d)|\([^)]*\)){{2,100}}?)\s+(?:was|were)\s+(?:\w+ly\s+)?"
    rf"(?:administered|given|infused|injected|applied|used|instilled)\b"
)
_LABEL_IN_BRACKETS = re.compile(rf"\(\s*[Gg]roups?\s+({_LABEL})\s*\)")
_NAME_BEFORE = re.compile(r"([A-Za-z][^;,().:\n]{2,60}?)\s*$")


def _long_name(text: str) -> str | None:
    """A group described by what it received: kept whole, but not a sentence about results."""
    text = text.strip(" ,;:")
    if len(text.split()) > 30 or _VERBISH.search(text) or not re.search(r"[A-Za-z]{3,}", text):
        return None
    return text


def label_definitions(text: str) -> Iterator[tuple[str, str]]:
    """("Group L", "lidocaine 40 mg") for "Group L, lidocaine 40 mg", "lidocaine (group L)",
    "group L received lidocaine 40 mg" and "in group L lidocaine 40 mg was given"."""
    if "roup" not in text:
        return
    for m in _LABEL_FIRST.finditer(text):
        name = clean_arm_name(m.group(2))
        if name and not group_label(name) and not name.lower().startswith(("and ", "or ", "received", "was", "were")):
            yield f"Group {m.group(1)}", name
    for m in _LABEL_VERB.finditer(text):
        name = _long_name(m.group(2))
        if name:
            yield f"Group {m.group(1)}", name
    for m in _LABEL_PASSIVE.finditer(text):
        name = _long_name(re.sub(r"\s*\([^)]*\)", "", m.group(2)))
        if name:
            yield f"Group {m.group(1)}", name
    for m in _LABEL_IN_BRACKETS.finditer(text):
        before = _NAME_BEFORE.search(text[max(0, m.start() - 64) : m.start()])
        if not before:
            continue
        name = clean_arm_name(re.sub(r"^(?:the|a|an|and|or|with|to|of)\s+", "", before.group(1).strip(), flags=re.I))
        if name:
            yield f"Group {m.group(1)}", name


_PARTITION = re.compile(
    r"\b(?:out\s+)?of\s+(?:the\s+)?(?P<total>\d{1,5})\s+(?:[\w-]+\s+){0,2}?(?:patients|participants|subjects|"
    r"women|men|children|inpatients|volunteers)\s*[;,:]\s*(?P<body>(?:[^.]|(?<=\d)\.(?=\d))+)", re.I)
_PART = re.compile(
    r"(?P<n>\d{1,5})\s*\(\s*\d{1,3}(?:\.\d+)?\s*%\s*\)\s+(?:(?:patients|participants|subjects)\s+)?"
    r"(?:were\s+)?(?:obtained|received|got|took|underwent|(?:were\s+)?(?:assigned|allocated|randomi[sz]ed)\s+to)\s+"
    r"(?P<name>[^,;]+?)\s*(?=,|;|\band\b|$)", re.I)


def partition_sizes(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Groups sized by a partition of the participants: "Out of 14 patients; 5 (35.7%) obtained 32 mg,
    4 (28.6%) obtained 64 mg and 5 (35.7%) obtained 96 mg of buprenorphine" gives (name, n, start,
    end) for each part, the drug of the last named in every one, when the parts add up."""
    for m in _PARTITION.finditer(text):
        parts = list(_PART.finditer(m.group("body")))
        if len(parts) < 2 or sum(int(p.group("n")) for p in parts) != int(m.group("total")):
            continue
        drug = re.search(r"\s+of\s+([A-Za-z][\w-]+)\s*$", parts[-1].group("name"))
        offset = m.start("body")
        for part in parts:
            name = re.sub(r"\s+of\s+[A-Za-z][\w-]+\s*$", "", part.group("name")).strip()
            if drug:
                name = f"{drug.group(1)} {name}"
            yield name, int(part.group("n")), offset + part.start(), offset + part.end()

