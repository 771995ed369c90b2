"""The dialog layer's parts that scripts do not show: failures, sinks, state, resolved intents."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from handoff_records import handoff_record

from voice import Expect, Reply, Router, Skill, SlotValue, Turn, load_skill
from voice.analytics.kpis import read_totals
from voice.analytics.period import Filters
from voice.assistant import build_assistant
from voice.config import Config
from voice.dialog import Dialog, HandoffPolicy, HandoffRecord, HttpSink, QueueFileSink
from voice.state import Confirming, DialogState
from voice.store import Store, open_store

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """An empty store, once on SQLite and once on PostgreSQL (see TEST_STORES in tests/conftest.py)."""
    with open_store(any_store_url) as opened:
        yield opened


@pytest.fixture(scope="module")
def customer_service() -> Skill:
    return load_skill("customer_service")


def _turn(text: str = "", **fields: object) -> Turn:
    return Turn(
        text=text, locale=str(fields.pop("locale", "en")), session_id="s1", user_id="u1", time=NOW, **fields
    )  # type: ignore[arg-type]


def test_a_failing_handler_apologises_keeps_the_session_and_logs(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Skill("broken", tmp_path)
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Crash:\n    data: [{sentences: ['crash now']}]\n"
    )

    @broken.intent("Crash")
    def crash(turn: Turn) -> Reply:
        raise ConnectionError("the order API refused the connection")

    dialog = Dialog(Router([broken]), store)
    with caplog.at_level(logging.ERROR):
        reply = dialog.respond(_turn("crash now"))
    assert reply.text == "Sorry, something went wrong on my side. Please try again in a moment."
    assert not reply.end_session and reply.expect is Expect.ANSWER
    assert reply.reprompt == "What can I help you with?"  # a platform's own timeout asks short
    session = store.load("s1")
    assert session is not None and not session.ended and [t.text for t in session.history][-1] == reply.text
    assert "Traceback" in caplog.text and "the order API refused the connection" in caplog.text


def test_intents_resolved_by_the_channel_run_the_flow(store: Store, customer_service: Skill) -> None:
    dialog = Dialog(Router([customer_service]), store)
    tomorrow = SlotValue(text="tomorrow", value=dt.date(2026, 11, 24))
    reply = dialog.respond(_turn(intent="BookAppointment", slots={"date": tomorrow}))
    assert (reply.text, reply.expect, reply.slot) == ("At what time?", Expect.SLOT, "time")


def test_a_channel_s_unresolved_list_words_are_read_within_the_intent_s_context_rules(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  TurnOnLight:\n    data:\n      - sentences: ['turn on {device}']\n"
        "        requires_context: {domain: light}\nlists:\n  device:\n    values:\n"
        "      - {in: ceiling lamp, out: ceiling_light, context: {domain: light}}\n"
        "      - {in: the fan, out: bedroom_fan, context: {domain: fan}}\n"
    )
    home = Skill("home", tmp_path)

    @home.intent("TurnOnLight")
    def turn_on(turn: Turn) -> Reply:
        return Reply(speech=f"on: {turn.value('device', 'which light?')}")

    dialog = Dialog(Router([home]), store)
    said = [  # Alexa without entity resolution sends the words
        dialog.respond(_turn(intent="TurnOnLight", slots={"device": SlotValue(text=words, value=words)})).text
        for words in ("ceiling lamp", "the fan")
    ]
    assert said == ["on: ceiling_light", "on: which light?"]  # a fan is no light


def test_the_handoff_record_carries_transcript_slots_and_ids(
    store: Store, customer_service: Skill, tmp_path: Path
) -> None:
    queue = tmp_path / "handoff.jsonl"
    dialog = Dialog(Router([customer_service]), store, sink=QueueFileSink(queue))
    dialog.respond(_turn("ik wil een afspraak maken", locale="nl"))
    dialog.respond(_turn("morgen", locale="nl"))
    reply = dialog.respond(_turn("ik wil een medewerker spreken", locale="nl"))
    assert reply.handoff and reply.end_session
    assert dialog.sender is not None and dialog.sender.drain()  # delivered after the turn, not in it
    record = json.loads(queue.read_text())
    assert len(record["id"]) == 32 and store.outbox_counts() == {"pending": 0, "delivered": 1}
    assert record["reason"] == "asked" and (record["session_id"], record["user_id"]) == ("s1", "u1")
    assert record["slots"] == {"date": {"$date": "2026-11-24"}} and record["skill"] == "customer_service"
    assert [t["text"] for t in record["transcript"] if t["speaker"] == "user"][:2] == [
        "ik wil een afspraak maken",
        "morgen",
    ]
    session = store.load("s1")
    assert session is not None and session.handed_over
    assert session.ended, "the assistant's part of the call is over"
    dialog.respond(_turn("hallo?", locale="nl"))
    fresh = store.load("s1")
    assert fresh is not None and not fresh.handed_over and len(fresh.history) == 2, "a new call starts afresh"


def test_a_handoff_without_a_sink_waits_in_the_outbox_for_one(
    store: Store, customer_service: Skill, tmp_path: Path
) -> None:
    """With no ``[handoff]`` yet, the record is kept (the caller heard that nobody can be put through
    now, and no gateway is told to put the call through), and the first dialog with a sink delivers it."""
    reply = Dialog(Router([customer_service]), store).respond(_turn("i want to talk to a person"))
    assert not reply.handoff and store.outbox_counts() == {"pending": 1, "delivered": 0}
    queue = tmp_path / "handoff.jsonl"
    later = Dialog(Router([customer_service]), store, sink=QueueFileSink(queue))
    assert later.sender is not None and later.sender.drain()
    assert json.loads(queue.read_text())["session_id"] == "s1"
    assert store.outbox_counts() == {"pending": 0, "delivered": 1}
    later.close()


NOBODY = {  # the skill's own no_person, with the number of its data/company.yaml
    "nl": "Sorry, ik kan u nu niet met een collega verbinden. "
    "U kunt ons tijdens onze openingstijden bellen op 020 123 4567.",
    "en": "Sorry, I can't put you through to a colleague right now. "
    "You can call us on 020 123 4567 during our opening hours.",
}
PUT_THROUGH = {
    "nl": "Ik verbind u door met een collega. Een ogenblik geduld alstublieft.",
    "en": "I'll put you through to one of my colleagues. Please hold on.",
}
SAID = {
    "asked": {"nl": ["mag ik een medewerker spreken"], "en": ["i want to talk to a person"]},
    "fallbacks": {"nl": ["blabla"] * 3, "en": ["blah blah"] * 3},
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("reason", ["asked", "fallbacks"])
@pytest.mark.parametrize("sink", [True, False], ids=["sink", "no-sink"])
def test_a_person_is_promised_only_when_one_can_be_reached(
    customer_service: Skill, tmp_path: Path, language: str, reason: str, sink: bool
) -> None:
    """Without a sink (and no number to transfer to) nobody gets the record in time: the caller hears
    so instead of "one moment, please", and a gateway is not told to hand over. The handoff counts the
    same either way."""
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        queue = QueueFileSink(tmp_path / "handoff.jsonl") if sink else None
        dialog = Dialog(Router([customer_service]), store, sink=queue)
        replies = [dialog.respond(_turn(text, locale=language)) for text in SAID[reason][language]]
        dialog.close()
        assert replies[-1].text == (PUT_THROUGH if sink else NOBODY)[language]
        assert replies[-1].handoff is sink and replies[-1].end_session
        assert read_totals(store, Filters.last_days(2, today=NOW.date())).get(f"handoff:{reason}") == 1


def test_filler_between_misses_neither_resets_nor_adds_to_them(
    customer_service: Skill, tmp_path: Path
) -> None:
    """Filler ("eh", "wacht even": the built-in Wait) is no answer that helped: a caller misunderstood three
    times reaches a person, however much they hesitate in between, and the hesitation is no miss either."""
    lines = ["blabla", "eh", "blabla", "wacht even", "momentje", "blabla"]
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([customer_service]), store)
        replies = [dialog.respond(_turn(text, locale="nl")).text for text in lines]
        dialog.close()
        assert replies[1] == "Natuurlijk, neemt u de tijd. Zeg het maar als u zover bent."
        assert replies[-2] == replies[1] and replies[-1] == NOBODY["nl"]


def test_filler_to_anything_else_keeps_the_question(customer_service: Skill, tmp_path: Path) -> None:
    """ "Wacht even" to "Kan ik nog iets anders voor u doen?" dropped the question, and the caller's no
    after it was a stray no: "Sorry, dat verstond ik niet", a miss, where a goodbye was meant."""
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([customer_service]), store)
        replies = [dialog.respond(_turn(text, locale="nl")) for text in ("bedankt", "wacht even", "nee")]
        dialog.close()
    assert replies[1].text == "Natuurlijk, neemt u de tijd. Kan ik nog iets voor u doen?"
    assert (replies[2].text, replies[2].end_session) == ("Tot ziens, en dank u wel.", True)


def test_a_call_kept_on_the_line_after_it_is_not_promised_a_colleague_either(
    customer_service: Skill, tmp_path: Path
) -> None:
    """A gateway that keeps the caller on the line (``Turn.handed_over``) heard "A colleague will be with
    you shortly." at every turn, though nobody would come."""
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([customer_service]), store)
        dialog.respond(_turn(SAID["asked"]["nl"][0], locale="nl"))
        later = dialog.respond(_turn("hallo?", locale="nl", handed_over=True))
        assert later.text == NOBODY["nl"] and not later.handoff and later.end_session


