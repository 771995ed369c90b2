"""Fixtures of the store tests: a fake clock, and a store per store URL that the contract runs against."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postgres_server import shared_server

from voice.store import Store, open_store

from .samples import FakeClock

STORE_URLS: dict[str, Callable[[Path], str]] = {
    "sqlite-file": lambda tmp_path: f"sqlite://{tmp_path / 'state' / 'sessions.db'}",
    "sqlite-memory": lambda tmp_path: "sqlite://:memory:",
    "postgresql": lambda tmp_path: shared_server().new_database(),
}
"""Every store that must pass tests/voice/store/test_contract.py, by test id: a new store adds one line."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=sorted(STORE_URLS))
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store, once per entry of ``STORE_URLS``."""
    return STORE_URLS[request.param](tmp_path)


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    """An empty store on the fake clock, closed after the test."""
    with open_store(store_url, clock=clock) as opened:
        yield opened
