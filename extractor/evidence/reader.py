"""Reading one trial: passages through the spaCy pipeline, arms, and results from text and tables.

:class:`TrialReader` is built once per record and keeps what every question about the trial needs:
the parsed passages, the abbreviations the paper defines, the table views, the arms. Its
:meth:`~TrialReader.results` method reads every result between known arms, in text and tables.
Only :func:`extractor.evidence.read_trial` builds one; what it reads leaves as a frozen
:class:`~extractor.evidence.model.TrialEvidence`, which ``fill``, the audit and the report read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache, cached_property, lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import tables as tbl
from extractor.evidence.arms import (
    NOT_DISTINCTIVE,
    ArmLexicon,
    Candidate,
    clean_arm_name,
    coordinated_groups,
    count_phrases,
    distinctive_terms,
    doses,
    group_label,
    is_arm_header,
    label_definitions,
    merge_candidates,
    name_before,
    partition_sizes,
    same_group,
    split_header_n,
)
from extractor.evidence.compare import percent_agrees
from extractor.evidence.document import Passage, abstract_parts, passages
from extractor.evidence.model import Arm, ArmValue, Evidence, Result
from extractor.evidence.similarity import find_abbreviations, find_glossary, stem, terms
from extractor.evidence.sizes import Design, read_design
from extractor.evidence.spans import sentences, span_text, spans_by_sentence
from extractor.evidence.stats import effect_direction
from extractor.evidence.text import sentence_results, zero_event_results
from extractor.nlp import fold, get_nlp
from extractor.nlp.grammar import rule, words
from extractor.nlp.rules import Effect, parse_timepoint
from extractor.nlp.sizes import SizeMention, dose_only, find_sizes, reports_events, shared_out, size_rule
from extractor.records import Record

_SE_CONVENTION = rule("reader.se_convention")
_STATISTICS = words("statistics")
_ANY_SE = rule("reader.any_se")
_SD_CONVENTION = rule("reader.sd_convention")
_ALLOCATION = rule("reader.allocation")
_ACRONYM = rule("reader.acronym")
_ROLE_HEADER = rule("arms.role_named")
_A_NUMBER = rule("reader.a_number")
_EVALUATED = rule("reader.evaluated")
_NOT_ALLOCATION = rule("reader.not_allocation")
_BASELINE_ROW = rule("reader.baseline_row")
_N_AFTER_DESCRIPTION = rule("reader.n_after_description")
_LETTERS3 = rule("common.letters3")
_PLAIN_NUMBER = rule("reader.plain_number")


# Where a paper states its design: sizes read there may name groups; elsewhere they only size them.
_WHOLE_GROUP = rule("reader.whole_group")
_GROUP_WORD = rule("reader.group_word")
_DESIGN_PARTS = frozenset({"abstract_results", "abstract_methods", "methods"})
_GROUP_KINDS = frozenset({"group", "analysed"})


class TrialReader:
    """Everything the extractor reads from one record, computed once."""

    def __init__(self, record: Record, nlp: Language | None = None) -> None:
        self.record = record
        self.nlp = nlp or get_nlp()
        self._results: dict[tuple[Arm, ...], list[Result]] = {}

    @cached_property
    def passages(self) -> list[Passage]:
        return list(passages(self.record))

    @cached_property
    def docs(self) -> list[Doc]:
        texts = [fold(p.text) for p in self.passages]
        docs = list(self.nlp.pipe(texts))
        for doc, passage, text in zip(docs, self.passages, texts, strict=True):
            doc.user_data["original"] = passage.text
            doc.user_data["folded"] = text  # what doc.text would give, without joining the tokens
        return docs

    @cached_property
    def abbreviations(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for passage in self.passages:
            for short, long in find_abbreviations(passage.text).items():
                found.setdefault(short, long)
        for passage in self.passages:  # table notes list theirs: "CAL: clinical attachment level"
            if passage.part == "table":
                for short, long in find_glossary(passage.text).items():
                    found.setdefault(short, long)
        return {short: long for short, long in found.items() if short.upper() not in _STATISTICS}

    @cached_property
    def acronyms(self) -> frozenset[str]:
        """Upper-cased acronyms the article uses ("BMI", "QoL"), defined or not."""
        texts = [p.text for p in self.passages]
        texts += [cell for t in self.record.tables for row in (*t.header, *t.body) for cell in row]
        found = (m for text in texts for m in _ACRONYM.findall(text.replace("_", " ")))  # "1RM_KE"
        return frozenset(m.upper() for m in found if sum(c.isupper() for c in m) >= 2)

    @cached_property
    def views(self) -> list[tbl.TableView]:
        return [v for i, t in enumerate(self.record.tables) for v in tbl.view_blocks(t, i)]

    @cached_property
    def dispersion(self) -> str | None:
        """The spread the paper reports with "±" when it says so once for all ("mean ± SEM")."""
        text = " ".join(p.text for p in self.passages)
        se, sd = bool(_SE_CONVENTION.search(text)), bool(_SD_CONVENTION.search(text))
        if not se and not sd and "±" in text and not _ANY_SE.search(text):
            return "sd"  # "±" in a paper that never speaks of standard errors
        return "se" if se and not sd else "sd" if sd and not se else None

    @cached_property
    def arms(self) -> tuple[Arm, ...]:
        candidates = [*self._text_candidates(), *self._table_candidates()]
        sized = self._size_candidates(candidates)
        candidates = [*_not_named_longer(candidates, sized), *sized]
        arms = merge_candidates(candidates, self.abbreviations) or merge_candidates(
            list(self._coordinated_candidates()), self.abbreviations)
        if arms and not any(a.n for a in arms):
            each, groups = self._each_group()
            if each and groups in (None, len(arms)):
                arms = tuple(replace(a, n_randomised=each) for a in arms)  # "25 in each group"
        return self._within_total(arms)

    @cached_property
    def size_mentions(self) -> tuple[tuple[Passage, SizeMention], ...]:
        """Every size the abstract and the methods state (:mod:`extractor.nlp.sizes`), with its passage."""
        return tuple((p, m) for p in self.passages if p.part in _DESIGN_PARTS for m in find_sizes(p.text))

    def _result_size_mentions(self, names: set[str]) -> Iterator[tuple[Passage, SizeMention]]:
        """Sizes that results sections state for groups already named: only sentences holding a word of
        one of ``names`` (or of an abbreviation, or "group" where groups are labelled) are read."""
        cues = {t for n in names for t in distinctive_terms(n) if len(t) >= 3}
        cues |= {s.lower() for s in self.abbreviations}
        if any(group_label(n) for n in names):
            cues |= {"group", "arm"}
        if not cues:
            return
        for p in self.passages:
            if p.part == "results":
                found = find_sizes(p.text, keep=lambda s: any(c in s for c in cues), kinds=_GROUP_KINDS)
                yield from ((p, m) for m in found)

    def _size_candidates(self, known: list[Candidate]) -> list[Candidate]:
        """Groups sized by the phrasings of :mod:`extractor.nlp.sizes`. A size joins a group the paper
        names elsewhere; it names a new group only where fewer than two are known otherwise, and only
        in the abstract or the methods, where a paper states its design ("of the 40 patients given X"
        in a results section is no new arm)."""
        names = {n for c in known for n in c.names}
        mentions = (*self.size_mentions, *self._result_size_mentions(names))
        controlled = {p.section for p, m in mentions if m.group and m.group.lower().endswith("controls")}
        read = [(p, m, name) for p, m in mentions
                if m.kind in _GROUP_KINDS and m.group and (name := clean_arm_name(m.group) or _dose_group(m, p.text)
                                                           or _cases(m, p.section in controlled))]
        joins = {name: any(same_group(name, n, self.abbreviations) for n in names) for _, _, name in read}
        names_known = len(merge_candidates(known, self.abbreviations)) >= 2 if not all(joins.values()) else True
        found = []
        for passage, m, name in read:
            designs = passage.part in _DESIGN_PARTS
            listed = _a_role_group(m, name, names) or _listed_with(m, passage, read, joins)
            if not joins[name] and (not designs or (names_known and not listed)):
                continue
            ev = Evidence(passage.section, passage.text[m.start : m.end], m.start, m.end, passage.label)
            found.append(Candidate(name, m.n, "text", ev, weight=2 if designs else 1, analysed=m.kind == "analysed",
                                   rule=m.rule))
        return found

    def _each_group(self) -> tuple[int | None, int | None]:
        """The size every group has, and how many groups, when the text says so once for all."""
        if self.design.per_group:
            return self.design.per_group, self.design.groups
        each = next((m for _, m in self.size_mentions if m.kind == "each"), None)
        return (each.n, each.groups) if each else (None, None)

    def _within_total(self, arms: tuple[Arm, ...]) -> tuple[Arm, ...]:
        """No arm is larger than the whole sample the trial states: such a size is dropped."""
        totals = [m.n for _, m in self.size_mentions if m.kind == "total"]
        if not totals:
            return arms
        limit = max(totals)
        return tuple(replace(a, n_randomised=a.n_randomised if (a.n_randomised or 0) <= limit else None,
                             n_analysed=a.n_analysed if (a.n_analysed or 0) <= limit else None) for a in arms)

    def _coordinated_candidates(self) -> Iterator[Candidate]:
        """Groups named only together, before "groups" ("the apixaban and placebo groups"), in the
        abstract or the methods: the arms of a trial nothing else names."""
        for passage in self.passages:
            if passage.part in _DESIGN_PARTS:
                for name, start, end in coordinated_groups(passage.text):
                    ev = Evidence(passage.section, passage.text[start:end], start, end, passage.label)
                    yield Candidate(name, None, "text", ev, rule="arms.coordinated_groups")

    def _text_candidates(self) -> Iterator[Candidate]:
        for passage, doc in zip(self.passages, self.docs, strict=True):
            if passage.part == "discussion":
                continue
            weight = 2 if passage.part in ("abstract_results", "methods") else 1
            if passage.part != "table":  # table notes state sizes ("placebo (n = 14)"), not who got what
                for name, alias, rule_id in label_definitions(passage.text):
                    yield Candidate(name, None, "text", aliases=(alias,), weight=weight, rule=rule_id)
                for name, n, start, end in partition_sizes(passage.text):
                    ev = Evidence(passage.section, passage.text[start:end], start, end, passage.label)
                    yield Candidate(name, n, "text", ev, weight=2, rule="arms.partition")
            for sent in sentences(doc):
                text = span_text(sent)
                if not _A_NUMBER.search(text) or _NOT_ALLOCATION.search(text):
                    continue  # every size is a number, in digits or words
                yield from self._sentence_candidates(passage, doc, sent, weight)

    def _sentence_candidates(self, passage: Passage, doc: Doc, sent: Span, weight: int) -> Iterator[Candidate]:
        sizes = [s for s in _spans_of(doc, sent) if s.label_ == "GROUP_SIZE"]
        events = reports_events(span_text(sent)) or "/footnotes/" in passage.section
        if events:  # "placebo (3 patients)" in a note or beside an event counts those who had it; "(n = 14)" is a size
            sizes = [s for s in sizes if s.id_ != "paren_count_noun"]
        found = [(b[0], b[1], s._.value, _past_bracket(doc, s.end), f"values.{s.id_}") for s in sizes
                 if (b := name_before(doc, s.start)) and not _whole_sample(doc, b, s.end)]
        if not _ALLOCATION.search(span_text(sent)) or _breakdown(doc, found) \
                or (events and any(n <= 2 for _, _, n, *_ in found)):
            found = []  # "rash (n = 71), fever (n = 36)", "leak (n = 2)" list findings, not groups
        if not events:  # "Two patients in group A withdrew" counts an outcome
            found += [(sent.start + a, sent.start + b, n, sent.start + b, "arms.count_phrase")
                      for a, b, n in count_phrases(sent)]
        for start, end, n, stop, rule_id in found:
            name = clean_arm_name(passage.text[doc[start].idx : doc[end - 1].idx + len(doc[end - 1])])
            if name is None:
                continue
            ev = Evidence(passage.section, passage.text[doc[start].idx : doc[stop - 1].idx + len(doc[stop - 1])],
                          doc[start].idx, doc[stop - 1].idx + len(doc[stop - 1]), passage.label)
            yield Candidate(name, n, "text", ev, weight=weight, analysed=bool(_EVALUATED.search(span_text(sent))),
                            description=_description(passage, doc, end, stop), rule=rule_id)

    @cached_property
    def design(self) -> Design:
        """What the text says of the groups: how many, of what size, within-subject or not."""
        return read_design(p.text for p in self.passages if p.part not in ("table", "discussion"))

    def arm_near(self, text: str, *, other: str = "") -> Arm | None:
        """The arm whose mentions keep company with the distinctive words of ``text``.

        A sheet may call an arm by its drug ("intravenous lidocaine") where the paper says
        "group I"; sentences that name both ("in group I, 108 patients responded to lidocaine")
        tell which is which. Returns an arm only when it clearly leads.
        """
        words = set(terms(text)) - set(terms(other)) - NOT_DISTINCTIVE
        if len(words) != 1 or len(self.arms) < 2:  # a drug's name, not a description; one arm leads no other
            return None
        lexicon = ArmLexicon(self.arms, self.abbreviations)
        counts: dict[str, int] = {}
        for doc in self.docs:
            for sent in sentences(doc):
                hits = [i for i, t in enumerate(sent) if stem(t.lower_) in words]
                if not hits:
                    continue
                for m in lexicon.mentions(sent):
                    if any(abs(h - m.start) <= 8 for h in hits):
                        counts[m.arm] = counts.get(m.arm, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < 2 or len(ranked) > 1:  # only one arm keeps its company
            return None
        return next(a for a in self.arms if a.name == ranked[0][0])

    def _table_candidates(self) -> Iterator[Candidate]:
        for view in self.views:
            for c in view.value_columns():
                parts = view.column_labels[c].split(" | ")
                named = [split_header_n(p) for p in parts if split_header_n(p)[1] is not None]
                outer = _outer_group(parts, named)
                if outer is not None:  # "ECF group | All (n = 42)": the group; "ECF group | QOL (n = 35)": a part of it
                    whole = named and _WHOLE_GROUP.fullmatch(clean_arm_name(named[-1][0]) or "all")
                    yield Candidate(outer, named[-1][1] if whole else None, "table", view.header_evidence(c),
                                    rule="arms.n_in_text")
                elif named and (name := clean_arm_name(named[-1][0])) and is_arm_header(name):
                    yield Candidate(name, named[-1][1], "table", view.header_evidence(c), rule="arms.n_in_text")
                elif view.column_n[c] is not None and parts and (name := clean_arm_name(parts[-1])) \
                        and is_arm_header(name):
                    yield Candidate(name, view.column_n[c], "table", view.header_evidence(c), rule="tables.column_n")
                else:  # "Experimental condition", "Control group": the arms, even without their sizes
                    yield from (Candidate(p.strip(), None, "table", rule="reader.role_header") for p in parts
                                if _ROLE_HEADER.match(p))

    def results(self) -> list[Result]:
        """Every result between two or more of the trial's arms, from sentences then tables."""
        return self.results_with(self.arms)

    def results_with(self, arms: tuple[Arm, ...]) -> list[Result]:
        """Every result between two or more of ``arms`` (the trial's, or names given by a user)."""
        if arms not in self._results:
            lexicon = ArmLexicon(arms, self.abbreviations)
            found = [*self._text_results(lexicon), *self._table_results(lexicon)]
            self._results[arms] = [replace(r, order=i) for i, r in enumerate(found)]
        return self._results[arms]

    def result_sentences(self) -> Iterator[tuple[Passage, Span]]:
        """The sentences results are read from: where papers report them, not where they plan or discuss."""
        for passage, doc in zip(self.passages, self.docs, strict=True):
            if passage.part in ("table", "methods", "discussion"):
                continue
            parts = abstract_parts(self.record) if passage.section == "abstract" else None
            for sent in sentences(doc):
                if not parts or _in_results(parts, sent.start_char):
                    yield passage, sent

    def _text_results(self, lexicon: ArmLexicon) -> Iterator[Result]:
        for passage, sent in self.result_sentences():
            found = sentence_results(sent, lexicon, section=passage.section, label=passage.label,
                                     dispersion=self.dispersion)
            yield from found or zero_event_results(sent, lexicon, section=passage.section, label=passage.label)

    def _table_results(self, lexicon: ArmLexicon) -> Iterator[Result]:
        for view in self.views:
            columns = column_arms(view, lexicon)
            paired = paired_columns(view, lexicon, set(columns))
            rows = row_arms(view, lexicon)
            if len({arm for arm, _ in columns.values()}) >= 2 and not _rows_name_the_arms(rows, columns, lexicon):
                for row in view.rows:
                    yield from _row_results(view, row, columns, lexicon)
            elif not paired:
                yield from _transposed_results(view, rows)
            for row in view.rows:
                yield from _paired_results(view, row, paired)


