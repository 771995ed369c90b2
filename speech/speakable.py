"""Written forms that espeak-ng misreads, rewritten the way people say them.

espeak-ng reads "9:00" as "nine zero zero" and "negen nul nul". Replies are written for people
and for the platforms' own voices, which say these correctly, so only the local synthesizer
rewrites them, and only in the languages below:

    en  9:00 -> 9 o'clock     17:30 -> unchanged ("seventeen thirty")
    nl  9:00 -> 9 uur         17:30 -> 17 uur 30
"""

from __future__ import annotations

import re

_CLOCK = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")


def speakable(text: str, language: str) -> str:
    """``text`` with clock times in the form people say them in ``language`` (en, nl; others unchanged)."""
    family = language.lower()[:2]
    if family == "en":
        return _CLOCK.sub(lambda m: f"{int(m[1])} o'clock" if m[2] == "00" else m[0], text)
    if family == "nl":
        return _CLOCK.sub(lambda m: f"{int(m[1])} uur" + ("" if m[2] == "00" else f" {int(m[2])}"), text)
    return text
