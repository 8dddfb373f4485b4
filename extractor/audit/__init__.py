"""Auditing a filled extraction sheet against the articles, cell by cell.

::

    checked = list(check_sheet(rows, docs_dir))          # one CheckedRow per sheet row
    row = checked[0].row()                               # the input columns + <column>_check/_evidence
    print(summarise(checked))                            # counts per status, rows to look at first

A sheet (``id``, ``pmcid``, ``outcome``, ``intervention``, ``comparator``, maybe ``outcome_type``)
filled by a person, an LLM or ``fill`` is read against the articles: each value cell is ``found``,
``derived``, ``elsewhere``, ``absent``, ``conflict`` or empty (:mod:`extractor.audit.cells`), with the
evidence that says so.
"""

from __future__ import annotations

from extractor.audit.cells import FLAGS, STATUSES, CellCheck, check_cell, read_row
from extractor.audit.numbers import NumberIndex, reported_number
from extractor.audit.page import render_page
from extractor.audit.sheet import (
    CheckedRow,
    check_columns,
    check_rows,
    check_sheet,
    load_trial,
    summarise,
    write_checked_csv,
)
from extractor.audit.trial import Trial, read_trial

__all__ = [
    "FLAGS",
    "STATUSES",
    "CellCheck",
    "CheckedRow",
    "NumberIndex",
    "Trial",
    "check_cell",
    "check_columns",
    "check_rows",
    "check_sheet",
    "load_trial",
    "read_row",
    "read_trial",
    "render_page",
    "reported_number",
    "summarise",
    "write_checked_csv",
]
