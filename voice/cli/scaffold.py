"""The files of a new skill (``voice init NAME``): Dutch and English, an intent, a flow, responses,
business hours, conversation tests and an FAQ. They pass ``voice test`` and ``voice check`` as written."""

from __future__ import annotations

from collections.abc import Mapping
from string import Template

from ..examples import EXAMPLE_MARK, EXAMPLE_REPLIES

__all__ = ["FILES"]

_CODE = '''"""$title: opening hours and booking an appointment, in Dutch and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from voice import BusinessHours, DateRange, Reply, Skill, Slot, Turn, clock_text, name_check, spoken_date

skill = Skill("$name", __file__)
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
skill.hours = BusinessHours.from_dict({day: "09:00-17:00" for day in WORKDAYS})  # "om drie" is 15:00


def _day_problem(day: Any, turn: Turn) -> str | None:
    """A day to book: one day (Alexa and Dialogflow send "this weekend" as a range), from tomorrow,
    and on a day we are open. Words the platform could not read as a date are asked again."""
    if isinstance(day, DateRange):
        return "PickDayInRange"
    if not isinstance(day, dt.date):
        return "DayUnclear"
    if day < turn.time.date():
        return "DayInPast"
    if day == turn.time.date():
        return "DayToday"
    return None if _hours().opening(day) else "ClosedThatDay"


def _time_problem(time: Any, turn: Turn) -> str | None:
    """A time we are open; "in the morning" (a ``PartOfDay``) or words are asked again."""
    if not isinstance(time, dt.time):
        return "TimeUnclear"
    day = _booked_day(turn)
    return None if _hours().is_open(day, _reading(time, day)) else "OutsideHours"


def _booked_day(turn: Turn) -> dt.date | None:
    day = turn.value("date")
    return day if isinstance(day, dt.date) else None


def _reading(time: dt.time, day: dt.date | None) -> dt.time:
    """ "om drie" (and Alexa's "three", sent as 03:00) within our hours; "3 am" stays as said."""
    return _hours().reading(time, day)


def _hours() -> BusinessHours:
    assert skill.hours is not None
    return skill.hours


def _describe(turn: Turn) -> dict[str, Any]:
    """The day and hour as the replies say them; for a range of a week or less, its first and last day."""
    values: dict[str, Any] = {}
    day, time = turn.value("date"), turn.value("time")
    if isinstance(day, DateRange) and day.days <= 7:
        values["first"] = spoken_date(day.start, turn.language)
        values["last"] = spoken_date(day.end, turn.language)
    if isinstance(day, dt.date):
        values["day"] = spoken_date(day, turn.language)
    if isinstance(time, dt.time):
        values["hour"] = clock_text(_reading(time, _booked_day(turn)))
    if turn.slots.get("name"):
        values["name"] = turn.slots["name"].text
    return values


skill.flow(
    "BookAppointment",
    slots=[
        Slot("date", prompt="AskDate", validate=_day_problem),
        Slot("time", prompt="AskTime", validate=_time_problem),
        # any words fill the name: name_check refuses a question asked instead ("is er parkeergelegenheid"),
        # which then goes to the FAQ, and the name is asked again
        Slot("name", prompt="AskName", validate=name_check("NameUnclear"), sensitive=True),
    ],
    confirm="ConfirmAppointment",
    describe=_describe,
)


@skill.intent("BookAppointment")
def book(turn: Turn) -> Reply:
    """Runs once the day and time are known and the caller said yes: book it in your calendar here."""
    return skill.reply(turn, "Booked", **_describe(turn))
'''

_INTENTS = {
    "nl": """language: nl
intents:
  OpeningHours:
    data:
      - sentences:
          - "wat zijn (de|jullie) openingstijden"
          - "(wanneer|hoe laat) zijn jullie open"
  BookAppointment:
    data:
      - sentences:
          - "ik wil [graag] een afspraak maken"
          - "(kan|mag) ik [{date}] [om {time}] langskomen"
      - requires_context: {dialog: BookAppointment}
        sentences:
          - "[op] {date} [om {time}]"
          - "[om] {time}"
          - "(mijn naam is|de naam is|ik heet|op naam van) {name}"
      - requires_context: {dialog: BookAppointment, asking: name}
        sentences:
          - "{name}"
lists:
  name:
    wildcard: true
    examples: [anna de vries, jan jansen, fatima el amrani]   # wat bellers zeggen: trainingszinnen
""",
    "en": """language: en
intents:
  OpeningHours:
    data:
      - sentences:
          - "what are your opening hours"
          - "when are you open"
  BookAppointment:
    data:
      - sentences:
          - "i('d| would) like to (make|book) an appointment"
          - "can i come (by|in) [{date}] [at {time}]"
      - requires_context: {dialog: BookAppointment}
        sentences:
          - "[on] {date} [at {time}]"
          - "[at] {time}"
          - "(my name is|it's|the name is) {name}"
      - requires_context: {dialog: BookAppointment, asking: name}
        sentences:
          - "{name}"
lists:
  name:
    wildcard: true
    examples: [anna smith, john brown, maria garcia]   # what callers say: training phrases
""",
}


