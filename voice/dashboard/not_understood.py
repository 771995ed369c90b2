"""The dashboard's not-understood page and its review actions: a sentence or a phrasing is previewed
before it is written, a new entry or out of scope is done at once (``voice.analytics.review``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..analytics import read_not_understood
from ..analytics.review import (
    Reviewed,
    ReviewError,
    add_entry,
    add_phrasing,
    knowledge_entries,
    mark_out_of_scope,
    record_review,
    words_to_add,
    written_forms,
)
from ..analytics.review_sentence import add_sentence
from ..analytics.unmatched import normalise, not_in_log
from ..builtins import BUILTIN
from ..knowledge.content import languages as knowledge_languages
from ..knowledge.entries import Entry
from ..language import language_of
from ..skill import Skill
from .security import check_csrf, login_required, user
from .views import _filters, _page, _state, blueprint
from .words import page_texts

__all__ = ["not_understood", "review", "review_preview"]


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
        return _Preview(
            done, _entry_question(skill, posted.language, done.target), words_to_add(posted.utterance)
        )
    abort(400, page_texts()("unknown_action"))


def _entry_question(skill: Skill, language: str, entry_id: str) -> str:
    """An entry as the list shows it, by its question (its id where it has none)."""
    return dict(_entry_choices(knowledge_entries(skill.root, language))).get(entry_id, entry_id)


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
        target = (
            _entry_question(skill, language, done.target) if skill and action == "phrasing" else done.target
        )
        shown = {"utterance": utterance, "target": target, "sentence": done.sentence}
        if done.added:
            flash(say("review_done", action=say(f"action_{action}"), **shown))
        else:
            flash(say("review_already", **shown))
    except ReviewError as exc:
        flash(say("review_not_done", reason=exc.message))
    return _back()