def _outer_group(parts: list[str], named: list[tuple[str, int | None]]) -> str | None:
    """The group a spanning header names above a sized sub-header ("ECF group" over "All (n = 42)"),
    when the sub-header names no group of its own."""
    if len(parts) < 2 or not named or split_header_n(parts[0])[1] is not None:
        return None
    outer = clean_arm_name(parts[0])
    inner = clean_arm_name(named[-1][0])
    if outer is None or not is_arm_header(outer) or not _GROUP_WORD.search(outer):
        return None
    return outer if inner is None or _WHOLE_GROUP.fullmatch(inner) or not is_arm_header(inner) \
        or not _GROUP_WORD.search(inner) else None


def _description(passage: Passage, doc: Doc, name_end: int, stop: int) -> str | None:
    """What a group received, in the brackets after its name: "basic (tailored intervention
    targeting ...; n=456)", "X (100 mg) (n=3)"."""
    if name_end >= len(doc) or doc[name_end].text not in "([" or stop - name_end < 4:
        return None
    inner = [t for t in doc[name_end + 1 : stop] if t.text not in "()[]"]
    words = passage.text[inner[0].idx : inner[-1].idx + len(inner[-1])] if inner else ""
    text = _N_AFTER_DESCRIPTION.split(words)[0].strip(" ;,")
    return text if _LETTERS3.search(text) else None


