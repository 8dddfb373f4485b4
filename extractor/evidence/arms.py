"""Finding the arms of a trial, their sizes, and where the text mentions them.

Arms come from two places: table headers ("Placebo (n = 75)") and sentences that name several
groups with their sizes ("IL-2 (n=30) or placebo (n=30)"). Candidates naming the same group are
merged. :class:`ArmLexicon` then finds mentions of each arm in a sentence: its name, the
abbreviation the paper defined for it, a group label ("group I") or a word of its name that no other
arm shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from extractor.evidence.model import Arm, Evidence
from extractor.evidence.similarity import STOP_WORDS, normalise, stem, terms, tokens

CONTROL = re.compile(
    r"\b(?:placebos?|controls?|usual[- ]care|standard[- ](?:care|treatment|therapy)|sham|vehicle|"
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
_GROUP_LABEL = re.compile(r"\bgroups?\s*(?:no\.?\s*)?([A-Za-z]|[IVX]{1,4}|\d{1,2})\b(?![\w-])", re.I)
# Words at which the name of a group, read backwards from its "(n = 30)", stops.
_NAME_STOP = frozenset(
    """
    and or to versus vs into received receive receiving either were was are is in randomized
    randomised allocated assigned between comprising including included namely with given
    while whereas both each from of : ; , . = n
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
    if end > 0 and doc[end - 1].text in "([":
        end -= 1
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
    while start < end and doc[start].lower_ in ("the", "a", "an", "group", "groups", "arm"):
        start += 1
    return (start, end) if start < end else None


def role_of(name: str) -> str:
    """"control" for placebo, usual care, sham and the like; else "intervention"."""
    return "control" if CONTROL.search(name) else "intervention"


def group_label(name: str) -> str | None:
    """The label of "Group I", "group B", "Groups 2" as "group i" / "group b" / "group 2"."""
    m = _GROUP_LABEL.search(name)
    return f"group {m.group(1).lower()}" if m else None


def same_group(a: str, b: str, abbreviations: Mapping[str, str]) -> bool:
    """Whether two names denote the same group (by label, abbreviation or shared content words)."""
    la, lb = group_label(a), group_label(b)
    if la and lb:
        return la == lb
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return True
    for short, long in abbreviations.items():
        s, lf = short.lower(), normalise(long)
        if (s in tokens(na) and lf in nb) or (s in tokens(nb) and lf in na):
            return True
    ta, tb = set(_distinctive_terms(a)), set(_distinctive_terms(b))
    if not ta or not tb:
        return False
    if role_of(a) != role_of(b):
        return False
    return ta <= tb or tb <= ta


def _distinctive_terms(name: str) -> tuple[str, ...]:
    return tuple(t for t in terms(name) if t not in NOT_DISTINCTIVE and not t.isdigit())


def merge_candidates(candidates: Sequence[Candidate], abbreviations: Mapping[str, str]) -> tuple[Arm, ...]:
    """Merge candidates naming the same group into arms, in order of first mention."""
    clusters: list[list[Candidate]] = []
    for cand in candidates:
        for cluster in clusters:
            if any(same_group(cand.name, other.name, abbreviations) for other in cluster):
                cluster.append(cand)
                break
        else:
            clusters.append([cand])
    return tuple(_arm(cluster) for cluster in clusters)


def _arm(cluster: list[Candidate]) -> Arm:
    text_ns = [c.n for c in cluster if c.source == "text" and c.n]
    table_ns = [c.n for c in cluster if c.source == "table" and c.n]
    n_rand = text_ns[0] if text_ns else (max(table_ns) if table_ns else None)
    n_anal = min(table_ns) if table_ns and min(table_ns) != n_rand else None
    names = list(dict.fromkeys(c.name for c in cluster))
    name = min(names, key=lambda s: (len(s) > 40, -len(terms(s)) if len(s) <= 40 else len(s)))
    return Arm(
        name=name,
        n_randomised=n_rand,
        n_analysed=n_anal,
        aliases=tuple(n for n in names if n != name),
        role=role_of(" ".join(names)),  # type: ignore[arg-type]
        evidence=tuple(c.evidence for c in cluster if c.evidence),
    )


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

    def _phrases(self, arm: Arm, abbreviations: Mapping[str, str]) -> set[tuple[str, ...]]:
        phrases: set[tuple[str, ...]] = set()
        names = (arm.name, *arm.aliases)
        for name in names:
            toks = tuple(t for t in tokens(name) if t not in ("the", "a", "an"))
            if toks:
                phrases.add(toks)
            label = group_label(name)
            if label:
                phrases.add(tuple(label.split()))
            for short, long in abbreviations.items():
                if normalise(long) in normalise(name) and len(long) > 3:
                    phrases.add((short.lower(),))
        others = {t for other in self.arms if other is not arm for n in (other.name, *other.aliases)
                  for t in terms(n)}
        for name in names:
            for term in _distinctive_terms(name):
                if term not in others and len(term) > 2 and term not in STOP_WORDS:
                    phrases.add((term,))
        if arm.role == "control" and sum(a.role == "control" for a in self.arms) == 1:
            phrases.update({("control",), ("controls",)})
        return phrases

    def _add(self, phrase: tuple[str, ...], arm: str) -> None:
        self.entries.setdefault(phrase[0], []).append((phrase, arm))

    def mentions(self, span: Doc | Span) -> list[Mention]:
        """Arm mentions in ``span`` (token offsets relative to the span), longest first, no overlaps."""
        words = [stem(t.lower_) if t.lower_ not in self.entries else t.lower_ for t in span]
        found: list[Mention] = []
        i = 0
        while i < len(words):
            hit = self._match_at(words, i)
            if hit:
                found.append(hit)
                i = hit.end
            else:
                i += 1
        return found

    def _match_at(self, words: list[str], i: int) -> Mention | None:
        for key in (words[i], stem(words[i])):
            for phrase, arm in self.entries.get(key, ()):
                n = len(phrase)
                if tuple(words[i : i + n]) == phrase or tuple(stem(w) for w in words[i : i + n]) == tuple(
                    stem(p) for p in phrase
                ):
                    return Mention(arm, i, i + n)
        return None
