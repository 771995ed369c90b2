"""The dashboard's pages: overview, not understood (with review actions), flows, handoffs, conversations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from ..analytics import (
    Filters,
    ReportError,
    build_report,
    flow_steps,
    format_change,
    format_value,
    read_not_understood,
    read_trend,
)
from ..analytics.conversations import latest_handoffs, search_conversations, transcript
from ..analytics.review import (
    Reviewed,
    ReviewError,
    add_entry,
    add_phrasing,
    entry_question,
    knowledge_entries,
    mark_out_of_scope,
    record_review,
    words_to_add,
    written_forms,
)
from ..analytics.review_sentence import add_sentence
from ..analytics.team import LANGUAGES, StageNames
from ..analytics.unmatched import normalise, not_in_log
from ..builtins import BUILTIN
from ..channels import CHANNEL_NAMES
from ..knowledge.content import languages as knowledge_languages
from ..knowledge.entries import Entry
from ..language import language_of
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


@blueprint.route("/not-understood")
@login_required
def not_understood() -> str:
    filters = _filters()
    groups = read_not_understood(_state().store, filters, limit=50)
    return _page(
        "not_understood.html",
        filters,
        groups=groups,
        targets=_targets(),
        entry_skills=[name for name in _state().skills if name != BUILTIN],
        knowledge_languages=knowledge_languages(),
    )


def _targets() -> dict[str, dict[str, dict[str, Any]]]:
    """Per skill and language: its intents and its knowledge entries (the review forms' choices, each
    the value submitted and what the list shows: an entry's question as a caller hears it offered, not
    an id like ``garantie#hoe-lang-heb-ik-garantie``), and the names its content writes
    (``written_forms``: a new entry's question says them so)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for name, skill in _state().skills.items():
        for language in skill.languages:
            intents = sorted(skill.intents(language).intents)
            entries = knowledge_entries(skill.root, language)
            found.setdefault(name, {})[language] = {
                "intents": [(intent, intent) for intent in intents],
                "entries": _entry_choices(entries),
                "names": written_forms(entries),
            }
    return found


def _entry_choices(entries: Iterable[Entry]) -> list[tuple[str, str]]:
    """Each entry's id and its question as the list and the preview show it."""
    return [(entry.id, _capitalised(entry.offered)) for entry in entries]


def _capitalised(text: str) -> str:
    """A title as a line of its own starts it ("hoe lang heb ik garantie?" is said after "Bedoelt u:")."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class _Posted:
    """A review form's utterance, its group's other phrasings, the skill and the language."""

    said: list[str]
    skill: Skill | None
    language: str

    @property
    def utterance(self) -> str:
        return self.said[0]


def _posted() -> _Posted:
    """The review form's words, checked: only what callers said and was not understood (400 else)."""
    form, state = request.form, _state()
    said = [form.get("utterance", ""), *form.getlist("also")]  # the group's other phrasings go too
    unknown = not_in_log(state.store, said)
    if unknown:
        abort(400, page_texts()("not_in_list", utterance=unknown[0]))
    skill = state.skills.get(form.get("skill", "")) if form.get("skill") else None
    return _Posted(said, skill, language_of(form.get("locale", "")))


def _back() -> Response:
    """Back to the list with the reviewer's filters."""
    query = request.query_string.decode()
    return redirect(url_for("dashboard.not_understood") + (f"?{query}" if query else ""))


@dataclass(frozen=True, slots=True)
class _Preview:
    """What an addition would write: the action's answer, the intent or entry as the list shows it,
    and the words (a sentence's template, a phrasing's words as the matcher compares them)."""

    done: Reviewed
    target: str
    words: str


def _preview(skill: Skill, posted: _Posted, action: str, target: str) -> _Preview:
    """``add_sentence`` or ``add_phrasing`` run dry: nothing is written (a ``ReviewError`` when it
    cannot be done)."""
    if action == "sentence":
        done = add_sentence(skill.root, posted.language, target, posted.utterance, dry_run=True)
        return _Preview(done, done.target, done.sentence)
    if action == "phrasing":
        done = add_phrasing(skill.root, posted.language, target, posted.utterance, dry_run=True)
        questions = dict(_entry_choices(knowledge_entries(skill.root, posted.language)))
        return _Preview(done, questions[done.target], words_to_add(posted.utterance))
    abort(400, page_texts()("unknown_action"))


@blueprint.route("/review/preview", methods=["POST"])
@login_required
def review_preview() -> Response | str:
    """What "add to intent" or "add to knowledge entry" would write (a sentence's template and the
    intent; a phrasing's words and the entry's question), to confirm (a sentence also as said) or go
    back; nothing is written or recorded."""
    check_csrf()
    posted, say = _posted(), page_texts()
    try:
        if posted.skill is None or posted.skill.name == BUILTIN:
            raise ReviewError(say("choose_skill"))
        preview = _preview(
            posted.skill, posted, request.form.get("action", ""), request.form.get("target", "")
        )
    except ReviewError as exc:
        flash(say("review_not_done", reason=exc.message))
        return _back()
    return render_template(
        "dashboard/review_preview.html",
        filters=_filters(),  # no filters form: the page is the answer to a POST
        posted=posted,
        preview=preview,
        form=request.form,
        as_said=normalise(posted.utterance),
    )


@blueprint.route("/review", methods=["POST"])
@login_required
def review() -> Response:
    check_csrf()
    form, state, posted = request.form, _state(), _posted()
    utterance, action, target = posted.utterance, form.get("action", ""), form.get("target", "")
    skill, language, say = posted.skill, posted.language, page_texts()
    reviewer = user() or ""
    try:
        if action == "out_of_scope":
            done = mark_out_of_scope(
                state.store, utterance, skill=form.get("skill", ""), locale=language, reviewer=reviewer
            )
        elif skill is None or skill.name == BUILTIN:
            raise ReviewError(say("choose_skill"))
        elif action == "sentence":
            as_said = form.get("as_said") == "1"
            done = add_sentence(skill.root, language, target, utterance, as_said=as_said)
        elif action == "phrasing":
            done = add_phrasing(skill.root, language, target, utterance)
        elif action == "entry":
            answer, written = form.get("answer", ""), form.get("question", "")
            done = add_entry(skill.root, language, utterance, answer, also=posted.said[1:], written=written)
        else:
            abort(400, say("unknown_action"))
        for text in posted.said:
            record_review(
                state.store, text, done, skill=form.get("skill", ""), locale=language, reviewer=reviewer
            )
        shown = {"utterance": utterance, "target": done.target, "sentence": done.sentence}
        if done.added:
            flash(say("review_done", action=say(f"action_{action}"), **shown))
        else:
            flash(say("review_already", **shown))
    except ReviewError as exc:
        flash(say("review_not_done", reason=exc.message))
    return _back()


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
