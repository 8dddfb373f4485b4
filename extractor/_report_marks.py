"""Evidence spans as marks: which side of a comparison each span holds, and nested markup.

A :class:`Mark` is one distinct evidence span of an article (section, start, end) with the rows
(comparisons, arms) that read from it. :func:`markup` wraps marks around an escaped text; marks nest
(a sentence holding its values), and a mark crossing another is split into fragments that share
``data-span``; only the first fragment has the ``id`` and ``data-expected``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractor.evidence.model import Comparison, Evidence, Result, TrialEvidence

__all__ = ["SIDES", "Key", "Mark", "evidence_roles", "key", "markup", "plan_marks"]

Key = tuple[str, int, int]
SIDES = ("intervention", "comparator")
_NUMBER = re.compile(r"\d+(?:[.·]\d+)?")


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted span of a source text, and the table rows whose numbers it holds."""

    id: str
    section: str
    start: int
    end: int
    expected: str
    rows: tuple[str, ...]
    classes: tuple[str, ...]


@dataclass(slots=True)
class _Pending:
    expected: str
    rows: list[str]
    classes: set[str]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def key(ev: Evidence) -> Key:
    """The span of ``ev``: (section, start, end)."""
    return (ev.section, ev.start, ev.end)


# -- which evidence holds which side's numbers -------------------------------------------------


def evidence_roles(comparison: Comparison, results: Sequence[Result]) -> dict[Key, str]:
    """Map each evidence span of ``comparison`` to "intervention", "comparator" or "context".

    The result and arm values the comparison was built from say it exactly; when none matches,
    a span is given to the side whose read numbers it contains, and the rest is context.
    """
    keys = {key(e) for e in comparison.evidence}
    for result in results:
        roles = _roles_from_result(comparison, result)
        if roles and set(roles) == keys:
            return roles
    return _roles_from_numbers(comparison)


def _roles_from_result(c: Comparison, result: Result) -> dict[Key, str]:
    if (result.outcome, result.timepoint, result.subgroup) != (c.outcome, c.timepoint, c.subgroup):
        return {}
    a, b = result.value_for(c.intervention), result.value_for(c.comparator)
    if a is None or b is None:
        return {}
    roles = {key(e): "context" for e in result.evidence}
    roles.update({key(e): "comparator" for e in b.evidence})
    roles.update({key(e): "intervention" for e in a.evidence})
    return roles


def _roles_from_numbers(c: Comparison) -> dict[Key, str]:
    roles = {key(e): "context" for e in c.evidence}
    for side in SIDES:
        wanted = {float(v) for v in _read_values(c, side)}
        for ev in c.evidence:
            if roles[key(ev)] == "context" and wanted & _numbers(ev.text) and len(ev.text) < 40:
                roles[key(ev)] = side
                break
    return roles


def _read_values(c: Comparison, side: str) -> list[float]:
    names = ("events", "group_size", "percent", "mean", "standard_deviation")
    values = [(n, getattr(c, f"{side}_{n}")) for n in names]
    return [v for n, v in values if v is not None and f"{side}_{n}" not in c.derived]


def _numbers(text: str) -> set[float]:
    return {float(m.group().replace("·", ".")) for m in _NUMBER.finditer(text)}


# -- marks: one per distinct evidence span -----------------------------------------------------


def plan_marks(
    prefix: str, trial: TrialEvidence
) -> tuple[dict[Key, Mark], dict[str, dict[Key, str]]]:
    """The marks of one article (keyed by span) and, per row id, the role of each of its spans.

    Row ids are ``<prefix>-c<n>`` for comparisons and ``<prefix>-arm<n>`` for arms; mark ids are
    ``<prefix>-m<n>`` in order of first use.
    """
    pending: dict[Key, _Pending] = {}
    row_roles: dict[str, dict[Key, str]] = {}
    for n, c in enumerate(trial.comparisons, 1):
        roles = evidence_roles(c, trial.results)
        row_roles[f"{prefix}-c{n}"] = roles
        for ev in c.evidence:
            _add(pending, ev, f"{prefix}-c{n}", _mark_classes(c, roles[key(ev)]))
    for n, arm in enumerate(trial.arms, 1):
        row_roles[f"{prefix}-arm{n}"] = {key(ev): "arm" for ev in arm.evidence}
        for ev in arm.evidence:
            _add(pending, ev, f"{prefix}-arm{n}", {"arm"})
    marks = {
        span: Mark(f"{prefix}-m{i}", *span, p.expected, tuple(p.rows), tuple(sorted(p.classes)))
        for i, (span, p) in enumerate(pending.items(), 1)
    }
    return marks, row_roles


def _add(pending: dict[Key, _Pending], ev: Evidence, row: str, classes: set[str]) -> None:
    entry = pending.setdefault(key(ev), _Pending(ev.text, [], set()))
    if row not in entry.rows:
        entry.rows.append(row)
    entry.classes |= classes


def _mark_classes(c: Comparison, role: str) -> set[str]:
    classes = {"context" if role == "context" else "value"}
    if role in SIDES and any(d.startswith(f"{role}_") for d in c.derived):
        classes.add("derived")
    if c.p_consistent is False:
        classes.add("pfail")
    return classes


# -- source texts with nested marks ------------------------------------------------------------


def markup(text: str, marks: Iterable[Mark]) -> str:
    """``text`` escaped, each mark wrapped in ``<mark>``; a mark crossing another is split up.

    Marks outside the text or empty are left out (the caller lists them as not placed).
    """
    placed = (m for m in marks if 0 <= m.start < m.end <= len(text))
    spans = sorted(placed, key=lambda m: (m.start, -m.end))
    points = sorted({0, len(text), *(m.start for m in spans), *(m.end for m in spans)})
    out: list[str] = []
    stack: list[Mark] = []
    for here, there in zip(points, [*points[1:], len(text)], strict=True):
        stack = _close(out, stack, here)
        for mark in (m for m in spans if m.start == here):
            out.append(_open_tag(mark, first=True))
            stack.append(mark)
        out.append(_e(text[here:there]))
    return "".join(out)


def _close(out: list[str], stack: list[Mark], here: int) -> list[Mark]:
    """Close the marks ending at ``here`` (and those above them), reopening the ones that go on."""
    ending = [i for i, m in enumerate(stack) if m.end <= here]
    if not ending:
        return stack
    lowest = ending[0]
    out.append("</mark>" * (len(stack) - lowest))
    going_on = [m for m in stack[lowest:] if m.end > here]
    out.extend(_open_tag(m, first=False) for m in going_on)
    return stack[:lowest] + going_on


def _open_tag(mark: Mark, *, first: bool) -> str:
    classes = " ".join(mark.classes + (() if first else ("cont",)))
    rows, title = " ".join(mark.rows), _row_names(mark.rows)
    common = f'class="{classes}" data-span="{mark.id}" data-rows="{rows}" title="{title}"'
    if not first:
        return f"<mark {common}>"
    return f'<mark id="{mark.id}" {common} data-expected="{_e(mark.expected)}" tabindex="0">'


def _row_names(rows: Sequence[str]) -> str:
    """("a1-c3", "a1-arm2") -> "comparison 3, arm 2" (the tooltip of a mark)."""
    parts = (row.rsplit("-", 1)[-1] for row in rows)
    return ", ".join(f"arm {p[3:]}" if p.startswith("arm") else f"comparison {p[1:]}"
                     for p in parts)  # fmt: skip
