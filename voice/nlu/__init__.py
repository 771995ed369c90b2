"""The skill router: hassil-format intent templates compiled into a fast matcher.

from voice.nlu import IntentSet, Matcher
matcher = Matcher([IntentSet.from_skill_dir("skills/shop", "nl")])
match = matcher.match("hoe laat gaan jullie open")
"""

from .check import CheckReport, Conflict, DeadTemplate, find_conflicts
from .dates import spoken_date, weekday_name
from .errors import SlotTypeError, TemplateError
from .intents import Intent, IntentData, IntentSet, load_skills
from .matcher import Matcher
from .normalize import normalize
from .periods import DateRange, PartOfDay
from .sample import Sample, SampleSlot, sample_sentences
from .slot_types import (
    JsonForm,
    SlotType,
    find_slot_type,
    register_slot_type,
    slot_type,
    slot_types,
    unregister_slot_type,
)
from .slots import ListValue, SlotSpec
from .types import IntentMatch, SlotValue

__all__ = [
    "CheckReport",
    "Conflict",
    "DateRange",
    "DeadTemplate",
    "Intent",
    "IntentData",
    "IntentMatch",
    "IntentSet",
    "JsonForm",
    "ListValue",
    "Matcher",
    "PartOfDay",
    "Sample",
    "SampleSlot",
    "SlotSpec",
    "SlotType",
    "SlotTypeError",
    "SlotValue",
    "TemplateError",
    "find_conflicts",
    "find_slot_type",
    "load_skills",
    "normalize",
    "register_slot_type",
    "sample_sentences",
    "slot_type",
    "slot_types",
    "spoken_date",
    "unregister_slot_type",
    "weekday_name",
]
