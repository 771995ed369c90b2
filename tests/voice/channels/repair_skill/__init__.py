"""A bicycle repair shop for the channel tests: its repair number is a pattern slot, which the platforms
fill with any words (``AMAZON.SearchQuery``, ``@sys.any``), and its FAQ answers questions asked instead."""

from typing import Any

from voice import Reply, Skill, Slot, Turn, pattern_slot_type, register_slot_type

register_slot_type(  # a skill's folder is imported once per process
    pattern_slot_type("test_repair_number", r"R?(\d{4})", normalise=lambda m: m[1], examples=("4711",))
)

skill = Skill("repair_shop", __file__)
READY = {"4711": "Wednesday"}


def _unknown(number: Any, turn: Turn) -> str | None:
    return None if str(number) in READY else "RepairUnknown"


skill.flow("RepairStatus", slots=[Slot("repair_number", prompt="AskRepairNumber", validate=_unknown)])


@skill.intent("RepairStatus")
def repair_status(turn: Turn) -> Reply:
    return skill.reply(turn, "RepairReady", number=turn.value("repair_number"))