def _opening_hours(language: str) -> str:
    """The responses file's first lines: the example reply that ``voice check`` names until it changes."""
    return f'responses:\n  OpeningHours: "{EXAMPLE_REPLIES[language]["OpeningHours"]}"'


_RESPONSES = {
    "nl": _opening_hours("nl")
    + """
  AskDate: "Op welke dag wilt u komen?"
  AskTime: "Hoe laat?"
  DayInPast: "Die dag is al geweest."
  DayToday: "Vandaag kan helaas niet meer; vanaf morgen bent u welkom."
  DayUnclear: "Sorry, ik heb de dag niet verstaan."
  PickDayInRange: >-
    Dat is meer dan één dag{% if first is defined %}: van {{ first }} tot en met {{ last }}{% endif %}.
  ClosedThatDay: "Op die dag zijn we gesloten."
  TimeUnclear: "Dat tijdstip heb ik niet verstaan."
  OutsideHours: "Dan zijn we niet open."
  AskName: "Op welke naam mag ik de afspraak zetten?"
  NameUnclear: "Sorry, dat klonk niet als een naam."
  ConfirmAppointment: "Een afspraak op {{ day }} om {{ hour }} op naam van {{ name }}. Klopt dat?"
  Booked: "Uw afspraak op {{ day }} om {{ hour }} staat genoteerd."
  Help: "U kunt vragen wanneer we open zijn, of een afspraak maken."
# builtin:               # uw eigen versie van de standaardzinnen, bijvoorbeeld:
#   handoff: "Ik verbind u door met een medewerker van $title."
""",
    "en": _opening_hours("en")
    + """
  AskDate: "On which day would you like to come?"
  AskTime: "At what time?"
  DayInPast: "That day has passed."
  DayToday: "Today is no longer possible; you are welcome from tomorrow."
  DayUnclear: "Sorry, I didn't catch the day."
  PickDayInRange: >-
    That is more than one day{% if first is defined %}: from {{ first }} to {{ last }}{% endif %}.
  ClosedThatDay: "We are closed on that day."
  TimeUnclear: "Sorry, I didn't catch the time."
  OutsideHours: "We are not open at that time."
  AskName: "What name shall I put the appointment under?"
  NameUnclear: "Sorry, that didn't sound like a name."
  ConfirmAppointment: "An appointment on {{ day }} at {{ hour }} for {{ name }}. Is that right?"
  Booked: "Your appointment on {{ day }} at {{ hour }} is booked."
  Help: "You can ask when we are open, or make an appointment."
# builtin:               # your own version of the framework's replies, for example:
#   handoff: "I'll put you through to someone at $title."
""",
}

_SKILL_INFO = {
    "nl": """# Hoe de skill zich voorstelt: de Dialogflow-agent (Alexa heeft geen Nederlandse skills).
invocation: $invocation      # wat bellers zeggen om de skill te openen: kleine letters, twee woorden of meer
name: $title
summary: Openingstijden en een afspraak maken.
description: >-
  Vraag wanneer we open zijn, of maak een afspraak op een dag en tijd waarop we open zijn.
examples:                    # zinnen die de skill begrijpt
  - wat zijn jullie openingstijden
  - ik wil een afspraak maken
flow_labels:                 # de flows zoals het team ze leest, op het dashboard (Flows)
  BookAppointment: Afspraak maken
slot_labels:                 # de stappen van de flows (de slots die ze vragen) op het dashboard
  date: datum
  time: tijd
  name: naam
""",
    "en": """# How the skill presents itself: the Alexa manifest (en-US, en-GB, ...) and the Dialogflow agent.
invocation: $invocation      # "Alexa, open $invocation": lower case, two words or more; change it to yours
name: $title
summary: Opening hours and booking an appointment.
description: >-
  Ask when we are open, or book an appointment on a day and at a time we are open.
examples:                    # sentences the skill understands, said after "Alexa, ask $invocation"
  - what are your opening hours
  - i would like to make an appointment
flow_labels:                 # the flows as the team reads them, on the dashboard (Flows)
  BookAppointment: Book an appointment
slot_labels:                 # the flows' steps (the slots they ask for) on the dashboard
  date: date
  time: time
  name: name
""",
}

