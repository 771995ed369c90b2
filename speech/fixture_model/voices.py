"""Which espeak-ng voices train a fixture model and which are kept back to test it.

A voice is a language voice plus a variant (``en-us+f3``). Variants change pitch,
formants, breathiness and the synthesiser itself, so variants never heard in training
are a fair stand-in for "a speaker the model has not met". The lists are fixed, not read
from the espeak-ng data folder, so a model's cache key does not depend on the machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from speech.errors import ModelError

_TRAINING_VARIANTS = (
    "Alex", "Alicia", "Andrea", "Annie", "AnxiousAndy", "Denis", "Diogo", "Gene", "Henrique", "Hugo",
    "Jacky", "Lee", "Marco", "Mario", "Michael", "Mike", "Nguyen", "RicishayMax", "Storm", "Tweaky",
    "adam", "anika", "announcer", "antonio", "aunty", "belinda", "benjamin", "boris", "caleb", "david",
    "ed", "edward", "f1", "f2", "f3", "f4", "gustave", "iven", "iven2", "john",
    "kaukovalta", "klatt", "klatt2", "klatt3", "linda", "m1", "m2", "m3", "m4", "m5",
    "m6", "m8", "marcelo", "max", "michel", "miguel", "norbert", "pablo", "paul", "pedro",
    "quincy", "rob", "robert", "sandro",
    "Andy", "RicishayMax2", "RicishayMax3", "edward2", "grandma", "grandpa", "klatt5", "klatt6",
    "shelby", "steph2", "travis", "victor", "zac",
)  # fmt: skip
"""Every human-sounding variant of espeak-ng 1.51 but the held-out ones and their near copies (robots,
whispers, croak, "fast" and "Demonic" left out; ``steph3`` is ``steph`` with more voicing and ``iven4``
``iven3`` with another tone curve, so both stay out of training)."""
_HELD_OUT_VARIANTS = ("f5", "m7", "klatt4", "Gene2", "steph", "iven3")

_LANGUAGE_VOICES = {"en": ("en-us", "en"), "nl": ("nl",)}
"""espeak-ng language voices per locale; other locales use the locale's own voice."""

TRAINING_RATES = (130, 155, 180, 205, 230)
"""Words per minute heard in training."""
HELD_OUT_RATES = (165, 200)
"""Words per minute for held-out test speech."""
TRAINING_PITCHES = (35, 50, 65)
"""espeak-ng pitch settings heard in training."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocaleVoices:
    """The espeak-ng voices of one locale, split into training and held-out sets."""

    locale: str
    languages: tuple[str, ...]
    """espeak-ng language voices, e.g. ``("en-us", "en")``."""
    training: tuple[str, ...]
    held_out: tuple[str, ...]
    """Voices never used in training: for tests and benchmarks."""

    @property
    def language(self) -> str:
        """The locale's language (``en`` for ``en-us``): per-language word lists are keyed by it."""
        return self.locale.split("-")[0]

    @property
    def lexicon_voice(self) -> str:
        """The voice that speaks each word alone, to split words espeak-ng runs together."""
        return self.languages[0]


def locale_voices(locale: str) -> LocaleVoices:
    """The training and held-out voices for a locale such as ``en``, ``nl`` or ``de``."""
    language = locale.strip().lower().replace("_", "-")
    if not language or not all(part.isalnum() for part in language.split("-")):
        raise ModelError(f"{locale!r} is not a locale; use a language code such as 'en' or 'nl'.")
    languages = _LANGUAGE_VOICES.get(language, (language,))
    training = tuple(
        f"{languages[index % len(languages)]}+{variant}" for index, variant in enumerate(_TRAINING_VARIANTS)
    )
    held_out = tuple(f"{base}+{variant}" for base in languages for variant in _HELD_OUT_VARIANTS)
    return LocaleVoices(locale=language, languages=languages, training=training, held_out=held_out)
