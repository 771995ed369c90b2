"""Needles finds exactly the strings plain substring search finds, by their first three characters."""

from __future__ import annotations

import random

import pytest

from voice.nlu.needles import Haystack, Needles

_ALPHABET = "ab c\n-é"
"""Few letters, so strings collide often; a newline, as between the haystack's variants."""


def _word(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, longest)))


@pytest.mark.parametrize("seed", range(5))
def test_found_equals_substring_search(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        strings = [_word(rng, 5) for _ in range(rng.randint(0, 6))]
        texts = [_word(rng, 12) for _ in range(rng.randint(1, 3))]
        haystack = Haystack.of(texts)
        needles = Needles((string, number) for number, string in enumerate(strings))
        wanted = sorted(number for number, string in enumerate(strings) if string in "\n".join(texts))
        assert sorted(needles.found(haystack)) == wanted, (strings, texts)
        assert needles.occur(haystack) == bool(wanted)


def test_short_and_empty_strings_are_found_too() -> None:
    haystack = Haystack.of(["zet de lamp aan", "zet lamp aan"])
    needles = Needles([("", "empty"), ("de", "short"), ("xy", "absent"), ("lamp aan", "long")])
    assert sorted(needles.found(haystack)) == ["empty", "long", "short"]
    assert not Needles([("kwart", 1)]).occur(haystack)
