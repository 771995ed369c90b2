"""voice: one skill definition for a local microphone, Alexa and Dialogflow.

Skill authors import what they need from here::

    from voice import Expect, Reply, Skill, Turn

    skill = Skill("shop", __file__)

    @skill.intent("OpeningHours")
    def opening_hours(turn: Turn) -> Reply:
        return skill.reply(turn, "OpeningHours", hours="9 to 5")
"""

from .assistant import Assistant, build_assistant
from .dialog import Answer, Answerer, Dialog
from .errors import ConfigError, SkillError, VoiceError
from .flow import Slot
from .hours import BusinessHours, clock_text
from .names import name_check, reads_as_name
from .nlu import (
    DateRange,
    IntentMatch,
    JsonForm,
    PartOfDay,
    SlotType,
    SlotValue,
    register_slot_type,
    slot_type,
    spoken_date,
    weekday_name,
)
from .nlu.clock import AmbiguousTime
from .nlu.spelling import dutch_postcode, licence_plate, pattern_slot_type, spelled
from .reply import Card, Expect, Reply
from .router import Router
from .skill import Skill
from .skill_loading import load_skill
from .turn import Turn

__all__ = [
    "AmbiguousTime",
    "Answer",
    "Answerer",
    "Assistant",
    "BusinessHours",
    "Card",
    "ConfigError",
    "DateRange",
    "Dialog",
    "Expect",
    "IntentMatch",
    "JsonForm",
    "PartOfDay",
    "Reply",
    "Router",
    "Skill",
    "SkillError",
    "Slot",
    "SlotType",
    "SlotValue",
    "Turn",
    "VoiceError",
    "build_assistant",
    "clock_text",
    "dutch_postcode",
    "licence_plate",
    "load_skill",
    "name_check",
    "pattern_slot_type",
    "reads_as_name",
    "register_slot_type",
    "slot_type",
    "spelled",
    "spoken_date",
    "weekday_name",
]
