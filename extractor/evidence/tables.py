"""Reading results out of tables: rows are outcomes, columns are arms (or the other way round).

A :class:`TableView` finds the structure a parsed grid leaves implicit: which rows are headers
(many tables put them in the body), which leading columns hold row labels, which rows only head a
group of rows ("VAS" above "Baseline" and "After treatment"), the label of every column (all its
header cells, top down) with the group size it states ("Placebo (n = 75)"), and what the numbers
of a column or row are ("mean ± SD", "n (%)", "median (IQR)"), from the header, the row label, the
caption and the footnotes. :func:`read_cell` then reads one cell with those hints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from extractor.evidence.arms import split_header_n
from extractor.evidence.model import ArmValue, Evidence, TablePlace
from extractor.nlp.grammar import rule, words
from extractor.nlp.rules import (
    Effect,
    Proportion,
    decimals,
    effect_measure,
    fold,
    parse_effect,
    parse_interval,
    parse_number,
    parse_p_value,
    parse_proportion,
    parse_summary,
    parse_timepoint,
    proportion_from_count_and_number,
    untimed,
)
from extractor.records import Table

_NUMBERISH = rule("tables.numberish")
_N_ROW = rule("tables.n_row")
_P_HEADER = rule("tables.p_header")
_FOOTNOTE_MARKS = rule("tables.footnote_marks")

# What the numbers are, said in a header, row label, caption or footnote: the first rule that takes
# the label gives its hint.
_HINTS: list[tuple[re.Pattern[str], str]] = [(rule(rule_id), hint) for rule_id, hint in (
    ("tables.hint_sd_or_ci", "mean_sd_or_ci"),
    ("tables.hint_se_or_ci", "mean_se_or_ci"),
    ("tables.hint_sd_alone", "sd"),
    ("tables.hint_se_alone", "se"),
    ("tables.hint_median_iqr", "median_iqr"),
    ("tables.hint_median_range", "median_range"),
    ("tables.hint_pct_n", "pct_n"),
    ("tables.hint_mean_se", "mean_se"),
    ("tables.hint_mean_sd", "mean_sd"),
    ("tables.hint_m_sd", "mean_sd"),
    ("tables.hint_mean_ci", "mean_ci"),
    ("tables.hint_n_pct", "n_pct"),
    ("tables.hint_pm_se", "mean_se"),
    ("tables.hint_pm_sd", "mean_sd"),
    ("tables.hint_iqr", "median_iqr"),
    ("tables.hint_mean_alone", "mean"),
    ("tables.hint_pct_alone", "pct"),
    ("tables.hint_n_alone", "n"),
    ("tables.hint_median", "median"),
    ("tables.hint_mean", "mean"),
    ("tables.hint_pct", "pct"),
)]
_COUNTS_TABLE = rule("tables.counts_table")
_SPREAD_OF = {"mean_sd": "sd", "mean_se": "se", "median_iqr": "iqr", "median_range": "range",
              "mean_ci": "ci"}


@lru_cache(maxsize=16384)
def stat_hint(text: str | None) -> str | None:
    """What kind of numbers a label announces ("Mean ± SD" -> "mean_sd", "n (%)" -> "n_pct")."""
    if not text:
        return None
    t = fold(text)
    for pattern, hint in _HINTS:
        if pattern.search(t):
            return hint
    return None


# "ES (CL90%)", "% (CL90%)": an effect with its limits
_EFFECT_HEADER = rule("tables.effect_header")
_TWO_LETTERS = rule("tables.two_letters")
_COUNT_CELL = rule("tables.count_cell")


@lru_cache(maxsize=16384)  # a label is asked about for each of its cells
def is_effect_header(text: str) -> bool:
    """A column label of a between-group effect or a test statistic ("Effect size", "Mean difference")."""
    return bool(_EFFECT_HEADER.search(text))


@lru_cache(maxsize=16384)
def is_test_header(text: str) -> bool:
    """A column label of a p-value, an effect or a test statistic."""
    return bool(_P_HEADER.search(text)) or is_effect_header(text)


@lru_cache(maxsize=65536)
def is_value_text(text: str) -> bool:
    """Whether a cell holds a number, not a label ("12 (40%)", "3.2 ± 1.1", "<0.001" are values)."""
    t = text.strip()
    if not t or split_header_n(t)[1] is not None and len(split_header_n(t)[0]) < 3:
        return False
    return bool(_NUMBERISH.match(t)) or t.startswith(("<", ">", "≤", "≥"))


@dataclass(slots=True)
class TableView:
    """The structure of one table, inferred from its grid."""

    index: int
    table: Table
    grid: list[tuple[str, ...]]
    header_count: int
    label_columns: int
    column_labels: list[str] = field(default_factory=list)
    column_n: list[int | None] = field(default_factory=list)
    column_hint: list[str | None] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    row_labels: dict[int, str] = field(default_factory=dict)
    row_groups: dict[int, str] = field(default_factory=dict)
    table_hint: str | None = None
    marks: dict[str, str] = field(default_factory=dict)  # footnote mark -> hint
    row_marks: dict[int, str] = field(default_factory=dict)  # row -> hint of a footnote it cites
    column_marks: dict[int, str] = field(default_factory=dict)
    row_n: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> n of a sub-section
    row_index: list[int] = field(default_factory=list)  # grid row -> row of the whole table, for a block
    row_parent: dict[int, int] = field(default_factory=dict)  # row -> the group row above it ("pH" over "Mean ± SD")
    row_stubs: dict[int, tuple[str, ...]] = field(default_factory=dict)  # row -> its stub cells as written
    notes: dict[str, str] = field(default_factory=dict)  # footnote mark -> what the footnote says
    read_cache: dict[tuple[int, int], ArmValue | None] = field(default_factory=dict, repr=False)

    def n_at(self, row: int, col: int) -> int | None:
        """The group size that holds for a cell: a sub-section's "n = 28" row, else its column's."""
        return self.row_n.get((row, col), self.column_n[col])

    @property
    def name(self) -> str:
        return self.table.label or f"Table {self.index + 1}"

    def cell_section(self, row: int, col: int) -> str:
        """The Evidence section of a grid cell (header rows first, then body rows)."""
        nh = len(self.table.header)
        row = self.row_index[row] if self.row_index else row
        if row < nh:
            return f"tables/{self.index}/header/{row}/{col}"
        return f"tables/{self.index}/body/{row - nh}/{col}"

    def cell_evidence(self, row: int, col: int) -> Evidence:
        text = self.grid[row][col]
        label = f"{self.name}, row {self.row_labels.get(row, row)!r}, column {self.column_labels[col]!r}"
        return Evidence(self.cell_section(row, col), text, 0, len(text), label)

    def header_evidence(self, col: int) -> Evidence | None:
        """The header cell that names a column (the lowest header row that says something there)."""
        rows = [r for r in range(self.header_count) if self.grid[r][col].strip()]
        return self.cell_evidence(rows[-1], col) if rows else None

    def value_columns(self) -> range:
        return range(self.label_columns, len(self.column_labels))

    def p_columns(self) -> list[int]:
        return [c for c in self.value_columns() if _P_HEADER.search(self.column_labels[c].split(" | ")[-1])]

    def p_column(self, context: str | None = None) -> int | None:
        """The p column of a result: the only one, or the one under the result's own heading
        ("Week 12 | p" for the columns "Week 12 | Drug", "Week 12 | Placebo"); None when several
        could be (a p beside each arm tests change within that arm)."""
        columns = self.p_columns()
        if len(columns) > 1 and context is not None:
            columns = [c for c in columns if " | ".join(self.column_labels[c].split(" | ")[:-1]) == context]
        return columns[0] if len(columns) == 1 else None

    def is_test_column(self, col: int) -> bool:
        return is_test_header(self.column_labels[col].split(" | ")[-1])


def view_table(table: Table, index: int) -> TableView | None:
    """Infer the structure of ``table``; None when it has no values to read."""
    views = view_blocks(table, index)
    return views[0] if views else None


def view_blocks(table: Table, index: int) -> list[TableView]:
    """The views of a table, one per block when body rows start new headers:
    "CGI-I response | Proportion responders | %" under the rows of "CGI-S | n | Mean (SE)"."""
    grid = [tuple(r) for r in (*table.header, *table.body)]
    if not grid or len(grid[0]) < 2:
        return []
    width = max(len(r) for r in grid)
    grid = [r + ("",) * (width - len(r)) for r in grid]
    header_count = _header_count(grid, len(table.header))
    starts = [r for r in range(header_count + 1, len(grid)) if _is_inner_header(grid[r])]
    bounds = list(zip([0, *starts], [*starts, len(grid)], strict=True))
    views = []
    for k, (start, end) in enumerate(bounds):
        rows = list(range(start, end))
        view = _view(table, index, [grid[r] for r in rows], header_count if k == 0 else 1,
                     rows if len(bounds) > 1 else [])
        if view is not None:
            views.append(view)
    return views


def _is_inner_header(row: tuple[str, ...]) -> bool:
    """A body row naming columns anew: a label, then two or more cells of words, no values."""
    cells = [c for c in row[1:] if c.strip()]
    return bool(row[0].strip()) and len(cells) >= 2 and len(set(cells)) >= 2 and not _is_section_sizes(row) \
        and not any((is_value_text(c) and not _TWO_LETTERS.search(c)) or c.strip() in ("—", "–", "-")
                    for c in cells)


def _view(table: Table, index: int, grid: list[tuple[str, ...]], header_count: int,
          row_index: list[int]) -> TableView | None:
    if header_count >= len(grid):
        return None
    grid = _respan(grid, header_count)
    view = TableView(index, table, grid, header_count, _label_columns(grid, header_count), row_index=row_index)
    view.marks = footnote_hints(table.footnotes)
    view.notes = footnote_notes(table.footnotes)
    _fill_columns(view)
    _fill_rows(view)
    view.table_hint = _table_hint(table, view.marks)
    return view


_MARK = rule("tables.footnote_mark")


def footnote_hints(footnotes: tuple[str, ...]) -> dict[str, str]:
    """Footnote marks that say what numbers are ("ᵇData are presented as number (percentage)")."""
    out = {}
    for note in footnotes:
        m = _MARK.match(note)
        if m:
            hint = stat_hint(m.group("rest"))
            if hint:
                out[_superscript_mark(m.group(1).strip("()"))] = hint
    return out


_SUPERSCRIPT_LETTERS = str.maketrans("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ")


def footnote_notes(footnotes: tuple[str, ...]) -> dict[str, str]:
    """What each marked footnote says ("*Postoperative days" -> {"*": "Postoperative days"})."""
    out = {}
    for note in (part for line in footnotes for part in _NOTE_SPLIT.split(line)):
        m = _MARK.match(note)
        if m:
            out.setdefault(_superscript_mark(m.group(1).strip("()")), m.group("rest").strip())
    return out


_NOTE_SPLIT = rule("tables.note_split")


def _superscript_mark(mark: str) -> str:
    """Marks cited as superscripts in labels ("scoreᵇ") are often plain in footnotes ("b Data ...")."""
    return mark.translate(_SUPERSCRIPT_LETTERS) if len(mark) == 1 and mark.isalpha() else mark


def _marked_hint(text: str, marks: dict[str, str]) -> str | None:
    """The hint of a footnote a label cites with a trailing or inner mark ("Cognitive scoreᵇ")."""
    for mark, hint in marks.items():
        if mark in text:
            return hint
    return None


def _table_hint(table: Table, marks: dict[str, str]) -> str | None:
    unmarked = [n for n in table.footnotes if not _MARK.match(n)]
    hint = stat_hint(" ".join(filter(None, (table.caption, *unmarked))))
    if hint is None and len(set(marks.values())) == 1:
        hint = next(iter(marks.values()))
    return hint or ("n" if _COUNTS_TABLE.search(table.caption or "") else None)


def _respan(grid: list[tuple[str, ...]], header_count: int) -> list[tuple[str, ...]]:
    """Give a header cell the columns it heads when the source lost its colspan.

    "Drug | Placebo | | " above "Mean | SD | Mean | SD": the lower row repeats a unit of two
    columns, one per label above, so "Drug" heads columns 1-2 and "Placebo" columns 3-4.
    """
    grid = list(grid)
    for r in range(header_count - 1):
        upper, lower = list(grid[r]), grid[r + 1]
        labelled = [c for c in range(1, len(upper)) if upper[c].strip()]
        period = _period(lower, labelled[0]) if labelled else 0
        if len(labelled) < 2 or period < 2 or labelled != list(range(labelled[0], labelled[0] + len(labelled))):
            continue
        if labelled[0] + period * len(labelled) > len(upper):
            continue
        for k, c in enumerate(labelled[::-1]):
            text = upper[c]
            start = labelled[0] + period * (len(labelled) - 1 - k)
            for j in range(start, start + period):
                upper[j] = text
        grid[r] = tuple(upper)
    return grid


def _period(row: tuple[str, ...], start: int) -> int:
    """The length of the unit a header row repeats from ``start`` ("Mean", "SD", "Mean", "SD" -> 2)."""
    cells = [c.strip().lower() for c in row[start:]]
    for p in (2, 3, 4):
        unit = cells[:p]
        if len(cells) >= 2 * p and all(unit) and len(set(unit)) == p and cells[p : 2 * p] == unit:
            return p
    return 0


def _header_count(grid: list[tuple[str, ...]], declared: int) -> int:
    for r in range(1, declared):
        if _is_section_sizes(grid[r]):
            return r  # "T2w sagittal | n = 18 | n = 21": a block of rows starts here
    count = declared
    while count < len(grid) and not _is_data_row(grid[count]):
        if count and _is_section_sizes(grid[count]):
            break
        if declared and _is_spanning(grid[count]):
            break
        count += 1
    return count


def _is_section_sizes(row: tuple[str, ...]) -> bool:
    """A labelled row giving only group sizes: it heads a block of rows."""
    cells = [c for c in row[1:] if c.strip()]
    return bool(row[0].strip()) and bool(cells) and all(
        split_header_n(c)[1] is not None and not split_header_n(c)[0] for c in cells)


def _is_spanning(row: tuple[str, ...]) -> bool:
    """A row that only names a group of rows below it ("VAS" spanning the whole table)."""
    cells = {c.strip() for c in row if c.strip()}
    return len(cells) == 1 and sum(bool(c.strip()) for c in row) in (1, len(row))


def _is_data_row(row: tuple[str, ...]) -> bool:
    return sum(is_value_text(c) for c in row[1:]) >= 1 and not all(
        split_header_n(c)[1] is not None or not c.strip() for c in row[1:]
    )


def _label_columns(grid: list[tuple[str, ...]], header_count: int) -> int:
    body = grid[header_count:]
    count = 1
    while count < len(grid[0]) - 1:
        column = [r[count] for r in body if r[count].strip()]
        if not column or sum(is_value_text(c) for c in column) >= len(column) / 2:
            break
        count += 1
    if header_count:  # stub columns with no header before the first headed one are labels too
        headed = [c for c in range(len(grid[0])) if any(grid[r][c].strip() for r in range(header_count))]
        first = headed[0] if headed else 0
        if count < first < len(grid[0]) - 1:
            count = first
    return count


def _fill_columns(view: TableView) -> None:
    for c in range(len(view.grid[0])):
        parts = list(dict.fromkeys(
            clean(view.grid[r][c]) for r in range(view.header_count) if view.grid[r][c].strip()
        ))
        label = " | ".join(p for p in parts if p)
        view.column_labels.append(label)
        ns = [split_header_n(p)[1] for p in parts]
        view.column_n.append(next((n for n in reversed(ns) if n is not None), None))
        view.column_hint.append(next((h for p in reversed(parts) if (h := stat_hint(p))), None))
        raw = " ".join(view.grid[r][c] for r in range(view.header_count))
        mark = _marked_hint(raw, view.marks)
        if mark:
            view.column_marks[c] = mark
    _n_rows(view)


def _n_rows(view: TableView) -> None:
    """A body row labelled "n" gives the group size of each column."""
    for r in range(view.header_count, len(view.grid)):
        row = view.grid[r]
        if _N_ROW.match(row[0]) and all(not c.strip() or _COUNT_CELL.fullmatch(c.strip())
                                         for c in row[view.label_columns:]):
            for c in view.value_columns():
                if row[c].strip() and view.column_n[c] is None:
                    view.column_n[c] = int(row[c].replace(",", ""))


def _fill_rows(view: TableView) -> None:
    section, group, group_mark, group_row, sizes = "", "", None, None, {}
    carry, outer, tested = "", "", False
    for r in range(view.header_count, len(view.grid)):
        row = view.grid[r]
        raw = " ".join(row[c] for c in range(view.label_columns))
        if view.label_columns > 1:  # a blank first stub continues the outcome above (a lost rowspan)
            if row[0].strip():
                carry = row[0]
            elif carry and any(row[c].strip() for c in range(1, view.label_columns)):
                row = (carry, *row[1:])
        label = " ".join(dict.fromkeys(clean(row[c]) for c in range(view.label_columns) if row[c].strip()))
        values = [row[c] for c in view.value_columns() if row[c].strip()]
        if values and all(split_header_n(v)[1] is not None and not split_header_n(v)[0] for v in values):
            sizes = {c: split_header_n(row[c])[1] for c in view.value_columns() if row[c].strip()}
            # a block of rows, which groups may divide
            section, group, group_row, outer = label or section, "", None, ""
            continue
        if label and not values and _continues_row_above(view, r):
            _join_stub(view, r - 1, label)
            continue
        own_test = any(is_value_text(clean(row[c])) for c in view.value_columns() if view.is_test_column(c))
        if label and _heads_rows(view, row, label):
            if own_test:  # a group its own test covers ("Sex | | 0.70" over "Male", "Female"), inside the heading above
                group, tested = " ".join(p for p in (outer, label) if p), True
            else:
                group = outer = label
                tested = False
            group_mark, group_row = _marked_hint(raw, view.marks), r
            continue
        if tested and own_test:  # a row with its own test is past the group the test above covered
            group, group_row, tested = outer, None, False
        if _N_ROW.match(row[0]) or not values:
            continue
        view.rows.append(r)
        view.row_labels[r] = label
        view.row_stubs[r] = tuple(row[c] for c in range(view.label_columns) if row[c].strip())
        view.row_n.update({(r, c): n for c, n in sizes.items() if n is not None})
        mark = _marked_hint(raw, view.marks) or group_mark
        if mark:
            view.row_marks[r] = mark
        if group_row is not None:
            view.row_parent[r] = group_row
        if group or section:
            view.row_groups[r] = " ".join(p for p in (section, group) if p)
    _corner_heads_first_rows(view)


def _continues_row_above(view: TableView, row: int) -> bool:
    """A stub with no values that ends the sentence of the row above, broken over two rows: "the
    number of patients with" above "no adverse event (n / all)"."""
    above = row - 1
    return bool(view.rows) and view.rows[-1] == above and bool(_DANGLING_END.search(view.row_labels[above]))


