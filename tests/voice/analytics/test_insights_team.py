"""The dashboard and the insights commands in the team's language and time zone, and short answers
("ja", "nee") shown with the question they answered."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import new_store_url
from flask import Flask
from flask.testing import FlaskClient

from voice.analytics import Filters, build_report, read_not_understood
from voice.analytics.team import LANGUAGES, StageNames, Team, texts
from voice.builtins import BUILTIN_LOCALES
from voice.cli import cli
from voice.config import Config
from voice.responses import read_names
from voice.skill_loading import load_skill
from voice.store import open_store
from voice.store.signals import Outcome, Understood

from .dashboard_client import dashboard_app, log_in
from .seed import DAY, Said, conversation, seed

PERIOD = {"from": DAY.isoformat(), "to": DAY.isoformat()}
QUESTION = "Wilt u bestelling 1234 annuleren?"
"""What the assistant asked before the callers' "ja" and "nee" it did not understand."""


def _short_answers(store_url: str) -> None:
    """Three callers answer the question with a "ja" or "nee" the assistant did not understand; one
    "ja" follows another question. At 10:00 UTC on DAY (11:00 in Amsterdam, winter time)."""
    start = dt.datetime.combine(DAY, dt.time(10), dt.UTC).timestamp()
    asked = Said("ik wil mijn bestelling annuleren", intent="CancelOrder", reply=QUESTION)
    other = Said("hoe laat zijn jullie open", intent="OpeningHours", reply="Wilt u ook het adres?")
    with open_store(store_url) as store:
        seed(store)
        for number, (before, answer) in enumerate(
            [(asked, "ja"), (asked, "ja"), (asked, "nee"), (other, "ja")]
        ):
            said = Said(answer, Understood.NONE, outcome=Outcome.GAVE_UP)
            conversation(store, f"short-{number}", "chat", "nl", start + number, (before, said))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = f"sqlite://{tmp_path_factory.mktemp('team') / 'sessions.db'}"
    _short_answers(url)
    built = dashboard_app(url, time_zone="Europe/Amsterdam")
    yield built
    built.extensions["voice.assistant"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert log_in(client) == 302
    return client


def _page(client: FlaskClient, path: str, lang: str = "", **headers: str) -> str:
    query = {**PERIOD, "lang": lang} if lang else PERIOD
    answer = client.get(f"/dashboard{path}", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.status_code
    return html.unescape(answer.get_data(as_text=True))


def test_every_language_has_every_text_and_each_renders() -> None:
    """A key missing in one language would be an error on a page; a text of only one language a half
    translation."""
    keys = {
        language: set(yaml.safe_load((BUILTIN_LOCALES / language / "insights.yaml").read_text())["insights"])
        for language in LANGUAGES
    }
    assert LANGUAGES == ("en", "nl") and keys["en"] == keys["nl"]
    values = {"minutes": 3, "reason": "x", "name": "x", "flow": "x", "count": 2, "question": "x", "days": 7}
    values |= {"start": DAY, "end": DAY, "slice": "", "path": "p", "target": "t", "utterance": "u"}
    values |= {"language": "nl", "action": "a", "rate": "1%", "started": 1, "completed": 1, "abandoned": 0}
    values |= {"failed": 1, "handed_over": 1, "phrasings": ["x", "y"]}
    values |= {"zone": "UTC", "conversations": 1, "change": "+1", "id": "c1", "problem": "x", "choices": "x"}
    values |= {"sentence": "s"}
    for language in LANGUAGES:
        say = texts(language)
        assert all(say(key, **values).strip() for key in keys[language]), language
    assert texts("nl")("kpi_containment") != texts("en")("kpi_containment")


def test_every_language_has_every_command_text_and_each_renders() -> None:
    """The words of voice data, voice knowledge and the sample-data warnings: a key missing in one
    language would fail that command for its team."""
    keys = {
        language: set(yaml.safe_load((BUILTIN_LOCALES / language / "commands.yaml").read_text())["commands"])
        for language in LANGUAGES
    }
    assert keys["en"] == keys["nl"]
    numbers = {"count": 2, "lost": 2}
    for language in LANGUAGES:
        say = texts(language, "commands")
        for key in keys[language]:
            names = {name for text in say.responses.texts[key] for name in read_names(text)}
            values = {name: "x" for name in names} | {"stored": ["+31612345001"]}
            assert say(key, **values | {k: v for k, v in numbers.items() if k in names}).strip(), key
    assert texts("nl", "commands")("count_row", count=2) == "2 rijen"


@pytest.mark.parametrize(
    ("how", "words"),
    [
        (
            {"query": "nl"},
            ["Zelf afgehandeld", "Niet begrepen", "Uitloggen", "Gesprekken en zelf afgehandeld"],
        ),
        ({"accept": "nl-NL,nl;q=0.9,en;q=0.5"}, ["Zelf afgehandeld", "Meest gevraagde intenties", "Tonen"]),
        ({"accept": "en-GB,en;q=0.8"}, ["Containment", "Not understood", "Log out", "Top intents"]),
        ({}, ["Containment", "Recognition rate"]),
    ],
    ids=["lang-query", "accept-nl", "accept-en", "default"],
)
def test_the_overview_is_in_the_language_asked_for(
    client: FlaskClient, how: dict[str, str], words: list[str]
) -> None:
    headers = {"Accept-Language": how["accept"]} if "accept" in how else {}
    query = {**PERIOD, "lang": how["query"]} if "query" in how else PERIOD
    page = html.unescape(
        client.get("/dashboard/", query_string=query, headers=headers).get_data(as_text=True)
    )
    assert all(word in page for word in words), re.findall(r'class="label">([^<]*)<', page)
    dutch = "query" in how or how.get("accept", "").startswith("nl")
    assert f'<html lang="{"nl" if dutch else "en"}">' in page
    shown = "25,0%" if dutch else "25.0%"  # the same figures, written as the page's language writes them
    assert f'data-kpi="containment">{shown}<' in page


def test_the_tiles_write_numbers_as_the_team_does_and_a_yes_no_satisfaction_in_percent(
    tmp_path: Path,
) -> None:
    """A Dutch team read "Tevredenheid 0.00": the share of yes, in English decimals."""
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    start = dt.datetime.combine(DAY, dt.time(11), dt.UTC).timestamp()
    with open_store(url) as store:
        seed(store)
        for number, score in enumerate((1.0, 0.0, 0.0, 0.0)):
            answer = Said("ja" if score else "nee", extra={"satisfaction": score})
            conversation(store, f"asked-{number}", "chat", "nl", start + number, (answer,))
    app = dashboard_app(url, insights={"language": "nl", "satisfaction": "yes_no"})
    try:
        client = app.test_client()
        assert log_in(client) == 302
        dutch, english = _page(client, "/"), _page(client, "/", "en")
    finally:
        app.extensions["voice.assistant"].close()
    assert 'data-kpi="satisfaction">25,0%<' in dutch and 'data-kpi="containment">75,0%<' in dutch
    assert 'data-kpi="satisfaction">25.0%<' in english


def test_a_language_chosen_with_lang_stays_for_the_session(client: FlaskClient) -> None:
    """The nav's links carry only the filters: the choice is kept, also over a browser's English."""
    _page(client, "/", "nl")
    handoffs = _page(client, "/handoffs", **{"Accept-Language": "en"})
    assert "Doorverbonden per reden" not in handoffs  # the overview's caption; this page has its own
    assert "ging naar een medewerker" in handoffs and "gevraagd" in handoffs
    assert "Wanneer (Europe/Amsterdam)" in handoffs
    back = _page(client, "/", "en")
    assert "Containment" in back and "Zelf afgehandeld" not in back


def test_the_configured_language_wins_over_the_browsers(app: Flask) -> None:
    team = app.extensions["voice.team"]
    app.extensions["voice.team"] = Team.from_config(Config(insights={"language": "nl"}))
    try:
        client = app.test_client()
        login = client.get("/dashboard/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Wachtwoord" in login and "Inloggen" in login
        assert client.get("/dashboard/", headers={"Accept-Language": "en"}).status_code == 302
        wrong = client.post("/dashboard/review", data={"utterance": "x"})
        assert wrong.status_code == 401 and "Log eerst in op het dashboard." in wrong.get_data(as_text=True)
        log_in(client)
        missing = client.get("/dashboard/nergens").get_data(as_text=True)
        assert (
            "Deze pagina bestaat niet in het dashboard" in missing and "Terug naar het overzicht" in missing
        )
    finally:
        app.extensions["voice.team"] = team


def test_a_refused_filter_is_a_sentence_in_the_pages_language(client: FlaskClient) -> None:
    answer = client.get("/dashboard/flows", query_string={**PERIOD, "locale": "nederlands", "lang": "nl"})
    page = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400 and "De assistent spreekt geen 'nederlands'; kies uit en, nl." in page
    assert 'id="filters"' in page and "Tot en met" in page


def test_a_refused_language_offers_only_the_languages_the_config_serves(tmp_path: Path) -> None:
    """A Dutch-only team (locales = ["nl"]) was offered "kies uit en, nl" for ?locale=nederlands."""
    built = dashboard_app(
        f"sqlite://{tmp_path / 'sessions.db'}", insights={"language": "nl"}, locales=("nl",)
    )
    try:
        client = built.test_client()
        assert log_in(client) == 302
        for asked in ("nederlands", "en"):
            answer = client.get("/dashboard/", query_string={**PERIOD, "locale": asked})
            page = html.unescape(answer.get_data(as_text=True))
            assert answer.status_code == 400 and f"De assistent spreekt geen '{asked}'; kies uit nl." in page
        assert client.get("/dashboard/", query_string={**PERIOD, "locale": "nl-NL"}).status_code == 200
    finally:
        built.extensions["voice.assistant"].close()


def test_times_are_shown_on_the_teams_clock(client: FlaskClient) -> None:
    """The seeded turns were at 10:00 UTC on DAY; the team is in Amsterdam (CET, UTC+1 in November)."""
    page = _page(client, "/conversations")
    assert "Last turn (Europe/Amsterdam)" in page
    assert f"{DAY} 11:0" in page and f"{DAY} 10:0" not in page
    transcript = _page(client, "/conversations/c2")
    assert re.findall(r'class="when">([^<]*)<', transcript) == [f"{DAY} 11:00"] * 2 + [f"{DAY} 11:01"] * 2


def test_a_short_answer_shows_the_question_it_answered(client: FlaskClient) -> None:
    """ "ja" topped the list alone, which tells a reviewer nothing."""
    page = _page(client, "/not-understood", "nl")
    row = page[page.index(">ja</a>") :].split("</tr>")[0]
    assert re.findall(r'class="asked"[^>]*>([^<]*)<', row) == [
        f"na “{QUESTION}” (2)",
        "na “Wilt u ook het adres?” (1)",
    ]
    assert "bij een kort antwoord staat de vraag van de assistent ervoor" in page
    longer = page[page.index(">waar is mijn pakket</a>") :].split("</tr>")[0]
    assert 'class="asked"' not in longer  # a whole question speaks for itself


def test_the_cli_prints_in_the_language_and_zone_of_the_config(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'sessions.db'}"
    _short_answers(url)
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC).timestamp()  # CEST, UTC+2
    with open_store(url) as store:
        asked = Said("ik wil mijn bestelling annuleren", intent="CancelOrder", reply=QUESTION)
        conversation(store, "summer", "chat", "nl", summer, (asked, Said("nee hoor", Understood.NONE)))
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nstore = "{url}"\ntime_zone = "Europe/Amsterdam"\n'
        '[insights]\nlanguage = "nl"\n',
        encoding="utf-8",
    )
    report = CliRunner().invoke(
        cli, ["report", "--from", str(DAY), "--to", str(DAY), "--config", str(config)]
    )
    assert report.exit_code == 0, report.output
    assert "vergeleken met de dag ervoor" in report.output and "zelf afgehandeld" in report.output
    assert f"na “{QUESTION}”" in report.output and "niet begrepen (gegroepeerd)" in report.output
    english = CliRunner().invoke(
        cli, ["report", "--from", str(DAY), "--to", str(DAY), "-l", "en", "--config", str(config)]
    )
    assert "containment" in english.output and f"after “{QUESTION}”" in english.output
    csv = CliRunner().invoke(
        cli, ["report", "--from", str(DAY), "--to", str(DAY), "--format", "csv", "--config", str(config)]
    )
    assert "containment,%,25," in csv.output  # the CSV keeps its English names for scripts
    listed = CliRunner().invoke(cli, ["review", "list", "--days", "3650", "--config", str(config)])
    assert listed.exit_code == 0, listed.output
    lines = {line.split("  ")[-2].strip(): line for line in listed.output.splitlines() if "“" in line}
    assert lines["nee hoor"].endswith(f"2026-07-01 14:01  nee hoor  na “{QUESTION}”"), lines  # CEST
    assert f"{DAY} 11:01  ja  na “{QUESTION}” / na “Wilt u ook het adres?”" in lines["ja"], lines
    marked = CliRunner().invoke(
        cli, ["review", "out-of-scope", "ja", "--locale", "nl", "--config", str(config)]
    )
    assert marked.output == "buiten het bereik gemarkeerd: ja\n", marked.output


def test_a_short_group_holds_the_questions_it_answered_most_frequent_first(
    tmp_path: Path, store_kind: str
) -> None:
    """On both stores: the question is read with a correlated subquery of the log."""
    url = new_store_url(store_kind, tmp_path)
    _short_answers(url)
    with open_store(url) as store:
        groups = {group.text: group for group in read_not_understood(store, Filters(start=DAY, end=DAY))}
        report = build_report(store, Filters(start=DAY, end=DAY)).to_dict()
    assert groups["ja"].asked == ((QUESTION, 2), ("Wilt u ook het adres?", 1))
    assert groups["nee"].asked == ((QUESTION, 1),) and groups["waar is mijn pakket"].asked == ()
    assert {g["text"]: g["asked"] for g in report["not_understood"]}["ja"] == {
        QUESTION: 2,
        "Wilt u ook het adres?": 1,
    }


def test_a_flows_step_is_its_slots_label_in_the_teams_language_else_readable() -> None:
    """The Flows page showed the slots' names (date, time, name, topic) to a Dutch team."""
    skills = [load_skill("customer_service")]
    dutch, english = StageNames.of(skills, texts("nl")), StageNames.of(skills, texts("en"))
    assert [dutch("BookAppointment", step) for step in ("started", "date", "topic", "completed")] == [
        "gestart",
        "datum",
        "onderwerp",
        "voltooid",
    ]
    assert (dutch("OrderStatus", "order_number"), english("OrderStatus", "order_number")) == (
        "bestelnummer",
        "order number",
    )
    assert dutch("BookAppointment", "gone_step") == "gone step"  # a step the flow no longer has
    assert StageNames(texts("nl"), {})("Elsewhere", "postal_code") == "postal code"


def test_a_flows_heading_is_its_label_in_the_teams_language_else_its_name_made_readable() -> None:
    """The Flows page was headed "BookAppointment", the raw intent name."""
    skills = [load_skill("customer_service")]
    dutch, english = StageNames.of(skills, texts("nl")), StageNames.of(skills, texts("en"))
    assert (dutch.heading("BookAppointment"), english.heading("BookAppointment")) == (
        "Afspraak maken",
        "Book an appointment",
    )
    unlabelled = StageNames(texts("nl"), {})
    assert [unlabelled.heading(name) for name in ("BookAppointment", "order_status", "GetFAQAnswer")] == [
        "Book appointment",
        "Order status",
        "Get FAQ answer",
    ]
