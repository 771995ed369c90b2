"""Phone calls through Dialogflow ES, as a telephony gateway sends them, against the real app and dialog.

Each request has what a gateway's request has (a session path, a responseId, ``queryText``, the
recognition confidence, the ``voice-state`` context sent back, ``GOOGLE_TELEPHONY`` with the caller id);
the tests assert the JSON a gateway reads, and count what the calls leave behind (handoff records, users).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from booking_api import serving_booking_api
from click.testing import CliRunner
from flask.testing import FlaskClient

from voice.analytics import Filters, build_report
from voice.assistant import Assistant, build_assistant
from voice.channels.dialogflow import DialogflowChannel
from voice.cli import cli
from voice.config import Config
from voice.dialog import waits
from voice.dialog.deadline import wait_for_turns
from voice.errors import ConfigError
from voice.hours import WEEKDAYS
from voice.nlu import weekday_name
from voice.server import create_app

PROJECT = "projects/kss-agent/agent"
FALLBACK = "Default Fallback Intent"
WELCOME = "Default Welcome Intent"
NUMBER = "+31201234567"
V2_FIELDS = {"fulfillmentText", "fulfillmentMessages", "payload", "outputContexts"}
"""Every field of our responses that Dialogflow's v2 WebhookResponse knows."""

SAID = {
    "nl": {
        "welcome": "Welkom bij Voorbeeld BV! Waarmee kan ik u helpen?",  # data/company.yaml's name
        "person": "ik wil een medewerker",
        "handoff": "Ik verbind u door met een collega. Een ogenblik geduld alstublieft.",
        "later": "hallo?",
        "handed_over": "Een collega helpt u zo verder.",
        "hours": "wat zijn jullie openingstijden",
        "contact": "hoe kan ik jullie bereiken",
        "bye": "tot ziens",
        "goodbye": "Tot ziens, en bedankt voor uw telefoontje.",
        "still_there": "Bent u er nog? Waarmee kan ik u helpen?",
        "closing": "Ik hoor niets meer, dus ik beëindig het gesprek. Tot ziens.",
    },
    "en": {
        "welcome": "Welcome to Voorbeeld BV! How can I help you?",
        "person": "can I speak to a real person",
        "handoff": "I'll put you through to one of my colleagues. Please hold on.",
        "later": "hello?",
        "handed_over": "A colleague will be with you shortly.",
        "hours": "what are your opening hours",
        "contact": "how can I contact you",
        "bye": "goodbye",
        "goodbye": "Goodbye, and thanks for calling.",
        "still_there": "Are you still there? What can I help you with?",
        "closing": "I didn't hear anything, so I'll end the call now. Goodbye.",
    },
}


@dataclass
class Line:
    """A phone gateway in front of the app: it sends the ``voice-state`` context back, as Dialogflow does."""

    client: FlaskClient
    assistant: Assistant
    queue: Path
    contexts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def say(
        self,
        session: str,
        text: str,
        language: str,
        *,
        intent: str = FALLBACK,
        caller: str = "+31612345678",
        source: str = "GOOGLE_TELEPHONY",
    ) -> dict[str, Any]:
        """Send what the caller said (or an event's name, as Dialogflow puts it in ``queryText``)."""
        body = {
            "responseId": str(uuid.uuid4()),
            "session": f"{PROJECT}/sessions/{session}",
            "queryResult": {
                "queryText": text,
                "parameters": {},
                "allRequiredParamsPresent": True,
                "outputContexts": self.contexts.get(session, []),
                "intent": {"displayName": intent, "isFallback": intent == FALLBACK},
                "languageCode": language,
                "speechRecognitionConfidence": 0.91,
            },
            "originalDetectIntentRequest": {"source": source, "payload": {}},
        }
        if source == "GOOGLE_TELEPHONY":
            body["originalDetectIntentRequest"]["payload"] = {"telephony": {"caller_id": caller}}
        response = self.client.post("/dialogflow", json=body)
        assert response.status_code == 200, response.data
        data: dict[str, Any] = response.get_json()
        self.contexts[session] = [c for c in data["outputContexts"] if c["lifespanCount"] > 0]
        return data

    def handoff_records(self) -> list[dict[str, Any]]:
        sender = self.assistant.dialog.sender
        assert sender is not None and sender.drain()
        lines = self.queue.read_text().splitlines() if self.queue.exists() else []
        return [json.loads(line) for line in lines]


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[Any]:
    """``phone(api_version, **handoff)``: a line to the app over a fresh SQLite store."""
    assistants: list[Assistant] = []

    def make(
        api_version: str = "v2beta1",
        *,
        skill: Mapping[str, Any] | None = None,
        sink: bool = True,
        **handoff: Any,
    ) -> Line:
        queue = tmp_path / f"handoff-{len(assistants)}.jsonl"
        config = Config.from_dict(
            {
                "skills": ["customer_service"],
                "handoff": {"queue": str(queue), **handoff} if sink else handoff,
                "skill": {"customer_service": dict(skill or {})},
            }
        )
        assistant = build_assistant(config, store=f"sqlite:///{tmp_path / f'sessions-{len(assistants)}.db'}")
        assistants.append(assistant)
        settings = {"ALEXA_VERIFY": False, "dialogflow_api_version": api_version}
        return Line(create_app(settings, assistant=assistant).test_client(), assistant, queue)

    yield make
    for assistant in assistants:
        assistant.close()


