"""A dashboard app over a store URL with one user, for the tests and bench/analytics.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient

from voice.assistant import build_assistant
from voice.config import Config
from voice.dashboard import Accounts, DashboardSettings
from voice.server import create_app

USER, PASSWORD = "anna", "correct horse battery"


def dashboard_app(
    store: str,
    *,
    skills: tuple[str, ...] = ("customer_service",),
    insights: dict[str, str] | None = None,
    time_zone: str = "",
    locales: tuple[str, ...] = (),
) -> Flask:
    """The app ``voice serve`` builds, over ``store``, with the user ``USER`` (cookies over HTTP too),
    the ``[insights]`` settings ``insights``, the business's ``time_zone`` and the ``locales`` served."""
    config = Config(
        store=store,
        skills=skills,
        dashboard={"secure_cookies": False},
        insights=insights or {},
        time_zone=time_zone,
        locales=locales,
    )
    assistant = build_assistant(config)
    Accounts(assistant.store, DashboardSettings()).add(USER, PASSWORD)
    return create_app({"alexa_verify": False}, assistant=assistant)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def log_in(client: FlaskClient, password: str = PASSWORD) -> int:
    token = csrf(client.get("/dashboard/login").get_data(as_text=True))
    answer = client.post("/dashboard/login", data={"name": USER, "password": password, "csrf_token": token})
    return answer.status_code


@contextmanager
def logged_in_client(store: str) -> Iterator[FlaskClient]:
    app = dashboard_app(store)
    with app.test_client() as client:
        assert log_in(client) == 302
        yield client
    app.extensions["voice.assistant"].close()


__all__ = ["PASSWORD", "USER", "csrf", "dashboard_app", "log_in", "logged_in_client"]
