"""The dialog fills a turn's signals from what the turn did, and the store keeps them with the turn."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from booking_api import serving_booking_api

from voice import Reply, Router, Skill, Turn
from voice.analytics import Filters, build_report, flow_steps
from voice.dialog import Answer, Answerer, Dialog, waits
from voice.dialog.answerers import Loading
from voice.dialog.deadline import wait_for_turns
from voice.dialog.handoff import HandoffPolicy
from voice.dialog.knowledge import KnowledgeAnswerer
from voice.state import DialogState
from voice.store import Store, open_store

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
COLUMNS = (
    "intent, understood, text, flow, flow_started, flow_step, flow_completed, flow_abandoned, knowledge, "
    "handoff, outcome"
)


@pytest.fixture
def dialog(shop_dialog: Dialog) -> Dialog:
    return shop_dialog


def _say(dialog: Dialog, text: str, session: str = "s1", locale: str = "en") -> None:
    dialog.respond(Turn(text=text, locale=locale, session_id=session, user_id="u1", time=NOW))


def _signals(store: Store) -> list[dict[str, Any]]:
    rows = store.select(f"SELECT {COLUMNS} FROM signals ORDER BY seq")
    return [dict(zip(COLUMNS.split(", "), row, strict=True)) for row in rows]


def _counts(store: Store) -> dict[str, int]:
    return dict(store.select("SELECT metric, sum(count) FROM rollup GROUP BY metric HAVING sum(count) <> 0"))


def test_a_flow_is_started_stepped_and_completed(dialog: Dialog) -> None:
    for text in ("where is my order", "no idea", "one two three four"):
        _say(dialog, text)
    first, missed, done = _signals(dialog.store)
    assert (first["flow"], first["flow_started"], first["flow_step"]) == ("OrderStatus", 1, "order_number")
    assert (missed["understood"], missed["text"], missed["flow_step"]) == ("template", "", "")
    assert (done["flow"], done["flow_completed"], done["outcome"]) == ("OrderStatus", 1, "contained")
    counts = _counts(dialog.store)
    assert counts["conversations"] == 1 and counts["outcome:contained"] == 1
    assert counts["flow:OrderStatus:started"] == counts["flow:OrderStatus:completed"] == 1


def test_not_understood_knowledge_and_a_handoff_asked_by_the_caller(dialog: Dialog) -> None:
    _say(dialog, "purple monkeys dishwasher")
    _say(dialog, "how long does delivery take")
    _say(dialog, "I want to talk to a person")
    missed, asked, handoff = _signals(dialog.store)
    assert (missed["understood"], missed["text"], missed["knowledge"]) == (
        "none",
        "purple monkeys dishwasher",
        "abstain",
    )
    assert asked["understood"] == "knowledge" and asked["knowledge"] in ("answer", "confirm")
    assert (handoff["intent"], handoff["handoff"], handoff["outcome"]) == ("TalkToAgent", "caller", "handoff")
    counts = _counts(dialog.store)
    assert counts["handoff:asked"] == 1 and counts["outcome:handoff"] == 1 and counts["conversations"] == 1
    assert "outcome:gave_up" not in counts and "outcome:contained" not in counts


def test_a_cancelled_flow_is_abandoned_and_a_dutch_conversation_counts_apart(dialog: Dialog) -> None:
    _say(dialog, "ik wil een afspraak maken", session="nl1", locale="nl")
    _say(dialog, "laat maar", session="nl1", locale="nl")
    started, cancelled = _signals(dialog.store)
    assert started["flow_started"] and started["flow_step"] == "date"
    assert (cancelled["flow"], cancelled["flow_abandoned"], cancelled["outcome"]) == (
        "BookAppointment",
        1,
        "contained",
    )
    assert dialog.store.select("SELECT DISTINCT locale, skill FROM rollup") == [("nl", "customer_service")]


@pytest.mark.parametrize(
    ("language", "booking", "question", "order"),
    [
        (
            "nl",
            "ik wil een afspraak maken",
            "hoe laat zijn jullie open",
            "waar is bestelling een twee drie vier",
        ),
        ("en", "I want to book an appointment", "when are you open", "where is order one two three four"),
    ],
    ids=["nl", "en"],
)
def test_a_flow_left_for_another_flow_is_abandoned_but_not_one_interrupted_by_a_question(
    shop_skill: Skill,
    shop_answerers: list[Answerer],
    tmp_path: Path,
    language: str,
    booking: str,
    question: str,
    order: str,
) -> None:
    """A question in the middle of a booking keeps the booking open; another flow takes its place."""
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([shop_skill]), store, answerers=shop_answerers)
        for text in (booking, question, order):
            _say(dialog, text, locale=language)
        rows = _signals(store)
        assert [(row["flow"], row["flow_abandoned"]) for row in rows] == [
            ("BookAppointment", 0),
            ("BookAppointment", 0),
            ("OrderStatus", 0),
        ]
        report = build_report(store, Filters(start=NOW.date(), end=dt.datetime.now(dt.UTC).date()))
    flows = {flow.flow: (flow.started, flow.completed, flow.abandoned) for flow in report.current.flows}
    assert flows == {"BookAppointment": (1, 0, 1), "OrderStatus": (1, 1, 0)}


@pytest.mark.parametrize(
    ("language", "contained", "handoff", "missed"),
    [
        ("nl", "hoe laat zijn jullie open", "ik wil een medewerker spreken", "kwispel de wasbeer fladder"),
        ("en", "when are you open", "I want to talk to a person", "the neighbours cat is barking"),
    ],
    ids=["nl", "en"],
)
def test_conversations_feed_the_kpis(
    dialog: Dialog, language: str, contained: str, handoff: str, missed: str
) -> None:
    """A contained conversation, a handoff and a not-understood utterance, as the report counts them
    (tests/voice/analytics/test_dashboard.py shows such an utterance understood after a review)."""
    for session, text in (("a", contained), ("b", handoff), ("c", missed)):
        _say(dialog, text, session=session, locale=language)
    # conversations count on the day the store started them (its clock), turns on the turn's day
    today = dt.datetime.now(dt.UTC).date()
    report = build_report(dialog.store, Filters(start=min(NOW.date(), today), end=today, locale=language))
    kpis = report.current
    assert (kpis.conversations, kpis.contained, dict(kpis.handoffs), kpis.gave_up) == (3, 1, {"asked": 1}, 1)
    assert [group.text for group in report.not_understood] == [missed]


# -- the classification a customer-service team's review counted by hand -----------------------------


def _report(store: Store, language: str) -> Any:
    today = dt.datetime.now(dt.UTC).date()
    return build_report(store, Filters(start=min(NOW.date(), today), end=today, locale=language))


@pytest.mark.parametrize(
    ("language", "irritated"),
    [
        ("nl", ("dit is belachelijk, ik snap er niets van", "mijn cadeaubon is waardeloos")),
        ("en", ("this is ridiculous, pointless machine", "my gift card is rubbish")),
    ],
    ids=["nl", "en"],
)
def test_an_irritated_handoff_no_intent_matched_is_not_understood(
    dialog: Dialog, language: str, irritated: tuple[str, str]
) -> None:
    """It was counted understood by a template (with no intent): the recognition rate rose, and the
    words never reached the not-understood list. Its handoff record named no skill."""
    for session, text in enumerate(irritated):
        _say(dialog, text, session=f"s{session}", locale=language)
    rows = _signals(dialog.store)
    assert [(row["understood"], row["text"], row["handoff"]) for row in rows] == [
        ("none", text, "assistant") for text in irritated
    ]
    report = _report(dialog.store, language)
    assert report.current.recognition_rate == 0.0
    assert sorted(group.text for group in report.not_understood) == sorted(irritated)
    records = [json.loads(payload) for (payload,) in dialog.store.select("SELECT payload FROM outbox")]
    assert [(record["reason"], record["skill"]) for record in records] == [
        ("irritation", "customer_service")
    ] * 2


@pytest.mark.parametrize(
    ("language", "matched", "resolved"),
    [
        ("nl", "ik wil gewoon een medewerker spreken", "dit is belachelijk ik wil een mens spreken"),
        ("en", "i just want to talk to a human", "this is ridiculous, let me talk to a human"),
    ],
    ids=["nl", "en"],
)
def test_an_irritated_request_for_a_person_is_asked_and_understood(
    shop_skill: Skill, tmp_path: Path, language: str, matched: str, resolved: str
) -> None:
    """A request for a person is the caller's, whatever irritation it holds ("gewoon" and "just" are
    cues here): it was recorded ``irritation`` and its words went on the not-understood list. Once
    matched by a template, once resolved by the platform (Dialogflow's TalkToAgent)."""
    cues = {"nl": ["gewoon", "belachelijk"], "en": ["just", "ridiculous"]}
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([shop_skill]), store, policy=HandoffPolicy(irritation_cues=cues))
        _say(dialog, matched, session="typed", locale=language)
        dialog.respond(
            Turn(text=resolved, intent="TalkToAgent", locale=language, session_id="resolved", time=NOW)
        )
        rows = store.select("SELECT understood, text, irritation, handoff, handoff_reason FROM signals")
        asked = [(how, "", 1, "caller", "asked") for how in ("platform", "template")]
        assert sorted(rows) == asked
        report = _report(store, language)
        assert (report.current.handoffs, report.not_understood) == ({"asked": 2}, ())


