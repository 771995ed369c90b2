"""The dashboard's guards: a login for every page, a CSRF token on every form, strict headers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, session, url_for
from werkzeug.wrappers import Response

from .words import page_texts

__all__ = ["csrf_token", "check_csrf", "login_required", "protect", "user"]

F = TypeVar("F", bound=Callable[..., Any])

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Every dashboard page: no scripts but ours (the chart data travels in JSON blocks), no framing,
nothing cached (the pages show what callers said)."""


def user() -> str | None:
    """The logged-in reviewer, or None."""
    name = session.get("user")
    return name if isinstance(name, str) else None


def csrf_token() -> str:
    """The session's token for forms (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse (400) a form whose token is not the session's: every POST of the dashboard sends one."""
    sent = request.form.get("csrf_token", "")
    token = session.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(sent.encode(), token.encode()):
        abort(400, page_texts()("form_expired"))


def login_required(view: F) -> F:
    """Anonymous: a page goes to the login (302), anything else is refused (401)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if user() is None:
            if request.method == "GET":
                return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
            abort(401, page_texts()("log_in_first"))
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def protect(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
