"""The package's public names are exported, sorted, and importable."""

from __future__ import annotations

import voice.nlu


def test_all_is_sorted_and_complete() -> None:
    assert voice.nlu.__all__ == sorted(voice.nlu.__all__)
    assert all(hasattr(voice.nlu, name) for name in voice.nlu.__all__)
