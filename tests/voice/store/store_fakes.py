"""Fakes shared by the store tests (a helper module, not collected by pytest)."""

from __future__ import annotations

START = 1_700_000_000.0
"""The fake clock's first reading, in seconds since the epoch."""


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