def test_silence_is_reprompted_then_the_call_closes(store: Store, customer_service: Skill) -> None:
    dialog = Dialog(Router([customer_service]), store, policy=HandoffPolicy(max_no_input=2))
    dialog.respond(_turn("where is my order"))
    first, second, third = (dialog.respond(_turn("")) for _ in range(3))
    assert first.text == second.text == "Are you still there? What is your order number?"
    assert third.end_session and "end our conversation" in third.text


GOODBYES = {
    # locale, goodbye, call: (what the caller hears, and after silence)
    ("en", "bye", True): (
        "Goodbye, and thanks for calling.",
        "I didn't hear anything, so I'll end the call now. Goodbye.",
    ),
    ("en", "bye", False): (
        "Goodbye, and thank you.",
        "I didn't hear anything, so I'll end our conversation now. Goodbye.",
    ),
    ("nl", "doei", True): (
        "Tot ziens, en bedankt voor uw telefoontje.",
        "Ik hoor niets meer, dus ik beëindig het gesprek. Tot ziens.",
    ),
    ("nl", "doei", False): (
        "Tot ziens, en dank u wel.",
        "Ik hoor niets meer, dus ik beëindig het gesprek. Tot ziens.",
    ),
}


@pytest.mark.parametrize(
    ("locale", "goodbye", "call", "said"),
    [(*key, said) for key, said in GOODBYES.items()],
    ids=[f"{locale}-{'call' if call else 'microphone-or-chat'}" for locale, _, call in GOODBYES],
)
def test_the_goodbye_fits_the_channel(
    store: Store, customer_service: Skill, locale: str, goodbye: str, call: bool, said: tuple[str, str]
) -> None:
    """ "Thanks for calling" was said at the local microphone and in a typed chat too."""
    dialog = Dialog(Router([customer_service]), store, policy=HandoffPolicy(max_no_input=0))
    left, silent = (
        dialog.respond(Turn(text=text, locale=locale, call=call, session_id=text or "silent", time=NOW))
        for text in (goodbye, "")
    )
    assert (left.text, silent.text) == said
    assert left.end_session and silent.end_session


