"""A thread-safe sliding-window rate limiter.

NCBI counts requests per second per key (or per IP address without one). A fixed interval between
requests (Biopython's 0.37 s) is safe for one thread, but the promise we make is about what the
*server* sees: never more than N requests in any one-second window, whatever the number of threads.
So we remember when the last N requests started and let the next one start only once the oldest
of them is more than a window ago. The window is widened by ``margin`` because the server stamps
arrival times, which jitter by the network latency of each request; 15% absorbs 150 ms of jitter.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

__all__ = ["RateLimiter"]


class RateLimiter:
    """Let at most ``rate`` calls of :meth:`wait` return in any ``period * (1 + margin)`` seconds.

    Parameters
    ----------
    rate
        Calls allowed per period (fractional rates are rounded down, minimum 1).
    period
        Length of the window in seconds.
    margin
        Fraction by which the window is widened to absorb network jitter.
    """

    def __init__(
        self,
        rate: float,
        *,
        period: float = 1.0,
        margin: float = 0.15,
    ) -> None:
        self.size = max(1, math.floor(rate))
        self.window = period * (1.0 + margin)
        self._starts: deque[float] = deque(maxlen=self.size)
        self._paused_until = 0.0
        self._cancelled = False
        # A condition, not a bare lock: waiters sleep with the lock released, so a pause asked
        # for by another thread (HTTP 429) takes effect for requests already waiting.
        self._cond = threading.Condition()

    def wait(self) -> None:
        """Block until one more request may start, and count it as started (at once, cancelled)."""
        with self._cond:
            while True:
                now = time.monotonic()
                start_at = self._next_slot()
                if now >= start_at or self._cancelled:
                    self._starts.append(now)
                    return
                self._cond.wait(start_at - now)

    def cancel(self) -> None:
        """Let every wait, present and future, return at once (the requests will not be sent)."""
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    def pause_until(self, when: float) -> None:
        """Let no request start before ``when`` (a :func:`time.monotonic` time)."""
        with self._cond:
            self._paused_until = max(self._paused_until, when)
            self._cond.notify_all()

    def pause_for(self, seconds: float) -> None:
        """Let no request start in the next ``seconds`` (the server asked us to wait)."""
        self.pause_until(time.monotonic() + seconds)

    def _next_slot(self) -> float:
        slot = self._paused_until
        if len(self._starts) == self.size:
            slot = max(slot, self._starts[0] + self.window)
        return slot
