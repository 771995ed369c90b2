"""The dashboard through Flask's test client: access, CSRF, lockout, the pages, and a review that works."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from voice import Router, Skill, Turn
from voice.analytics.review import add_phrasing
from voice.analytics.review_sentence import add_sentence
from voice.dialog import Dialog
from voice.knowledge.reviewed import read_reviewed
from voice.store import open_store
from voice.store.signals import Outcome, Understood

from .dashboard_client import PASSWORD, USER, csrf, dashboard_app, log_in, logged_in_client
from .seed import DAY, NOW_TURN, Said, conversation, missed, seed

SKILL = Path(__file__).resolve().parents[3] / "skills" / "customer_service"
PERIOD = {"from": DAY.isoformat(), "to": DAY.isoformat()}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = f"sqlite://{tmp_path_factory.mktemp('dashboard') / 'sessions.db'}"
    with open_store(url) as store:
        seed(store)
    built = dashboard_app(url)
    yield built
    built.extensions["voice.assistant"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_anonymous_requests_are_refused_and_webhooks_are_not_affected(client: FlaskClient) -> None:
    page = client.get("/dashboard/not-understood")
    assert page.status_code == 302 and page.headers["Location"].startswith("/dashboard/login")
    assert client.post("/dashboard/review", data={"utterance": "x"}).status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.post("/dialogflow", json={}).status_code == 400  # the webhook answers as before


def test_a_login_needs_the_csrf_token_and_the_password(client: FlaskClient) -> None:
    assert client.post("/dashboard/login", data={"name": USER, "password": PASSWORD}).status_code == 400
    assert log_in(client, "wrong password") == 401
    assert log_in(client) == 302
    cookie = client.get_cookie("voice_dashboard", path="/dashboard")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    page = client.get("/dashboard/", query_string=PERIOD)
    assert (
        page.headers["X-Frame-Options"] == "DENY"
        and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert re.findall(r'data-kpi="(\w+)">([^<]*)<', page.get_data(as_text=True))[:3] == [
        ("conversations", "4"),
        ("containment", "50.0%"),
        ("handoff", "25.0%"),
    ]


def test_a_name_is_locked_after_five_failures(app: Flask) -> None:
    client = app.test_client()
    statuses = [log_in(client, "wrong") for _ in range(5)]
    assert statuses == [401] * 5
    token = csrf(client.get("/dashboard/login").get_data(as_text=True))
    locked = client.post("/dashboard/login", data={"name": USER, "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 401 and "Too many failed logins" in locked.get_data(as_text=True)
    app.extensions["voice.dashboard"].store.execute("DELETE FROM dashboard_logins")


@pytest.mark.parametrize(
    "path", ["/", "/not-understood", "/flows", "/handoffs", "/conversations", "/conversations/c2"]
)
def test_every_page_shows_after_a_login(client: FlaskClient, path: str) -> None:
    assert log_in(client) == 302
    page = client.get(f"/dashboard{path}", query_string=PERIOD)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]


def test_the_overview_shows_the_callers_who_gave_up(client: FlaskClient) -> None:
    log_in(client)
    page = client.get("/dashboard/", query_string=PERIOD).get_data(as_text=True)
    assert re.search(r'data-kpi="gave_up">1<', page), page


def test_the_not_understood_page_groups_and_out_of_scope_removes(client: FlaskClient) -> None:
    log_in(client)
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert "waar is mijn pakket" in page and "waar is mijn pakket nou" in page
    form = {
        "utterance": "waar is mijn pakket",
        "action": "out_of_scope",
        "skill": "customer_service",
        "locale": "nl",
        "also": "waar is mijn pakket nou",
    }
    refused = client.post("/dashboard/review", data=form)
    assert refused.status_code == 400
    done = client.post("/dashboard/review", query_string=PERIOD, data={**form, "csrf_token": csrf(page)})
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Nothing left to review" in after, re.findall(r"class=\"flash\">([^<]*)<", after)


ASK = """
import sys, datetime as dt
from voice import Router, Turn, load_skill
from voice.dialog import Dialog
from voice.dialog.knowledge import knowledge_answerer
from voice.store import open_store
root, language, said, ask_knowledge = sys.argv[1:5]
skill = load_skill(root)
knowledge = knowledge_answerer([skill]) if ask_knowledge == "yes" else None
with open_store("sqlite://:memory:") as store:
    dialog = Dialog(Router([skill]), store, answerers=[knowledge] if knowledge else [])
    now = dt.datetime.now(dt.UTC)
    dialog.respond(Turn(text=said, locale=language, session_id="s", user_id="u", time=now))
    print(store.select("SELECT understood FROM signals")[0][0])
