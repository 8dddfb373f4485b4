"""The checked sheet as one HTML page, in the style of the evidence report.

One section per article: its rows (outcome, arms, every value cell with its status), and under each
row its flagged cells beside their source text, the number highlighted in its sentence or table cell
(and, for a conflict, the value the tool reads there), so a reviewer reconciles a trial in a minute.
The page is self-contained (inline CSS, no script, nothing fetched).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from extractor._report_marks import Mark, markup
from extractor._report_page import CSS
from extractor.audit.cells import FLAGS, STATUSES, CellCheck
from extractor.audit.numbers import passage_around
from extractor.audit.sheet import CheckedRow, pmcid_of
from extractor.evidence import Evidence

__all__ = ["render_page"]

_STATUS_CSS = """
.st{border-radius:3px;padding:0 4px;font-size:11px;white-space:nowrap}
.st-found{background:#d8f5d0}.st-derived{background:#e8f0fe}.st-elsewhere{background:#ffe0b2}
.st-absent{background:#f5b7b1}.st-conflict{background:#c0392b;color:#fff}
tr.flagged td:first-child{border-left:4px solid #c0392b}
.flag{margin:.2em 0 .5em 1em}.flag .src{white-space:pre-wrap;font-size:13px;color:#333}
"""
_WHAT = {
    "found": "the number is in the article as this arm's value for this outcome",
    "derived": "it follows from what the article reports (a count from a percentage, an SD from an SE or CI)",
    "elsewhere": "the number is in the article, but not as this arm's value for this outcome",
    "absent": "the number is nowhere in the article",
    "conflict": "the tool reads this cell with confidence and gets another value",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_page(checked: Sequence[CheckedRow], columns: Sequence[str]) -> str:
    """The page for ``checked`` rows (:class:`~extractor.audit.CheckedRow`) over ``columns``."""
    by_article: dict[str, list[CheckedRow]] = {}
    for row in checked:
        by_article.setdefault(pmcid_of(row.values.get("pmcid", "")), []).append(row)
    counts = Counter(c.status for r in checked for c in r.checks.values() if c.status)
    summary = ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES if s)
    legend = "".join(f'<dt><span class="st st-{s}">{s}</span></dt><dd>{_e(w)}</dd>' for s, w in _WHAT.items())
    toc = "".join(f'<li><a href="#t{n}">{_e(_title(rows))}</a> <span class="quiet">'
                  f'({sum(r.flags for r in rows)} flagged)</span></li>'
                  for n, rows in enumerate(by_article.values(), 1))
    articles = "\n".join(_article(n, rows, columns) for n, rows in enumerate(by_article.values(), 1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sheet check</title><style>{CSS}{_STATUS_CSS}</style></head>
<body><header><h1>Sheet check</h1><p>{len(checked)} rows · {_e(summary)}</p>
<dl class="legend">{legend}</dl><ol class="toc">{toc}</ol></header>
<main>{articles}</main></body></html>
"""


def _title(rows: Sequence[CheckedRow]) -> str:
    trial = rows[0].trial
    pmcid = pmcid_of(rows[0].values.get("pmcid", ""))
    title = trial.record.title if trial is not None and trial.record.title else ""
    return f"{pmcid}: {title}" if title else str(pmcid)


def _article(n: int, rows: Sequence[CheckedRow], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(_row(f"t{n}-{k}", row, columns) for k, row in enumerate(rows, 1))
    problem = rows[0].problem
    warn = f'<div class="warn"><p>{_e(problem)}</p></div>' if problem else ""
    return (f'<section class="article" id="t{n}"><h2>{_e(_title(rows))}</h2>{warn}'
            f'<table class="rows"><thead><tr><th>id</th><th>outcome</th><th>intervention</th>'
            f"<th>comparator</th>{head}</tr></thead><tbody>{body}</tbody></table></section>")


def _row(row_id: str, row: CheckedRow, columns: Sequence[str]) -> str:
    values, checks = row.values, row.checks
    cells = "".join(_cell(values.get(c, ""), checks[c]) for c in columns)
    flagged = [(c, checks[c]) for c in columns if checks[c].status in FLAGS]
    cls = ' class="flagged"' if flagged else ""
    line = (f'<tr id="{row_id}"{cls}><td>{_e(values.get("id", ""))}</td><td>{_e(values.get("outcome", ""))}</td>'
            f'<td>{_e(values.get("intervention", ""))}</td><td>{_e(values.get("comparator", ""))}</td>{cells}</tr>')
    if not flagged:
        return line
    texts = row.trial.index.texts if row.trial is not None else {}
    notes = "".join(_flag(c, values.get(c, ""), k, texts, f"{row_id}-{c}") for c, k in flagged)
    return line + f'<tr class="flags"><td></td><td colspan="{3 + len(columns)}">{notes}</td></tr>'


def _cell(value: str, check: CellCheck) -> str:
    if not check.status:
        return f'<td class="nums">{_e(value)}</td>'
    tip = _e(check.why)
    return f'<td class="nums">{_e(value)} <span class="st st-{check.status}" title="{tip}">{check.status}</span></td>'


def _flag(column: str, value: str, check: CellCheck, texts: dict[str, str], mark_id: str) -> str:
    tool = f" · the tool reads <b>{_e(check.tool_value)}</b>" if check.tool_value else ""
    sources = "".join(_source(ev, texts, f"{mark_id}-{i}") for i, ev in enumerate(check.evidence))
    return (f'<div class="flag"><b>{_e(column.replace("_", " "))}</b> = {_e(value)} '
            f'<span class="st st-{check.status}">{check.status}</span> {_e(check.why)}{tool}{sources}</div>')


def _source(ev: Evidence, texts: dict[str, str], mark_id: str) -> str:
    text = texts.get(ev.section, "")
    passage, offset = passage_around(text, ev.start, ev.end)
    mark = Mark(mark_id, ev.section, ev.start - offset, ev.end - offset, ev.text, (), ("value",))
    where = f"{ev.label or ev.section} [{ev.start}:{ev.end}]"
    return f'<div class="src"><span class="quiet">{_e(where)}:</span> {markup(passage, [mark])}</div>'