def test_the_handoff_record_of_a_built_in_intent_names_the_conversations_skill(dialog: Dialog) -> None:
    """TalkToAgent is a built-in intent: the record said ``builtin``, no colleague's queue."""
    _say(dialog, "ik wil een medewerker spreken", locale="nl")
    ((payload,),) = dialog.store.select("SELECT payload FROM outbox")
    assert json.loads(payload)["skill"] == "customer_service"


@pytest.mark.parametrize(
    ("language", "stray"),
    [("nl", ("nee", "ja", "nee, dank u")), ("en", ("no thanks", "yes"))],
    ids=["nl", "en"],
)
def test_a_stray_yes_or_no_asks_the_knowledge_base_nothing(
    dialog: Dialog, language: str, stray: tuple[str, ...]
) -> None:
    """Each counted as a knowledge question unanswered (the rate was 7/35 instead of 7/28)."""
    for text in (*stray, "purple monkeys dishwasher"):
        _say(dialog, text, locale=language)
    assert [row["knowledge"] for row in _signals(dialog.store)] == [""] * len(stray) + ["abstain"]
    counts = _counts(dialog.store)
    assert (counts["knowledge:asked"], counts["knowledge:abstain"]) == (1, 1)


class _Loading:
    """A knowledge answerer whose content still loads at a server's start, as ``KnowledgeAnswerer``
    in background mode: it passes every question it cannot be asked yet."""

    name = "knowledge"

    def answer(self, turn: Turn, state: DialogState) -> Answer | None:
        return None

    def wait(self, timeout: float | None = None) -> bool:
        return False


