from __future__ import annotations

import io

import pytest

from extractor.progress import LineProgress, counted, progress_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_at_most_every_interval() -> None:
    out, clock = io.StringIO(), Clock()
    progress = LineProgress(out, interval=10.0, clock=clock)
    fetch = progress("fetch pubmed", 400)
    for _ in range(4):  # 100 records every 4 s
        clock.now += 4.0
        fetch(100)
    parse = progress("parse", 400)  # 4 s after the last line: none
    clock.now += 2.0
    parse(400)
    clock.now += 9.0
    extract = progress("extract", 400)  # 15 s after it: a line as the step starts
    extract(200)
    clock.now += 10.0
    extract(100)
    assert out.getvalue().splitlines() == [
        "fetch pubmed: 0 of 400 (0%), 0 s",
        "fetch pubmed: 300 of 400 (75%), 12 s",
        "extract: 0 of 400 (0%), 0 s",
        "extract: 300 of 400 (75%), 10 s",
    ]


def test_progress_line_of_an_empty_step() -> None:
    out = io.StringIO()
    LineProgress(out)("fetch pmc", 0)
    assert out.getvalue() == "fetch pmc: 0 of 0, 0 s\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream,quiet,kind", [(io.StringIO(), False, LineProgress), (Terminal(), True, type(None)),
                                               (io.StringIO(), True, type(None))])
def test_progress_for_picks_lines_bars_or_nothing(stream: io.StringIO, quiet: bool, kind: type) -> None:
    assert isinstance(progress_for(stream, quiet=quiet), kind)


def test_progress_bars_on_a_terminal() -> None:
    stream = Terminal()
    start = progress_for(stream)
    assert start is not None and not isinstance(start, LineProgress)
    update = start("extract", 3)
    update(1)
    update(2)
    assert "extract: 100%" in stream.getvalue() and "3/3" in stream.getvalue()


@pytest.mark.parametrize("n,every,calls", [(7, 3, [3, 3, 1]), (6, 3, [3, 3]), (0, 3, []), (2, 1, [1, 1])])
def test_progress_counted(n: int, every: int, calls: list[int]) -> None:
    seen: list[int] = []
    assert list(counted(range(n), seen.append, every)) == list(range(n))
    assert seen == calls