def _join_stub(view: TableView, row: int, rest: str) -> None:
    view.row_labels[row] = f"{view.row_labels[row]} {rest}"
    stubs = view.row_stubs[row]
    view.row_stubs[row] = (*stubs[:-1], f"{stubs[-1]} {rest}")


_DANGLING_END = rule("tables.dangling_end")


def _heads_rows(view: TableView, row: tuple[str, ...], label: str) -> bool:
    """A row that only names the rows below it: its arm cells are empty or repeat its label (a
    spanning cell), though a p or test column may give the test of the whole group ("pH | pH | 0.91")."""
    cells = [row[c] for c in view.value_columns() if row[c].strip() and not view.is_test_column(c)]
    return all(clean(v) == label for v in cells)


def _corner_heads_first_rows(view: TableView) -> None:
    """A corner cell naming a group ("Functioning scores" above its rows, beside arm columns) is the
    group of the rows before the first group row, where later groups ("Symptom scores") are rows."""
    corner = view.column_labels[0] if view.label_columns == 1 else ""
    if not corner or not view.row_groups or stat_hint(corner) or _GENERIC_CORNER.match(corner):
        return
    for r in view.rows:
        if r in view.row_groups:
            break
        view.row_groups[r] = corner


_GENERIC_CORNER = rule("tables.generic_corner")


