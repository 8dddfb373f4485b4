"""The HTML evidence report: every comparison beside the source text its numbers were read from.

::

    html = render_report(records, trials)          # one self-contained page (inline CSS and script)
    write_report("out/report.html", records, trials)

For each article the page shows its arms, its comparisons (one table row each) and its texts
(abstract, body sections, tables) with every evidence span highlighted by a ``<mark>``. A number in
a row links to its mark; clicking a mark selects and scrolls to its row(s). Marks nest (a sentence
holding its values); a span crossing another is split into fragments sharing ``data-span``.
Each mark's first fragment carries ``data-expected`` (the evidence text); the page's script joins
the fragments' text, compares, and writes the outcome into ``#selfcheck`` (``data-checked``,
``data-failed``), so a browser can prove the highlights show the text each value was read from.
"""

from __future__ import annotations

import html
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractor._report_marks import SIDES, Key, Mark, evidence_roles, key, markup, plan_marks
from extractor._report_page import page
from extractor.evidence.model import Arm, Comparison, Evidence, TrialEvidence
from extractor.outputs import StagedOutputs, write_text
from extractor.progress import ProgressFactory
from extractor.records import Record, Table

__all__ = [
    "Mark",
    "evidence_roles",
    "markup",
    "pages_dir",
    "pair_trials",
    "plan_marks",
    "record_texts",
    "render_report",
    "write_report",
    "write_report_files",
]