def _rows_name_the_arms(rows: dict[int, str], columns: dict[int, tuple[str, str]], lexicon: ArmLexicon) -> bool:
    """Whether a table's rows name groups the text speaks of, none of which its columns name: the
    columns are outcomes headed with their n ("Fruit (pieces) (n = 803)"), the arms are in rows."""
    named = {n for n in rows.values() if (arm := lexicon.arm(n)) is not None and arm.evidence}
    return len(named) >= 2 and not named & {arm for arm, _ in columns.values()}


def _breakdown(doc: Doc, found: list[tuple[int, int, int, int, str]]) -> bool:
    """Four or more sizes in a sentence, some of one or two people, none given for a dose or a group
    label: the make-up of a group ("meningioma (n = 7), lipoma (n = 1), ..."), not its arms."""
    names = [doc[start:end].text for start, end, *_ in found]
    return len(names) >= 4 and any(n <= 2 for _, _, n, *_ in found) and not any(
        doses(name) or group_label(name) for name in names)


def _in_results(parts: list[tuple[int, int, str]], offset: int) -> bool:
    for start, end, part in parts:
        if start <= offset < end:
            return part in ("abstract_results", "abstract_other")
    return True


def column_arms(view: tbl.TableView, lexicon: ArmLexicon) -> dict[int, tuple[str, str]]:
    """For each value column naming exactly one arm: (arm, what else the column label says)."""
    out: dict[int, tuple[str, str]] = {}
    for c in view.value_columns():
        parts = [p for p in view.column_labels[c].split(" | ") if p]
        if parts and tbl.is_test_header(parts[-1]) or any(tbl.is_effect_header(p) for p in parts):
            continue
        names = [split_header_n(p)[0] for p in parts]  # doses: "10 mg", or a bare number under "Dose (mg)"
        numbers = set(doses(" ".join(names))) | {p.strip() for p in names if _PLAIN_NUMBER.fullmatch(p)}
        for depth in range(len(parts) - 1, -1, -1):
            arms = {m.arm for m in lexicon.mentions(label_doc(parts[depth]))}
            arms = {a for a in arms if _dose_fits(lexicon.arm(a), numbers)}
            if len(arms) == 1:
                arm = arms.pop()
                rest = [split_header_n(p)[0] for i, p in enumerate(parts) if i != depth and not _stat_only(p)]
                out[c] = (arm, [p for p in rest if p and not _is_dose_of(p, lexicon.arm(arm))])
                break
    if not out:
        out = _phase_columns(view, lexicon)
    return {c: (arm, " | ".join(rest)) for c, (arm, rest) in out.items()}