"""
"""One turn through a dialog over the skill folder, in a new process (as a reload of the server would)."""


def _understood(skill_root: Path, language: str, said: str, knowledge: bool) -> str:
    command = [sys.executable, "-c", ASK, str(skill_root), language, said, "yes" if knowledge else "no"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("language", "said", "intent", "entry"),
    [("nl", "blorp de zorp eens", "OrderStatus", None), ("en", "quux the zorp blorp", None, "delivery-time")],
    ids=["nl-sentence", "en-phrasing"],
)
def test_after_a_review_the_utterance_is_understood(
    tmp_path: Path, language: str, said: str, intent: str | None, entry: str | None
) -> None:
    """The review changes a copy of the skill; a newly built assistant understands the utterance."""
    skill_root = tmp_path / f"reviewed_{language}"
    shutil.copytree(SKILL, skill_root, ignore=shutil.ignore_patterns("__pycache__", ".index*"))
    assert _understood(skill_root, language, said, knowledge=entry is not None) == "none"
    if intent:
        done = add_sentence(skill_root, language, intent, said)
        assert f'          - "{said}"\n' in done.path.read_text(encoding="utf-8") if done.path else False
    else:
        add_phrasing(skill_root, language, str(entry), said)
    assert _understood(skill_root, language, said, knowledge=entry is not None) == (
        "template" if intent else "knowledge"
    )


@pytest.fixture
def own_skill(tmp_path: Path) -> Iterator[tuple[FlaskClient, Path]]:
    """A logged-in client of an app over a copy of the skill, whose Dutch content is a CSV file."""
    skill_root = tmp_path / "reviewed_skill"
    shutil.copytree(SKILL, skill_root, ignore=shutil.ignore_patterns("__pycache__", ".index*"))
    (skill_root / "knowledge" / "nl" / "faq.yaml").unlink()
    faq = skill_root / "knowledge" / "nl" / "faq.csv"
    faq.write_text("id;question;answer\nbetalen;Hoe kan ik betalen?;Met iDEAL.\n", encoding="utf-8")
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    with open_store(url) as store:
        seed(store)
    app = dashboard_app(url, skills=(str(skill_root),))
    with app.test_client() as client:
        assert log_in(client) == 302
        yield client, skill_root
    app.extensions["voice.assistant"].close()


def test_a_review_takes_only_what_callers_said_that_was_not_understood(
    own_skill: tuple[FlaskClient, Path],
) -> None:
    """Any utterance posted was written into intents.yaml, even one no caller ever said."""
    client, skill_root = own_skill
    intents = skill_root / "locales" / "nl" / "intents.yaml"
    before = intents.read_text(encoding="utf-8")
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    form = {"action": "sentence", "target": "OrderStatus", "skill": "customer_service", "locale": "nl"}
    for utterance, also in (("ik wil een gratis laptop", []), ("waar is mijn pakket", ["niemand zei dit"])):
        data = {**form, "utterance": utterance, "also": also, "csrf_token": csrf(page)}
        refused = client.post("/dashboard/review", data=data)
        assert refused.status_code == 400, refused.status_code
        assert "is not in the not-understood list" in refused.get_data(as_text=True)
    assert intents.read_text(encoding="utf-8") == before
    done = client.post(
        "/dashboard/review", data={**form, "utterance": "waar is mijn pakket", "csrf_token": csrf(page)}
    )
    assert done.status_code == 302 and '"waar is mijn pakket"' in intents.read_text(encoding="utf-8")


def test_a_phrasing_from_the_dashboard_leaves_the_teams_csv_file_as_it_is(
    own_skill: tuple[FlaskClient, Path],
) -> None:
    client, skill_root = own_skill
    faq = skill_root / "knowledge" / "nl" / "faq.csv"
    before = faq.read_bytes()
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    # the entries of the CSV file are the form's choices, by their questions (the id is what is sent)
    assert '<option value="betalen">Hoe kan ik betalen?</option>' in page
    form = {"action": "phrasing", "target": "betalen", "skill": "customer_service", "locale": "nl"}
    done = client.post(
        "/dashboard/review",
        query_string=PERIOD,
        data={**form, "utterance": "waar is mijn pakket nou", "csrf_token": csrf(page)},
    )
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Done" in after, re.findall(r"class=\"flash\">([^<]*)<", after)
    assert faq.read_bytes() == before
    assert read_reviewed(faq.parent).phrasings == {"betalen": ("waar is mijn pakket nou",)}


def test_the_entries_to_add_to_are_shown_by_their_questions_not_their_ids(
    own_skill: tuple[FlaskClient, Path],
) -> None:
    """The list showed ids like ``garantie#hoe-lang-heb-ik-garantie``, not the question a reviewer reads."""
    client, skill_root = own_skill
    page = "# Garantie en reparatie\n\n## Hoe lang heb ik garantie?\n\nTwee jaar.\n\n## Kosten\n\nGratis.\n"
    (skill_root / "knowledge" / "nl" / "garantie.md").write_text(page, encoding="utf-8")
    shown = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    choices = re.findall(r'<option value="(garantie#[^"]*)">([^<]*)</option>', shown)
    assert choices == [
        ("garantie#hoe-lang-heb-ik-garantie", "Hoe lang heb ik garantie?"),
        ("garantie#kosten", "Garantie en reparatie, kosten"),
    ]