@lru_cache(maxsize=65536)  # a cell is cleaned when its table is laid out and again when it is read
def clean(text: str) -> str:
    """A cell without footnote marks, an abbreviation glued to its subscale apart ("SPADIpain")."""
    return _GLUED_WORD.sub(r"\1 \2", _FOOTNOTE_MARKS.sub("", text.strip()).strip())


_GLUED_WORD = rule("tables.glued_word")


def row_hint(view: TableView, row: int) -> str | None:
    return (stat_hint(view.row_labels.get(row)) or view.row_marks.get(row)
            or stat_hint(view.row_groups.get(row)))


def read_cell(view: TableView, row: int, col: int, arm: str) -> ArmValue | None:
    """Read one value cell of an arm's column, using the hints of its row, column and table
    (read once per cell, whichever arm asks)."""
    key = (row, col)
    if key not in view.read_cache:
        view.read_cache[key] = _read_cell(view, row, col)
    value = view.read_cache[key]
    return None if value is None else replace(value, arm=arm)


def _read_cell(view: TableView, row: int, col: int) -> ArmValue | None:
    arm = ""
    text = _SPACED_DECIMAL.sub(".", clean(view.grid[row][col]))
    if not is_value_text(text):
        return None
    local = _local_hint(view, row, col)
    hint = local or view.table_hint
    if local == "pct" and view.table_hint in ("mean_se", "mean_sd") and "±" in fold(text):
        local, hint = None, view.table_hint  # a "(%)" unit in the label does not make "12.1 ± 3.2" a percentage
    n = view.n_at(row, col)
    ev = (view.cell_evidence(row, col),)
    own_n = _CELL_N.match(text) if _HEADER_N_LAST.search(view.column_labels[col]) else None
    if own_n:  # "87.83 (3.31); (22)" under "Mean (SE); (n)": the cell gives its own n
        text, n = own_n.group(1), int(own_n.group(2))
        value = _read(text, hint, n, arm, ev, "cell" if local else "table")
        return None if value is None else _with_n(value, n)
    value = _read(text, hint, n, arm, ev, "cell" if local else "table")
    if value is None:
        return None
    if value.kind == "binary" and value.events is None and value.total is None and local not in _COUNT_HINTS \
            and _mean_change_row(view.row_labels.get(row, "")):
        value = ArmValue(arm, mean=value.percent, dispersion="none", evidence=ev, rule_ids=("table_mean_percent",))
    return value if value.n is not None or n is None else _with_n(value, n)


