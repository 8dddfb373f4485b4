"""Write the comparison table for metafor or meta, as a RevMan data grid, or whole (CSV, JSONL, ...).

The three analysis layouts put binary and continuous rows in separate tables, because their
columns differ; :func:`write_table` writes ``OUT.binary.csv`` and ``OUT.continuous.csv`` when a
table holds both, and ``OUT`` itself otherwise. Rows whose outcome type cannot be told (no
``outcome_type``, and no numbers or both kinds) fit neither layout and are reported, not guessed.

- ``metafor``: ``study``, the trial's ``pmid`` and ``pmcid``, the descriptive columns,
  ``ai, bi, ci, di, n1i, n2i`` (binary) or ``m1i, sd1i, n1i, m2i, sd2i, n2i`` (continuous),
  then ``yi, vi`` on escalc's conventions. The argument names of ``metafor::escalc``
  (https://wviechtb.github.io/metafor/reference/escalc.html), so
  ``escalc(measure="RR", ai=ai, bi=bi, ci=ci, di=di, data=read.csv(f))`` reads the file as is.
- ``meta``: ``studlab``, ``pmid``, ``pmcid``, the descriptive columns, ``event.e, n.e, event.c,
  n.c`` or ``mean.e, sd.e, n.e, mean.c, sd.c, n.c``: the argument names of ``meta::metabin`` and
  ``meta::metacont`` (https://cran.r-project.org/package=meta, reference manual), so
  ``metabin(event.e, n.e, event.c, n.c, studlab, data=read.csv(f))`` works unchanged.
- ``revman``: one row per comparison with the columns of a RevMan analysis's data grid:
  ``Study``, then ``Experimental events, Experimental total, Control events, Control total``
  (dichotomous) or ``Experimental mean, Experimental SD, Experimental total, Control mean,
  Control SD, Control total`` (continuous). Missing values are empty cells, not ``NA``. This is a
  table to enter or check by hand, not a file RevMan Web imports: RevMan Web imports study data
  from Cochrane's data-extraction templates (study information, one row per study; study arms
  and study results, one row per arm), whose headings must match the review's set-up and are
  given only in the template files (Cochrane RevMan knowledge base, "Data extraction templates",
  https://documentation.cochrane.org/revman-kb/data-extraction-templates-260702375.html, and
  "Populate study data",
  https://documentation.cochrane.org/revman-kb/populate-study-data-260702462.html). Those files
  could not be consulted, so the import format is not claimed.

Every layout labels a row by its trial (the ``study`` label "He 2020" that ``extract`` writes,
else the PMID, PMCID or sheet id; see :mod:`extractor.meta.trials`) and keeps the rows of one
trial together; ``pmid``, ``pmcid`` and the descriptive columns tell its rows apart in the R
layouts. Rows of one trial are one study: choose among them before pooling.

A row with no per-arm numbers that reports an estimate with its CI (``effect_measure``, ``effect``,
``ci_low``, ``ci_high``, ``ci_level``) gets ``yi`` and ``vi`` from them when the estimate is of the
layout's measure (:func:`extractor.meta.table.reported_row_effect`); a hazard ratio is a
time-to-event row, written as ``OUT.time-to-event.csv`` with ``yi, vi`` (metafor, for
``rma(yi, vi)``) or ``TE, seTE`` (meta, for ``metagen(TE, seTE, studlab)``); RevMan's grid has no
place for it, so it is left out there.

In the R layouts counts are written as integers and missing values as ``NA``; no index column.
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from extractor.errors import AnalysisError, ExportError
from extractor.meta.analysis import DEFAULT_MEASURE
from extractor.meta.effects import Measure
from extractor.meta.table import (
    BINARY_COLUMNS,
    CONTINUOUS_COLUMNS,
    filter_outcome,
    outcome_types,
    records,
    row_effect,
)
from extractor.meta.trials import select_rows, table_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DESCRIPTIVE_COLUMNS", "Format", "Written", "layout_tables", "write_table"]

#: Columns copied into the R layouts, when the table has them: the trial's identity, and what
#: tells its rows apart.
DESCRIPTIVE_COLUMNS = (
    "pmid",
    "pmcid",
    "outcome",
    "timepoint",
    "subgroup",
    "intervention",
    "comparator",
)


class Format(enum.Enum):
    """An output format of ``export``."""

    METAFOR = "metafor"
    META = "meta"
    REVMAN = "revman"
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"
    XLSX = "xlsx"

    @property
    def is_layout(self) -> bool:
        """Whether this is an analysis layout (binary and continuous rows apart)."""
        return self in (Format.METAFOR, Format.META, Format.REVMAN)

    @property
    def is_binary_file(self) -> bool:
        """Whether the output is not text (it cannot go to standard output)."""
        return self in (Format.PARQUET, Format.XLSX)


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write_table` wrote: the files (empty for stdout) and the rows it left out.

    ``left_out`` labels rows that fit no layout; ``skipped`` says ``"label: reason"`` for trials
    the chosen time point left without a row.
    """

    paths: tuple[Path, ...]
    rows: int
    left_out: tuple[str, ...]
    skipped: tuple[str, ...] = ()