def _phase_columns(view: tbl.TableView, lexicon: ArmLexicon) -> dict[int, tuple[str, list[str]]]:
    """A before/after design, its "arms" the times ("pre-intervention", "post-intervention"), read from
    columns headed by the same times in other words ("Before", "After treatment")."""
    out: dict[int, tuple[str, list[str]]] = {}
    for phase in (_BEFORE_PHASE, _AFTER_PHASE):
        arms = [a.name for a in lexicon.arms if phase.match(a.name)]
        if len(arms) != 1:
            return {}
        for c in view.value_columns():
            parts = [p for p in view.column_labels[c].split(" | ") if p]
            at = [i for i, p in enumerate(parts) if phase.match(p)]
            if len(at) == 1 and not view.is_test_column(c):
                out[c] = (arms[0], [p for i, p in enumerate(parts) if i != at[0] and not _stat_only(p)])
    return out if len({arm for arm, _ in out.values()}) == 2 else {}


_BEFORE_PHASE = rule("tables.before_phase")
_AFTER_PHASE = rule("tables.after_phase")


def _is_dose_of(part: str, arm: Arm | None) -> bool:
    """A header part that is only the arm's dose ("600" under "mg macitentan")."""
    number = part.strip().rstrip("0").rstrip(".") if "." in part else part.strip()
    return arm is not None and _PLAIN_NUMBER.fullmatch(part.strip()) is not None and any(
        number in doses(n) or part.strip() in doses(n) for n in (arm.name, *arm.aliases))


