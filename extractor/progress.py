"""Progress of long steps (fetch, parse, extract, report), as bars on a terminal or lines in a log.

A step asks its :data:`ProgressFactory` for an update function, ``start(label, total)``, and calls
it with the number of items done since the last call. :func:`progress_for` picks how it is shown:
tqdm bars when the stream is a terminal; otherwise plain lines (``extract: 1200 of 20000 (6%),
31 s``), the first when the first step starts and then at most one every ``interval`` seconds (10),
so a log stays short; or nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

__all__ = ["LineProgress", "Progress", "ProgressFactory", "counted", "progress_for"]

Progress = Callable[[int], None]
ProgressFactory = Callable[[str, int], Progress]
T = TypeVar("T")
INTERVAL = 10.0


def progress_for(stream: IO[str], *, quiet: bool = False) -> ProgressFactory | None:
    """Bars when ``stream`` is a terminal, plain lines otherwise, nothing when ``quiet``."""
    if quiet:
        return None
    if stream.isatty():
        return _bars(stream)
    return LineProgress(stream)


def _bars(stream: IO[str]) -> ProgressFactory:
    from tqdm import tqdm

    def start(label: str, total: int) -> Progress:
        bar = tqdm(total=total, desc=label, file=stream, unit="rec", dynamic_ncols=True)

        def update(done: int) -> None:
            bar.update(done)
            if bar.n >= total:
                bar.close()

        if total == 0:
            bar.close()
        return update

    return start


class LineProgress:
    """Plain progress lines: one line at most every ``interval`` seconds, whatever the step."""

    def __init__(
        self,
        stream: IO[str],
        *,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.interval, self.clock = stream, interval, clock
        self._last: float | None = None

    def __call__(self, label: str, total: int) -> Progress:
        started, done = self.clock(), 0
        self._line(label, done, total, started, force=self._last is None)

        def update(count: int) -> None:
            nonlocal done
            done += count
            self._line(label, done, total, started)

        return update

    def _line(self, label: str, done: int, total: int, started: float, force: bool = False) -> None:
        now = self.clock()
        if not force and self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        share = f" ({100 * done // total}%)" if total else ""
        self.stream.write(f"{label}: {done} of {total}{share}, {now - started:.0f} s\n")
        self.stream.flush()


def counted(items: Iterable[T], progress: Progress | None, every: int = 1) -> Iterator[T]:
    """``items`` unchanged, telling ``progress`` how many were taken (in steps of ``every``)."""
    if progress is None:
        yield from items
        return
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending >= every:
            progress(pending)
            pending = 0
    if pending:
        progress(pending)