def test_a_question_while_the_knowledge_still_loads_did_not_consult_it(
    shop_skill: Skill, tmp_path: Path
) -> None:
    """It was recorded ``abstain``: the knowledge base seemed to know nothing it was never asked."""
    background = KnowledgeAnswerer({"customer_service": shop_skill.root}, background=True)
    assert isinstance(background, Loading) and isinstance(_Loading(), Loading)
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([shop_skill]), store, answerers=[_Loading()])
        _say(dialog, "hoe lang duurt de levering", locale="nl")
        ((row,),) = [_signals(store)]
        assert (row["understood"], row["knowledge"]) == ("none", "")
        assert "knowledge:asked" not in _counts(store)


BOOKING = {
    "nl": ("ik wil een afspraak maken over een retour", "volgende dinsdag", "om tien uur", "jan de vries"),
    "en": ("book an appointment about a return", "tomorrow at 10 am", "my name is anna smith"),
}
YES, GOODBYE = {"nl": "ja", "en": "yes"}, {"nl": "fijne dag nog", "en": "goodbye"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_yes_that_leads_to_the_next_confirmation_counts_both(dialog: Dialog, language: str) -> None:
    """The yes to the name asks at once to confirm the booking: only ``accepted`` was counted."""
    for text in (*BOOKING[language], YES[language]):
        _say(dialog, text, locale=language)
    assert [row for row in dialog.store.select("SELECT confirmation FROM signals ORDER BY seq")][-2:] == [
        ("asked",),
        ("accepted asked",),
    ]
    counts = _counts(dialog.store)
    assert (counts["confirm:asked"], counts["confirm:accepted"]) == (2, 1)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_failed_booking_is_neither_completed_nor_contained(dialog: Dialog, language: str) -> None:
    """No booking API: "Sorry, I could not book ... ask for a colleague" counted as a completed
    booking and a contained conversation; a goodbye after it does not make it contained either. The
    funnel then said most callers drop off after the last step (topic): it counts the flow failed."""
    for text in (*BOOKING[language], YES[language], YES[language], GOODBYE[language]):
        _say(dialog, text, locale=language)
    booked, goodbye = _signals(dialog.store)[-2:]
    assert (booked["flow"], booked["flow_completed"], booked["outcome"]) == ("BookAppointment", 0, "gave_up")
    assert goodbye["outcome"] == "gave_up"
    kpis = _report(dialog.store, language).current
    assert (kpis.conversations, kpis.contained, kpis.gave_up) == (1, 0, 1)
    (booking,) = kpis.flows
    assert (booking.flow, booking.completed, booking.failed) == ("BookAppointment", 0, 1)
    # the caller went through every step: a failure, not callers who dropped off after the last one
    assert booking.drop_off == "" and _counts(dialog.store)["flow:BookAppointment:failed"] == 1


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_booking_the_handler_hands_over_is_counted_handed_over(
    dialog: Dialog, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calendar did not confirm the booking and the handler handed the caller to a colleague
    (``Reply(handoff=True)``): the funnel counted it neither completed nor failed, so callers seemed to
    drop off after the last step."""
    with serving_booking_api() as (api, url):
        monkeypatch.setattr(dialog.router.skills["customer_service"], "settings", {"booking_url": url})
        api.mode = "gateway"  # booked, but answered 504: unconfirmed
        for text in (*BOOKING[language], YES[language], YES[language]):
            _say(dialog, text, locale=language)
    counts = _counts(dialog.store)
    assert counts["flow:BookAppointment:handed_over"] == 1
    assert counts["handoff:skill:BookAppointment"] == 1
    (booking,) = _report(dialog.store, language).current.flows
    assert (booking.completed, booking.failed, booking.handed_over, booking.abandoned) == (0, 0, 1, 0)
    assert booking.drop_off == ""


@pytest.mark.parametrize(
    ("language", "question", "goodbye"),
    [
        ("nl", "ik ben mijn wachtwoord kwijt", "fijne dag nog"),
        ("en", "how do i return something", "goodbye"),
    ],
    ids=["nl", "en"],
)
def test_a_goodbye_to_an_offered_answer_gave_up(
    dialog: Dialog, language: str, question: str, goodbye: str
) -> None:
    """An offered answer ("Bedoelt u ...?") never answered was counted contained."""
    _say(dialog, question, locale=language)
    _say(dialog, goodbye, locale=language)
    offered, left = _signals(dialog.store)
    assert (offered["knowledge"], left["intent"], left["outcome"]) == ("confirm", "Stop", "gave_up")
    counts = _counts(dialog.store)
    assert counts["outcome:gave_up"] == 1 and "outcome:contained" not in counts


@pytest.mark.parametrize(
    ("language", "question", "filler", "waited"),
    [
        ("nl", "ik ben mijn wachtwoord kwijt", "wacht even", "Natuurlijk, neemt u de tijd."),
        ("en", "how do i return something", "hold on", "Of course, take your time."),
    ],
    ids=["nl", "en"],
)
def test_filler_to_an_offered_answer_keeps_it_open(
    dialog: Dialog, language: str, question: str, filler: str, waited: str
) -> None:
    """ "Wacht even" to "Bedoelt u ...?" dropped the offer as a miss: the caller heard "take your time,
    tell me when you are ready", and their yes after it was "Sorry, I didn't catch that"."""

    def say(text: str) -> Reply:
        return dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW))

    offer, wait, taken = say(question), say(filler), say("ja" if language == "nl" else "yes")
    assert (wait.text, wait.expect, wait.reprompt) == (f"{waited} {offer.text}", offer.expect, offer.text)
    assert taken.card is not None and not taken.text.startswith("Sorry")
    offered, filled, answered = _signals(dialog.store)
    assert (offered["knowledge"], offered["understood"], filled["intent"]) == ("confirm", "knowledge", "Wait")
    assert "understood:none" not in _counts(dialog.store)