@pytest.mark.parametrize(
    ("locale", "asked", "said"),
    [
        ("nl", "spreekt u engels", "Sorry, ik spreek hier alleen Nederlands. Waarmee kan ik u helpen?"),
        ("en", "do you speak dutch", "Sorry, I only speak English here. What can I help you with?"),
    ],
)
def test_a_chat_asking_for_another_language_hears_which_one_it_gets(
    customer_service: Skill, locale: str, asked: str, said: str
) -> None:
    """The Dutch fallback answered "spreekt u Engels?". Off the phone there is no line to speak of
    (on a call: skills/customer_service/tests/speak_language_*.yaml)."""
    with open_store("sqlite://:memory:") as store:
        reply = Dialog(Router([customer_service]), store).respond(_turn(asked, locale=locale))
    assert (reply.text, reply.expect) == (said, Expect.ANSWER)


def test_dialog_state_round_trips_through_json() -> None:
    state = DialogState.from_json(
        {
            "flow": {
                "intent": "BookAppointment",
                "skill": "cs",
                "slots": {"date": {"text": "morgen", "value": {"$date": "2026-11-24"}, "id": None}},
                "asking": "time",
                "confirming": "intent",
            },
            "fallbacks": 1,
            "last_reply": Reply(speech="Hoe laat?", reprompt="Hoe laat?", expect=Expect.SLOT).to_dict(),
            "outcome": "gave_up",
        }
    )
    assert state.flow is not None and state.flow.slots["date"].value == dt.date(2026, 11, 24)
    assert state.flow.confirming is Confirming.INTENT and state.last_reply is not None
    assert state.outcome == "gave_up"
    assert DialogState.from_json(json.loads(json.dumps(state.to_json()))) == state
    assert state.context() == {"dialog": "BookAppointment", "asking": "time"}