def _mean_change_row(label: str) -> bool:
    """A row of how much a measure changed, in percent ("Improvement on the symptom score | 76.2%"):
    a mean change, not a share of people (as "Patients improved" or "Reduction ≥50%" are)."""
    return bool(_CHANGE_ROW.search(label)) and not _PEOPLE_OR_THRESHOLD.search(label)


def _local_hint(view: TableView, row: int, col: int) -> str | None:
    """What a cell's numbers are, from its column, else its row: but a row of means under an "N | %"
    sub-header ("Age, mean (SD)" beside "Female") is read by its row."""
    column, own = view.column_hint[col], row_hint(view, row)
    if column in _COUNT_HINTS and own and own not in _COUNT_HINTS:
        return own
    return column or own or view.column_marks.get(col)


_COUNT_HINTS = frozenset(("n", "pct", "n_pct", "pct_n"))
_SPACED_DECIMAL = rule("tables.spaced_decimal")
_CHANGE_ROW = rule("tables.change_row")
_PEOPLE_OR_THRESHOLD = rule("tables.people_or_threshold")
_CELL_N = rule("tables.cell_n")
_HEADER_N_LAST = rule("tables.header_n_last")


def read_text(view: TableView, row: int, col: int, text: str, arm: str) -> ArmValue | None:
    """Read part of a cell (one arm's half of "10.8±2.0 (4.9±1.9)") with the cell's hints."""
    text = clean(text)
    if not is_value_text(text):
        return None
    hint = _local_hint(view, row, col) or view.table_hint
    cell = view.cell_evidence(row, col)
    start = view.grid[row][col].find(text)
    ev = (Evidence(cell.section, text, max(start, 0), max(start, 0) + len(text), cell.label),) if start >= 0 \
        else (cell,)
    return _read(text, hint, None, arm, ev)


