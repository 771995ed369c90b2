"""A bare yes or no reaches AMAZON.YesIntent / AMAZON.NoIntent with the exported model (issue 12).

The booking's correction "no {date}" once made virtual-alexa send a bare "no" as BookAppointment
with an empty date; the export now leaves out every sample whose words alone are a yes or a no.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_virtual_alexa import NODE, booking_url, driver, next_open_weekday, skill_url, speech

from voice import load_skill
from voice.export import alexa_package

__all__ = ["booking_url", "driver", "skill_url"]  # fixtures shared with test_virtual_alexa

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed; virtual-alexa needs Node.js")
YES_NO = {
    "en-US": {"yes", "yeah", "yep", "no", "nope", "ok", "okay", "sure", "right"},
    "nl-NL": {"ja", "jawel", "nee", "neen", "oké", "oke", "prima"},
}


@pytest.fixture(scope="module", params=["en-US", "nl-NL"])
def model(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    locale: str = request.param
    folder = tmp_path_factory.mktemp(f"export-{locale}")
    return locale, alexa_package(load_skill("customer_service"), locale).write(folder)


def run(driver: Path, skill_url: str, model: tuple[str, Path], steps: list[dict[str, Any]]) -> list[Any]:
    """One virtual-alexa session in the model's locale; each result has the request and the response."""
    locale, model_file = model
    script = model_file.parent / "script.json"
    script.write_text(
        json.dumps(
            {"skillURL": skill_url, "interactionModel": str(model_file), "locale": locale, "steps": steps}
        )
    )
    done = subprocess.run(
        [str(NODE), str(driver), str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and not [r for r in results if "error" in r], done.stdout + done.stderr
    return results


def intent_of(result: dict[str, Any]) -> str:
    name: str = result["request"]["request"]["intent"]["name"]
    return name


def test_no_custom_sample_is_only_a_yes_or_a_no(model: tuple[str, Path]) -> None:
    locale, model_file = model
    language = json.loads(model_file.read_text())["interactionModel"]["languageModel"]
    for intent in language["intents"]:
        if intent["name"].startswith("AMAZON."):
            continue
        samples = intent["samples"] + [s for slot in intent.get("slots", []) for s in slot.get("samples", [])]
        for sample in samples:
            words = " ".join(re.sub(r"\{[^{}]*\}", " ", sample).split())
            assert words not in YES_NO[locale], f"{intent['name']}: {sample!r}"


def test_alexas_yes_and_no_carry_our_yes_and_no_words(model: tuple[str, Path]) -> None:
    locale, model_file = model
    intents = json.loads(model_file.read_text())["interactionModel"]["languageModel"]["intents"]
    samples = {intent["name"]: set(intent["samples"]) for intent in intents}
    yes, no = ("ja", "nee") if locale == "nl-NL" else ("yes", "no")
    assert yes in samples["AMAZON.YesIntent"] and no in samples["AMAZON.NoIntent"]


@needs_node
def test_a_bare_yes_and_no_reach_the_built_in_intents(
    driver: Path, skill_url: str, model: tuple[str, Path]
) -> None:
    yes, no = ("ja", "nee") if model[0] == "nl-NL" else ("yes", "no")
    start = "ik wil een afspraak maken" if model[0] == "nl-NL" else "i want to book an appointment"
    results = run(driver, skill_url, model, [{"utter": start}, {"utter": no}, {"utter": yes}])
    assert [intent_of(r) for r in results] == ["BookAppointment", "AMAZON.NoIntent", "AMAZON.YesIntent"]


@needs_node
def test_no_to_the_booking_confirmation_is_a_no(
    driver: Path, skill_url: str, model: tuple[str, Path]
) -> None:
    if model[0] != "en-US":
        pytest.skip("the English conversation is enough to show the dialog hears the NoIntent")
    day = next_open_weekday()
    steps: list[dict[str, Any]] = [
        {"utter": "i want to book an appointment"},
        {"intend": "BookAppointment", "slots": {"date": day.isoformat()}},
        {"intend": "BookAppointment", "slots": {"time": "10:00"}},
        {"utter": "my name is anna smith"},
        {"utter": "yes"},
        {"utter": "about a return"},
        {"utter": "no"},
    ]
    *_, confirm, denied = run(driver, skill_url, model, steps)
    assert speech(confirm).endswith("Shall I book it?")
    assert intent_of(denied) == "AMAZON.NoIntent"
    assert speech(denied) == "Okay, I won't do that. What would you like to change?"


@needs_node
def test_our_goodbyes_reach_the_stop_intent_and_end_the_session(
    driver: Path, skill_url: str, model: tuple[str, Path]
) -> None:
    """AMAZON.StopIntent had no samples: "no thanks" came as AMAZON.NoIntent, a stray no."""
    dutch = model[0] == "nl-NL"
    goodbyes = ["nee bedankt", "dat was het"] if dutch else ["no thanks", "that's all"]
    for goodbye in goodbyes:
        _, left = run(driver, skill_url, model, [{"launch": True}, {"utter": goodbye}])
        assert intent_of(left) == "AMAZON.StopIntent", goodbye
        assert left["response"]["response"]["shouldEndSession"] is True
        assert speech(left).startswith("Tot ziens" if dutch else "Goodbye"), speech(left)