def speech(text: str) -> dict[str, Any]:
    return {"platform": "TELEPHONY", "telephonySynthesizeSpeech": {"text": text}}


TRANSFER = {"platform": "TELEPHONY", "telephonyTransferCall": {"phoneNumber": NUMBER}}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_handoff_puts_the_call_through_after_the_speech(phone: Any, language: str) -> None:
    said, line = SAID[language], phone(transfer_to=NUMBER)
    line.say("c1", "TELEPHONY_WELCOME", language, intent=WELCOME)
    data = line.say("c1", said["person"], language)
    assert data["fulfillmentMessages"] == [
        {"text": {"text": [said["handoff"]]}},
        speech(said["handoff"]),
        TRANSFER,
    ]
    assert (data["endInteraction"], data["liveAgentHandoff"]) == (True, True)
    assert data["payload"]["google"]["expectUserResponse"] is False
    voice = data["payload"]["voice"]  # a transfer, not a hang-up: end_session said both
    assert (voice["handoff"], voice["end_session"], voice["transfer_to"]) == (True, False, NUMBER)
    (context,) = data["outputContexts"]
    assert (context["lifespanCount"], context["parameters"]) == (50, {"voice_handed_over": True})

    later = line.say("c1", said["later"], language)  # the gateway kept the caller on the line
    assert later["fulfillmentText"] == said["handed_over"]
    assert later["fulfillmentMessages"][1:] == [speech(said["handed_over"]), TRANSFER]
    assert later["liveAgentHandoff"] is True
    (record,) = line.handoff_records()
    assert (record["reason"], record["user_id"]) == ("asked", "+31612345678")
    for reply in (voice, later["payload"]["voice"]):  # the agent desktop matches the call to its record
        assert (reply["handoff_id"], reply["handoff_reason"]) == (record["id"], "asked")
    assert record["transcript"][0] == {"speaker": "user", "text": "", "intent": "Launch"}


AWAY = {
    "nl": "Sorry, ik kan u nu niet met een collega verbinden. Onze collega's zijn er {day} vanaf 9:00 weer. "
    "U kunt ons mailen op klantenservice@example.com of met ons chatten via www.example.com/chat.",
    "en": "Sorry, I can't put you through to a colleague right now. Our colleagues are back on {day} from "
    "9:00. You can email us at klantenservice@example.com or chat with us at www.example.com/chat.",
}
"""On the phone line outside the team's hours: when they are back, and what else the caller can do (not
the number they rang)."""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_outside_the_teams_hours_a_call_is_not_transferred(phone: Any, language: str) -> None:
    """The team works one day, three days from now (the gateway's requests carry no clock of ours): a
    caller who asks for a person now hears when, the call ends after the words instead of being put
    through to nobody, and the record waits for a call back."""
    workday = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).weekday()
    line = phone(transfer_to=NUMBER, hours={WEEKDAYS[workday]: "09:00-17:00"})
    data = line.say("c1", SAID[language]["person"], language)
    assert data["fulfillmentText"] == AWAY[language].format(day=weekday_name(workday, language))
    assert TRANSFER not in data["fulfillmentMessages"] and "liveAgentHandoff" not in data
    assert data["endInteraction"] is True
    voice = data["payload"]["voice"]
    assert (voice["handoff"], voice["end_session"], voice["transfer_to"]) == (False, True, "")
    assert data["outputContexts"][0]["lifespanCount"] == 0, "no colleague to wait for on the line"
    (record,) = line.handoff_records()
    assert (record["reason"], record["after_hours"], record["user_id"]) == ("asked", True, "+31612345678")