def _with_n(value: ArmValue, n: int) -> ArmValue:
    return replace(value, n=n)


def _read(text: str, hint: str | None, n: int | None, arm: str, ev: tuple[Evidence, ...],
          hint_level: str = "cell") -> ArmValue | None:
    bracketed = _BRACKETED_NUMBER.match(text)
    if bracketed:  # "(22)" under "(%)"
        text = bracketed.group(1)
    if hint in _CONTINUOUS_HINTS and _TRAILING_PERCENT.search(text):
        text = _TRAILING_PERCENT.sub("", text)  # a mean in percent ("35.2%") under "Mean ± SD"
    prop = parse_proportion(text)
    if prop is not None and (prop.percent is not None or prop.total is not None):
        return _binary(prop, arm, ev, "table_proportion")
    summary = parse_summary(text, default_dispersion=_SPREAD_OF.get(hint or ""))
    if summary is not None:
        return _from_summary(summary, text, hint, n, arm, ev, hint_level)
    number = parse_number(text)
    if number is None:
        return None
    return _bare(number, text, hint, n, arm, ev)


_BRACKETED_NUMBER = rule("tables.bracketed_number")
_CONTINUOUS_HINTS = frozenset(("mean", "sd", "se", "mean_sd", "mean_se"))
_TRAILING_PERCENT = rule("tables.trailing_percent")
_LAST_NUMBER = rule("tables.last_number")