def test_a_new_entry_needs_the_csrf_token_and_an_answer(own_skill: tuple[FlaskClient, Path]) -> None:
    client, skill_root = own_skill
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert 'class="review-entry"' in page and 'lang="nl"' in page
    form = {
        "action": "entry",
        "utterance": "waar is mijn pakket",
        "skill": "customer_service",
        "locale": "nl",
    }
    assert client.post("/dashboard/review", data={**form, "answer": "Kijk in de mail."}).status_code == 400
    empty = client.post(
        "/dashboard/review", query_string=PERIOD, data={**form, "answer": " ", "csrf_token": csrf(page)}
    )
    after = client.get(empty.headers["Location"]).get_data(as_text=True)
    assert "Not done: write the answer" in after and "waar is mijn pakket" in after
    assert not (skill_root / "knowledge" / "reviewed").exists()


def test_a_new_entrys_question_writes_the_names_the_content_writes(
    own_skill: tuple[FlaskClient, Path], tmp_path: Path
) -> None:
    """The form offered the caller's lower case as the entry's question ("Kan ik met ideal betalen?");
    the skill's FAQ writes "iDEAL"."""
    client, _ = own_skill
    with open_store(f"sqlite://{tmp_path / 'sessions.db'}") as store:
        missed(store, ("nl", "kan ik met ideal betalen"), at=NOW_TURN.timestamp())
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert 'name="question" lang="nl" value="Kan ik met iDEAL betalen?"' in page


