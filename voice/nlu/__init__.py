"""The skill router: hassil-format intent templates compiled into a fast matcher.

from voice.nlu import IntentSet, Matcher
matcher = Matcher([IntentSet.from_skill_dir("skills/shop", "nl")])
match = matcher.match("hoe laat gaan jullie open")
"""

from .check import CheckReport, Conflict, DeadTemplate, find_conflicts
from .dates import spoken_date, weekday_name
from .errors import TemplateError
from .intents import Intent, IntentData, IntentSet, load_skills
from .matcher import Matcher
from .normalize import normalize
from .sample import Sample, SampleSlot, sample_sentences
from .slots import ListValue, SlotSpec
from .types import IntentMatch, SlotValue

__all__ = [
    "CheckReport",
    "Conflict",
    "DeadTemplate",
    "Intent",
    "IntentData",
    "IntentMatch",
    "IntentSet",
    "ListValue",
    "Matcher",
    "Sample",
    "SampleSlot",
    "SlotSpec",
    "SlotValue",
    "TemplateError",
    "find_conflicts",
    "load_skills",
    "normalize",
    "sample_sentences",
    "spoken_date",
    "weekday_name",
]
