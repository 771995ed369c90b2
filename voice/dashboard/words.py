"""The language of a dashboard page, and its words.

``?lang=nl`` chooses it (and is kept for the session, so the links need not carry it); else the
configured ``[insights] language``; else, when the config names none, the browser's Accept-Language;
else the first language served. A language the dashboard is not written in is ignored.
"""

from __future__ import annotations

from flask import current_app, g, request, session

from ..analytics.team import LANGUAGES, Team, Texts, texts

__all__ = ["page_texts", "team"]


def team() -> Team:
    return current_app.extensions["voice.team"]  # type: ignore[no-any-return]


def page_texts() -> Texts:
    """The words of this request's language (chosen once per request)."""
    if "texts" not in g:
        g.texts = texts(_page_language())
    return g.texts  # type: ignore[no-any-return]


def _page_language() -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    kept = session.get("lang")
    if isinstance(kept, str) and kept in LANGUAGES:
        return kept
    settings = team()
    if settings.chosen:
        return settings.language
    return request.accept_languages.best_match(LANGUAGES) or settings.language