def _hang_up(dialog: Dialog, session: str, language: str) -> str:
    """A phone gateway's end-of-call event, as the channel hands it over; the reply's speech."""
    turn = Turn(locale=language, session_id=session, user_id="u1", time=NOW, channel="dialogflow", call=True)
    reply = dialog.respond(replace(turn, hung_up=True))
    assert reply.end_session and not reply.handoff
    return reply.speech


@pytest.mark.parametrize(
    ("language", "question"), [("nl", "ik ben mijn wachtwoord kwijt"), ("en", "how do i return something")]
)
def test_a_caller_who_hangs_up_is_logged_and_counted_as_hung_up_not_silent(
    dialog: Dialog, language: str, question: str
) -> None:
    """A hang-up was a silence: "Are you still there?", an empty turn, and every call that ended after
    its answer gave up. Now the conversation ends unsaid, a guess left open is a miss, a call answered
    is contained, and the end of a call already ended starts no conversation."""
    _say(dialog, question, session="guess", locale=language)
    assert _hang_up(dialog, "guess", language) == ""
    _say(dialog, HOURS[language], session="answered", locale=language)
    assert _hang_up(dialog, "answered", language) == ""
    assert _hang_up(dialog, "answered", language) == ""  # the gateway's event after our own end
    assert _hang_up(dialog, "never", language) == ""
    guess, guess_end, answer, answer_end = _signals(dialog.store)
    assert (guess["knowledge"], guess["understood"]) == ("confirm", "none")  # settled as not understood
    ends = [(row["intent"], row["understood"], row["outcome"]) for row in (guess_end, answer_end)]
    assert ends == [("Hangup", "hangup", "gave_up"), ("Hangup", "hangup", "contained")]
    assert answer["outcome"] == "contained"
    kpis = _report(dialog.store, language).current
    assert (kpis.conversations, kpis.hung_up, kpis.contained, kpis.gave_up) == (2, 2, 1, 1)
    assert kpis.spoken == 2  # a hang-up says nothing, as a silence does not
    log = dialog.store.select("SELECT text, intent FROM log WHERE speaker = 'user' ORDER BY seq")
    assert log[-1] == ("", "Hangup")