WAITING = {
    "nl": ("nee", ["hallo is daar iemand", "ik wacht al tien minuten"]),
    "en": ("no", ["hello is anyone there", "I have been waiting ten minutes"]),
}
"""Per language: a miss before the handoff (a no to no question: the knowledge base, whose model loads
slowly at its first question, is not asked), and what the caller says while waiting for the colleague."""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_what_a_caller_says_while_waiting_for_the_colleague_is_no_review_work(
    phone: Any, language: str
) -> None:
    """Each word said on the line after the handoff went to the review list as "not understood" (and into
    the fallback rate): the assistant never read them. The log keeps them; the miss before the handoff
    stays on the list."""
    missed, waiting = WAITING[language]
    line = phone(transfer_to=NUMBER)
    for words in (missed, SAID[language]["person"], *waiting):
        line.say("c1", words, language)
    store = line.assistant.dialog.store
    rows = store.select("SELECT understood, text FROM signals ORDER BY seq")
    assert rows == [("none", missed), ("template", ""), ("waiting", ""), ("waiting", "")]
    report = build_report(store, Filters.last_days(3, today=dt.datetime.now(dt.UTC).date()))
    assert [group.text for group in report.not_understood] == [missed]
    assert (report.current.spoken, report.current.not_understood) == (2, 1)
    said = [text for (text,) in store.select("SELECT text FROM log WHERE speaker = 'user' ORDER BY seq")]
    assert said[-2:] == waiting
    assert len(line.handoff_records()) == 1
    assert store.select("SELECT count(*) FROM outbox") == [(1,)]


def test_a_v2_gateway_gets_the_handoff_in_the_payload_only(phone: Any) -> None:
    """v2 refuses endInteraction, liveAgentHandoff and TELEPHONY messages: none may be sent."""
    line = phone("v2", transfer_to=NUMBER)
    data = line.say("c1", SAID["nl"]["person"], "nl")
    assert set(data) == V2_FIELDS
    assert data["fulfillmentMessages"] == [{"text": {"text": [SAID["nl"]["handoff"]]}}]
    assert (data["payload"]["voice"]["handoff"], data["payload"]["voice"]["transfer_to"]) == (True, NUMBER)
    assert line.say("c1", "hallo?", "nl")["fulfillmentText"] == SAID["nl"]["handed_over"]
    assert len(line.handoff_records()) == 1


def test_without_a_transfer_target_the_gateway_gets_the_handoff_and_no_transfer(phone: Any) -> None:
    line = phone()
    data = line.say("c1", SAID["nl"]["person"], "nl")
    assert data["fulfillmentMessages"][1:] == [speech(SAID["nl"]["handoff"])]
    assert (data["liveAgentHandoff"], data["payload"]["voice"]["transfer_to"]) == (True, "")


NOBODY = {
    "nl": "Sorry, ik kan u nu niet met een collega verbinden. U kunt ons mailen op "
    "klantenservice@example.com of met ons chatten via www.example.com/chat.",
    "en": "Sorry, I can't put you through to a colleague right now. You can email us at "
    "klantenservice@example.com or chat with us at www.example.com/chat.",
}
"""On the phone line when nobody can take a handoff at all: what else the caller can do."""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_without_a_sink_or_a_transfer_target_the_gateway_gets_no_handoff(phone: Any, language: str) -> None:
    """With no ``[handoff]`` sink and no ``transfer_to`` the caller heard that nobody can be put through,
    while the gateway got ``liveAgentHandoff`` and the ``voice-state`` context waited for a colleague who
    would never come. As outside the team's hours: the call ends after the words; the KPIs still count
    the caller's wish for a person."""
    line = phone(sink=False)
    data = line.say("c1", SAID[language]["person"], language)
    assert data["fulfillmentText"] == NOBODY[language]
    assert "liveAgentHandoff" not in data and data["endInteraction"] is True
    assert not any("telephonyTransferCall" in message for message in data["fulfillmentMessages"])
    voice = data["payload"]["voice"]
    assert (voice["handoff"], voice["end_session"], voice["transfer_to"]) == (False, True, "")
    assert (voice["handoff_reason"], data["outputContexts"][0]["lifespanCount"]) == ("asked", 0)
    store = line.assistant.dialog.store
    report = build_report(store, Filters.last_days(2, today=dt.datetime.now(dt.UTC).date()))
    assert (report.current.handoffs, report.current.handoff_rate) == ({"asked": 1}, 1.0)
    assert store.outbox_counts() == {"pending": 1, "delivered": 0}, "the record waits for a sink"


@pytest.mark.parametrize("transfer_to", ["sip:support@pbx.example.nl", "020 123 4567", "+0201234567"])
def test_a_transfer_target_that_is_no_e164_number_stops_the_start(transfer_to: str) -> None:
    with pytest.raises(ConfigError, match=r"\[handoff\] transfer_to = .*E\.164.*takes no SIP address"):
        Config.from_dict({"handoff": {"transfer_to": transfer_to}})