def _binary(prop: Proportion, arm: str, ev: tuple[Evidence, ...], rule: str) -> ArmValue:
    return ArmValue(arm, events=prop.events, total=prop.total, percent=prop.percent, n=prop.total,
                    evidence=ev, rule_ids=(rule,))


def _from_summary(summary, text: str, hint: str | None, n: int | None, arm: str, ev,  # type: ignore[no-untyped-def]
                  hint_level: str = "cell") -> ArmValue | None:
    if hint == "pct_n" and summary.spread is not None and summary.spread == int(summary.spread):
        return ArmValue(arm, events=int(summary.spread), percent=summary.centre, n=n, evidence=ev,
                        rule_ids=("table_pct_n",))
    if hint in ("median", "median_iqr", "median_range") and hint_level != "cell" and "±" in fold(text):
        hint = "mean_sd"  # "3.4 ± 0.6" is a mean and SD whatever a note for the whole table says
    if hint in ("median", "median_iqr", "median_range"):
        low, high = (summary.low, summary.high) if summary.low is not None else (None, None)
        dispersion = {"median_iqr": "iqr", "median_range": "range"}.get(hint, "unknown")
        return ArmValue(arm, median=summary.centre, low=low, high=high, dispersion=dispersion, n=n,
                        evidence=ev, rule_ids=("table_median",))
    if hint in ("n_pct", "pct") and summary.spread is not None and n:
        prop = proportion_from_count_and_number(summary.centre, summary.spread, text.split("(")[-1], n)
        if prop is not None:
            return _binary(prop, arm, ev, "table_n_pct")
    if hint == "n_pct" and not n and summary.spread is not None and "±" not in fold(text) \
            and summary.centre == int(summary.centre) and 0 <= summary.spread <= 100:  # "12 (30.0)" under n (%)
        return ArmValue(arm, events=int(summary.centre), percent=summary.spread, n=n, evidence=ev,
                        rule_ids=("table_n_pct_no_n",))
    if summary.dispersion == "unknown" and summary.spread is not None and hint_level != "cell" and n:
        prop = proportion_from_count_and_number(summary.centre, summary.spread, text.split("(")[-1], n)
        if prop is not None and "±" not in text:
            return _binary(prop, arm, ev, "table_count_pct_agrees")
    from extractor.evidence.text import summary_value

    if hint in ("mean_sd_or_ci", "mean_se_or_ci"):  # "(SD or 95% CI)": a range is the interval
        return summary_value(summary, arm, "ci" if summary.low is not None else hint[5:7], ev, "table_summary")
    spread = _SPREAD_OF.get(hint or "") or ("sd" if "±" in fold(text) or "+/-" in text else None)
    return summary_value(summary, arm, spread, ev, "table_summary")


def _bare(number: float, text: str, hint: str | None, n: int | None, arm: str, ev) -> ArmValue | None:  # type: ignore[no-untyped-def]
    if hint == "pct" and 0 <= number <= 100:
        return ArmValue(arm, percent=number, n=n, evidence=ev, rule_ids=("table_pct",))
    if hint in ("n", "n_pct") and number == int(number) and (n is None or number <= n):
        return ArmValue(arm, events=int(number), n=n, evidence=ev, rule_ids=("table_count",))
    if hint == "mean":
        return ArmValue(arm, mean=number, dispersion="none", evidence=ev, rule_ids=("table_mean",))
    if hint == "sd":
        return ArmValue(arm, sd=number, dispersion="sd", evidence=ev, rule_ids=("table_sd",))
    if hint == "se":
        return ArmValue(arm, se=number, dispersion="se", evidence=ev, rule_ids=("table_se",))
    if hint == "median":
        return ArmValue(arm, median=number, dispersion="none", evidence=ev, rule_ids=("table_median",))
    return None


def p_value_of_row(view: TableView, row: int, context: str | None = None) -> tuple[str, float] | None:
    """The p-value stated in the row's p column (see :meth:`TableView.p_column`), or in the
    group row above it when the row only gives a statistic of the group's outcome ("pH | | 0.91" over
    "Mean ± SD"), not one of several outcomes or times the group's test covers."""
    col = view.p_column(context)
    if col is None:
        return None
    text = clean(view.grid[row][col])
    if not text and row in view.row_parent and stat_only(view.row_labels.get(row, "")):
        text = clean(view.grid[view.row_parent[row]][col])  # the row is its group's outcome, in a statistic
    p = parse_p_value(f"p = {text}") if _NUMBERISH.match(text) else parse_p_value(f"p {text}") or \
        parse_p_value(text)  # "p=0.001" written out in the cell
    return (p.relation, p.value) if p else None


_EFFECT_COLUMN = rule("tables.effect_column")
_CI_COLUMN = rule("tables.ci_column")


