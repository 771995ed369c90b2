"""Building in bulk pauses the garbage collector and gives it back as it found it."""

from __future__ import annotations

import gc
import os
import threading

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


def test_a_child_forked_while_another_thread_builds_collects_again() -> None:
    building, forked = threading.Event(), threading.Event()

    def build() -> None:
        with collector_paused:
            building.set()
            forked.wait(10)

    builder = threading.Thread(target=build)
    builder.start()
    building.wait(10)
    child = os.fork()
    if child == 0:  # the child: the building thread is not here to end the pause
        os._exit(0 if gc.isenabled() else 1)
    forked.set()
    builder.join(10)
    assert os.waitpid(child, 0)[1] == 0, "the child started with the collector off"
    assert gc.isenabled()
