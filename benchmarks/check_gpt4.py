"""How well `check` flags the wrong cells of a filled sheet and leaves the right ones alone.

Usage: python benchmarks/check_gpt4.py SHEET.csv FILLED.csv ANSWERS.csv DOCS [--by-category]

SHEET gives each row's outcome and arms (``id``, ``pmcid``, ``outcome``, ``intervention``,
``comparator``); FILLED is someone's answers in the sheet's layout (``x`` = no value), e.g. GPT-4's;
ANSWERS is the reference. A filled cell is wrong when its number differs from the reference's (a
value where the reference has none is wrong; a blank is no filled cell). A flag is ``elsewhere``,
``absent`` or ``conflict``. Prints, per status, how many wrong and right cells got it.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.audit import FLAGS, STATUSES, check_sheet  # noqa: E402
from extractor.audit.cells import is_empty  # noqa: E402
from extractor.audit.numbers import reported_number  # noqa: E402
from extractor.evidence import FILL_COLUMNS, fill_sheet  # noqa: E402


def _read(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _number(text: str | None) -> float | None:
    """The reference scorer's reading of a cell: commas dropped, "x"/blank unknown."""
    if is_empty(text):
        return None
    value = reported_number((text or "").replace(",", ""))
    return None if value is None else float(value)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1.0, abs(a))


def merged_rows(sheet: list[dict[str, str]], filled: list[dict[str, str]]) -> list[dict[str, str]]:
    """FILLED's values on SHEET's rows (only the rows FILLED answers)."""
    by_id = {r["id"]: r for r in sheet}
    out = []
    for row in filled:
        base = dict(by_id[row["id"]])
        base.update({c: row.get(c, "") for c in FILL_COLUMNS})
        out.append(base)
    return out


def main(argv: list[str]) -> None:
    if len(argv) < 5:
        sys.exit(__doc__)
    sheet, filled, answers = _read(argv[1]), _read(argv[2]), {r["id"]: r for r in _read(argv[3])}
    rows = merged_rows(sheet, filled)
    started = time.perf_counter()
    checked = list(check_sheet(rows, Path(argv[4])))
    seconds = time.perf_counter() - started
    tally: dict[str, Counter[str]] = {"wrong": Counter(), "right": Counter()}
    for row in checked:
        ref = answers[row.values["id"]]
        for column, check in row.checks.items():
            if not check.status:
                continue
            right = _same(_number(ref.get(column)), _number(row.values.get(column)))
            tally["right" if right else "wrong"][check.status] += 1
            if "--by-category" in argv:
                print(f"{'RIGHT' if right else 'WRONG'}\t{check.status}\t{row.values['id']}\t{column}\t"
                      f"{row.values.get(column)}\tref={ref.get(column)}\ttool={check.tool_value}\t{check.why}")
    for kind in ("wrong", "right"):
        total = sum(tally[kind].values())
        flagged = sum(tally[kind][s] for s in FLAGS)
        per = "  ".join(f"{s}={tally[kind][s]}" for s in STATUSES if s)
        print(f"{kind} cells: {total}; flagged {flagged} ({flagged / total:.1%})   {per}" if total else f"{kind}: 0")
    started = time.perf_counter()
    filled_again = list(fill_sheet(rows, Path(argv[4])))
    reference = time.perf_counter() - started
    print(f"{len(checked)} rows checked in {seconds:.1f} s; fill on the same rows {reference:.1f} s "
          f"(check/fill = {seconds / reference:.2f})" if filled_again else "no rows")


if __name__ == "__main__":
    main(sys.argv)