CANCEL = {"nl": "laat maar", "en": "cancel"}
REACHED_AT_HANG_UP = {"nl": {"date": 2, "time": 1}, "en": {"date": 2, "time": 1, "name": 1}}
"""The booking's steps reached by two callers: one hung up at the question after the day (the time; in
English the day came with its time, so the name), the other cancelled at the day."""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_booking_the_caller_hangs_up_on_is_abandoned_at_its_step_once(
    dialog: Dialog, language: str
) -> None:
    """A booking left open by a hang-up counted started, never completed and never abandoned: the funnel
    lost the caller without saying where. It is abandoned at the step it reached; a booking cancelled
    before the hang-up is abandoned once, by the cancel."""
    booking, day = BOOKING[language][:2]
    for text in (booking, day):
        _say(dialog, text, session="hung", locale=language)
    _hang_up(dialog, "hung", language)
    for text in (booking, CANCEL[language]):
        _say(dialog, text, session="cancelled", locale=language)
    _hang_up(dialog, "cancelled", language)
    rows = [
        (row["intent"], row["flow"], row["flow_abandoned"], row["outcome"]) for row in _signals(dialog.store)
    ]
    assert rows[2] == ("Hangup", "BookAppointment", 1, "gave_up")  # the caller left it unhelped
    assert rows[-1] == ("Hangup", "", 0, "contained")  # nothing open: the cancel abandoned it
    assert sum(row[2] for row in rows) == 2
    report = build_report(
        dialog.store,
        Filters(start=NOW.date(), end=dt.datetime.now(dt.UTC).date(), locale=language),
        flows=flow_steps(dialog.router.skills.values()),
    )
    (funnel,) = report.current.flows
    assert (funnel.started, funnel.completed, funnel.abandoned) == (2, 0, 2)
    reached = dict(funnel.steps)
    assert reached.pop("topic") == 2  # said up front ("about a return")
    assert reached == REACHED_AT_HANG_UP[language]  # the cancelled one reached the day only
    assert (report.current.conversations, report.current.hung_up, report.current.gave_up) == (2, 2, 1)