def test_a_sentence_from_the_dashboard_keeps_its_slots_and_shows_the_template(
    own_skill: tuple[FlaskClient, Path], tmp_path: Path
) -> None:
    """A sentence added on the page was written word for word, and the team did not see what was written."""
    client, skill_root = own_skill
    said = "ik wil zaterdag om elf uur langskomen voor advies"
    with open_store(f"sqlite://{tmp_path / 'sessions.db'}") as store:
        missed(store, ("nl", said), at=NOW_TURN.timestamp())
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    form = {"action": "sentence", "target": "BookAppointment", "skill": "customer_service", "locale": "nl"}
    done = client.post(
        "/dashboard/review", query_string=PERIOD, data={**form, "utterance": said, "csrf_token": csrf(page)}
    )
    after = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    written = "ik wil {date} {time} langskomen voor {topic}"
    assert f"written as “{written}”" in after, re.findall(r"class=\"flash\">([^<]*)<", after)
    assert f'"{written}"' in (skill_root / "locales" / "nl" / "intents.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("as_said", [False, True], ids=["template", "as-said"])
def test_a_sentence_is_previewed_before_it_is_added(
    own_skill: tuple[FlaskClient, Path], tmp_path: Path, as_said: bool
) -> None:
    """ "Add to intent" wrote at once: the team saw the template only after it was in the skill, and could
    not choose to keep the words as said."""
    client, skill_root = own_skill
    said, written = (
        "ik wil zaterdag om elf uur langskomen voor advies",
        "ik wil {date} {time} langskomen voor {topic}",
    )
    with open_store(f"sqlite://{tmp_path / 'sessions.db'}") as store:
        missed(store, ("nl", said), at=NOW_TURN.timestamp())
    intents = skill_root / "locales" / "nl" / "intents.yaml"
    before = intents.read_text(encoding="utf-8")
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert 'action="/dashboard/review/preview?' in page
    form = {"action": "sentence", "target": "BookAppointment", "skill": "customer_service", "locale": "nl"}
    data = {**form, "utterance": said, "csrf_token": csrf(page)}
    assert client.post("/dashboard/review/preview", data={**data, "csrf_token": ""}).status_code == 400
    preview = client.post("/dashboard/review/preview", query_string={**PERIOD, "lang": "nl"}, data=data)
    shown = html.unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200 and f"<code>{written}</code>" in shown, shown
    assert "BookAppointment" in shown and f"De woorden toevoegen zoals gezegd: “{said}”" in shown
    assert intents.read_text(encoding="utf-8") == before  # a preview writes nothing ...
    listed = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert said in listed  # ... and records nothing
    chosen = 'class="review-as_said"' if as_said else 'class="review-confirm"'
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', shown.split(chosen)[1].split("</form>")[0]))
    done = client.post("/dashboard/review", query_string=PERIOD, data=fields)
    after = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    sentence = said if as_said else written
    assert f"geschreven als “{sentence}”" in after, re.findall(r"class=\"flash\">([^<]*)<", after)
    changed = intents.read_text(encoding="utf-8")
    assert f'          - "{sentence}"\n' in changed and f'"{said if not as_said else written}"' not in changed


@pytest.mark.parametrize(
    ("lang", "title", "back"),
    [
        ("nl", "Toevoegen aan kennisbankitem: de woorden", "Terug naar de lijst, zonder toe te voegen"),
        ("en", "Add to knowledge entry: the words", "Back to the list, without adding"),
    ],
)
def test_a_phrasing_is_previewed_before_it_is_added(
    own_skill: tuple[FlaskClient, Path], tmp_path: Path, lang: str, title: str, back: str
) -> None:
    """ "Add to knowledge entry" wrote at once, while "add to intent" showed what it would write first."""
    client, skill_root = own_skill
    said, words = "Kan ik met Maestro pinnen?", "kan ik met maestro pinnen"
    with open_store(f"sqlite://{tmp_path / 'sessions.db'}") as store:
        missed(store, ("nl", said), at=NOW_TURN.timestamp())
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    assert re.search(r'action="/dashboard/review/preview\?[^"]*" class="review-phrasing"', page)
    form = {"action": "phrasing", "target": "betalen", "skill": "customer_service", "locale": "nl"}
    data = {**form, "utterance": said, "csrf_token": csrf(page)}
    assert client.post("/dashboard/review/preview", data={**data, "csrf_token": ""}).status_code == 400
    preview = client.post("/dashboard/review/preview", query_string={**PERIOD, "lang": lang}, data=data)
    shown = html.unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200 and f"<h1>{title}</h1>" in shown and back in shown, shown
    assert "“Hoe kan ik betalen?”" in shown and f"<code>{words}</code>" in shown  # the entry by its question
    assert 'class="review-as_said"' not in shown  # a phrasing is always written as the matcher compares
    (other,) = re.findall(r'<a href="([^"]+)" hreflang', shown)  # the other language: a GET of a POST's page
    assert client.get(other).status_code == 200 and "/dashboard/not-understood?" in other, other
    reviewed = skill_root / "knowledge" / "reviewed"
    assert not reviewed.exists()  # a preview writes nothing, records nothing ...
    listed = f'name="utterance" value="{said}"'
    assert listed in html.unescape(
        client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    )
    confirm = shown.split('class="review-confirm"')[1].split("</form>")[0]
    done = client.post("/dashboard/review", query_string=PERIOD, data=dict(_FIELD.findall(confirm)))
    assert done.status_code == 302
    assert read_reviewed(reviewed.parent / "nl").phrasings == {"betalen": (words,)}
    after = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert listed not in after  # ... till now
    assert "Hoe kan ik betalen?" in after and "→ betalen" not in after  # the message names the question


_FIELD = re.compile(r'name="(\w+)" value="([^"]*)"')


def test_the_flows_page_lists_the_steps_as_the_flow_asks_them(tmp_path: Path, shop_skill: Skill) -> None:
    """They came most reached first, by name when equal: date, name, time."""
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    now = dt.datetime.now(dt.UTC)
    with open_store(url) as store:
        dialog = Dialog(Router([shop_skill]), store)
        for text in ("ik wil een afspraak maken", "morgen", "om tien uur", "jan de vries"):
            dialog.respond(Turn(text=text, locale="nl", session_id="booking", time=now))
    with logged_in_client(url) as client:
        page = client.get("/dashboard/flows", query_string={"from": now.date().isoformat()})
    headers = re.findall(r"<th>(\w+)</th>", page.get_data(as_text=True))
    assert headers == ["started", "date", "time", "name", "completed", "failed"]


@pytest.mark.parametrize(
    ("language", "said", "summary", "headers"),
    [
        (
            "nl",
            ("ik wil een afspraak maken over een retour", "volgende dinsdag", "om tien uur", "jan de vries"),
            "Gestart 1, voltooid 0 (0,0%), mislukt 1, doorverbonden 0, afgebroken 0.",
            ["gestart", "datum", "tijd", "naam", "onderwerp", "voltooid", "mislukt", "doorverbonden"],
        ),
        (
            "en",
            ("book an appointment about a return", "tomorrow at 10 am", "my name is anna smith"),
            "Started 1, completed 0 (0.0%), failed 1, handed over 0, abandoned 0.",
            ["started", "date", "time", "name", "topic", "completed", "failed", "handed over"],
        ),
    ],
)
def test_a_booking_that_failed_is_counted_failed_and_the_steps_are_named_in_the_teams_language(
    tmp_path: Path, shop_skill: Skill, language: str, said: tuple[str, ...], summary: str, headers: list[str]
) -> None:
    """The review: the booking API was down, yet the page said "de meeste bellers haken af na topic",
    the raw slot name. The handler's failure is its own figure, and a step is its slot's label."""
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    now = dt.datetime.now(dt.UTC)
    yes = {"nl": "ja", "en": "yes"}[language]
    with open_store(url) as store:  # no booking API: "Sorry, ik kon de afspraak niet boeken"
        dialog = Dialog(Router([shop_skill]), store)
        for text in (*said, yes, yes):
            dialog.respond(Turn(text=text, locale=language, session_id="booking", time=now))
    with logged_in_client(url) as client:
        query = {"from": now.date().isoformat(), "lang": language}
        page = html.unescape(client.get("/dashboard/flows", query_string=query).get_data(as_text=True))
    assert summary in page and {"nl": "haken af", "en": "drop off"}[language] not in page
    assert {"nl": "niet afgehaakt", "en": "nobody dropped off"}[language] in page
    assert re.findall(r"<th>([^<]+)</th>", page) == headers
    # the heading was the raw intent name, "BookAppointment": now the skill's flow_labels
    assert re.findall(r"<h2>([^<]+)</h2>", page) == [
        {"nl": "Afspraak maken", "en": "Book an appointment"}[language]
    ]


@pytest.mark.parametrize(
    ("language", "summary", "note"),
    [
        ("nl", "Gestart 2, voltooid 1 (50,0%), mislukt 0, doorverbonden 1, afgebroken 0.", "niet afgehaakt"),
        ("en", "Started 2, completed 1 (50.0%), failed 0, handed over 1, abandoned 0.", "nobody dropped off"),
    ],
)
def test_a_flow_its_handler_handed_over_is_counted_handed_over_on_the_flows_page(
    tmp_path: Path, language: str, summary: str, note: str
) -> None:
    """A booking the handler handed to a colleague looked like a caller dropping off at the last step."""
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    flow = {"flow": "BookAppointment", "flow_started": True, "flow_step": "topic"}
    with open_store(url) as store:
        for n, ended in enumerate(({"flow_completed": True}, {"flow_handed_over": True})):
            said = Said("ja", intent="BookAppointment", extra={**flow, **ended})
            conversation(store, f"booking-{n}", "chat", language, NOW_TURN.timestamp() + n, (said,))
    with logged_in_client(url) as client:
        query = {**PERIOD, "lang": language}
        page = html.unescape(client.get("/dashboard/flows", query_string=query).get_data(as_text=True))
    assert summary in page and note in page
    assert {"nl": "haken af", "en": "drop off"}[language] not in page


SESSION_IDS = {
    "alexa": ("amzn1.echo-api.session.0f4d1a2b-77c1-4c5e-9e1b-3f0c2a9d8e71", "waar blijft de bank"),
    "dialogflow": ("projects/meubel/agent/sessions/4dba4efc7f1e", "kan de kast morgen komen"),
    "dialogflow-cx": (
        "projects/meubel/locations/europe-west4/agents/a1/environments/e/sessions/s 1?x=#%2F",
        "hebben jullie ook stoelen in het rood",
    ),
    "chat": ("9c1f5e2a7b3d4c6e8f0a1b2c3d4e5f60", "is er parkeergelegenheid bij de showroom"),
}
"""A session id of each channel, and what its caller said that was not understood; Dialogflow's ids
hold slashes (the second odd characters as well)."""


def test_every_transcript_link_opens_the_transcript(tmp_path: Path) -> None:
    """Every Dialogflow link of the Conversations, Handoffs and Not understood pages gave 404."""
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    start = dt.datetime.combine(DAY, dt.time(9), dt.UTC).timestamp()
    handoff = Said(
        "een mens graag", intent="TalkToAgent", outcome=Outcome.HANDOFF, extra={"handoff": "caller"}
    )
    with open_store(url) as store:
        for channel, (session_id, said) in SESSION_IDS.items():
            missed = Said(said, Understood.NONE, outcome=Outcome.GAVE_UP)
            conversation(store, session_id, channel.split("-")[0], "nl", start, (missed, handoff))
    with logged_in_client(url) as client:
        for page in ("conversations", "handoffs", "not-understood"):
            shown = client.get(f"/dashboard/{page}", query_string=PERIOD).get_data(as_text=True)
            links = {
                html.unescape(link) for link in re.findall(r'href="(/dashboard/conversations/[^"]+)"', shown)
            }
            assert len(links) == len(SESSION_IDS), (page, links)
            for link in links:
                opened = client.get(link)
                assert opened.status_code == 200, (page, link, opened.get_data(as_text=True)[-400:])
                heading = re.search(r"<h1>Conversation (.*)</h1>", opened.get_data(as_text=True))
                assert heading and html.unescape(heading.group(1)) in {i for i, _ in SESSION_IDS.values()}


def test_a_wrong_dashboard_address_is_a_page_and_a_webhook_error_stays_json(client: FlaskClient) -> None:
    """A browser got the webhooks' raw JSON for a mistyped dashboard address."""
    assert log_in(client) == 302
    for path, status in (
        ("/dashboard/conversations", 200),
        ("/dashboard/nowhere", 404),
        ("/dashboard/review", 405),
    ):
        page = client.get(path)
        assert page.status_code == status and page.mimetype == "text/html", (path, page.status_code)
    missing = client.get("/dashboard/nowhere")
    assert "no such page in the dashboard" in missing.get_data(as_text=True)
    assert missing.headers["X-Frame-Options"] == "DENY" and 'href="/dashboard/"' in missing.get_data(
        as_text=True
    )
    webhook = client.get("/dialogflow/nowhere")
    assert webhook.status_code == 404 and webhook.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ({"locale": "nederlands"}, "The assistant does not speak 'nederlands'; choose one of en, nl."),
        ({"channel": "phone"}, "There is no channel 'phone'; choose one of alexa, chat, dialogflow, local."),
        ({"skill": "zzz"}, "There is no skill 'zzz' in the config; choose one of"),
    ],
    ids=["locale", "channel", "skill"],
)
def test_a_filter_that_can_match_nothing_is_a_sentence_above_the_form(
    client: FlaskClient, query: dict[str, str], sentence: str
) -> None:
    """``?locale=nederlands`` showed all zeros where ``voice report`` refuses the value."""
    assert log_in(client) == 302
    for path in ("/", "/not-understood", "/flows", "/handoffs", "/conversations"):
        page = client.get(f"/dashboard{path}", query_string={**PERIOD, **query})
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and sentence in html.unescape(text), (path, text[-600:])
        assert 'id="filters"' in text and f'value="{DAY.isoformat()}"' in text  # the form to mend them


