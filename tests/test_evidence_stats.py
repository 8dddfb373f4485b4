"""Which way a reported estimate goes, told from the arms' values."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("measure", "effect", "expected"), [
    ("MD", 2.0, 1), ("MD", -2.0, -1), ("MD", 0.7, 0),  # means 5.0 and 3.0
    ("RR", 2.0, 1), ("RR", 0.5, -1),  # 20/40 against 10/40
    ("OR", 3.0, 1), ("OR", 0.33, -1),  # odds 20/20 against 10/30
    ("HR", 2.0, 0),  # nothing per arm gives a hazard ratio back
])
def test_stats_which_way_an_estimate_goes(measure: str, effect: float, expected: int) -> None:
    from extractor.evidence.stats import effect_direction

    first, second = (5.0, 20, 40), (3.0, 10, 40)
    assert effect_direction(measure, effect, first, second) == expected