def test_a_state_stored_by_an_earlier_version_still_loads() -> None:
    """Before the enum, a flow confirming a slot kept the slot's name in ``confirming``; before several
    late replies could wait, the one late reply was ``pending_reply``."""
    late = Reply(speech="Booked for Tuesday.", end_session=True)
    state = DialogState.from_json(
        {
            "flow": {"intent": "Book", "skill": "cs", "slots": {}, "confirming": "name"},
            "handed_over": False,
            "pending_reply": late.to_dict(),
        }
    )
    assert state.flow is not None
    assert (state.flow.confirming, state.flow.confirming_slot) == (Confirming.SLOT, "name")
    assert state.pending_replies == (late,) and state.pending_reply == late


def test_waiting_replies_are_told_together_with_any_goodbye_or_handoff_among_them() -> None:
    handoff = Reply(speech="A colleague will call you back.", handoff=True, end_session=True)
    later = Reply(speech="Your order has shipped.")
    joined = DialogState().with_pending(handoff).with_pending(later).pending_reply
    assert joined is not None and joined.text == "A colleague will call you back. Your order has shipped."
    assert joined.handoff and joined.end_session


@pytest.mark.parametrize(
    ("text", "language", "irritated"),
    [
        ("this is useless", "en", True),
        ("Dit is BELACHELIJK!", "nl", True),
        ("wat een onzin, ik word hier gek van", "nl", True),
        ("oh what the hell", "en", True),
        ("mijn cadeaubon werkt niet", "nl", False),
        ("my gift card is not working", "en", False),
        ("the discount code doesn't work", "en", False),
        ("the parcel arrived in terrible condition", "en", False),
        ("can i come on monday", "en", False),
        ("useful information", "en", False),
        ("stomen", "nl", False),
        ("wat is de status", "nl", False),
        ("je begrijpt me niet", "nl", True),
        ("u snapt het niet", "nl", True),
        ("ik begrijp het niet helemaal", "nl", False),
        ("wat een waardeloze service", "nl", True),
        ("wat een belachelijke vertraging", "nl", True),
        ("nog belachelijker dan vorige week", "nl", True),
        ("een stomme vraag misschien", "nl", True),
        ("wat een prettige dag", "nl", False),
        ("waardeloze", "en", False),
    ],
    ids=[
        "useless",
        "belachelijk",
        "onzin",
        "what-the-hell",
        "werkt-niet",
        "not-working",
        "doesnt-work",
        "terrible",
        "come-on-monday",
        "useful",
        "stomen",
        "neutral",
        "begrijpt-me-niet",
        "snapt-het-niet",
        "caller-does-not-understand",
        "waardeloze-before-a-noun",
        "belachelijke-before-a-noun",
        "belachelijker-compared",
        "stomme-doubled-consonant",
        "prettige",
        "dutch-forms-only-in-dutch",
    ],
)
def test_irritation_cues_are_whole_words(text: str, language: str, irritated: bool) -> None:
    assert HandoffPolicy().irritated(text, language) is irritated


def test_a_configured_dutch_cue_matches_its_inflected_forms_too() -> None:
    policy = HandoffPolicy(irritation_cues={"nl": ["Traag!"]})
    assert policy.irritated("wat een trage klantenservice", "nl")
    assert not policy.irritated("wat een waardeloze service", "nl"), "a language given replaces its cues"


def _record() -> HandoffRecord:
    help_asked = ({"speaker": "user", "text": "help", "intent": "Help"},)
    return handoff_record(
        "h1", user_id="u", session_id="s", time=NOW, skill="cs", channel="test", transcript=help_asked
    )


