"""Building in bulk pauses the garbage collector and gives it back as it found it."""

from __future__ import annotations

import gc

import pytest

from voice.nlu.bulk import collector_paused


def test_the_collector_is_paused_inside_and_restored_after_the_last_nested_exit() -> None:
    assert gc.isenabled()
    with collector_paused:
        assert not gc.isenabled()
        with collector_paused:
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused:
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_still_restores_the_collector() -> None:
    @collector_paused
    def build() -> None:
        raise ValueError("broken template")

    with pytest.raises(ValueError, match="broken template"):
        build()
    assert gc.isenabled()
