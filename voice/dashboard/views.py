"""The dashboard's blueprint and pages: overview, flows, handoffs, conversations (the not-understood
page and its review actions are ``voice.dashboard.not_understood``'s)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from ..analytics import (
    Filters,
    ReportError,
    build_report,
    flow_steps,
    format_change,
    format_value,
    read_trend,
)
from ..analytics.conversations import latest_handoffs, search_conversations, transcript
from ..analytics.review import entry_question
from ..analytics.team import LANGUAGES, StageNames
from ..channels import CHANNEL_NAMES
from ..skill import Skill
from ..store import Store
from .accounts import Accounts
from .security import check_csrf, csrf_token, login_required, protect, user
from .words import page_texts, team

__all__ = ["DashboardState", "blueprint"]

blueprint = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static")


@dataclass(frozen=True, slots=True)
class DashboardState:
    store: Store
    accounts: Accounts
    skills: dict[str, Skill]
    languages: tuple[str, ...]
    """The languages served (the config's ``locales``; all the skills speak when it has none)."""


def _state() -> DashboardState:
    return current_app.extensions["voice.dashboard"]  # type: ignore[no-any-return]


@blueprint.after_request
def _headers(response: Response) -> Response:
    return protect(response)


@blueprint.app_template_filter("local")
def _local(seconds: float) -> str:
    """A stored time on the team's clock (the config's ``time_zone``)."""
    return team().local(seconds)


@blueprint.errorhandler(HTTPException)
def _error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("dashboard/error.html", code=code, message=error.description), code


def error_page(error: HTTPException) -> Response:
    """A page for an error no dashboard view raised (a URL under ``/dashboard`` that matches none): a
    browser gets HTML with the dashboard's headers, where the webhooks' JSON would be unreadable."""
    code = error.code or 500
    message = page_texts()("no_page") if isinstance(error, NotFound) else error.description
    response = error.get_response()  # keeps headers such as Allow
    response.set_data(render_template("dashboard/error.html", code=code, message=message))
    response.content_type = "text/html; charset=utf-8"
    return protect(response)


@blueprint.errorhandler(ReportError)
def _bad_filters(error: ReportError) -> tuple[str, int]:
    """The sentence ``voice report`` would print, above the filters as they were sent, to mend them."""
    return _page("error.html", None, code=400, message=page_texts()(error.key, **error.values)), 400


@blueprint.app_context_processor
def _context() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "user": user(),
        "t": page_texts(),
        "lang": page_texts().language,
        "languages": LANGUAGES,
        "zone": team().zone_name,
        "here": _here,
        "value": _value,
        "change": _change,
        "entry_question": entry_question,
    }


def _value(unit: str, value: float | None) -> str:
    """A figure written as the page's language writes numbers (Dutch ``5.572 ms``, ``25,0%``)."""
    return format_value(unit, value, page_texts().language)


def _change(unit: str, now: float | None, before: float | None) -> str:
    return format_change(unit, now, before, page_texts().language)


def _here(**changed: str) -> str:
    """This page's address with ``changed`` query values (the language links keep the filters)."""
    values: dict[str, Any] = dict(changed)
    endpoint = request.endpoint or ""
    if not endpoint.startswith("dashboard.") or endpoint == "dashboard.static":
        return url_for("dashboard.overview", **values)
    if request.url_rule is not None and "GET" not in (request.url_rule.methods or ()):
        endpoint = "dashboard.not_understood"  # the preview answers its form: a link cannot post it again
    return url_for(endpoint, **{**(request.view_args or {}), **request.args.to_dict(), **values})


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("dashboard/login.html")
    check_csrf()
    name = request.form.get("name", "").strip()
    verdict = _state().accounts.login(name, request.form.get("password", ""))
    if not verdict.ok:
        say = page_texts()
        message = say("wrong_login")
        if verdict.locked_for_s:
            message = say("locked", minutes=max(1, round(verdict.locked_for_s / 60)))
        return render_template("dashboard/login.html", error=message, name=name), 401
    target = request.args.get("next", "")
    chosen = session.get("lang")
    session.clear()  # a fresh session (and CSRF token) for the logged-in reviewer
    if chosen:  # the language chosen on the login page stays
        session["lang"] = chosen
    session.permanent = True
    session["user"] = name
    return redirect(target if target.startswith("/dashboard/") else url_for("dashboard.overview"))


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    check_csrf()
    session.clear()
    return redirect(url_for("dashboard.login"))


