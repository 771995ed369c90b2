"""A skill whose handlers write down the slots they get, for the platforms' round-trip test."""

from __future__ import annotations

from voice import Reply, Skill, SlotValue, Turn, dutch_postcode, register_slot_type

register_slot_type(dutch_postcode("round_trip_postcode"))

skill = Skill("round_trip", __file__)
INTENTS = ("BikeRepair", "FavouriteColour", "TableFor", "Discount", "Seats", "Visit", "Remind", "Postcode")
SEEN: list[dict[str, SlotValue]] = []
"""The slots of every turn a handler answered, in order."""


def _record(turn: Turn) -> Reply:
    SEEN.append(dict(turn.slots))
    return Reply(speech="Noted.")


for _intent in INTENTS:
    skill.intent(_intent)(_record)
