"""``voice parse`` and ``voice chat`` as a user runs them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from voice.cli import cli


def test_parse_dutch_home_assistant_with_a_kitchen() -> None:
    result = CliRunner().invoke(
        cli,
        ["parse", "doe de lampen in de keuken aan", "-l", "nl", "--home-assistant", "--list", "area=keuken"],
    )
    match = json.loads(result.output)
    assert result.exit_code == 0 and match["intent"] == "HassTurnOn"
    assert match["slots"]["area"]["value"] == "keuken" and match["slots"]["domain"]["value"] == "light"


def test_parse_the_customer_service_skill_in_dutch() -> None:
    result = CliRunner().invoke(cli, ["parse", "waar is bestelling een twee drie vier", "-l", "nl"])
    match = json.loads(result.output)
    assert (match["intent"], match["skill"]) == ("OrderStatus", "customer_service")
    assert match["slots"]["order_number"]["text"] == "een twee drie vier"


def test_parse_without_a_match_exits_one() -> None:
    result = CliRunner().invoke(cli, ["parse", "completely unrelated words", "-l", "en"])
    assert result.exit_code == 1 and json.loads(result.output)["intent"] is None


def test_parse_refuses_a_malformed_list_value() -> None:
    result = CliRunner().invoke(cli, ["parse", "x", "--list", "keuken"])
    assert result.exit_code == 1 and "is not NAME=VALUE" in result.output


def test_chat_answers_each_line_in_dutch_and_english() -> None:
    dutch = CliRunner().invoke(
        cli, ["chat", "-l", "nl"], input="wat zijn jullie openingstijden\nhoe kan ik u bereiken\n"
    )
    assert dutch.exit_code == 0
    lines = dutch.output.strip().splitlines()
    assert lines[0].startswith("We zijn maandag tot en met vrijdag open") and "020 123 4567" in lines[1]
    english = CliRunner().invoke(cli, ["chat", "-l", "en"], input="what can you do\n")
    assert english.output.startswith("I can tell you our opening hours")