# Source columns of each layout, in escalc / metabin / RevMan order, by outcome type
# (metafor's binary layout, ai bi ci di n1i n2i, is built in _data).
_SOURCES = {"binary": BINARY_COLUMNS, "continuous": CONTINUOUS_COLUMNS, "time-to-event": ()}
_NAMES = {
    (Format.METAFOR, "continuous"): ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    (Format.METAFOR, "time-to-event"): (),
    (Format.META, "time-to-event"): (),
    (Format.META, "binary"): ("event.e", "n.e", "event.c", "n.c"),
    (Format.META, "continuous"): ("mean.e", "sd.e", "n.e", "mean.c", "sd.c", "n.c"),
    (Format.REVMAN, "binary"): (
        "Experimental events",
        "Experimental total",
        "Control events",
        "Control total",
    ),
    (Format.REVMAN, "continuous"): (
        "Experimental mean",
        "Experimental SD",
        "Experimental total",
        "Control mean",
        "Control SD",
        "Control total",
    ),
}
_LABEL = {Format.METAFOR: "study", Format.META: "studlab", Format.REVMAN: "Study"}
_INTEGER_NAMES = {
    "ai",
    "bi",
    "ci",
    "di",
    "n1i",
    "n2i",
    "n.e",
    "n.c",
    "event.e",
    "event.c",
    "Experimental events",
    "Experimental total",
    "Control events",
    "Control total",
}


def layout_tables(
    table: pd.DataFrame, fmt: Format, *, measure: Measure | str | None = None
) -> tuple[dict[str, pd.DataFrame], tuple[str, ...]]:
    """Split ``table`` into the ``fmt`` layout, one DataFrame per outcome type present.

    ``measure`` chooses the metafor ``yi``/``vi`` of its outcome type (default RR and MD).
    Returns the tables keyed ``"binary"``/``"continuous"`` and the labels of rows left out.
    """
    if not fmt.is_layout:
        raise ExportError(f"{fmt.value} is not an analysis layout")
    table = _by_trial(table)
    labels = [row.label for row in table_rows(table)]
    kinds, rows = outcome_types(table), records(table)
    tables = {}
    laid_out = _KINDS if fmt is not Format.REVMAN else _KINDS[:2]
    for kind in laid_out:
        chosen = [
            (label, row) for label, k, row in zip(labels, kinds, rows, strict=True) if k == kind
        ]
        if chosen:
            tables[kind] = _layout(chosen, fmt, kind, _measure_for(kind, measure))
    left_out = tuple(label for label, kind in zip(labels, kinds, strict=True) if kind not in laid_out)
    return tables, left_out


#: Outcome types with a layout; time-to-event rows (a reported hazard ratio) have only ``yi, vi``
#: (metafor) or ``TE, seTE`` (meta's ``metagen``), so RevMan's per-arm grid has none.
_KINDS = ("binary", "continuous", "time-to-event")