class _Endpoint:
    """A loopback HTTP endpoint for handoff records that fails the first ``failures`` posts."""

    def __init__(self, failures: int) -> None:
        self.received: list[dict[str, object]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if endpoint.failed < failures:
                    endpoint.failed += 1
                    self.send_response(500)
                else:
                    endpoint.received.append(body)
                    self.send_response(201)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.failed = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/handoff"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_http_sink_retries_until_the_record_arrives() -> None:
    # One failure and two retries left: the sink must stop after the first 2xx, so exactly one record
    # arrives (a sink that kept posting on the remaining attempt would deliver it twice).
    endpoint = _Endpoint(failures=1)
    try:
        assert HttpSink(endpoint.url, retries=2, backoff=0.01).deliver(_record())
        assert endpoint.failed == 1
        assert len(endpoint.received) == 1, endpoint.received
        assert endpoint.received[0]["reason"] == "asked"
    finally:
        endpoint.close()


def test_http_sink_gives_up_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert not HttpSink("http://127.0.0.1:9/handoff", timeout=0.5, retries=1, backoff=0.01).deliver(
            _record()
        )
    assert "was not delivered" in caplog.text


def test_what_a_reply_remembers_comes_back_in_the_next_session(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "memo"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Remember:\n    data: [{sentences: ['call me {name}']}]\n"
        "  Greet:\n    data: [{sentences: ['hello']}]\nlists:\n  name: {wildcard: true}\n"
    )
    memo = Skill("memo", folder)

    @memo.intent("Remember")
    def remember(turn: Turn) -> Reply:
        return Reply(speech="Okay.", remember={"name": turn.value("name")})

    @memo.intent("Greet")
    def greet(turn: Turn) -> Reply:
        return Reply(speech=f"Hello {turn.user.get('name', 'stranger')}!", end_session=True)

    dialog = Dialog(Router([memo]), store)
    assert dialog.respond(_turn("hello")).speech == "Hello stranger!"
    dialog.respond(Turn(text="call me anna", session_id="s2", user_id="u1", time=NOW))
    assert dialog.respond(Turn(text="hello", session_id="s3", user_id="u1", time=NOW)).speech == "Hello anna!"
    assert dialog.respond(Turn(text="hello", session_id="s4", user_id="someone else", time=NOW)).speech == (
        "Hello stranger!"
    )


def test_a_language_no_skill_speaks_is_declined_politely(store: Store, customer_service: Skill) -> None:
    reply = Dialog(Router([customer_service]), store).respond(_turn("bonjour", locale="fr-FR"))
    assert reply.text == "Sorry, I can't help in that language yet." and reply.end_session


def test_help_comes_from_the_skills_that_know_what_they_do(
    store: Store, customer_service: Skill, tmp_path: Path
) -> None:
    reply = Dialog(Router([customer_service]), store).respond(_turn("help"))
    assert "book an appointment" in reply.text and reply.expect is Expect.ANSWER
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Weather:\n    data: [{sentences: ['how is the weather']}]\n"
    )
    quiet = Dialog(Router([Skill("weather", tmp_path)]), store).respond(
        Turn(text="help", session_id="s2", time=NOW)
    )
    assert (
        quiet.text
        == "You can ask me your question in your own words. You can also ask for a person at any time."
    )


def test_runtime_lists_and_built_in_intents_are_in_the_router_from_the_start() -> None:
    assistant = build_assistant(
        Config(), store="sqlite://:memory:", home_assistant=["nl"], lists={"area": ["keuken"]}
    )
    router = assistant.router
    assert router.parse("ja", "nl") is not None and router.parse("ja", "nl").intent == "Yes"  # type: ignore[union-attr]
    match = router.parse("doe de lampen in de keuken aan", "nl")
    assert match is not None and match.intent == "HassTurnOn" and match.slots["area"].value == "keuken"


def _slow_skill(
    tmp_path: Path, *, end_session: bool = False, seconds: float = 0.6, bookings: list[str] | None = None
) -> Skill:
    """A skill whose one intent takes ``seconds``; each run is counted in ``bookings``."""
    slow = Skill("slow", tmp_path)
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Book:\n    data: [{sentences: ['book it']}]\n"
    )

    @slow.intent("Book")
    def book(turn: Turn) -> Reply:
        time.sleep(seconds)
        if bookings is not None:
            bookings.append(turn.text)
        return Reply(speech="Booked for Tuesday.", end_session=end_session)

    return slow


