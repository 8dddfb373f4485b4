"""JATS tables as rectangular grids (see :mod:`extractor.parse.jats` for the choices made).

XHTML tables (``thead``/``tbody``/``tr``/``td``/``th``, ``colspan``/``rowspan``) and OASIS CALS
tables (``tgroup``/``row``/``entry``, ``namest``/``nameend``/``morerows``) are both read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml.etree import _Element

from extractor.parse._jats_text import INLINE_SKIP, section_title
from extractor.parse._xml import inline_text, local
from extractor.records import Table

__all__ = ["table_grid", "tables"]

_MAX_COLSPAN = 1000  # the limits HTML puts on spans
_MAX_ROWSPAN = 65534


# --- tables --------------------------------------------------------------------------------------


def tables(root: _Element) -> Iterator[Table]:
    """Every table under ``root`` in document order (see the module docstring)."""
    for el in root.iter("{*}table-wrap", "{*}table"):
        if local(el.tag) == "table-wrap":
            yield from _wrap_tables(el)
        elif _nearest(el, "table-wrap") is None:
            yield _loose_table(el)


def _wrap_tables(wrap: _Element) -> Iterator[Table]:
    group = _nearest(wrap, "table-wrap-group")
    label = inline_text(wrap.find("{*}label")) or (
        inline_text(group.find("{*}label")) if group is not None else None
    )
    captions = [_caption(group) if group is not None else None, _caption(wrap)]
    caption = " ".join(c for c in captions if c) or None
    footnotes = _footnotes(_own(wrap, "table-wrap-foot", "table-wrap"))
    if group is not None:
        footnotes += _footnotes(_own(group, "table-wrap-foot", "table-wrap-group"))
    section = section_title(wrap)
    grids = [table_grid(t) for t in _own(wrap, "table", "table-wrap")] or [((), ())]
    for header, body in grids:
        yield Table(wrap.get("id"), label, caption, header, body, footnotes, section)


def _loose_table(table: _Element) -> Table:
    """A ``<table>`` outside any ``<table-wrap>`` (a fragment that lost the wrap's start tag)."""
    feet: list[_Element] = []
    for sibling in table.itersiblings():
        if local(sibling.tag) != "table-wrap-foot":
            break
        feet.append(sibling)
    header, body = table_grid(table)
    return Table(table.get("id"), None, None, header, body, _footnotes(feet), section_title(table))


def _own(container: _Element, tag: str, owner: str) -> list[_Element]:
    """Descendants named ``tag`` whose nearest ``owner`` ancestor is ``container``."""
    return [el for el in container.iter("{*}" + tag) if _nearest(el, owner) is container]


def _nearest(el: _Element, tag: str) -> _Element | None:
    return next(el.iterancestors("{*}" + tag), None)


def _caption(el: _Element) -> str | None:
    caption = el.find("{*}caption")
    if caption is None:
        return None
    parts = [
        inline_text(child, skip=INLINE_SKIP)
        for child in caption
        if local(child.tag) in ("title", "p")
    ]
    return " ".join(p for p in parts if p) or inline_text(caption, skip=INLINE_SKIP)


def _footnotes(feet: Iterable[_Element]) -> tuple[str, ...]:
    notes: list[str] = []
    for foot in feet:
        for el in foot.iter("{*}fn", "{*}p"):
            if local(el.tag) == "p" and _nearest(el, "fn") is not None:
                continue
            label = inline_text(el.find("{*}label")) if local(el.tag) == "fn" else None
            text = inline_text(el, skip=INLINE_SKIP)
            if text:
                notes.append(f"{label} {text}" if label else text)
    return tuple(notes)


def table_grid(table: _Element) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Return (header rows, body rows) of an XHTML or OASIS table as one rectangular grid.

    Header and body share the column count of the widest row; spans are expanded.
    """
    head_groups, body_groups = _row_groups(table)
    head = [row for group in head_groups for row in _expand(group)]
    body = [row for group in body_groups for row in _expand(group)]
    width = max((max(row) + 1 for row in head + body if row), default=0)
    return _pad(head, width), _pad(body, width)


def _row_groups(table: _Element) -> tuple[list[list[_Element]], list[list[_Element]]]:
    """Rows by group: (header groups, body groups); tfoot groups go after the body, loose rows
    between groups form groups of their own."""
    groups: dict[str, list[list[_Element]]] = {"thead": [], "tbody": [], "tfoot": []}
    loose: list[_Element] = []
    for child in _table_children(table):
        name = local(child.tag)
        if name in ("tr", "row"):
            loose.append(child)
            continue
        if loose:
            groups["tbody"].append(loose)
            loose = []
        rows = [r for r in child if local(r.tag) in ("tr", "row")]
        if rows:
            groups.get(name, groups["tbody"]).append(rows)
    if loose:
        groups["tbody"].append(loose)
    return groups["thead"], groups["tbody"] + groups["tfoot"]


def _table_children(table: _Element) -> Iterator[_Element]:
    for child in table:
        if local(child.tag) == "tgroup":  # OASIS: rows sit inside <tgroup>
            yield from _table_children(child)
        elif local(child.tag) in ("thead", "tbody", "tfoot", "tr", "row"):
            yield child


def _expand(rows: list[_Element]) -> list[dict[int, str]]:
    """Place each cell of a row group on the grid, repeating spanning cells over their span."""
    out: list[dict[int, str]] = []
    covered: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text)
    for index, tr in enumerate(rows):
        row = {col: text for col, (_, text) in covered.items()}
        covered = {col: (n - 1, text) for col, (n, text) in covered.items() if n > 1}
        cells = [c for c in tr if local(c.tag) in ("td", "th", "entry")]
        if not cells and not row:
            continue
        _place(cells, row, covered, len(rows) - index)
        out.append(row)
    return out


def _place(
    cells: list[_Element], row: dict[int, str], covered: dict[int, tuple[int, str]], rows_left: int
) -> None:
    col = 0
    for cell in cells:
        while col in row:
            col += 1
        text = inline_text(cell, skip=INLINE_SKIP) or ""
        colspan, rowspan = _spans(cell, rows_left)
        for c in range(col, col + colspan):
            row[c] = text
            if rowspan > 1:
                covered[c] = (rowspan - 1, text)
        col += colspan


def _spans(cell: _Element, rows_left: int) -> tuple[int, int]:
    if local(cell.tag) == "entry":  # OASIS: morerows / namest..nameend
        rowspan = _int(cell.get("morerows"), 0) + 1
        colspan = _oasis_colspan(cell)
    else:
        colspan = _int(cell.get("colspan"), 1)
        rowspan = _int(cell.get("rowspan"), 1)
        rowspan = rows_left if rowspan == 0 else rowspan  # HTML: 0 spans to the end of the group
    return max(1, min(colspan, _MAX_COLSPAN)), max(1, min(rowspan, _MAX_ROWSPAN, rows_left))


def _oasis_colspan(entry: _Element) -> int:
    start, end = entry.get("namest"), entry.get("nameend")
    tgroup = _nearest(entry, "tgroup")
    if not start or not end or tgroup is None:
        return 1
    names = [spec.get("colname") for spec in tgroup.iterfind("{*}colspec")]
    if start in names and end in names:
        return names.index(end) - names.index(start) + 1
    return 1


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _pad(rows: list[dict[int, str]], width: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(row.get(c, "") for c in range(width)) for row in rows)