@pytest.mark.parametrize("language", ["nl", "en"])
def test_only_the_end_of_the_conversation_says_expect_no_answer(phone: Any, language: str) -> None:
    """A gateway that reads expectUserResponse false hung up after the opening hours."""
    said, line = SAID[language], phone()
    for words in (said["hours"], said["contact"]):
        data = line.say("c1", words, language)
        assert data["payload"]["voice"]["end_session"] is False
        assert data["payload"]["google"]["expectUserResponse"] is True and "endInteraction" not in data
        assert data["outputContexts"][0]["lifespanCount"] == 50
    data = line.say("c1", said["bye"], language)
    assert data["fulfillmentText"] == said["goodbye"]
    assert (data["payload"]["google"]["expectUserResponse"], data["endInteraction"]) == (False, True)
    assert data["outputContexts"][0]["lifespanCount"] == 0


@pytest.mark.parametrize(
    ("intent", "event"),
    [
        ("NoInput", "actions_intent_NO_INPUT"),  # the exported intent of the no-input events
        (FALLBACK, "noUserInput"),  # an agent without it: the event's name reaches the fallback
        (FALLBACK, "NO_INPUT_REPEAT"),  # an event we do not know is no words either
    ],
    ids=["no-input-intent", "known-event-name", "unknown-event-name"],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_gateways_silence_is_asked_about_then_closed_not_transferred(
    phone: Any, language: str, intent: str, event: str
) -> None:
    said, line = SAID[language], phone(transfer_to=NUMBER)
    assert line.say("c1", "TELEPHONY_WELCOME", language, intent=WELCOME)["fulfillmentText"] == said["welcome"]
    heard = [line.say("c1", event, language, intent=intent) for _ in range(3)]
    assert [data["fulfillmentText"] for data in heard] == [
        said["still_there"],
        said["still_there"],
        said["closing"],
    ]
    assert heard[-1]["endInteraction"] is True and heard[-1]["outputContexts"][0]["lifespanCount"] == 0
    assert "endInteraction" not in heard[0] and heard[0]["payload"]["google"]["expectUserResponse"] is True
    assert line.handoff_records() == []


@pytest.mark.parametrize("event", ["TELEPHONY_HANGUP", "conversationEnd"])
def test_a_caller_who_hangs_up_mid_booking_ends_the_conversation_unsaid(phone: Any, event: str) -> None:
    """The end-of-call event was a silence: "Bent u er nog? Hoe laat?" to nobody, and an empty turn."""
    line = phone(transfer_to=NUMBER)
    for words in ("ik wil een afspraak maken", "morgen"):
        line.say("c1", words, "nl")
    _ends_the_call(line.say("c1", event, "nl"))
    store = line.assistant.dialog.store
    rows = store.select("SELECT intent, understood, flow, outcome FROM signals ORDER BY seq")
    assert rows[-1] == ("Hangup", "hangup", "BookAppointment", "gave_up")
    line.say("c2", SAID["nl"]["person"], "nl")
    line.say("c2", event, "nl")  # the end of a handed-over call is the colleague's
    assert store.select("SELECT count(*) FROM signals WHERE session_id LIKE '%c2'") == [(1,)]


def _ends_the_call(data: Mapping[str, Any]) -> None:
    """The answer to a hang-up: nothing said, the call and its contexts ended."""
    assert (data["fulfillmentText"], data["endInteraction"]) == ("", True), data
    assert data["payload"]["voice"]["end_session"] is True and "liveAgentHandoff" not in data
    assert data["outputContexts"][0]["lifespanCount"] == 0


@pytest.mark.parametrize("gave_up", ["session", "deadline"])
def test_a_hang_up_that_waits_for_its_session_is_answered_as_a_hang_up(
    phone: Any, monkeypatch: pytest.MonkeyPatch, gave_up: str
) -> None:
    """A hang-up while another turn held the call's session was answered as a waiting turn is: the
    apology ("Sorry, ...") or "one moment" with the call kept open, to a caller who had gone."""
    line = phone(transfer_to=NUMBER)
    for words in ("ik wil een afspraak maken", "morgen"):
        line.say("c1", words, "nl")
    # Only the hang-up gets the short waits: on a loaded machine, a turn before it could outlast them.
    if gave_up == "session":  # it stops waiting for its session soon: the apology
        monkeypatch.setattr(waits, "TURN_WAIT_S", 0.3)
    else:  # the request's deadline runs out while it waits: "one moment"
        monkeypatch.setattr(DialogflowChannel, "deadline_s", 0.3)
    dialog = line.assistant.dialog
    with dialog.store.lock_session(f"{PROJECT}/sessions/c1", timeout=10):  # another turn holds it
        _ends_the_call(line.say("c1", "TELEPHONY_HANGUP", "nl"))
    assert wait_for_turns(10) and dialog.missed.wait(10)
    rows = dialog.store.select("SELECT intent, flow, outcome FROM signals ORDER BY seq")
    assert rows[-1] == ("Hangup", "BookAppointment", "gave_up")  # stored once the session was free


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_phone_gateway_gets_the_ssml(phone: Any, language: str) -> None:
    """The number is read as a phone number only where the SSML reaches the phone."""
    line = phone()
    data = line.say("c1", SAID[language]["contact"], language)
    (telephony,) = [m for m in data["fulfillmentMessages"] if m.get("platform") == "TELEPHONY"]
    ssml = telephony["telephonySynthesizeSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and '<say-as interpret-as="telephone">020 123 4567</say-as>' in ssml
    simple = data["payload"]["google"]["richResponse"]["items"][0]["simpleResponse"]
    assert simple["ssml"] == ssml
    chat = line.say("c2", SAID[language]["contact"], language, source="DIALOGFLOW_MESSENGER")
    assert all("platform" not in message for message in chat["fulfillmentMessages"]), "not a phone"


WITHHELD = ["anonymous", "Anonymous", "unknown", "restricted", "private", "anonymous@anonymous.invalid", ""]
BOOKING = [
    "ik wil een afspraak maken",
    "maandag om tien uur",
    "mijn naam is Els de Vries",
    "ja",
    "advies",
    "ja",
]


def test_callers_who_withhold_their_number_share_no_user_record(phone: Any, tmp_path: Path) -> None:
    """ "anonymous" was one user id: a second caller's turns carried the first caller's name and booking."""
    with serving_booking_api() as (api, url):
        line = phone(skill={"booking_url": url})
        for number, caller in enumerate([*WITHHELD, "+31687654321"]):
            for words in BOOKING:
                data = line.say(f"b{number}", words, "nl", caller=caller)
            assert data["fulfillmentText"].startswith("Gelukt! Uw afspraak staat op maandag")
    assert len(api.bookings) == len(WITHHELD) + 1
    store = line.assistant.store
    assert all(store.sessions_of(caller) == () for caller in WITHHELD if caller)
    assert [s.user_id for s in store.sessions_of("+31687654321")] == ["+31687654321"]
    with sqlite3.connect(tmp_path / "sessions-0.db") as db:
        users = db.execute("SELECT id FROM users").fetchall()
    assert users == [("+31687654321",)], "only the caller with a number is remembered"


@pytest.mark.parametrize("api_version", ["v2", "v2beta1"])
def test_a_transfer_target_a_v2_webhook_cannot_send_is_warned_of_at_start_and_in_check(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, api_version: str
) -> None:
    """With v2 the number is only in payload.voice: a gateway that reads the standard messages never
    puts the call through, and nothing said so."""
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n'
        f'[server]\ndialogflow_api_version = "{api_version}"\n[handoff]\ntransfer_to = "{NUMBER}"\n'
    )
    warned = "transfer_to is set, but Dialogflow's v2 webhook responses have no transfer message"
    with caplog.at_level("WARNING", logger="voice.server"):
        app = create_app({"VOICE_CONFIG": str(config), "ALEXA_VERIFY": False})
    app.extensions["voice.assistant"].close()
    checked = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    assert (warned in caplog.text, warned in checked.output) == (api_version == "v2",) * 2


@pytest.mark.parametrize(
    ("handoff", "warned"),
    [
        ("", True),
        (f'[handoff]\ntransfer_to = "{NUMBER}"\n', False),
        ('[handoff]\nqueue = "q.jsonl"\n', False),
    ],
    ids=["nobody", "transfer", "queue"],
)
def test_a_start_with_nobody_to_take_a_handoff_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, handoff: str, warned: bool
) -> None:
    """Without a sink or a number every caller who asks for a person hears "nobody can take over now",
    and the team deploying it was told nothing."""
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n{handoff}')
    with caplog.at_level("WARNING", logger="voice.server"):
        app = create_app({"VOICE_CONFIG": str(config), "ALEXA_VERIFY": False})
    app.extensions["voice.assistant"].close()
    assert ("[handoff] has no url, queue or transfer_to" in caplog.text) is warned, caplog.text