@pytest.mark.parametrize("end_session", [False, True], ids=["goes-on", "ends-the-call"])
def test_a_late_reply_is_told_at_the_next_turn_whatever_it_is(
    store: Store, tmp_path: Path, end_session: bool
) -> None:
    """Also a reply that ends the call: the caller has not heard it, so the session waits for them."""
    dialog = Dialog(Router([_slow_skill(tmp_path, end_session=end_session)]), store)
    first = dialog.respond(_turn("book it", deadline=time.monotonic() + 0.35))
    assert "One moment" in first.text
    time.sleep(1.0)  # the booking finished meanwhile
    later = dialog.respond(_turn("so is it done"))  # not understood: the fallback answers, after the news
    assert later.text.startswith("Here is the answer to your earlier question. Booked for Tuesday.")
    assert later.end_session is end_session, "a goodbye the caller hears late still ends the call"


def test_a_repeated_request_is_answered_once_and_its_answer_not_told_twice(
    store: Store, tmp_path: Path
) -> None:
    bookings: list[str] = []
    dialog = Dialog(Router([_slow_skill(tmp_path, bookings=bookings)]), store)
    first = dialog.respond(_turn("book it", request_id="r1"))
    # counted, not timed: a busy machine may take longer than a short deadline to find the stored answer
    again = dialog.respond(_turn("book it", request_id="r1", deadline=time.monotonic() + 10))
    assert first.text == again.text == "Booked for Tuesday."
    assert bookings == ["book it"], "the repeat is answered from the store, not booked again"
    assert "earlier question" not in dialog.respond(_turn("hello")).text
    session = store.load("s1")
    assert session is not None and [t.text for t in session.history].count("book it") == 1


def test_a_request_sent_again_after_one_moment_gets_its_answer_once(store: Store, tmp_path: Path) -> None:
    """The platform sends a request again after its first sending heard "one moment": the retry hears
    the answer, and the next turn does not tell it a second time."""
    from voice.dialog.deadline import wait_for_turns

    dialog = Dialog(Router([_slow_skill(tmp_path)]), store)
    first = dialog.respond(_turn("book it", request_id="r1", deadline=time.monotonic() + 0.35))
    assert "One moment" in first.text
    assert wait_for_turns(10)
    assert dialog.respond(_turn("book it", request_id="r1")).text == "Booked for Tuesday."
    after = dialog.respond(_turn("hello")).text
    assert "earlier question" not in after and "Booked" not in after, after
    session = store.load("s1")
    assert session is not None and [t.text for t in session.history].count("book it") == 1


def test_a_request_sent_again_that_also_hears_one_moment_loses_nothing(store: Store, tmp_path: Path) -> None:
    """The retry waits for the first sending's turn past its own deadline: both heard "one moment", so
    the answer is still told at the next turn."""
    from voice.dialog.deadline import wait_for_turns

    dialog = Dialog(Router([_slow_skill(tmp_path)]), store)
    first = threading.Thread(
        target=dialog.respond, args=(_turn("book it", request_id="r1", deadline=time.monotonic() + 0.35),)
    )
    first.start()
    time.sleep(0.1)
    retry = dialog.respond(_turn("book it", request_id="r1", deadline=time.monotonic() + 0.35))
    first.join()
    assert "One moment" in retry.text
    assert wait_for_turns(10)
    after = dialog.respond(_turn("hello")).text
    assert after.startswith("Here is the answer to your earlier question. Booked for Tuesday."), after


def test_a_goodbye_told_to_a_request_sent_again_ends_the_session(store: Store, tmp_path: Path) -> None:
    from voice.dialog.deadline import wait_for_turns

    dialog = Dialog(Router([_slow_skill(tmp_path, end_session=True)]), store)
    assert (
        "One moment"
        in dialog.respond(_turn("book it", request_id="r1", deadline=time.monotonic() + 0.35)).text
    )
    assert wait_for_turns(10)
    retry = dialog.respond(_turn("book it", request_id="r1"))
    assert retry.text == "Booked for Tuesday." and retry.end_session
    session = store.load("s1")
    assert session is not None and session.ended and session.dialog.pending_reply is None