def effect_of_row(view: TableView, row: int, context: str | None = None) -> tuple[Effect, tuple[Evidence, ...]] | None:
    """The between-group estimate a row gives in the table's one estimate column ("Difference |
    Mean", "OR (95% CI)"), with its confidence interval from the same cell ("-16.5 (-26.0 to -7.1)")
    or from the columns after it under a CI heading (one cell "-26.0 to -7.1", or one per limit);
    None when there is no such column, or several (unless one is under the result's heading)."""
    found = [(c, m) for c in view.value_columns() if (m := _measure_of(view.column_labels[c]))]
    if len(found) > 1 and context is not None:
        found = [(c, m) for c, m in found if " | ".join(view.column_labels[c].split(" | ")[:-1]) == context]
    if len(found) != 1:
        return None
    col, measure = found[0]
    effect = parse_effect(f"{measure} {clean(view.grid[row][col])}")
    if effect is None:
        return None
    cells = [col]
    if effect.interval is None:
        limits = [c for c in range(col + 1, min(col + 3, len(view.column_labels)))
                  if _CI_COLUMN.search(view.column_labels[c])]
        texts = [clean(view.grid[row][c]) for c in limits]
        interval = parse_interval(texts[0] if len(limits) == 1 else " to ".join(texts)) if limits else None
        if interval is not None:
            effect = Effect(effect.measure, effect.value, interval)
            cells += limits
    return effect, tuple(view.cell_evidence(row, c) for c in cells)


def _measure_of(label: str) -> str | None:
    """The estimate a column heading names (one of its levels), as a measure code (MD, OR, RR); none
    for a column of its CI ("95% CI | Diff.")."""
    parts = label.split(" | ")
    if len(parts) > 1 and any(_CI_COLUMN.search(p) for p in parts):
        return None
    for part in parts:
        m = _EFFECT_COLUMN.match(part)
        if m:
            return effect_measure(m.group("measure") or "difference")  # "Diff. vol.": a difference
    return None


def p_note(view: TableView, row: int, context: str | None = None) -> str:
    """The footnotes the marks of a row's p cell and of the p column's header cite
    ("0.015*" with "* Difference between group 1 and group 2")."""
    col = view.p_column(context)
    if col is None:
        return ""
    texts = [view.grid[row][col], *(view.grid[r][col] for r in range(view.header_count))]
    return " ".join(note for mark, note in view.notes.items() if any(_cites(t, mark) for t in texts))


def _cites(text: str, mark: str) -> bool:
    """Whether ``text`` ends with a run of marks holding ``mark`` ("0.02**" cites "**", not "*")."""
    m = _FOOTNOTE_MARKS.search(text.strip())
    tokens = m.group(0).replace(",", " ").split() if m else []
    marks = [t for token in tokens for t in ([token] if len(set(token)) == 1 else list(token))]
    return mark in marks


@dataclass(frozen=True, slots=True)
class RowName:
    """What a row reports: the outcome, the subgroup it is about, and when (as the table says it)."""

    outcome: str
    subgroup: str = ""
    when: str = ""


def row_name(view: TableView, row: int) -> RowName:
    """The outcome a row reports, from its stub and the group rows above it: not a statistic
    ("Mean ± SD" under "pH" is pH), not a bare level ("1" ... "7" of a scale the corner or the caption
    names), not who ("Male" under "Age ≤52 years" is a subgroup), not when ("12 hr", or "0*" with
    the note "*Postoperative days", is a time point)."""
    group = view.row_groups.get(row, "")
    outcome, subgroup, when = [], [], ""
    if group and _SUBGROUP_BOUND.search(group):
        subgroup.append(group)
    elif group:
        outcome.append(group)
    for raw in dict.fromkeys(view.row_stubs.get(row, ())):
        part = clean(raw)
        if not part or part in outcome or stat_only(part):
            continue
        measure = _measure_of_row_above(view, row, part)
        if measure:  # "Mean time ± SD (seconds)" under "Errors in task 1": the task's time
            outcome = [row_name(view, row - 1).outcome, measure]
            continue
        if _SUBGROUP_STUB.match(part) and subgroup:  # "Male" under "Age ≤52 years"
            subgroup.append(part)
        elif _LEVEL_STUB.match(part):
            unit = next((w for mark, n in view.notes.items() if _cites(raw, mark)
                         for w in _LABEL_WORD.findall(n) if w.lower() in _TIME_WORDS), "")
            if unit:  # "2*" with the note "*Days after surgery"
                when = f"{unit} {part}"
            else:  # "1" ... "7" of a scale
                outcome = [" ".join(outcome) or _level_subject(view), part]
        elif parse_timepoint(part) and not untimed(part):
            when = part
        else:
            outcome.append(part)
    name = " ".join(p for p in outcome if p) or _subject(view)
    return RowName(name, ", ".join(subgroup), when)


def _measure_of_row_above(view: TableView, row: int, part: str) -> str:
    """A stub that leads with its statistic and names only a generic measure ("Mean time ± SD
    (seconds)"), right under a row of results in the same group: what it measures of the
    row above ("time (seconds)"); else ""."""
    found = _LABEL_WORD.findall(part)
    if row - 1 not in view.row_labels or view.row_parent.get(row) != view.row_parent.get(row - 1) \
            or stat_hint(part) not in _SPREAD_HINTS \
            or not found or found[0].lower() not in _STAT_WORDS:
        return ""
    rest = [w for w in found if w.lower().rstrip(".") not in _STAT_WORDS]
    if not 1 <= len(rest) <= _MEASURE_WORDS:
        return ""
    kept = _LABEL_WORD.sub(lambda m: "" if m.group(0).lower().rstrip(".") in _STAT_WORDS else m.group(0), part)
    return " ".join(kept.replace("±", " ").split()).strip(" ,;:")