def test_a_language_or_channel_in_any_case_filters_as_the_report_does(client: FlaskClient) -> None:
    assert log_in(client) == 302
    page = client.get("/dashboard/", query_string={**PERIOD, "locale": "NL-be", "channel": "Alexa"})
    assert re.search(r'data-kpi="conversations">3<', page.get_data(as_text=True))


def test_a_placeholder_is_shown_without_review_forms_and_a_review_of_it_is_refused(
    own_skill: tuple[FlaskClient, Path], tmp_path: Path
) -> None:
    """ "[name]" (a caller's name taken out) had the review forms of any utterance: "add to intent" wrote
    "name" into the skill."""
    client, skill_root = own_skill
    with open_store(f"sqlite://{tmp_path / 'sessions.db'}") as store:
        missed(store, ("nl", "[name]"), at=NOW_TURN.timestamp())
    page = client.get("/dashboard/not-understood", query_string=PERIOD).get_data(as_text=True)
    row = next(row for row in page.split('<tr class="group">') if ">[name]</a>" in row)
    assert "Personal data taken out" in row and "<form" not in row
    before = {path: path.read_bytes() for path in skill_root.rglob("*") if path.is_file()}
    form = {"action": "sentence", "target": "BookAppointment", "skill": "customer_service", "locale": "nl"}
    done = client.post(
        "/dashboard/review",
        query_string=PERIOD,
        data={**form, "utterance": "[name]", "csrf_token": csrf(page)},
    )
    after = html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "stands for words taken out as personal data" in after
    assert {path: path.read_bytes() for path in skill_root.rglob("*") if path.is_file()} == before
