"""Read a comparison table and turn its rows into effect sizes.

A table is what ``extract`` writes (one row per comparison, the columns of issue 3) or a filled
extraction sheet (``id``, ``pmcid``, ``outcome``, ``intervention``, ``comparator``,
``outcome_type`` and the same value columns). Only the value columns below are read, and the
estimate a row reports with its CI (``effect_measure``, ``effect``, ``ci_low``, ``ci_high``,
``ci_level``) where the per-arm numbers cannot give the measure; the trial
of a row is told by :mod:`extractor.meta.trials` from its ``study``, ``pmid``, ``pmcid`` or ``id``
(``timepoint`` and ``subgroup`` are text too). A number that is
missing or not a number makes the row unusable: it is never guessed (a percentage is not turned
back into a count here).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.errors import AnalysisError, InputError
from extractor.meta.effects import (
    EffectSize,
    Measure,
    binary_effect,
    continuous_effect,
    reported_effect,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BINARY_COLUMNS",
    "CONTINUOUS_COLUMNS",
    "EFFECT_COLUMNS",
    "LABEL_COLUMNS",
    "cell_text",
    "filter_outcome",
    "outcome_types",
    "read_table",
    "records",
    "reported_row_effect",
    "row_effect",
    "row_values",
]

BINARY_COLUMNS = (
    "intervention_events",
    "intervention_group_size",
    "comparator_events",
    "comparator_group_size",
)
CONTINUOUS_COLUMNS = (
    "intervention_mean",
    "intervention_standard_deviation",
    "intervention_group_size",
    "comparator_mean",
    "comparator_standard_deviation",
    "comparator_group_size",
)
LABEL_COLUMNS = ("study", "pmid", "pmcid", "id")
_TEXT_COLUMNS = {
    name: "string"
    for name in (*LABEL_COLUMNS, "outcome", "outcome_type", "timepoint", "subgroup", "effect_measure")
}
_TYPE_NAMES = {"binary": "binary", "dichotomous": "binary", "continuous": "continuous",
               "time-to-event": "time-to-event"}
#: The columns of an estimate reported with its CI (a trial giving no per-arm numbers).
EFFECT_COLUMNS = ("effect_measure", "effect", "ci_low", "ci_high", "ci_level")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a comparison table from CSV (TSV), JSONL, or the JSON that ``extract`` prints.

    Raises
    ------
    InputError
        If the file cannot be read or parsed.
    """
    import pandas as pd

    path = Path(path)
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            rows = data["comparisons"] if isinstance(data, dict) else data
            return pd.DataFrame.from_records(rows).astype(_present(_TEXT_COLUMNS, rows))
        if path.suffix == ".jsonl":
            return pd.read_json(path, lines=True, dtype=_TEXT_COLUMNS)
        return pd.read_csv(path, dtype=_TEXT_COLUMNS, sep="\t" if path.suffix == ".tsv" else ",")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"cannot read the table {path}: {error}") from error


def _present(dtypes: dict[str, str], rows: Sequence[Mapping[str, object]]) -> dict[str, str]:
    keys = {key for row in rows for key in row}
    return {name: dtype for name, dtype in dtypes.items() if name in keys}


def filter_outcome(table: pd.DataFrame, text: str) -> pd.DataFrame:
    """Keep the rows whose ``outcome`` contains ``text``, ignoring case."""
    if "outcome" not in table.columns:
        raise AnalysisError("the table has no 'outcome' column to filter on")
    mask = table["outcome"].astype("string").str.contains(text, case=False, regex=False)
    return table[mask.fillna(False).astype(bool)]


def outcome_types(table: pd.DataFrame) -> list[str | None]:
    """Return ``"binary"``, ``"continuous"`` or ``None`` (cannot tell) for each row.

    The ``outcome_type`` column decides where it is filled in; otherwise the row is binary if it
    has event counts, continuous if it has means or SDs, and undecided if it has both or neither.
    """
    return [_outcome_type(row) for row in records(table)]


def _outcome_type(row: Mapping[str, object]) -> str | None:
    stated = cell_text(row.get("outcome_type")).lower()
    if stated:
        return _TYPE_NAMES.get(stated)
    has_events = any(cell_text(row.get(name)) for name in BINARY_COLUMNS if "events" in name)
    has_means = any(cell_text(row.get(name)) for name in CONTINUOUS_COLUMNS if "group_size" not in name)
    if has_events == has_means:
        measure = cell_text(row.get("effect_measure")).upper()
        return Measure(measure).outcome_type if not (has_events or has_means) and measure in _MEASURE_NAMES else None
    return "binary" if has_events else "continuous"


_MEASURE_NAMES = frozenset(m.value for m in Measure)


def row_values(row: Mapping[str, object], measure: Measure) -> tuple[float, ...]:
    """Return the numbers ``measure`` needs from ``row``, in escalc's argument order.

    Raises
    ------
    AnalysisError
        Naming every missing column, or the first value that is not a number.
    """
    columns = BINARY_COLUMNS if measure.outcome_type == "binary" else CONTINUOUS_COLUMNS
    missing = [name for name in columns if not cell_text(row.get(name))]
    if missing:
        raise AnalysisError(f"missing {', '.join(missing)}")
    return tuple(_number(row[name], name) for name in columns)


def row_effect(row: Mapping[str, object], measure: Measure, *, drop00: bool = False) -> EffectSize:
    """Compute ``measure`` for one table row from its per-arm numbers (see :func:`row_values`),
    or, when it has none, from the estimate and CI it reports (:func:`reported_row_effect`)."""
    try:
        values = row_values(row, measure)
    except AnalysisError:
        reported = reported_row_effect(row, measure)
        if reported is None:
            raise
        return reported
    if measure.outcome_type == "binary":
        return binary_effect(measure, *values, drop00=drop00)
    return continuous_effect(measure, *values)


def reported_row_effect(row: Mapping[str, object], measure: Measure) -> EffectSize | None:
    """``yi`` and ``vi`` of the estimate a row reports with its CI, when it is of ``measure``; else
    None. :func:`row_effect` turns to it only when the per-arm numbers cannot give ``measure``
    (none reported, or means without SDs): the two are never mixed.

    Raises
    ------
    AnalysisError
        If the reported estimate and CI cannot give a variance (see :func:`reported_effect`).
    """
    if cell_text(row.get("effect_measure")).upper() != measure.value:
        return None
    if not all(cell_text(row.get(name)) for name in EFFECT_COLUMNS[1:4]):
        return None
    level = _number(row["ci_level"], "ci_level") if cell_text(row.get("ci_level")) else 95.0
    estimate, low, high = (_number(row[name], name) for name in EFFECT_COLUMNS[1:4])
    return reported_effect(measure, estimate, low, high, level)


def records(table: pd.DataFrame) -> list[dict[str, object]]:
    """Return the rows as dicts, with every missing cell (NaN, NA, NaT) as ``None``."""
    cells = table.astype(object)
    rows: list[dict[str, object]] = cells.where(cells.notna(), None).to_dict(orient="records")
    return rows


def cell_text(value: object) -> str:
    """Render a cell as text: ``None`` and blanks become ``""``, 12.0 becomes ``"12"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise AnalysisError(f"{name} is not a finite number: {value!r}")
    return number