def _by_trial(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the rows of each trial together, trials in order of first appearance."""
    trials = [row.trial for row in table_rows(table)]
    first = {trial: trials.index(trial) for trial in trials}
    order = sorted(range(len(trials)), key=lambda i: (first[trials[i]], i))
    return table.iloc[order].reset_index(drop=True)


def _measure_for(kind: str, measure: Measure | str | None) -> Measure:
    if measure is not None and Measure(measure).outcome_type == kind:
        return Measure(measure)
    return DEFAULT_MEASURE[kind]


def _layout(
    chosen: list[tuple[str, dict[str, Any]]], fmt: Format, kind: str, measure: Measure
) -> pd.DataFrame:
    import pandas as pd

    rows = [row for _, row in chosen]
    extra = [] if fmt is Format.REVMAN else [c for c in DESCRIPTIVE_COLUMNS if c in rows[0]]
    columns: dict[str, Any] = {_LABEL[fmt]: [label for label, _ in chosen]}
    columns |= {name: [row.get(name) for row in rows] for name in extra}
    numbers = {source: [_cell(row.get(source)) for row in rows] for source in _SOURCES[kind]}
    columns |= {name: _column(values, name) for name, values in _data(fmt, kind, numbers).items()}
    if fmt is Format.METAFOR:
        effects = [_yi_vi(row, measure) for row in rows]
        columns["yi"] = _column([yi for yi, _ in effects], "yi")
        columns["vi"] = _column([vi for _, vi in effects], "vi")
    elif kind == "time-to-event":  # meta::metagen(TE, seTE, studlab)
        effects = [_yi_vi(row, measure) for row in rows]
        columns["TE"] = _column([yi for yi, _ in effects], "TE")
        columns["seTE"] = _column([None if vi is None else math.sqrt(vi) for _, vi in effects], "seTE")
    return pd.DataFrame(columns)


def _data(
    fmt: Format, kind: str, numbers: dict[str, list[float | None]]
) -> dict[str, list[float | None]]:
    """Name the layout's data columns; metafor's binary layout also needs non-events per arm."""
    if fmt is Format.METAFOR and kind == "binary":
        e1, n1, e2, n2 = (numbers[source] for source in BINARY_COLUMNS)
        return {
            "ai": e1,
            "bi": _minus(n1, e1),
            "ci": e2,
            "di": _minus(n2, e2),
            "n1i": n1,
            "n2i": n2,
        }
    return dict(zip(_NAMES[fmt, kind], (numbers[s] for s in _SOURCES[kind]), strict=True))


def _minus(total: list[float | None], part: list[float | None]) -> list[float | None]:
    return [None if t is None or p is None else t - p for t, p in zip(total, part, strict=True)]


def _cell(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _column(values: list[float | None], name: str) -> pd.Series:
    import pandas as pd

    present = [v for v in values if v is not None]
    if name in _INTEGER_NAMES and all(v.is_integer() for v in present):
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    return pd.array(values, dtype="Float64")


def _yi_vi(row: dict[str, Any], measure: Measure) -> tuple[float | None, float | None]:
    try:
        effect = row_effect(row, measure)
    except AnalysisError:
        return None, None
    return effect.yi, effect.vi


def write_table(
    table: pd.DataFrame,
    dest: str | Path | None,
    fmt: Format | str,
    *,
    measure: Measure | str | None = None,
    outcome: str | None = None,
    where: Sequence[str] = (),
    timepoint: str | None = None,
    stdout: TextIO | None = None,
) -> Written:
    """Write ``table`` in ``fmt`` to ``dest`` (``None``: standard output, text formats only).

    ``outcome``, ``where`` and ``timepoint`` choose rows as :func:`extractor.meta.analyse` does,
    so the file holds the rows ``pool`` would pool.

    Raises
    ------
    ExportError
        If the format needs a file, an optional dependency is missing, or writing fails.
    AnalysisError
        If ``outcome`` matches no row, or a row filter or time point cannot be applied.
    """
    fmt = Format(fmt)
    if outcome:
        table = filter_outcome(table, outcome)
        if table.empty:
            raise AnalysisError(f"no row has an outcome containing {outcome!r}")
    table, skipped = select_rows(table, where=where, timepoint=timepoint)
    if fmt.is_layout:
        tables, left_out = layout_tables(table, fmt, measure=measure)
    else:
        tables, left_out = {"": table}, ()
    if not tables:
        raise ExportError(
            f"no row is binary or continuous, so there is nothing to write as {fmt.value}"
        )
    targets = _targets(dest, fmt, list(tables))
    stream = stdout or sys.stdout
    for target, frame in zip(targets, tables.values(), strict=True):
        _write(frame, target or stream, fmt)
    paths = tuple(Path(t) for t in targets if t is not None)
    reasons = tuple(f"{s.study}: {s.reason}" for s in skipped)
    return Written(paths, sum(len(f) for f in tables.values()), left_out, reasons)


def _targets(dest: str | Path | None, fmt: Format, kinds: list[str]) -> list[Path | None]:
    if dest is None or str(dest) == "-":
        if fmt.is_binary_file:
            raise ExportError(f"{fmt.value} output is binary: give a file with -o")
        if len(kinds) > 1:
            raise ExportError(
                "the table holds binary and continuous rows: give -o OUT to get two files"
            )
        return [None]
    dest = Path(dest)
    if len(kinds) == 1:
        return [dest]
    return [dest.with_name(f"{dest.stem}.{kind}{dest.suffix}") for kind in kinds]


def _write(frame: pd.DataFrame, target: Path | TextIO, fmt: Format) -> None:
    try:
        _WRITERS[fmt](frame, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error}") from error


def _write_r(frame: pd.DataFrame, target: Path | TextIO) -> None:
    frame.to_csv(target, index=False, na_rep="NA")


def _write_revman(frame: pd.DataFrame, target: Path | TextIO) -> None:
    frame.to_csv(target, index=False, na_rep="")


def _write_csv(frame: pd.DataFrame, target: Path | TextIO) -> None:
    _flat(frame).to_csv(target, index=False, na_rep="")


def _write_jsonl(frame: pd.DataFrame, target: Path | TextIO) -> None:
    lines = [json.dumps(_json_row(row), ensure_ascii=False) for row in records(frame)]
    text = "".join(f"{line}\n" for line in lines)
    if isinstance(target, Path):
        target.write_text(text, encoding="utf-8")
    else:
        target.write(text)


def _write_parquet(frame: pd.DataFrame, target: Path | TextIO) -> None:
    _require("pyarrow", "parquet")
    _flat(frame).to_parquet(target, index=False)


def _write_xlsx(frame: pd.DataFrame, target: Path | TextIO) -> None:
    _require("openpyxl", "excel")
    _flat(frame).to_excel(target, index=False, sheet_name="comparisons")


_WRITERS: dict[Format, Callable[[Any, Any], None]] = {
    Format.METAFOR: _write_r,
    Format.META: _write_r,
    Format.REVMAN: _write_revman,
    Format.CSV: _write_csv,
    Format.JSONL: _write_jsonl,
    Format.PARQUET: _write_parquet,
    Format.XLSX: _write_xlsx,
}


def _require(module: str, extra: str) -> None:
    try:
        __import__(module)
    except ImportError as error:
        raise ExportError(
            f"this format needs {module}: pip install 'trial-extractor[{extra}]'"
        ) from error


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Encode list and dict cells (``evidence``, ``derived``) as JSON text for flat formats."""
    nested = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, list | dict)).any()]
    if not nested:
        return frame
    out = frame.copy()
    for column in nested:
        out[column] = out[column].map(
            lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
        )
    return out


#: Columns that hold JSON in the comparison schema; JSONL writes them as JSON, not strings.
_JSON_COLUMNS = ("evidence", "derived")


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: _json_value(key, value) for key, value in row.items()}
    for key in _JSON_COLUMNS:
        text = out.get(key)
        if isinstance(text, str) and text[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # not JSON after all: keep the text
                out[key] = json.loads(text)
    return out


def _json_value(key: str, value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    counts = key.endswith(("_events", "_group_size"))
    if counts and isinstance(value, float) and value.is_integer():
        return int(value)  # a CSV column with blanks reads as float: 16.0 is the count 16
    return value
