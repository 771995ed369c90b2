"""The insights dashboard under ``/dashboard``: KPIs, what was not understood, flows, handoffs, conversations.

Server-rendered pages (a Flask blueprint and Jinja2 templates) with charts drawn by Chart.js, served
from this package (``static/chart.umd.min.js``, MIT licence beside it): no CDN and no build step.
Every page needs a login (``voice.dashboard.accounts``); the webhook endpoints are not affected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..analytics.team import Team
from ..assistant import Assistant
from . import not_understood  # noqa: F401  (its routes join the blueprint)
from .accounts import Accounts, DashboardSettings
from .views import DashboardState, blueprint, error_page

__all__ = ["PREFIX", "Accounts", "DashboardSettings", "dashboard_error", "register_dashboard"]

PREFIX = "/dashboard"


def register_dashboard(app: Flask, assistant: Assistant, settings: DashboardSettings | None = None) -> None:
    """Serve the dashboard of ``assistant``'s store and skills at ``/dashboard``."""
    settings = settings or DashboardSettings.from_config(assistant.config.dashboard)
    accounts = Accounts(assistant.store, settings)
    app.secret_key = accounts.secret_key()
    cookie: dict[str, Any] = {
        "SESSION_COOKIE_NAME": "voice_dashboard",
        "SESSION_COOKIE_SECURE": settings.secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_PATH": "/dashboard",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=settings.session_hours),
    }
    app.config.update(cookie)
    app.extensions["voice.team"] = Team.from_config(assistant.config)
    app.extensions["voice.dashboard"] = DashboardState(
        assistant.store, accounts, dict(assistant.router.skills), assistant.router.languages
    )
    app.register_blueprint(blueprint, url_prefix=PREFIX)


def dashboard_error(error: HTTPException) -> Response | None:
    """The HTML error page when the request's URL is the dashboard's (the server's own errors are JSON,
    for the webhooks), else None."""
    path = request.path
    return error_page(error) if path == PREFIX or path.startswith(f"{PREFIX}/") else None