def test_a_commit_slowed_past_the_deadline_keeps_its_goodbye_for_the_next_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The turn decided a goodbye in time, then its commit took past the deadline (after the session was
    decided on): the caller heard "one moment". Before the turn lets go of its session it keeps the
    goodbye for the next turn, which must not slip in between and start afresh."""
    from voice.dialog.deadline import wait_for_turns
    from voice.store import SqliteStore

    dialog_store = SqliteStore(tmp_path / "slow.db")
    dialog = Dialog(Router([_slow_skill(tmp_path / "skill", end_session=True, seconds=0.0)]), dialog_store)
    real_save = dialog_store.save

    def slow_save(session: Any, **changes: Any) -> Any:
        if changes.get("log"):
            time.sleep(0.5)  # the turn's commit
        return real_save(session, **changes)

    monkeypatch.setattr(dialog_store, "save", slow_save)
    after_lock = dialog._housekeeping
    monkeypatch.setattr(dialog, "_housekeeping", lambda: (time.sleep(0.4), after_lock()))
    first = dialog.respond(_turn("book it", deadline=time.monotonic() + 0.5))  # "one moment" at 0.2 s
    assert "One moment" in first.text
    time.sleep(0.5)  # the commit is done; the worker has let go of the session, not yet finished
    monkeypatch.setattr(dialog_store, "save", real_save)
    later = dialog.respond(_turn("hello"))
    assert later.text.startswith("Here is the answer to your earlier question. Booked for Tuesday."), (
        later.text
    )
    assert later.end_session
    assert wait_for_turns(5)
    dialog_store.close()


def test_a_stopping_worker_lets_its_late_turns_commit(store: Store, tmp_path: Path) -> None:
    from voice.dialog.deadline import wait_for_turns

    dialog = Dialog(Router([_slow_skill(tmp_path)]), store)
    assert "One moment" in dialog.respond(_turn("book it", deadline=time.monotonic() + 0.35)).text
    assert wait_for_turns(5.0)  # what the server's exit hook waits for
    session = store.load("s1")
    assert session is not None and session.dialog.pending_reply is not None
    assert session.dialog.pending_reply.text == "Booked for Tuesday."


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("nl", ["ik wil een afspraak maken", "morgen om drie uur", "kees jansen", "ik wil een medewerker"]),
        ("en", ["book an appointment", "tomorrow at 3 pm", "anna smith", "goodbye"]),
    ],
    ids=["nl-handoff", "en-goodbye"],
)
def test_an_ended_conversation_keeps_how_it_ended_and_none_of_the_callers_words(
    store: Store, customer_service: Skill, locale: str, said: list[str]
) -> None:
    """The flow's slots (the caller's name) and the replies that repeat them stayed in the session's
    state after the end, until the session was purged."""
    dialog = Dialog(Router([customer_service]), store)
    replies = [dialog.respond(_turn(text, locale=locale)) for text in said]
    assert replies[-1].end_session and "jansen" not in replies[-1].text.lower()
    session = store.load("s1")
    assert session is not None and session.ended
    kept = json.dumps(session.dialog.to_json()).lower()
    assert "jansen" not in kept and "smith" not in kept, kept
    assert session.dialog.flow is None and session.dialog.last_reply is None
    assert session.dialog.handed_over is (locale == "nl") and session.dialog.outcome


@pytest.mark.parametrize(
    ("locale", "said", "asked_again"),
    [
        (
            "nl",
            [
                "ik wil een afspraak maken",
                "morgen om drie uur",
                "mijn naam is kees jansen en mijn nummer is 0612345678",
            ],
            "Sorry, ik heb alleen uw naam nodig. En wat is uw naam?",
        ),
        (
            "en",
            [
                "book an appointment",
                "tomorrow at 3 pm",
                "my name is anna smith and my number is 06 1234 5678",
            ],
            "Sorry, I only need your name. And what is your name?",
        ),
    ],
    ids=["nl", "en"],
)
def test_a_phone_number_said_after_the_name_is_not_read_back_or_kept_as_the_name(
    store: Store, customer_service: Skill, locale: str, said: list[str], asked_again: str
) -> None:
    """ "Heb ik uw naam goed verstaan: Kees Jansen En Mijn Nummer Is ...?" read the number back, and the
    flow kept it in the session's state."""
    dialog = Dialog(Router([customer_service]), store)
    *_, reply = [dialog.respond(_turn(text, locale=locale)) for text in said]
    assert reply.text == asked_again
    session = store.load("s1")
    assert session is not None and "5678" not in json.dumps(session.dialog.to_json())
