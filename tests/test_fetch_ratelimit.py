from __future__ import annotations

import threading
import time

import pytest

from extractor.fetch import RateLimiter


def _starts(limiter: RateLimiter, threads: int, calls: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(calls):
            limiter.wait()
            with lock:
                times.append(time.monotonic())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sorted(times)


def _most_in_window(times: list[float], window: float) -> int:
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


@pytest.mark.parametrize("rate,threads,calls", [(3, 1, 7), (3, 4, 2), (10, 5, 4)])
def test_ratelimit_never_more_than_rate_in_any_window_across_threads(
    rate: int, threads: int, calls: int
) -> None:
    limiter = RateLimiter(rate, period=0.2)
    times = _starts(limiter, threads, calls)
    assert len(times) == threads * calls
    assert _most_in_window(times, 0.2) <= rate
    # and it does not crawl: n requests take about (n / rate - 1) windows, widened by the margin
    expected = (threads * calls - 1) // rate * limiter.window
    # (a busy machine can delay a thread's wake-up by a scheduler slice: later is allowed more slack)
    assert expected - 0.05 <= times[-1] - times[0] <= expected + 0.12


@pytest.mark.parametrize("rate", [3, 10])
def test_ratelimit_first_burst_is_immediate(rate: int) -> None:
    limiter = RateLimiter(rate)
    started = time.monotonic()
    for _ in range(rate):
        limiter.wait()
    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize("pause", [0.3])
def test_ratelimit_pause_holds_back_waiters_in_other_threads(pause: float) -> None:
    limiter = RateLimiter(100)
    limiter.pause_for(pause)
    started = time.monotonic()
    times = _starts(limiter, 3, 1)
    assert min(times) - started >= pause - 0.01
