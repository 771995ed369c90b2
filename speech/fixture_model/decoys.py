"""Near misses of a wake phrase, for a fixture model to learn and refuse.

A model that knows only "hey computer" among similar sounds takes "hey computers" or "hey commuter"
for it: the phrase is the closest path through its graph, and ``[unk]`` is a constant bar that a
near miss passes easily (issue 17: en refused 20% of near misses, nl 80%). Decoys are phrases the
model is trained on and decodes like any other, but no grammar accepts them, so a near miss lands
on its decoy and is refused.

They are made from the spelling, with rules that know nothing of particular near misses: the last
word with a suffix, cut short, or without one of its inner consonants (espeak-ng says whatever is
written, so every spelling edit is a sound edit); the first word replaced, a word put in between,
and the last word alone. The few words the rules need are per language; other languages get none.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiouy")
_MIN_STEM = 4
"""Letters a cut-short word keeps at least."""
_WORDS = {
    "en": {"suffixes": ("s",), "openers": ("hi", "say", "the"), "between": ("my", "the")},
    "nl": {"suffixes": ("s",), "openers": ("hoi", "zeg", "de"), "between": ("mijn", "de")},
}
"""Per language: suffixes for the last word, words said instead of the first one, words said between."""


def decoys_of(wake_phrase: str, language: str) -> tuple[str, ...]:
    """Phrases that sound like ``wake_phrase`` but are not it; none in a language without rules."""
    words = wake_phrase.lower().split()
    rules = _WORDS.get(language)
    if not words or rules is None:
        return ()
    *head, last = words
    found = [" ".join([*head, variant]) for variant in _variants(last, rules["suffixes"])]
    if head:
        found += [" ".join([opener, *words[1:]]) for opener in rules["openers"]]
        found += [" ".join([*head, extra, last]) for extra in rules["between"]]
        found.append(last)
    return tuple(phrase for phrase in dict.fromkeys(found) if phrase != " ".join(words))


def _variants(word: str, suffixes: tuple[str, ...]) -> list[str]:
    """``word`` with a suffix, cut short by one and two letters, and without each inner consonant."""
    variants = [word + suffix for suffix in suffixes]
    variants += [word[:-cut] for cut in (1, 2) if len(word) - cut >= _MIN_STEM]
    variants += [
        word[:i] + word[i + 1 :]
        for i in range(1, len(word) - 1)
        if word[i] not in _VOWELS and word[i] != word[i - 1] and word[i] != word[i + 1]
    ]
    return variants