def test_a_hang_up_that_waited_for_its_session_abandons_the_booking_once(
    dialog: Dialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hang-up while another turn held the session was stored later with the booking still open: never
    abandoned, the call never ended. Stored later, it ends both, as one that got its session at once."""
    monkeypatch.setattr(waits, "TURN_WAIT_S", 0.3)  # it gives up waiting for its session soon
    for text in BOOKING["nl"][:2]:
        _say(dialog, text, session="hung", locale="nl")
    turn = Turn(locale="nl", session_id="hung", user_id="u1", time=NOW, channel="dialogflow", call=True)
    with dialog.store.lock_session("hung", timeout=10):  # another turn holds it
        dialog.respond(replace(turn, hung_up=True))
        assert wait_for_turns(10) and len(_signals(dialog.store)) == 2, "not stored while the session is held"
    assert dialog.missed.wait(10)
    last = _signals(dialog.store)[-1]
    assert (last["intent"], last["flow"], last["flow_abandoned"], last["outcome"]) == (
        "Hangup",
        "BookAppointment",
        1,
        "gave_up",
    )
    assert dialog.store.select("SELECT count(*) FROM signals WHERE understood = 'hangup'") == [(1,)]
    counts = _counts(dialog.store)
    assert (counts["hung_up"], counts["flow:BookAppointment:abandoned"]) == (1, 1)
    session = dialog.store.load("hung")
    assert session is not None and session.ended and session.dialog.flow is None


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_call_hung_up_after_midnight_counts_on_the_day_it_started(dialog: Dialog, language: str) -> None:
    """``hung_up`` counted on the day of the hang-up while the call's other figures count on the day it
    started: a call from 23:55 to 00:05 was a conversation without a hang-up on one day and a hang-up
    without a conversation on the next."""
    before_midnight = dt.datetime(2026, 11, 23, 23, 55, tzinfo=dt.UTC)
    turn = Turn(locale=language, session_id="late", user_id="u1", channel="dialogflow", call=True)
    dialog.respond(replace(turn, text=BOOKING[language][0], time=before_midnight))
    dialog.respond(replace(turn, hung_up=True, time=before_midnight + dt.timedelta(minutes=10)))
    started, next_day = (
        build_report(dialog.store, Filters(start=day, end=day, locale=language)).current
        for day in (before_midnight.date(), before_midnight.date() + dt.timedelta(days=1))
    )
    assert (started.conversations, started.hung_up, started.gave_up) == (1, 1, 1)
    assert (next_day.conversations, next_day.hung_up, next_day.gave_up) == (0, 0, 0)
    assert next_day.turns == 1 and next_day.spoken == 0  # the hang-up turn itself: its own day, as every turn


HOURS = {"nl": "wat zijn jullie openingstijden", "en": "what are your opening hours"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_conversation_keeps_one_outcome_when_a_turn_moves_it(dialog: Dialog, language: str) -> None:
    """The next turn moves the count from the outcome the last one recorded, not from one worked out
    again from the state (which no longer shows that the booking failed)."""
    for text in (*BOOKING[language], YES[language], YES[language], HOURS[language]):
        _say(dialog, text, locale=language)
    rows = _signals(dialog.store)
    counts = _counts(dialog.store)
    outcomes = {metric: count for metric, count in counts.items() if metric.startswith("outcome:")}
    assert rows[-2]["outcome"] == "gave_up" and counts["conversations"] == 1
    assert outcomes == {f"outcome:{rows[-1]['outcome']}": 1}


THANKS, NO = {"nl": "bedankt", "en": "thanks"}, {"nl": "nee", "en": "no"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_failed_booking_stays_failed_through_thanks_and_no(dialog: Dialog, language: str) -> None:
    """The caller thanks the assistant for the failed booking, hears "anything else?" and says no: the
    failure is carried to the end, so the conversation gave up and the booking is not completed."""
    for text in (*BOOKING[language], YES[language], YES[language], THANKS[language], NO[language]):
        _say(dialog, text, locale=language)
    thanked, left = _signals(dialog.store)[-2:]
    assert (thanked["intent"], thanked["outcome"]) == ("Thanks", "gave_up")
    assert (left["intent"], left["outcome"]) == ("No", "gave_up")
    counts = _counts(dialog.store)
    assert (counts["conversations"], counts["outcome:gave_up"]) == (1, 1)
    assert "outcome:contained" not in counts
    kpis = _report(dialog.store, language).current
    assert (kpis.conversations, kpis.contained, kpis.gave_up, kpis.containment_rate) == (1, 0, 1, 0.0)
    assert [(flow.flow, flow.completed) for flow in kpis.flows] == [("BookAppointment", 0)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_booking_that_works_the_second_time_puts_the_failure_right(
    dialog: Dialog, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calendar refuses the first booking; the caller books again and it goes through: the caller got
    what they called for, so the conversation is contained (the first try still counts not completed)."""
    with serving_booking_api() as (api, url):
        monkeypatch.setattr(dialog.router.skills["customer_service"], "settings", {"booking_url": url})
        api.mode = "refuse"
        for text in (*BOOKING[language], YES[language], YES[language]):
            _say(dialog, text, locale=language)
        api.mode = "answer"
        for text in (*BOOKING[language], YES[language], YES[language], GOODBYE[language]):
            _say(dialog, text, locale=language)
    assert len(api.bookings) == 1
    rows = [row for row in _signals(dialog.store) if row["flow_completed"] or row["intent"] == "Stop"]
    booked, goodbye = rows
    assert (booked["flow"], booked["outcome"], goodbye["outcome"]) == (
        "BookAppointment",
        "contained",
        "contained",
    )
    kpis = _report(dialog.store, language).current
    assert (kpis.conversations, kpis.contained, kpis.gave_up) == (1, 1, 0)
    assert [(flow.flow, flow.started, flow.completed) for flow in kpis.flows] == [("BookAppointment", 2, 1)]


def test_a_state_stored_before_the_failure_was_kept_reads_it_from_its_last_reply() -> None:
    """A session saved by the previous version keeps its failure across the upgrade, and a saved
    failure survives the store."""
    old = {"last_reply": {"speech": "Sorry, that did not work.", "failed": True}}
    assert DialogState.from_json(old).failed
    assert DialogState.from_json(DialogState(failed=True).to_json()).failed
    assert not DialogState.from_json({"last_reply": {"speech": "Booked."}}).failed


GUESSES = {
    "nl": {
        "refused": ("mijn bestelling is niet compleet, ik mis een stoelpoot", "nee", "ik wil iemand spreken"),
        "ignored": ("kunnen jullie de oude bank meenemen bij levering", "fijne dag nog"),
        "taken": ("kan ik met ideal betalen", "ja"),
        "fallbacks": (
            "mijn iban is NL91 ABNA 0417 1643 00 kunnen jullie het geld terugstorten",
            "sdfg kwek blub",
        ),
    },
    "en": {
        "refused": ("my order is incomplete, a chair leg is missing", "no", "no", "no"),
        "ignored": ("do you take away the old furniture on delivery", "goodbye"),
        "taken": ("can i pay with ideal", "yes"),
        "fallbacks": ("my order is incomplete, a chair leg is missing", "sdfg kwek blub"),
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_guess_the_caller_refuses_or_ignores_is_not_understood(
    shop_skill: Skill, shop_answerers: list[Answerer], any_store_url: str, language: str
) -> None:
    """A "Bedoelt u ...?" counted as understood (``knowledge``) whatever the caller said to it, and
    its words were never kept: the refused and ignored questions were on no review list, and a call
    handed over for three misses in a row counted its guess as understood. A guess the caller takes
    keeps no words."""
    with open_store(any_store_url) as store:
        dialog = Dialog(Router([shop_skill]), store, answerers=shop_answerers)
        for session, said in GUESSES[language].items():
            for text in (*said, "hallo hallo") if session == "fallbacks" else said:
                turn = Turn(text=text, locale=language, session_id=session, channel="dialogflow", call=True)
                dialog.respond(replace(turn, time=NOW, user_id="u1"))
        guessed = dict(
            store.select(
                "SELECT session_id, understood || ' ' || text FROM signals WHERE knowledge = 'confirm' "
                "AND intent = '' ORDER BY seq"
            )
        )
        missed = store.select(
            "SELECT session_id, knowledge, handoff_reason FROM signals WHERE understood = 'none'"
        )
        understood = dict(store.select("SELECT understood, count(*) FROM signals GROUP BY understood"))
        counts = _counts(store)
        report = _report(store, language)
    questions = {session: said[0] for session, said in GUESSES[language].items()}
    questions["fallbacks"] = questions["fallbacks"].replace("NL91 ABNA 0417 1643 00", "[iban]")
    assert guessed == {
        "refused": f"none {questions['refused']}",
        "ignored": f"none {questions['ignored']}",
        "taken": "knowledge ",
        "fallbacks": f"none {questions['fallbacks']}",
    }
    assert sorted(session for session, _, _ in missed if session == "fallbacks") == ["fallbacks"] * 3
    assert ("fallbacks", "abstain", "fallbacks") in missed
    listed = {text for group in report.not_understood for text, _ in group.examples}
    assert {questions["refused"], questions["ignored"], questions["fallbacks"]} <= listed
    assert {f"understood:{how}": n for how, n in understood.items()} == {
        metric: n for metric, n in counts.items() if metric.startswith("understood:")
    }
    kpis = report.current
    assert (kpis.not_understood, understood["knowledge"], kpis.knowledge_answered) == (len(missed), 1, 1)


FUNNEL_CALLS = {
    "nl": (
        ("waar is mijn bestelling", "1234"),
        ("waar is bestelling 1234",),
        ("ik wil een afspraak maken", "morgen om tien uur", "jan de vries"),
    ),
    "en": (
        ("where is my order", "1234"),
        ("where is order 1234",),
        ("I want to book an appointment", "tomorrow at 10 am", "my name is anna smith"),
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_value_given_up_front_reaches_its_step_and_steps_keep_the_flows_order(
    dialog: Dialog, shop_skill: Skill, language: str
) -> None:
    """The order number said with the question never counted its step (``started 2 → order_number 1 →
    completed 2``: "most callers drop off after started"), nor the time said with the day; the steps
    came most reached first, not as the flow asks them."""
    for session, said in enumerate(FUNNEL_CALLS[language]):
        for text in said:
            _say(dialog, text, session=f"s{session}", locale=language)
    steps = dialog.store.select("SELECT flow_step FROM signals WHERE flow_step <> '' ORDER BY seq")
    assert steps == [("order_number",), ("order_number",), ("date",), ("time name",)]
    today = dt.datetime.now(dt.UTC).date()
    filters = Filters(start=min(NOW.date(), today), end=today, locale=language)
    funnels = build_report(dialog.store, filters, flows=flow_steps([shop_skill])).current.flows
    stages = {funnel.flow: (funnel.stages, funnel.drop_off) for funnel in funnels}
    assert stages == {
        "OrderStatus": ((("started", 2), ("order_number", 2), ("completed", 2)), ""),
        "BookAppointment": (
            (("started", 1), ("date", 1), ("time", 1), ("name", 1), ("completed", 0)),
            "name",
        ),
    }