def paired_columns(view: tbl.TableView, lexicon: ArmLexicon, taken: set[int]) -> dict[int, tuple[str, str, str]]:
    """Columns headed "Intervention (control)" whose cells hold both: "10.8±2.0 (4.9±1.9)".

    Returns (arm outside the brackets, arm inside, what else the label says) per column.
    """
    out = {}
    for c in view.value_columns():
        if c in taken:
            continue
        parts = [p for p in view.column_labels[c].split(" | ") if p]
        for depth, part in enumerate(parts):
            m = _PAIRED.search(part)
            outer = {x.arm for x in lexicon.mentions(label_doc(m.group(1)))} if m else set()
            inner = {x.arm for x in lexicon.mentions(label_doc(m.group(2)))} if m else set()
            if len(outer) == 1 and len(inner) == 1 and outer != inner:
                rest = [p for i, p in enumerate(parts) if i != depth] + [part[: m.start()]]  # type: ignore[union-attr]
                out[c] = (outer.pop(), inner.pop(), " | ".join(p.strip(" ;,") for p in rest if p.strip(" ;,")))
                break
    return out


_PAIRED = rule("reader.paired_header")
_PAIRED_CELL = rule("reader.paired_cell")


def _paired_results(view: tbl.TableView, row: int, paired: dict[int, tuple[str, str, str]]) -> Iterator[Result]:
    for c, (outer, inner, context) in paired.items():
        m = _PAIRED_CELL.match(view.grid[row][c].strip())
        if not m or "(" in m.group(1):
            continue
        values = [tbl.read_text(view, row, c, m.group(k), arm) for k, arm in ((1, outer), (2, inner))]
        kinds = {v.kind for v in values if v is not None}
        if None not in values and len(kinds) == 1 and None not in kinds:
            yield _table_result(view, row, context, tuple(values), kinds.pop())  # type: ignore[arg-type]


def _whole_sample(doc: Doc, name: tuple[int, int], end: int) -> bool:
    """"Adults with asthma (n = 200) were randomised to ...": the sample the arms share."""
    return shared_out(doc[name[0] : name[1]].text, doc.text[doc[end - 1].idx + len(doc[end - 1]) :])


def _past_bracket(doc: Doc, end: int) -> int:
    """Include the bracket that closes "(n=30" in the evidence of a group size."""
    return end + 1 if end < len(doc) and doc[end].text in ")]" else end


def _spans_of(doc: Doc, sent: Span) -> list[Span]:
    """The recognised values in one sentence, from an index built once per doc."""
    return [s for s in spans_by_sentence(doc).get(sent.start, ()) if s.end <= sent.end]


@lru_cache(maxsize=8192)
def label_doc(text: str) -> Doc:
    """A table label, tokenised once (labels are read again for every set of arms)."""
    return get_nlp().make_doc(fold(text))


_stat_only = tbl.stat_only


def _dose_fits(arm: Arm | None, numbers: set[str]) -> bool:
    """A column of a dose-ranging table belongs to an arm only if it shows the arm's dose."""
    if arm is None:
        return True
    wanted = set().union(*(doses(n) for n in (arm.name, *arm.aliases))) if arm else set()
    return not wanted or not numbers or bool(wanted & {n.rstrip("0").rstrip(".") if "." in n else n
                                                      for n in numbers} | wanted & numbers)


def row_arms(view: tbl.TableView, lexicon: ArmLexicon) -> dict[int, str]:
    """For a table whose rows are arms: each data row naming exactly one arm in its label."""
    out = {}
    for r in view.rows:
        arms = {m.arm for m in lexicon.mentions(label_doc(view.row_labels.get(r, "")))}
        if len(arms) == 1:
            out[r] = arms.pop()
    return out if len(set(out.values())) >= 2 else {}


def _transposed_results(view: tbl.TableView, rows: dict[int, str]) -> Iterator[Result]:
    """Results of a table whose rows are arms and columns are statistics of one outcome.

    Rows of the same arm under different group rows ("Intention-to-treat", "Per-protocol") make
    separate results; an "n" column gives each arm its size.
    """
    by_group: dict[str, dict[str, int]] = {}
    for r, arm in rows.items():
        by_group.setdefault(view.row_groups.get(r, ""), {}).setdefault(arm, r)
    n_cols = [c for c in view.value_columns() if view.column_hint[c] == "n"]
    n_col = n_cols[0] if len(n_cols) == 1 else None  # one "n" column gives the sizes; several count events
    stat_cols = [c for c in view.value_columns()
                 if c != n_col and not tbl.is_test_header(view.column_labels[c].split(" | ")[-1])]
    for group, arm_rows in by_group.items():
        if len(arm_rows) < 2:
            continue
        values = [v for arm, r in arm_rows.items() if (v := _row_cells(view, r, stat_cols, arm, n_col))]
        kinds = {v.kind for v in values}
        if len(values) >= 2 and len(kinds) == 1 and None not in kinds:
            yield _transposed_result(view, group, tuple(values), kinds.pop())  # type: ignore[arg-type]
        elif len(stat_cols) > 1:  # several outcomes or times side by side: a result per column or unit
            for cols in _column_units(view, stat_cols):
                values = [v for arm, r in arm_rows.items() if (v := _row_cells(view, r, cols, arm, n_col))]
                kinds = {v.kind for v in values}
                if len(values) >= 2 and len(kinds) == 1 and None not in kinds:
                    yield _transposed_result(view, group, tuple(values), kinds.pop(), cols[0])  # type: ignore[arg-type]


