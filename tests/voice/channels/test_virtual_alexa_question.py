"""virtual-alexa resolves a spoken question to the exported ``Question`` intent and the FAQ answers it.

The driver and the server are test_virtual_alexa's: the production app over an SQLite store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_knowledge_channels import built_index
from test_virtual_alexa import booking_url, driver, skill_url, speech
from test_virtual_alexa_yes_no import intent_of, model, needs_node, run

__all__ = ["booking_url", "built_index", "driver", "model", "skill_url"]  # shared fixtures

QUESTIONS = {
    "en-US": ("i have a question about shipping to belgium", "shipping to belgium"),
    "nl-NL": ("ik heb een vraag over verzending naar belgië", "verzending naar belgië"),
}
ABOUT_BELGIUM = {"en-US": "shipping to belgium", "nl-NL": "verzending naar belgië"}
"""The answer ("Shipping to Belgium costs ...") or the question offered ("Do you mean: How much is
shipping to Belgium?"), whichever the knowledge base is sure enough of."""


@needs_node
@pytest.mark.usefixtures("built_index")
def test_a_question_with_a_carrier_phrase_is_answered_from_the_faq(
    driver: Path, skill_url: str, model: tuple[str, Path]
) -> None:
    said, query = QUESTIONS[model[0]]
    (result,) = run(driver, skill_url, model, [{"utter": said}])
    assert intent_of(result) == "Question"
    assert result["request"]["request"]["intent"]["slots"]["query"]["value"] == query
    assert ABOUT_BELGIUM[model[0]] in speech(result).lower()


@needs_node
def test_an_intent_sample_still_reaches_its_intent(
    driver: Path, skill_url: str, model: tuple[str, Path]
) -> None:
    if model[0] != "en-US":
        pytest.skip("one language shows that the carrier phrases do not take the skill's own samples")
    (result,) = run(driver, skill_url, model, [{"utter": "what time do you close"}])
    assert intent_of(result) == "OpeningHours"