def _filters() -> Filters:
    """The query's filters, checked as ``voice report`` checks its options (a ``ReportError`` else)."""
    state = _state()
    return Filters.from_query(request.args).checked(
        channels=CHANNEL_NAMES, skills=state.skills, languages=state.languages
    )


def _page(template: str, filters: Filters | None, **values: Any) -> str:
    """A page with the filters form: ``filters``' values, or the query's as sent when they are wrong."""
    state = _state()
    channels = [row[0] for row in state.store.select("SELECT DISTINCT channel FROM signals LIMIT 20")]
    return render_template(
        f"dashboard/{template}",
        filters=filters,
        shown=filters.to_dict() if filters else request.args.to_dict(),
        skills=sorted(state.skills),
        channels=sorted(channels),
        **values,
    )


@blueprint.route("/")
@login_required
def overview() -> str:
    filters = _filters()
    report = build_report(_state().store, filters, not_understood=0, satisfaction=team().satisfaction)
    trend = read_trend(_state().store, filters)
    days = [(filters.start + dt.timedelta(days=n)).isoformat() for n in range(filters.days)]
    say = page_texts()
    series = {
        say("series_conversations"): trend["conversations"],
        say("series_contained"): trend["outcome:contained"],
    }
    charts = {
        "trend": {"labels": days, "series": series},
        "handoffs": _reasons(report.current.handoffs),
        "intents": {
            "labels": [n for n, _ in report.current.intents],
            "values": [c for _, c in report.current.intents],
        },
    }
    return _page("overview.html", filters, report=report, charts=charts)


def _reasons(handoffs: Mapping[str, int]) -> dict[str, list[Any]]:
    """A chart of handoffs by reason, the reasons in the page's language."""
    say = page_texts()
    return {"labels": [say.term("reason", r) for r in handoffs], "values": list(handoffs.values())}


@blueprint.route("/flows")
@login_required
def flows() -> str:
    filters, state = _filters(), _state()
    report = build_report(state.store, filters, not_understood=0, flows=flow_steps(state.skills.values()))
    stage = StageNames.of(state.skills.values(), page_texts())
    charts = {
        f"funnel-{n}": {
            "labels": [stage(f.flow, s) for s, _ in f.stages],
            "values": [c for _, c in f.stages],
        }
        for n, f in enumerate(report.current.flows)
    }
    return _page("flows.html", filters, report=report, charts=charts, stage=stage)


@blueprint.route("/handoffs")
@login_required
def handoffs() -> str:
    filters = _filters()
    report = build_report(_state().store, filters, not_understood=0)
    charts = {"reasons": _reasons(report.current.handoffs)}
    latest = latest_handoffs(_state().store, filters)
    return _page("handoffs.html", filters, report=report, charts=charts, latest=latest)


@blueprint.route("/conversations")
@login_required
def conversations() -> str:
    filters = _filters()
    words = request.args.get("q", "")
    found = search_conversations(_state().store, filters, words)
    return _page("conversations.html", filters, found=found, words=words)


@blueprint.route("/conversations/<path:session_id>")
@login_required
def conversation(session_id: str) -> str:
    """A transcript; ``path:`` because Dialogflow's session ids hold slashes
    (``projects/meubel/agent/sessions/4dba4efc7f1e``), which a URL path carries as they are."""
    entries, signals = transcript(_state().store, session_id)
    if not entries:
        abort(404, page_texts()("no_conversation"))
    return _page("transcript.html", _filters(), session_id=session_id, entries=entries, signals=signals)