_SPREAD_HINTS = frozenset(("mean_sd", "mean_se", "median_iqr", "median_range", "mean_ci", "sd", "se"))
_MEASURE_WORDS = 2  # "time (seconds)": a generic measure and its unit


def caption_time(view: TableView) -> str:
    """The one time a caption gives its whole table ("... at 24 hours after surgery"), if it gives one."""
    caption = view.table.caption or ""
    found = _CAPTION_TIME.findall(caption)
    return found[0] if len(found) == 1 and not _CAPTION_TIMES.search(caption) else ""


_CAPTION_TIME = rule("tables.caption_time")
_CAPTION_TIMES = rule("tables.caption_times")


def stat_only(part: str) -> bool:
    """A label that only says what the numbers are ("Mean (SD)", "n (%)", "Arithmetic mean"), not
    what or when ("Post: Mean (SE)", "Mean number of grafts")."""
    return stat_hint(part) is not None and len(part.split()) <= 4 and not _WHEN.search(part) and all(
        w.lower().rstrip(".") in _STAT_WORDS for w in _LABEL_WORD.findall(part))


def change_heading(part: str) -> str:
    """What a header part says of its numbers when it only says they are changes, in statistic
    words ("Mean (SD) score changes" -> "changes", "Change from baseline, mean ± SD" -> "Change from
    baseline"); "" for a header that says more (who, when, which arm) or no change."""
    found = [w.rstrip(".") for w in _LABEL_WORD.findall(part)]
    lowered = [w.lower() for w in found]
    if not any(w.startswith("change") for w in lowered) or \
            not all(w in _STAT_WORDS or w in _CHANGE_WORDS for w in lowered):
        return ""
    kept = [w for w, low in zip(found, lowered, strict=True) if low in _CHANGE_WORDS and low not in _STAT_WORDS]
    while kept and kept[-1].lower() in _CHANGE_LINKS:  # "Change from" of "Change from (SD)"
        kept.pop()
    if kept and kept[0].lower() == "changes":
        kept[0] = kept[0][:-1]
    return " ".join(kept)


def _subject(view: TableView) -> str:
    """What the table is about, for rows that do not say: the corner cell heading the stubs, else the caption."""
    corner = view.column_labels[0] if view.column_labels else ""
    if corner and not _GENERIC_CORNER.match(corner) and not stat_hint(corner):
        return corner
    m = _CAPTION_SUBJECT.match(view.table.caption or "")
    return m.group("subject").strip() if m else ""


def _level_subject(view: TableView) -> str:
    """What numbered levels are levels of: the caption's subject and the corner cell ("Nausea Grade")."""
    m = _CAPTION_SUBJECT.match(view.table.caption or "")
    corner = view.column_labels[0] if view.column_labels else ""
    corner = "" if _GENERIC_CORNER.match(corner) or stat_hint(corner) else corner
    return " ".join(p for p in (m.group("subject").strip() if m else "", corner) if p)


_TIME_WORDS = words("time_words")
_SUBGROUP_BOUND = rule("tables.subgroup_bound")
_SUBGROUP_STUB = rule("tables.subgroup_stub")
_LEVEL_STUB = rule("tables.level_stub")
_CAPTION_SUBJECT = rule("tables.caption_subject")
_WHEN = rule("reader.when")
_STAT_WORDS = words("stat_label_words")
_CHANGE_WORDS = words("change_label_words")
_CHANGE_LINKS = frozenset(("from", "to", "in"))
_LABEL_WORD = rule("tables.label_word")


def decimals_of(text: str) -> int:
    """Decimals of the percentage in a cell ("12 (40.5)" -> 1)."""
    m = _LAST_NUMBER.search(fold(text))
    return decimals(m.group(1)) if m else 0


_SIZE_COLUMN = rule("tables.size_column")
_SIZE_ROW = rule("tables.size_row")


def table_places(views: Iterable[TableView]) -> dict[str, TablePlace]:
    """The place of every cell of the tables, by its evidence section (the first view of a cell)."""
    places: dict[str, TablePlace] = {}
    for view in views:
        caption = view.table.caption or ""
        columns = [(c, bool(_SIZE_COLUMN.match(c.rpartition("|")[2]))) for c in view.column_labels]
        for r, cells in enumerate(view.grid):
            label = view.row_labels.get(r, cells[0] if cells else "")
            group = view.row_groups.get(r, "")
            row = " ".join(p for p in (group, label, caption) if p)
            is_header, is_size_row = r < view.header_count, bool(_SIZE_ROW.match(label))
            for c in range(len(cells)):
                section = view.cell_section(r, c)
                if section not in places:
                    column, is_size_column = columns[c] if c < len(columns) else ("", False)
                    places[section] = TablePlace(row, column, is_header, is_size_row, label, is_size_column, group)
    return places