Marks = Mapping[Key, Mark]
PAGE_ARTICLES = 50  # articles per page of a large report
PAGE_BYTES = 2_000_000  # and about this much HTML at most (full texts are long)
BySection = Mapping[str, list[Mark]]
_DERIVED_WHY = {
    "events": "events counted back from the percentage and the group size",
    "group_size": "group size taken from the arm's size",
    "percent": "percentage computed from the counts",
    "standard_deviation": "SD computed from the standard error",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def record_texts(record: Record) -> dict[str, str]:
    """Every text of ``record`` that evidence can point at, by its ``section`` name."""
    texts = {"title": record.title or "", "abstract": record.abstract or ""}
    texts.update({f"sections/{i}": s.text for i, s in enumerate(record.sections)})
    for t, table in enumerate(record.tables):
        texts[f"tables/{t}/caption"] = table.caption or ""
        texts.update({f"tables/{t}/footnotes/{f}": note for f, note in enumerate(table.footnotes)})
        for part in ("header", "body"):
            for r, row in enumerate(getattr(table, part)):
                texts.update({f"tables/{t}/{part}/{r}/{c}": cell for c, cell in enumerate(row)})
    return texts


def _text_block(name: str, text: str, by_section: BySection, tag: str = "div") -> str:
    body = markup(text, by_section.get(name, ()))
    return f'<{tag} class="text" data-section="{_e(name)}">{body}</{tag}>'


def _sources(record: Record, by_section: BySection) -> str:
    parts = []
    if record.title and "title" in by_section:  # a title is shown where a number was read from it
        parts.append(_details("Title", _text_block("title", record.title, by_section), True))
    if record.abstract:
        block = _text_block("abstract", record.abstract, by_section)
        parts.append(_details("Abstract", block, "abstract" in by_section))
    for i, section in enumerate(record.sections):
        if section.text:
            name = f"sections/{i}"
            block = _text_block(name, section.text, by_section)
            parts.append(_details(" › ".join(section.path) or "Body", block, name in by_section))
    for t, table in enumerate(record.tables):
        used = any(k.startswith(f"tables/{t}/") for k in by_section)
        parts.append(_details(table.label or f"Table {t + 1}", _table(t, table, by_section), used))
    return "\n".join(parts)


def _details(title: str, body: str, open_: bool) -> str:
    state = " open" if open_ else ""
    mark = "" if open_ else ' <span class="quiet">(nothing extracted)</span>'
    return f"<details{state}><summary>{_e(title)}{mark}</summary>{body}</details>"


def _table(t: int, table: Table, by_section: BySection) -> str:
    caption = _text_block(f"tables/{t}/caption", table.caption or "", by_section, "caption")
    head = _grid(f"tables/{t}/header", table.header, by_section, "th")
    body = _grid(f"tables/{t}/body", table.body, by_section, "td")
    notes = "".join(_text_block(f"tables/{t}/footnotes/{f}", note, by_section, "p")
                    for f, note in enumerate(table.footnotes))
    return (f'<table class="source">{caption}<thead>{head}</thead><tbody>{body}</tbody></table>'
            f'<div class="notes">{notes}</div>')


def _grid(name: str, rows: Sequence[Sequence[str]], by_section: BySection, cell: str) -> str:
    return "".join(
        "<tr>"
        + "".join(_text_block(f"{name}/{r}/{c}", cell_text, by_section, cell)
                  for c, cell_text in enumerate(row))  # fmt: skip
        + "</tr>"
        for r, row in enumerate(rows)
    )


def _unplaced(marks: Iterable[Mark], texts: Mapping[str, str]) -> list[Mark]:
    return [m for m in marks if not 0 <= m.start < m.end <= len(texts.get(m.section, ""))]


# -- the rows ----------------------------------------------------------------------------------


def _num(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _field(c: Comparison, side: str, name: str, target: str | None, suffix: str = "") -> str:
    value = getattr(c, f"{side}_{name}")
    text = _e(_num(value) + (suffix if value is not None else ""))
    attrs = ' class="num"'
    if f"{side}_{name}" in c.derived:
        attrs = f' class="num derived" title="derived: {_e(_DERIVED_WHY.get(name, "computed"))}"'
    if target is None or value is None:
        return f"<span{attrs}>{text}</span>"
    return f'<a href="#{target}"{attrs}>{text}</a>'


def _side_cell(c: Comparison, side: str, target: str | None) -> str:
    arm = f'<span class="arm">{_e(getattr(c, side))}</span><br>'
    if all(getattr(c, f"{side}_{name}") is None for name in ("events", "percent", "mean", "group_size")):
        return arm.removesuffix("<br>")  # an estimate reported with no per-arm numbers
    if c.outcome_type == "binary":
        events, size = _field(c, side, "events", target), _field(c, side, "group_size", target)
        percent = _field(c, side, "percent", target, "%")
        return f'{arm}<span class="nums">{events}/{size} ({percent})</span>'
    mean, sd = _field(c, side, "mean", target), _field(c, side, "standard_deviation", target)
    size = _field(c, side, "group_size", target)
    return f'{arm}<span class="nums">{mean} ± {sd} (n = {size})</span>'


def _p_cells(c: Comparison, target: str | None) -> str:
    p = "–" if c.p_value is None else f"{c.p_operator or '='} {_num(c.p_value)}"
    p_cell = f'<a href="#{target}">{_e(p)}</a>' if target and c.p_value is not None else _e(p)
    return f'<td class="nums">{p_cell}</td><td>{_p_check(c)}</td>'


def _p_check(c: Comparison) -> str:
    recomputed = "" if c.p_recomputed is None else f" recomputed {c.p_recomputed:.3g}"
    if c.p_consistent is True:
        return f'<span class="pok">✓{recomputed}</span>'
    if c.p_consistent is False:
        why = "the reported p disagrees with the one recomputed from the counts"
        return f'<span class="pbad" title="{why}">✗{recomputed}</span>'
    return recomputed.strip() or "–"


def _effect(c: Comparison) -> str:
    if c.effect is None:
        return "–"
    has_ci = c.ci_low is not None or c.ci_high is not None
    ci = f" ({_num(c.ci_low)} to {_num(c.ci_high)})" if has_ci else ""
    return _e(f"{c.effect_measure or ''} {_num(c.effect)}{ci}".strip())


def _outcome(c: Comparison) -> str:
    badge = ' <span class="badge">primary</span>' if c.is_primary else ""
    subgroup = f'<br><span class="quiet">in {_e(c.subgroup)}</span>' if c.subgroup else ""
    return f"{_e(c.outcome.strip())}{badge}{subgroup}"


def _derived(c: Comparison) -> str:
    sides = []
    for side in SIDES:
        prefix = f"{side}_"
        names = [d.removeprefix(prefix).replace("_", " ")
                 for d in c.derived if d.startswith(prefix)]  # fmt: skip
        if names:
            sides.append(f"{side[0].upper()}: {', '.join(names)}")
    return _e("; ".join(sides) or "–")


def _comparison_row(
    n: int, row_id: str, c: Comparison, roles: Mapping[Key, str], marks: Marks
) -> str:
    first: dict[str, str] = {}
    for ev in c.evidence:
        first.setdefault(roles[key(ev)], marks[key(ev)].id)
    linked = {first.get(s) for s in SIDES}
    sources = [marks[key(ev)] for ev in c.evidence if marks[key(ev)].id not in linked]
    row_class = ' class="pfail"' if c.p_consistent is False else ""
    mark_ids = " ".join(dict.fromkeys(marks[key(ev)].id for ev in c.evidence))
    confidence = f'<td class="{"low" if c.confidence < 0.5 else ""}">{c.confidence:.2f}</td>'
    return (
        f'<tr id="{row_id}"{row_class} data-marks="{mark_ids}"><td><a href="#{row_id}">{n}'
        f"</a></td><td>{_outcome(c)}</td><td>{_e(c.timepoint or '–')}</td>"
        f"<td>{_side_cell(c, 'intervention', first.get('intervention'))}</td>"
        f"<td>{_side_cell(c, 'comparator', first.get('comparator'))}</td><td>{_effect(c)}</td>"
        f"{_p_cells(c, first.get('context'))}<td>{_derived(c)}</td>{confidence}"
        f"<td>{_source_links(sources, c.evidence)}</td></tr>"
    )


def _source_links(marks: Sequence[Mark], evidence: Sequence[Evidence]) -> str:
    labels = {key(ev): ev.label or ev.section for ev in evidence}
    return " ".join(
        f'<a href="#{m.id}" class="src" title="{_e(m.expected)}">'
        f"{_e(labels[(m.section, m.start, m.end)])}</a>"
        for m in marks
    )


_COMPARISON_HEAD = ("#", "Outcome", "Time point", "Intervention", "Comparator", "Effect", "p",
                    "p check", "Derived", "Conf.", "Sources")  # fmt: skip
_ARM_HEAD = ("Arm", "Role", "Randomised", "Analysed", "Description", "Also called", "Sources")


def _comparisons_table(
    prefix: str, trial: TrialEvidence, roles: Mapping[str, Mapping[Key, str]], marks: Marks
) -> str:
    if not trial.comparisons:
        return '<p class="quiet">No comparison found.</p>'
    head = "".join(f"<th>{h}</th>" for h in _COMPARISON_HEAD)
    rows = "".join(_comparison_row(n, f"{prefix}-c{n}", c, roles[f"{prefix}-c{n}"], marks)
                   for n, c in enumerate(trial.comparisons, 1))
    return f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _arm_row(row_id: str, arm: Arm, marks: Marks) -> str:
    ids = list(dict.fromkeys(marks[key(ev)].id for ev in arm.evidence))
    links = " ".join(f'<a href="#{m}" class="src">source</a>' for m in ids)
    cells = (arm.name, arm.role or "–", _num(arm.n_randomised), _num(arm.n_analysed),
             arm.description or "", ", ".join(arm.aliases))  # fmt: skip
    tds = "".join(f"<td>{_e(cell)}</td>" for cell in cells)
    return f'<tr id="{row_id}" data-marks="{" ".join(ids)}">{tds}<td>{links}</td></tr>'


def _arms_table(prefix: str, arms: Sequence[Arm], marks: Marks) -> str:
    if not arms:
        return '<p class="quiet">No arm found.</p>'
    head = "".join(f"<th>{h}</th>" for h in _ARM_HEAD)
    rows = "".join(_arm_row(f"{prefix}-arm{n}", arm, marks) for n, arm in enumerate(arms, 1))
    return f'<table class="rows arms"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


# -- articles and the page ---------------------------------------------------------------------


def _ids(record: Record | None, trial: TrialEvidence) -> str:
    pmid, pmcid = trial.pmid, trial.pmcid
    link = f'<a href="https://pubmed.ncbi.nlm.nih.gov/{_e(pmid)}/" rel="noreferrer">{_e(pmid)}</a>'
    parts = [f"PMID {link}" if pmid else "", _e(pmcid) if pmcid else ""]
    if record is not None:
        journal = record.journal.title if record.journal else None
        parts += [f"doi:{_e(record.doi)}" if record.doi else "", _e(journal) if journal else "",
                  str(record.year) if record.year else ""]  # fmt: skip
    return " · ".join(p for p in parts if p)


def _article(n: int, record: Record | None, trial: TrialEvidence) -> str:
    prefix = f"a{n}"
    marks, roles = plan_marks(prefix, trial)
    by_section: dict[str, list[Mark]] = {}
    for mark in marks.values():
        by_section.setdefault(mark.section, []).append(mark)
    missing = _unplaced(marks.values(), record_texts(record) if record is not None else {})
    title = trial.title or (record.title if record is not None else None) or "Untitled"
    return (
        f'<section class="article" id="{prefix}"><h2>{_e(title)}</h2>'
        f'<p class="ids">{_ids(record, trial)}</p>{_counts(trial)}'
        f"<h3>Arms</h3>{_arms_table(prefix, trial.arms, marks)}"
        f"<h3>Comparisons</h3>{_comparisons_table(prefix, trial, roles, marks)}"
        f"{_missing(missing, record is None)}<h3>Source texts</h3>"
        f"{_sources(record, by_section) if record is not None else ''}</section>"
    )


def _counts(trial: TrialEvidence) -> str:
    failed = sum(c.p_consistent is False for c in trial.comparisons)
    derived = sum(bool(c.derived) for c in trial.comparisons)
    counts = (_count(len(trial.arms), "arm"), _count(len(trial.comparisons), "comparison"),
              f"{derived} with derived values", _count(failed, "failed p check"))  # fmt: skip
    return f'<p class="counts">{" · ".join(counts)}</p>'


def _missing(marks: Sequence[Mark], no_record: bool) -> str:
    if not marks:
        return ""
    why = "the record was not given" if no_record else "the span is not in the record's texts"
    items = "".join(f"<li>{_e(m.section)} [{m.start}:{m.end}] “{_e(m.expected)}”: rows "
                    f"{_e(', '.join(m.rows))}</li>" for m in marks)
    return f'<div class="warn"><p>Evidence not shown ({why}):</p><ul>{items}</ul></div>'


def pair_trials(
    records: Sequence[Record], trials: Sequence[TrialEvidence]
) -> Iterator[tuple[Record | None, TrialEvidence]]:
    """Each trial with the record it was read from (matched on PMID and PMCID, in order)."""
    waiting: dict[tuple[str | None, str | None], list[Record]] = {}
    for record in records:
        waiting.setdefault((record.pmid, record.pmcid), []).append(record)
    for trial in trials:
        queue = waiting.get((trial.pmid, trial.pmcid))
        yield (queue.pop(0) if queue else None), trial


# -- the index: every record counted, those without an abstract or a comparison apart -----------


@dataclass(frozen=True, slots=True)
class _Entry:
    """One record (or a trial given without its record) as the index lists it."""

    n: int  # the article's number (its anchor is a<n>); 0 when it has no article
    record: Record | None
    trial: TrialEvidence | None

    @property
    def group(self) -> str:
        if self.trial is not None and self.trial.comparisons:
            return "compared"
        if self.record is not None and not self.record.abstract:
            return "no abstract"
        return "no comparison"

    def title(self) -> str:
        sources = [s for s in (self.trial, self.record) if s is not None]
        names = [s.title for s in sources] + [s.pmid or s.pmcid for s in sources]
        return next((name for name in names if name), f"Article {self.n}")


def _entries(records: Sequence[Record], trials: Sequence[TrialEvidence]) -> list[_Entry]:
    """Every record in order (numbered when it has an article), then trials given without one."""
    pairs = list(pair_trials(records, trials))
    articles = {id(record): (n, trial) for n, (record, trial) in enumerate(pairs, 1) if record}
    entries = []
    for record in records:
        n, trial = articles.get(id(record), (0, None))
        entries.append(_Entry(n, record, trial))
    entries += [_Entry(n, None, trial) for n, (record, trial) in enumerate(pairs, 1) if record is None]
    return entries


_GROUPS = (
    ("compared", "Articles with comparisons"),
    ("no comparison", "No comparison found"),
    ("no abstract", "No abstract"),
)


def _summary(entries: Sequence[_Entry]) -> str:
    counts = Counter(e.group for e in entries)
    comparisons = sum(len(e.trial.comparisons) for e in entries if e.trial is not None)
    parts = [_count(len(entries), "record"), _count(comparisons, "comparison"),
             f"{counts['compared']} with comparisons", f"{counts['no comparison']} with none found",
             f"{counts['no abstract']} without an abstract"]  # fmt: skip
    return " · ".join(parts)


def _index(entries: Sequence[_Entry], href: Callable[[int], str]) -> str:
    """The lists of the index: articles with comparisons, then the records set apart."""
    parts = []
    for group, heading in _GROUPS:
        items = "".join(_index_item(e, href) for e in entries if e.group == group)
        if items:
            parts.append(f'<h2 class="group">{heading}</h2><ol class="toc">{items}</ol>')
    return "".join(parts)


def _index_item(entry: _Entry, href: Callable[[int], str]) -> str:
    title = _e(entry.title())
    link = f'<a href="{_e(href(entry.n))}">{title}</a>' if entry.n else title
    source = entry.trial or entry.record
    pmid = f" PMID {_e(source.pmid)}" if source is not None and source.pmid else ""
    count = f" · {_count(len(entry.trial.comparisons), 'comparison')}" if entry.trial else ""
    return f'<li>{link} <span class="quiet">({pmid.strip() or "no PMID"}{count})</span></li>'


# -- pages ----------------------------------------------------------------------------------------


def render_report(
    records: Sequence[Record],
    trials: Sequence[TrialEvidence],
    inputs: Sequence[Mapping[str, object]] = (),
) -> str:
    """The evidence report of ``trials`` (read from ``records``) as one self-contained HTML page.

    ``inputs`` (``report.json``'s ``inputs``) adds a table of every input ID and what it mapped to,
    or why it did not.
    """
    entries = _entries(records, trials)
    pairs = list(pair_trials(records, trials))
    articles = "\n".join(_article(n, record, trial) for n, (record, trial) in enumerate(pairs, 1))
    return page(_summary(entries), _index(entries, lambda n: f"#a{n}"), _inputs_section(inputs) + articles)


def _inputs_section(inputs: Sequence[Mapping[str, object]]) -> str:
    """Every input with what it mapped to; those not mapped highlighted with their reason."""
    if not inputs:
        return ""
    unmapped = sum("mapped" not in i for i in inputs)
    rows = "".join(_input_row(n, i) for n, i in enumerate(inputs, 1))
    state = " open" if unmapped else ""
    return (f'<section class="inputs" id="inputs"><details{state}><summary>'
            f"{_count(len(inputs), 'input')}: {len(inputs) - unmapped} mapped, {unmapped} not mapped"
            '</summary><table class="rows"><thead><tr><th>#</th><th>input</th><th>where</th>'
            "<th>IDs</th><th>PMID</th><th>how, or why not</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details></section>")  # fmt: skip


def _input_row(n: int, item: Mapping[str, object]) -> str:
    ids = ", ".join(f"{k}: {item[k]}" for k in ("pmid", "pmcid", "doi") if k in item)
    if "mapped" in item:
        cls, how = "", f"{item.get('used')} via {item.get('via')}"
    else:
        cls, how = ' class="pfail"', str(item.get("reason"))
    return (f"<tr{cls}><td>{n}</td><td>{_e(item.get('input', ''))}</td><td>{_e(item.get('where', ''))}"
            f"</td><td>{_e(ids)}</td><td>{_e(item.get('mapped', ''))}</td><td>{_e(how)}</td></tr>")


def pages_dir(index: Path) -> Path:
    """Where the article pages of the report ``index`` go: ``report_pages/`` for ``report.html``."""
    return index.with_name(f"{index.stem}_pages")


def write_report_files(
    index: Path,
    records: Sequence[Record],
    trials: Sequence[TrialEvidence],
    inputs: Sequence[Mapping[str, object]] = (),
    *,
    progress: ProgressFactory | None = None,
    page_articles: int = PAGE_ARTICLES,
    page_bytes: int = PAGE_BYTES,
) -> list[Path]:
    """Write the report as one page, or (when it is large) an index and pages of articles.

    The articles fill pages of at most ``page_articles`` articles and about ``page_bytes`` of HTML,
    so that any page opens at once in a browser however many records there are. When they all fit
    in one page, ``index`` holds the whole report. Otherwise the pages go to :func:`pages_dir`,
    each listing its own articles, and ``index`` counts every record, tables the pages, and lists
    the records without an abstract or a comparison apart. ``inputs`` (``report.json``'s) are
    tabled in the one page, or in the index when they did not all map (only those) and in full in
    ``inputs.html`` among the pages. Returns the files written. Nothing is written atomically here
    (see :func:`write_report`).
    """
    entries = _entries(records, trials)
    pairs = list(pair_trials(records, trials))
    update = progress("report", len(pairs)) if progress is not None else None
    summary = _summary(entries)
    chunks = _paginate(pairs, page_articles, page_bytes, update)
    first = next(chunks, ([], ""))
    second = next(chunks, None)
    if second is None:
        html = page(summary, _index(entries, lambda n: f"#a{n}"), _inputs_section(inputs) + first[1])
        return [write_text(index, html)]
    folder = pages_dir(index)
    folder.mkdir()
    by_number = {e.n: e for e in entries if e.n}
    pages: list[list[int]] = []
    written: list[Path] = []
    pending = first
    for chunk in itertools.chain([second], chunks):  # a page is written once its successor is known
        written.append(_write_page(folder, index.name, pages, pending, by_number, summary, last=False))
        pending = chunk
    written.append(_write_page(folder, index.name, pages, pending, by_number, summary, last=True))
    lists = _pages_index(folder.name, pages, by_number) + _apart(entries, folder.name, pages)
    if inputs:
        table = page(summary, f'<nav class="pages"><a href="../{_e(index.name)}">index</a></nav>',
                     _inputs_section(inputs), script=False)  # fmt: skip
        written.append(write_text(folder / "inputs.html", table))
        lists = _inputs_link(folder.name, inputs) + lists
    written.append(write_text(index, page(summary, lists, "", script=False)))
    return written


def _inputs_link(folder: str, inputs: Sequence[Mapping[str, object]]) -> str:
    """In a large report's index: the inputs that did not map, and a link to the table of all."""
    link = f'<p><a href="{folder}/inputs.html">Every input and what it mapped to</a></p>'
    unmapped = [i for i in inputs if "mapped" not in i]
    return link + (_inputs_section(unmapped) if unmapped else "")


def _write_page(
    folder: Path,
    index_name: str,
    pages: list[list[int]],
    chunk: tuple[list[int], str],
    by_number: Mapping[int, _Entry],
    summary: str,
    *,
    last: bool,
) -> Path:
    numbers, articles = chunk
    pages.append(numbers)
    p = len(pages)
    nav = _nav(index_name, p, last)
    toc = _index([by_number[n] for n in numbers], lambda n: f"#a{n}")
    title = f"{summary} · page {p}, articles {numbers[0]}–{numbers[-1]}"
    return write_text(folder / _page_name(p), page(title, nav + toc, articles + nav))


def _pages_index(folder: str, pages: Sequence[Sequence[int]], by_number: Mapping[int, _Entry]) -> str:
    rows = []
    for p, numbers in enumerate(pages, 1):
        groups = Counter(by_number[n].group for n in numbers)
        first, last = by_number[numbers[0]].title(), by_number[numbers[-1]].title()
        rows.append(f'<tr><td><a href="{folder}/{_page_name(p)}">page {p}</a></td>'
                    f"<td>{numbers[0]}–{numbers[-1]}</td><td>{groups['compared']}</td>"
                    f"<td>{len(numbers) - groups['compared']}</td>"
                    f'<td>{_e(first[:60])} … {_e(last[:60])}</td></tr>')  # fmt: skip
    head = "<tr><th>Page</th><th>Articles</th><th>With comparisons</th><th>Without</th><th>From … to</th></tr>"
    table = f'<table class="rows"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<h2 class="group">Pages</h2>{table}'


def _apart(entries: Sequence[_Entry], folder: str, pages: Sequence[Sequence[int]]) -> str:
    """The records without a comparison, and those without an abstract, as compact lists of links."""
    page_of = {n: p for p, numbers in enumerate(pages, 1) for n in numbers}
    parts = []
    for group, heading in _GROUPS[1:]:
        links = [_short_link(e, lambda n: f"{folder}/{_page_name(page_of[n])}#a{n}")
                 for e in entries if e.group == group]  # fmt: skip
        if links:
            parts.append(f'<h2 class="group">{heading} ({len(links)})</h2><p class="apart">{" ".join(links)}</p>')
    return "".join(parts)


def _short_link(entry: _Entry, href: Callable[[int], str]) -> str:
    """The record's PMID (else PMCID), linking to its article if it has one."""
    source = entry.trial or entry.record
    name = _e((source and (source.pmid or source.pmcid)) or f"Article {entry.n}")
    return f'<a href="{_e(href(entry.n))}">{name}</a>' if entry.n else name


def _paginate(
    pairs: Sequence[tuple[Record | None, TrialEvidence]],
    size: int,
    budget: int,
    update: Callable[[int], None] | None,
) -> Iterator[tuple[list[int], str]]:
    """(article numbers, their HTML) per page: at most ``size`` articles or about ``budget`` chars."""
    numbers: list[int] = []
    parts: list[str] = []
    used = 0
    for n, (record, trial) in enumerate(pairs, 1):
        html = _article(n, record, trial)
        if numbers and (len(numbers) >= size or used + len(html) > budget):
            yield numbers, "\n".join(parts)
            numbers, parts, used = [], [], 0
        numbers.append(n)
        parts.append(html)
        used += len(html)
        if update is not None:
            update(1)
    if numbers:
        yield numbers, "\n".join(parts)


def _page_name(p: int) -> str:
    return f"page-{p:04d}.html"


def _nav(index_name: str, p: int, last: bool) -> str:
    links = [f'<a href="../{_e(index_name)}">index</a>']
    if p > 1:
        links.insert(0, f'<a href="{_page_name(p - 1)}">← page {p - 1}</a>')
    if not last:
        links.append(f'<a href="{_page_name(p + 1)}">page {p + 1} →</a>')
    return f'<nav class="pages">{" · ".join(links)}</nav>'


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def write_report(
    path: str | Path,
    records: Sequence[Record],
    trials: Sequence[TrialEvidence],
    inputs: Sequence[Mapping[str, object]] = (),
) -> Path:
    """Write the report to ``path`` (and its pages, when large) whole or not at all; return it.

    The files of a previous report at ``path`` are replaced together (see
    :class:`~extractor.outputs.StagedOutputs`).
    """
    path = Path(path)
    with StagedOutputs(path.parent, [path.name, pages_dir(path).name]) as outputs:  # noqa: SIM117
        with outputs.writing(path.name) as staged:
            write_report_files(staged, records, trials, inputs)
    return path
