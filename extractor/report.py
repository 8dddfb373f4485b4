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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from extractor._report_marks import SIDES, Key, Mark, evidence_roles, key, markup, plan_marks
from extractor._report_page import page
from extractor.evidence.model import Arm, Comparison, Evidence, TrialEvidence
from extractor.records import Record, Table

__all__ = [
    "Mark",
    "evidence_roles",
    "markup",
    "pair_trials",
    "plan_marks",
    "record_texts",
    "render_report",
    "write_report",
]

Marks = Mapping[Key, Mark]
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
    texts = {"abstract": record.abstract or ""}
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


def render_report(
    records: Sequence[Record],
    trials: Sequence[TrialEvidence],
    inputs: Sequence[Mapping[str, object]] = (),
) -> str:
    """The evidence report of ``trials`` (read from ``records``) as one self-contained HTML page.

    ``inputs`` (``report.json``'s ``inputs``) adds a table of every input ID and what it mapped to,
    or why it did not.
    """
    pairs = list(pair_trials(records, trials))
    articles = "\n".join(_article(n, record, trial) for n, (record, trial) in enumerate(pairs, 1))
    toc = "".join(f'<li><a href="#a{n}">{_e(t.title or t.pmid or t.pmcid or f"Article {n}")}</a> '
                  f'<span class="quiet">({len(t.comparisons)} comparisons)</span></li>'
                  for n, (_, t) in enumerate(pairs, 1))
    total = sum(len(t.comparisons) for t in trials)
    summary = f"{_count(len(pairs), 'article')} · {_count(total, 'comparison')}"
    return page(summary, toc, _inputs_section(inputs) + articles)


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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def write_report(
    path: str | Path, records: Sequence[Record], trials: Sequence[TrialEvidence]
) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render_report(records, trials), encoding="utf-8")
    return path