def _column_units(view: tbl.TableView, cols: list[int]) -> list[list[int]]:
    """Columns under one heading that only say what their numbers are: "3 months | n", "3 months | (%)"."""
    units: dict[str, list[int]] = {}
    for c in cols:
        parts = view.column_labels[c].split(" | ")
        key = " | ".join(parts[:-1]) if len(parts) > 1 and (view.column_hint[c] or _stat_only(parts[-1])) else \
            view.column_labels[c]
        units.setdefault(key or str(c), []).append(c)
    out = []
    for unit in units.values():  # "Mean (SE)" beside "Mean change (95% CI)" are two results, not one
        hints = frozenset(view.column_hint[c] for c in unit)
        out += [unit] if len(unit) == 1 or hints in _ONE_VALUE_HINTS else [[c] for c in unit]
    return out


_ONE_VALUE_HINTS = frozenset({frozenset({"n", "pct"}), frozenset({"mean", "sd"}), frozenset({"mean", "se"}),
                              frozenset({"n", "n_pct"})})


def _row_cells(view: tbl.TableView, row: int, cols: list[int], arm: str, n_col: int | None) -> ArmValue | None:
    value = _arm_cells(view, row, cols, arm)
    if value is None or n_col is None:
        return value
    n_text = view.grid[row][n_col].replace(",", "").strip()
    return replace(value, n=int(n_text)) if n_text.isdigit() else value


def _transposed_result(view: tbl.TableView, group: str, values: tuple[ArmValue, ...], kind: str,
                       column: int | None = None) -> Result:
    """A result of a table whose rows are arms: named by the corner cell ("CGI-S"), the group of
    rows and the column ("Very much improved (%)"), or else the first value column's label."""
    corner = view.column_labels[0] if view.column_labels[0] and not _CORNER_NOT_OUTCOME.match(
        view.column_labels[0]) else ""
    label = view.column_labels[column if column is not None else view.value_columns()[0]].split(" | ")
    heading = label[0]
    if column is not None:  # the column's own words: "Fruit (pieces) | Mean change (95% CI)"
        heading = " ".join(p for p in label if not _stat_only(p)) or label[-1]
    outcome = " ".join(p for p in (corner, group, heading) if p)
    context = " | ".join(p for p in (view.table.caption or "", outcome) if p)
    timepoint = parse_timepoint(" ".join(label)) if column is not None else None
    timepoint = timepoint or parse_timepoint(group) or parse_timepoint(context)
    when = " ".join(label) if column is not None else ""
    return Result(
        outcome=outcome, kind=kind, values=values, context=context,  # type: ignore[arg-type]
        source="table", timepoint=str(timepoint) if timepoint else None, subgroup=group or None,
        is_baseline=_baseline_table(view) or _baseline_row(f"{when} {group or corner}"),
        evidence=(),
    )


_CORNER_NOT_OUTCOME = rule("reader.corner_not_outcome")


def _row_results(view: tbl.TableView, row: int, columns: dict[int, tuple[str, str]],
                 lexicon: ArmLexicon | None = None) -> Iterator[Result]:
    by_key: dict[str, dict[str, list[int]]] = {}
    contexts: dict[str, str] = {}
    for c, (arm, context) in columns.items():
        key = _column_key(context, columns)
        by_key.setdefault(key, {}).setdefault(arm, []).append(c)
        contexts.setdefault(key, context)
    for key, arm_columns in by_key.items():
        values = [v for arm, cols in arm_columns.items() if (v := _arm_cells(view, row, cols, arm))]
        values += _zero_counts(view, row, arm_columns, values)
        kinds = {v.kind for v in values}
        if len(values) >= 2 and len(kinds) == 1 and None not in kinds:
            yield _table_result(view, row, contexts[key], tuple(values), kinds.pop(), lexicon,  # type: ignore[arg-type]
                                len(arm_columns))


def _zero_counts(view: tbl.TableView, row: int, arm_columns: dict[str, list[int]],
                 read: list[ArmValue]) -> list[ArmValue]:
    """A bare "0" beside other arms' counts ("8 (12.5%) | 0 | 10 (15%)"): no events in that arm."""
    if not read or not all(v.kind == "binary" and v.events is not None for v in read):
        return []
    have = {v.arm for v in read}
    out = []
    for arm, cols in arm_columns.items():
        if arm not in have and len(cols) == 1 and _ZERO_CELL.fullmatch(tbl.clean(view.grid[row][cols[0]])):
            out.append(ArmValue(arm, events=0, n=view.n_at(row, cols[0]), evidence=(view.cell_evidence(row, cols[0]),),
                                rule_ids=("table_zero_count",)))
    return out


_ZERO_CELL = rule("reader.zero_cell")


