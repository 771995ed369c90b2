"""Locales and languages: the one place that turns a locale into a language."""

from __future__ import annotations

__all__ = ["language_of"]


def language_of(locale: str) -> str:
    """The language of a locale: ``nl`` for ``nl-NL``, ``nl_BE`` or ``NL``."""
    return locale.split("-")[0].split("_")[0].lower()