_TESTS = {
    "nl": """name: Een afspraak maken, met "om drie" binnen de openingstijden
locale: nl
now: 2026-11-23T10:00:00+00:00      # maandag: "morgen" is dinsdag 24 november
turns:
  - user: wanneer zijn jullie open
    intent: OpeningHours
    reply: We zijn open van maandag tot en met vrijdag, van 9 tot 5.
  - user: ik wil een afspraak maken
    intent: BookAppointment
    reply: Op welke dag wilt u komen?
    expect: slot
  - user: morgen
    slots: {date: "2026-11-24"}
    reply: Hoe laat?
  - user: om drie
    slots: {time: "15:00:00"}
    reply: Op welke naam mag ik de afspraak zetten?
  - user: anna de vries
    reply: Een afspraak op dinsdag 24 november om 15:00 op naam van anna de vries. Klopt dat?
    expect: confirmation
  - user: ja
    reply: Uw afspraak op dinsdag 24 november om 15:00 staat genoteerd.
""",
    "en": """name: Booking with "at ten" and a question from the FAQ
locale: en
now: 2026-11-23T10:00:00+00:00
turns:
  - user: can i come by tomorrow at ten
    intent: BookAppointment
    slots: {date: "2026-11-24", time: "10:00:00"}
    reply: What name shall I put the appointment under?
  - user: is there parking                  # no name (name_check): knowledge/en/faq.yaml answers it
    reply: >-
      There is free parking behind the building.
      What name shall I put the appointment under?
    expect: slot
  - user: anna smith
    reply: An appointment on Tuesday 24 November at 10:00 for anna smith. Is that right?
    expect: confirmation
  - user: yes
    reply: Your appointment on Tuesday 24 November at 10:00 is booked.
""",
}

_FAQ = {
    "nl": f"""{EXAMPLE_MARK}: de eerste `voice knowledge import` van uw eigen inhoud in het Nederlands
# vervangt dit bestand. Wilt u het houden en aanpassen, haal dan deze regel weg.
# Veelgestelde vragen: question, phrasings (andere manieren om het te vragen), answer,
# short (optioneel).
- id: parkeren
  question: Kan ik bij jullie parkeren?
  phrasings:
    - Is er parkeergelegenheid?
    - Waar kan ik mijn auto kwijt?
  answer: Er is gratis parkeergelegenheid achter het gebouw.
""",
    "en": f"""{EXAMPLE_MARK}: your first `voice knowledge import` of your own English content replaces
# this file. To keep it and edit it, delete this line.
# Frequently asked questions: question, phrasings (other ways to ask), answer, short (optional).
- id: parking
  question: Can I park at your place?
  phrasings:
    - Is there parking?
    - Where can I leave my car?
  answer: There is free parking behind the building.
""",
}


def _files() -> dict[str, str]:
    files = {"__init__.py": _CODE}
    for language in ("nl", "en"):
        files[f"locales/{language}/intents.yaml"] = _INTENTS[language]
        files[f"locales/{language}/responses.yaml"] = _RESPONSES[language]
        files[f"locales/{language}/skill.yaml"] = _SKILL_INFO[language]
        files[f"tests/booking_{language}.yaml"] = _TESTS[language]
        files[f"knowledge/{language}/faq.yaml"] = _FAQ[language]
    return files


class _Template(Template):
    """Also fills in ``$invocation``, the Alexa invocation name made from ``name``."""

    def substitute(self, mapping: Mapping[str, object] = {}, /, **values: object) -> str:  # noqa: B006
        values = {**mapping, **values}
        values.setdefault("invocation", _invocation(str(values.get("name", ""))))
        return super().substitute(values)


def _invocation(name: str) -> str:
    """``gemeente`` -> ``gemeente service``, ``city_shop`` -> ``city shop``: lower case, two words."""
    words = "".join(c if c.isalpha() else " " for c in name.lower()).split() or ["my"]
    return " ".join(words if len(words) > 1 else [*words, "service"])


FILES = {path: _Template(text) for path, text in _files().items()}
"""Path inside the skill folder -> its text, with ``$name``, ``$title`` (and ``$invocation``) to fill in."""