def _column_key(context: str, columns: dict[int, tuple[str, str]]) -> str:
    """Which arm columns make one result: those of one context, except that a context only some
    columns have, beside columns with none, comes from the arm being named at another header
    level ("Treatment (mg X) | 600" beside "Treatment (mg X) | Placebo") and tells nothing apart."""
    named = {ctx for _, ctx in columns.values() if ctx}
    if len(named) == 1 and any(not ctx for _, ctx in columns.values()):
        return ""
    return context


def _arm_cells(view: tbl.TableView, row: int, cols: list[int], arm: str) -> ArmValue | None:
    """An arm's value in a row: one cell, or a mean column and an SD column side by side."""
    cols = _distinct_cells(view, row, cols)
    pairs = [(v, c) for c in cols if (v := tbl.read_cell(view, row, c, arm)) is not None]
    read, cols = [v for v, _ in pairs], [c for _, c in pairs]
    if len(read) == 1:
        return read[0]
    counts = [v for v, c in zip(read, cols, strict=True) if view.column_hint[c] == "n" and v.events is not None]
    others = [v for v, c in zip(read, cols, strict=True) if view.column_hint[c] != "n"]
    if len(counts) == 1 and len(others) == 1 and others[0].kind == "binary" and others[0].events is None:
        return replace(others[0], events=counts[0].events,  # "n | (%)": 27 | (22) are events and their percent
                       evidence=counts[0].evidence + others[0].evidence, rule_ids=("table_n_pct_columns",))
    if len(counts) == 1 and len(others) == 1 and counts[0].events:
        return replace(others[0], n=counts[0].events, total=others[0].total or None)
    counted = [v for v in read if v.events is not None and (v.total or v.n)]
    if len(counted) == 1 and all(v is counted[0] or percent_agrees(counted[0], v) for v in read):
        return counted[0]  # "62/99" beside "62.6" (%)
    means = [v for v in read if v.mean is not None and v.sd is None and v.se is None]
    spreads = [v for v in read if (v.sd is not None or v.se is not None) and v.mean is None]
    if len(means) == 1 and len(spreads) == 1:
        spread = spreads[0]
        return replace(means[0], sd=spread.sd, se=spread.se, dispersion=spread.dispersion,
                       evidence=means[0].evidence + spread.evidence, rule_ids=("table_mean_spread_columns",))
    return None


def _distinct_cells(view: tbl.TableView, row: int, cols: list[int]) -> list[int]:
    """Columns of one arm, without the copies a spanning header cell made of one column."""
    out: list[int] = []
    for c in cols:
        if out and view.column_labels[c] == view.column_labels[out[-1]] and \
                view.grid[row][c] == view.grid[row][out[-1]]:
            continue
        out.append(c)
    return out


def _table_result(view: tbl.TableView, row: int, context: str, values: tuple[ArmValue, ...], kind: str,
                  lexicon: ArmLexicon | None = None, arms: int = 2) -> Result:
    label = view.row_labels.get(row, "")
    name = tbl.row_name(view, row)
    p = tbl.p_value_of_row(view, row, context)
    pair = _named_pair(tbl.p_note(view, row, context), lexicon) if p else None
    if p and not pair and max(arms, len(values)) > 2:
        p = None  # of three arms or more, a p compares the pair its note names, or none that can be told
    timepoint = parse_timepoint(name.when) or parse_timepoint(f"{name.outcome} {context}") or \
        parse_timepoint(tbl.caption_time(view))
    text = " | ".join(p for p in (view.table.caption or "", context, view.row_groups.get(row, ""), label) if p)
    label_col = Evidence(view.cell_section(row, 0), view.grid[row][0], 0, len(view.grid[row][0]),
                         f"{view.name}, row label")
    heading = context
    estimate, cells = _checked_effect(view, row, heading, values) if max(arms, len(values)) == 2 else (None, ())
    interval = estimate.interval if estimate else None
    outcome, context = _with_change(name.outcome, context)
    context, when = _split_when(context)
    timepoint = timepoint or when
    return Result(
        outcome=outcome or context or when,
        kind=kind,  # type: ignore[arg-type]
        values=values,
        context=text,
        source="table",
        timepoint=str(timepoint) if timepoint else None,
        subgroup="; ".join(p for p in (context, name.subgroup) if p) or None,
        p_value=p[1] if p else None,
        p_operator=p[0] if p else None,
        p_pair=pair,
        effect_measure=estimate.measure if estimate else None,
        effect=estimate.value if estimate else None,
        ci_low=interval.low if interval else None,
        ci_high=interval.high if interval else None,
        ci_level=interval.level if interval else None,
        is_baseline=_baseline_row(f"{label} {heading}") or _baseline_table(view),
        evidence=(label_col, *cells),
    )


def _checked_effect(view: tbl.TableView, row: int, heading: str,
                    values: tuple[ArmValue, ...]) -> tuple[Effect | None, tuple[Evidence, ...]]:
    """A two-arm row's estimate from its estimate column, with the cells it was read from, kept only
    when the arms' values give it back one way or the other (a difference of the means, a ratio of
    the counts), so that it is known which arm it is of; (None, ()) otherwise."""
    found = tbl.effect_of_row(view, row, heading)
    if found is None:
        return None, ()
    a, b = ((v.mean, v.events, v.total or v.n) for v in values)
    return found if effect_direction(found[0].measure, found[0].value, a, b) else (None, ())


def _split_when(context: str) -> tuple[str, str]:
    """A column heading that says when ("Week 4", "Immediately after extubation") is a time point,
    not a subgroup: the heading without it, and it."""
    parts = [p for p in context.split(" | ") if p]
    times = [p for p in parts if _WHEN.search(p) and not _CHANGE_FROM.search(p)]
    if len(times) != 1:
        return context, ""
    when, _, stat = times[0].partition(":")
    return " | ".join(p for p in parts if p not in times), when.strip() if stat and _stat_only(stat.strip()) \
        else times[0]


_WHEN = rule("reader.when")


def _with_change(outcome: str, context: str) -> tuple[str, str]:
    """A column heading that only says its numbers are changes ("ECF | Mean (SD) score changes")
    names what the outcome is, not a subgroup: "Pain" under it is "Pain, changes"."""
    parts = [p for p in context.split(" | ") if p]
    changes = [c for p in parts if (c := tbl.change_heading(p))]
    if not changes:
        return outcome, context
    rest = " | ".join(p for p in parts if not tbl.change_heading(p))
    if not outcome or _CHANGE_FROM.search(outcome):
        return outcome, rest
    return f"{outcome}, {changes[0][0].lower()}{changes[0][1:]}", rest


def _named_pair(note: str, lexicon: ArmLexicon | None) -> tuple[str, ...] | None:
    """The arms a footnote says a p-value compares: two ("Difference between group 1 and group 2"), or
    one against every other ("group 1 and other groups")."""
    if not note or lexicon is None:
        return None
    named = [{m.arm for m in lexicon.mentions(label_doc(part.strip(" .;,:()")))}
             for part in _PAIR_SPLIT.split(note)]
    named = list(dict.fromkeys(arms.pop() for arms in named if len(arms) == 1))
    if len(named) == 1 and _VERSUS_OTHERS.search(note):
        return (named[0],)
    return (named[0], named[1]) if len(named) == 2 else None


_VERSUS_OTHERS = rule("tables.versus_others")
_PAIR_SPLIT = rule("tables.pair_split")


def _baseline_row(text: str) -> bool:
    """Values at baseline ("Preoperative", "Week 0"), not a change from baseline."""
    return bool(_BASELINE_ROW.search(text)) and not _CHANGE_FROM.search(text)


_CHANGE_FROM = rule("reader.change_from")
_BASELINE_TABLE = rule("reader.baseline_table")
_NOT_BASELINE_TABLE = rule("reader.not_baseline_table")


def _baseline_table(view: tbl.TableView) -> bool:
    """A table of the groups as they were at entry ("Baseline characteristics"), not of change
    "from baseline to 12 months"."""
    caption = view.table.caption or ""
    return bool(_BASELINE_TABLE.search(caption)) and not _NOT_BASELINE_TABLE.search(caption)


def _not_named_longer(candidates: list[Candidate], sized: list[Candidate]) -> list[Candidate]:
    """Candidates less a size the grammar of sizes reads, at the same place, under a longer name that
    ends with theirs ("double dose of drug A (n = 30)" beside "drug A (n = 30)"): one group, not two."""
    def longer(c: Candidate) -> bool:
        return c.evidence is not None and any(
            s.evidence is not None and s.n == c.n and s.evidence.section == c.evidence.section
            and s.evidence.start <= c.evidence.start < s.evidence.end and s.name != c.name
            and s.name.lower().endswith(c.name.lower()) for s in sized)
    return [c for c in candidates if not longer(c)]


def _a_role_group(mention: SizeMention, name: str, known: set[str]) -> bool:
    """Whether a size names a group by its role ("20 healthy controls") that none of the known groups
    is: "6 X controls" beside a known group X is that group, and "cases" are groups only beside controls."""
    if not size_rule(mention.rule).names_a_role or name.lower().endswith("cases"):
        return False
    terms = set(distinctive_terms(name)) - _role_terms()
    return not any(terms & set(distinctive_terms(k)) for k in known)


def _listed_with(mention: SizeMention, passage: Passage, read: list[tuple[Passage, SizeMention, str]],
                 joins: dict[str, bool]) -> bool:
    """Whether a size in brackets stands in one list with two sizes of known groups, in one sentence:
    "A (n = 40), B (n = 41) and C (n = 39)" names C beside A and B."""
    if not size_rule(mention.rule).list_item:
        return False
    text = passage.text
    same = [m for p, m, name in read if p is passage and joins[name] and size_rule(m.rule).list_item
            and ". " not in text[min(m.end, mention.end) : max(m.start, mention.start)]]
    return len(same) >= 2




def _dose_group(mention: SizeMention, text: str) -> str | None:
    """A group named by its dose alone in a list of sized groups ("0.3 mg/kg (n = 107), 0.6 mg/kg (n = 65)"),
    which a name elsewhere would not be; the end of a range ("X, 20 to 80 mg/day (n = 30)") is no group."""
    if not (mention.group and size_rule(mention.rule).list_item and dose_only(mention.group)):
        return None
    before = text[max(0, mention.start - 8) : mention.start].rstrip().lower()
    return None if before.endswith(("to", "-", "\u2013")) else mention.group


def _cases(mention: SizeMention, controls: bool) -> str | None:
    """"Cases", a name only beside controls: "588 cases and 1,176 controls" are the groups of the study."""
    return mention.group if controls and mention.group and mention.group.lower() == "cases" else None


@cache
def _role_terms() -> frozenset[str]:
    """The terms of the nouns that name a group by its role ("controls", "smokers")."""
    return frozenset(t for w in words("role_people") for t in distinctive_terms(w))
