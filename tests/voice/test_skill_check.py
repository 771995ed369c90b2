"""Start-up and ``voice check`` catch every mismatch of handlers, templates, responses and prompts."""

from __future__ import annotations

import logging
import re
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from voice import Router, SkillError, Turn, load_skill
from voice import builtins as framework
from voice.analytics.team import texts
from voice.builtins import BUILTIN_LOCALES, builtin_reply, builtin_responses
from voice.cli import cli
from voice.server import create_app
from voice.skill_check import check_skills, skill_problems

CODE = """
    from voice import Reply, Skill, Slot, Turn
    skill = Skill("{name}", __file__)

    def _too_late(value, turn):
        return "TooLate" if value == "never" else None

    street = Slot("street", prompt="AskStreet", validate=_too_late)
    skill.flow("Collect", slots=[street], confirm="ConfirmCollect")

    @skill.intent({handled!r})
    def collect(turn: Turn) -> Reply:
        return skill.reply(turn, "Collected")
"""
INTENTS = """
    language: {language}
    intents:
      Collect:
        data: [{{sentences: ["collect [at] {{street}}"]}}]
      Opening:
        data: [{{sentences: ["opening"]}}]
    lists:
      street: {{wildcard: true}}
"""
FULL = {
    "AskStreet": "Which street?",
    "ConfirmCollect": "Collect at {{ street }}?",
    "TooLate": "Too late.",
    "Collected": "Done.",
    "Opening": "Open.",
}


def _skill(
    root: Path,
    name: str,
    handled: str = "Collect",
    languages: tuple[str, ...] = ("en", "nl"),
    **missing: str,
) -> Path:
    """A skill in ``languages``; ``missing``: language -> a response key left out of that language."""
    folder = root / name
    (folder / "__init__.py").parent.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE.format(name=name, handled=handled)))
    for language in languages:
        (folder / "locales" / language).mkdir(parents=True)
        intents = INTENTS.format(language=language)
        (folder / "locales" / language / "intents.yaml").write_text(textwrap.dedent(intents))
        keys = {k: v for k, v in FULL.items() if k != missing.get(language)}
        body = "".join(f"  {key}: {value!r}\n" for key, value in keys.items())
        (folder / "locales" / language / "responses.yaml").write_text(f"responses:\n{body}")
    return folder


def _problems(folder: Path) -> list[str]:
    return [problem.message for problem in skill_problems(Router([load_skill(folder)]))]


def test_a_skill_that_fits_together_has_no_problems(tmp_path: Path) -> None:
    assert _problems(_skill(tmp_path, "check_fine")) == []


@pytest.mark.parametrize(("name", "separator"), [("Opening__Late", "__"), ("Opening - Late", " - ")])
def test_an_intent_name_with_a_platform_separator_is_refused(
    tmp_path: Path, name: str, separator: str
) -> None:
    """The exports name Alexa's ``Intent__tag`` and Dialogflow's ``Intent - with tag``, and the channels
    split the names there: ``Opening__Late`` came back from Alexa as ``Opening``."""
    folder = _skill(tmp_path, "check_separator", languages=("en",))
    intents, responses = (folder / "locales" / "en" / file for file in ("intents.yaml", "responses.yaml"))
    _rewrite(intents, "Opening:", f"{name}:")
    _rewrite(responses, "Opening:", f"{name!r}:")
    refusal = (
        f"skill 'check_separator': intent {name!r} in {intents} has {separator!r} in its name, which the "
        "Alexa and Dialogflow exports put between an intent and the tag of its variants, so a platform's "
        "request for it would be read as another intent; rename it without '__' (two underscores) and "
        "' - ' (a dash between spaces)."
    )
    assert _problems(folder) == [refusal]
    with pytest.raises(SkillError, match=re.escape(refusal)):
        check_skills(Router([load_skill(folder)]))


def test_a_misspelt_handler_names_the_nearest_intent(tmp_path: Path) -> None:
    with pytest.raises(
        SkillError, match=r"intent 'Colect'.*; fix the name \(did you mean 'Collect'\?\) or add"
    ):
        check_skills(Router([load_skill(_skill(tmp_path, "check_typo", handled="Colect"))]))


@pytest.mark.parametrize(
    ("key", "what"),
    [
        ("AskStreet", "the prompt of slot 'street' of flow 'Collect'"),
        ("ConfirmCollect", "the confirmation of flow 'Collect'"),
        ("TooLate", "an answer of the validator of slot 'street'"),
        ("Collected", r"said in __init__.py line \d+"),
        ("Opening", "intent 'Opening' has no handler"),
    ],
)
def test_a_missing_response_names_the_file_the_key_and_its_use(tmp_path: Path, key: str, what: str) -> None:
    problems = _problems(_skill(tmp_path, f"check_miss_{key.lower()}", nl=key))
    assert len(problems) == 1
    assert "locales/nl/responses.yaml" in problems[0] and repr(key) in problems[0]
    assert problems[0].endswith("add it.") or "add the response" in problems[0]
    assert re.search(what, problems[0])


def test_the_start_refuses_with_the_first_and_counts_the_rest(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_two", en="AskStreet", nl="Opening")
    with pytest.raises(SkillError, match=r"AskStreet.*\(1 more: run 'voice check'\)"):
        check_skills(Router([load_skill(folder)]))


def test_voice_check_lists_every_problem(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_many", handled="Colect", en="AskStreet", nl="TooLate")
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{folder}"]\n')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("PROBLEM: ")]
    assert len(lines) == 3, result.output
    assert any("Colect" in line for line in lines) and any("TooLate" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("invocation: [city, shop\n", "is not valid YAML"),
        ("invokation: city shop\n", "unknown key 'invokation'"),
        ("examples: what are your opening hours\n", "'examples' must be a list of texts"),
    ],
)
def test_a_publishing_text_the_exports_cannot_read_is_a_problem(tmp_path: Path, text: str, what: str) -> None:
    folder = _skill(tmp_path, "check_info")
    (folder / "locales" / "nl" / "skill.yaml").write_text(text)
    problems = _problems(folder)
    assert len(problems) == 1 and "locales/nl/skill.yaml" in problems[0] and what in problems[0]


def test_a_publishing_text_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_latin1")
    (folder / "locales" / "nl" / "skill.yaml").write_bytes("name: Café\n".encode("latin-1"))
    problems = _problems(folder)
    assert len(problems) == 1 and "is not UTF-8 text" in problems[0], problems


def test_the_start_only_warns_about_a_publishing_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The running assistant reads only skill.yaml's name, for the welcome: a store-listing typo must
    not stop a server, nor fail a call's first turn (it is welcomed without a name)."""
    folder = _skill(tmp_path, "check_start_info")
    (folder / "locales" / "en" / "skill.yaml").write_text("invokation: city shop\n")
    skill = load_skill(folder)
    check_skills(Router([skill]))
    assert "unknown key 'invokation'" in caplog.text and "the welcome names no business" in caplog.text
    welcome = builtin_reply(Turn(intent="Launch", locale="en"), "welcome", skills=[skill])
    assert welcome.text == "Welcome! How can I help you?"


def test_a_label_of_no_flow_or_slot_is_a_problem_with_the_nearest_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A misspelt label in skill.yaml was never shown: the dashboard showed the raw name instead. The
    start only warns: only the dashboard reads the labels."""
    folder = _skill(tmp_path, "check_labels")
    info = folder / "locales" / "nl" / "skill.yaml"
    info.write_text(
        "flow_labels: {Colect: Ophalen}\nslot_labels: {street: straat, stret: straat, zip: postcode}\n"
    )
    assert _problems(folder) == [
        f"skill 'check_labels': {info} labels flow 'Colect' in flow_labels, but the skill has no flow of "
        "that name (did you mean 'Collect'?); fix the name or remove the label.",
        f"skill 'check_labels': {info} labels slot 'stret' in slot_labels, but no flow of the skill asks "
        "for a slot of that name (did you mean 'street'?); fix the name or remove the label.",
        f"skill 'check_labels': {info} labels slot 'zip' in slot_labels, but no flow of the skill asks "
        "for a slot of that name; fix the name or remove the label.",
    ]
    check_skills(Router([load_skill(folder)]))
    assert "labels flow 'Colect'" in caplog.text and "('voice check' refuses this)" in caplog.text


def _check(tmp_path: Path, folder: Path) -> Result:
    """``voice check`` over one skill, as its developer runs it."""
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{folder}"]\n')
    return CliRunner().invoke(cli, ["check", "--config", str(config)])


def test_voice_check_refuses_a_language_without_builtins(tmp_path: Path) -> None:
    """A Korean caller could never say yes to the flow's confirmation, nor stop, nor hear Korean apologies."""
    folder = _skill(tmp_path, "check_korean", languages=("en", "ko"))
    result = _check(tmp_path, folder)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("PROBLEM: ")] == [
        "PROBLEM: skill 'check_korean' speaks 'ko', but the framework has no built-in intents in 'ko' "
        "(only in en, nl), so a caller cannot say yes, no, stop or help there and no confirmation can "
        "finish, and no built-in replies in 'ko' (only in en, nl), so the apologies, goodbyes and handoff "
        f"are spoken in English; add intents.yaml and responses.yaml to {BUILTIN_LOCALES / 'ko'}/, "
        f"translated from {BUILTIN_LOCALES / 'en'}/ (the skill may instead give every reply itself, "
        f"under 'builtin:' in {folder / 'locales' / 'ko' / 'responses.yaml'})."
    ]


@pytest.mark.parametrize("languages", [("en",), ("nl",), ("en", "nl")], ids=["en", "nl", "en+nl"])
def test_voice_check_says_nothing_of_builtins_in_english_and_dutch(
    tmp_path: Path, languages: tuple[str, ...]
) -> None:
    result = _check(tmp_path, _skill(tmp_path, "check_builtins_" + "_".join(languages), languages=languages))
    assert result.exit_code == 0, result.output
    assert "built-in" not in result.output and "PROBLEM" not in result.output


def test_a_skill_giving_every_reply_itself_misses_only_the_intents(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_own_replies", languages=("ko",))
    own = "".join(f"  {key}: '...'\n" for key in builtin_responses("en").templates)
    with (folder / "locales" / "ko" / "responses.yaml").open("a") as file:
        file.write(f"builtin:\n{own}")
    [problem] = _problems(folder)
    assert "no built-in intents in 'ko' (only in en, nl)" in problem
    assert "built-in replies" not in problem and problem.endswith(
        f"add intents.yaml to {BUILTIN_LOCALES / 'ko'}/, translated from {BUILTIN_LOCALES / 'en'}/."
    )


@pytest.fixture
def framework_without_korean_replies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The framework's locales with Korean intents but no Korean ``responses.yaml`` (caches cleared)."""
    locales = tmp_path / "framework"
    shutil.copytree(BUILTIN_LOCALES / "en", locales / "en")
    (locales / "ko").mkdir()
    (locales / "ko" / "intents.yaml").write_text(
        'language: ko\nintents:\n  "Yes":\n    data: [{sentences: ["네"]}]\n'
    )
    cached = (
        framework.builtin_languages,
        framework.builtin_reply_languages,
        framework.builtin_intents,
        framework.builtin_responses,
    )
    for function in cached:
        function.cache_clear()
    monkeypatch.setattr(framework, "BUILTIN_LOCALES", locales)
    yield
    for function in cached:
        function.cache_clear()


@pytest.mark.usefixtures("framework_without_korean_replies")
def test_a_language_with_intents_but_no_replies_misses_the_replies(tmp_path: Path) -> None:
    [problem] = _problems(_skill(tmp_path, "check_no_replies", languages=("ko",)))
    assert "no built-in replies in 'ko' (only in en), so the apologies" in problem
    assert "intents" not in problem.split(";")[0] and "add responses.yaml to " in problem


@pytest.mark.usefixtures("framework_without_korean_replies")
def test_a_language_with_intents_but_no_replies_is_answered_in_english() -> None:
    """The replies fall back to English by their own file: a missing ko/responses.yaml fails no turn."""
    reply = builtin_reply(Turn(text="네", locale="ko", session_id="s1"), "goodbye")
    assert reply.speech == "Goodbye, and thank you."


def test_a_reply_missing_from_a_language_pack_is_said_in_english(
    framework_without_korean_replies: None,
) -> None:
    (framework.BUILTIN_LOCALES / "ko" / "responses.yaml").write_text(
        'responses:\n  goodbye: "안녕히 가세요."\n'
    )
    turn = Turn(text="네", locale="ko", session_id="s1")
    assert builtin_reply(turn, "goodbye").speech == "안녕히 가세요."
    assert (
        builtin_reply(turn, "handoff").speech
        == builtin_reply(Turn(text="yes", session_id="s1"), "handoff").speech
    )


@pytest.mark.usefixtures("framework_without_korean_replies")
def test_a_language_pack_being_translated_is_checked_for_what_it_lacks(tmp_path: Path) -> None:
    """A half-translated pack: its missing replies are spoken in English, its missing intents cannot be
    said; ``voice check`` names them, and a reply the skill gives itself is not missing."""
    (framework.BUILTIN_LOCALES / "ko" / "responses.yaml").write_text(
        'responses:\n  goodbye: "안녕히 가세요."\n'
    )
    folder = _skill(tmp_path, "check_half_pack", languages=("ko",))
    with (folder / "locales" / "ko" / "responses.yaml").open("a") as file:
        file.write("builtin:\n  handoff: '상담원을 연결해 드릴게요.'\n")
    [problem] = _problems(folder)
    intents = sorted(set(framework.builtin_intents("en").intents) - {"Yes"})
    replies = sorted(set(builtin_responses("en").templates) - {"goodbye", "handoff"})
    assert problem == (
        "skill 'check_half_pack' speaks 'ko', but the framework's 'ko' pack lacks the built-in intents "
        f"{', '.join(intents)} (a caller cannot say them there) and the built-in replies "
        f"{', '.join(replies)} (they are spoken in English); add them to intents.yaml and "
        f"responses.yaml in {BUILTIN_LOCALES / 'ko'}/, translated from {BUILTIN_LOCALES / 'en'}/."
    )


def test_the_shipped_language_packs_have_every_reply_and_intent_of_english() -> None:
    """What a translator of ``voice/locales`` must keep: every reply key and built-in intent."""
    for language in framework.builtin_languages() | framework.builtin_reply_languages():
        assert set(builtin_responses(language).templates) == set(builtin_responses("en").templates), language
        assert set(framework.builtin_intents(language).intents) == set(
            framework.builtin_intents("en").intents
        )


def test_the_start_only_warns_about_a_language_without_builtins(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The skill still answers its own intents there: one Korean skill must not stop a server."""
    check_skills(Router([load_skill(_skill(tmp_path, "check_start_korean", languages=("ko",)))]))
    assert "no built-in intents in 'ko'" in caplog.text and "'voice check' refuses this" in caplog.text


def test_two_skills_of_one_name_stop_the_check_naming_both_folders(tmp_path: Path) -> None:
    """A copy of the shipped skill's folder name would hide one of the two (``voice parse`` lost the
    shipped skill's intents without a word)."""
    copy = _skill(tmp_path, "customer_service")
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service", "{copy}"]\n')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
    assert "two skills are named 'customer_service'" in result.output and str(copy) in result.output


@pytest.mark.parametrize("locales", [["fr"], ["de", "nl"]])
def test_locales_that_no_skill_speaks_stop_the_check(tmp_path: Path, locales: list[str]) -> None:
    """``locales = ["fr"]`` served nothing and ``["de", "nl"]`` dropped ``de``, both without a word."""
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nlocales = {locales!r}\n'.replace("'", '"'))
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code != 0, result.output
    assert f"locales names {locales[0]!r}, which no loaded skill speaks (they speak en, nl)" in result.output


def test_a_flow_slot_no_template_fills_is_refused(tmp_path: Path) -> None:
    """``Slot("straat")`` while the templates say ``{street}``: the flow would ask "Which street?"
    for ever, and the check and the start passed."""
    folder = _skill(tmp_path, "check_slot_typo")
    code = folder / "__init__.py"
    code.write_text(code.read_text().replace('Slot("street"', 'Slot("straat"'))
    problems = _problems(folder)
    assert problems == [
        f"skill 'check_slot_typo' asks for slot 'straat' in the flow of 'Collect', which no template of "
        f"'Collect' in {folder / 'locales' / language / 'intents.yaml'} fills (they fill street); "
        "fix the slot's name (did you mean 'street'?) or add a template with {straat}."
        for language in ("en", "nl")
    ]
    none = {"skill": "'s'", "slot": "'straat'", "intent": "'Collect'", "file": "f", "fillable": ""}
    dutch = texts("nl", "commands")("unfilled_slot", nearest="", braced="{straat}", **none)
    assert "(ze vullen geen enkel slot)" in dutch, dutch  # was "(ze vullen geen)"


def test_an_intent_of_one_language_needs_its_replies_only_there(tmp_path: Path) -> None:
    """A Dutch-only intent (passports at the town hall) in a bilingual skill: its handler's reply is
    needed in Dutch, not in English; a reply said outside any handler is needed in both."""
    folder = _skill(tmp_path, "check_dutch_only")
    code = folder / "__init__.py"
    code.write_text(
        code.read_text()
        + textwrap.dedent(
            """
            @skill.intent("Passport")
            def passport(turn: Turn) -> Reply:
                return skill.reply(turn, "PassportInfo")

            def anywhere(turn: Turn) -> Reply:
                return skill.reply(turn, "Everywhere")
            """
        )
    )
    dutch = folder / "locales" / "nl"
    (dutch / "intents.yaml").write_text(
        (dutch / "intents.yaml")
        .read_text()
        .replace("  Opening:", '  Passport:\n    data: [{sentences: ["paspoort"]}]\n  Opening:')
    )
    with (dutch / "responses.yaml").open("a") as file:
        file.write("  PassportInfo: 'Neem een pasfoto mee.'\n  Everywhere: 'Overal.'\n")
    line = code.read_text().splitlines().index('    return skill.reply(turn, "Everywhere")') + 1
    assert _problems(folder) == [
        f"skill 'check_dutch_only': {folder / 'locales' / 'en' / 'responses.yaml'} has no response "
        f"'Everywhere' (said in __init__.py line {line}); add it."
    ]


def test_a_skill_checked_by_name_is_checked_in_the_configured_languages_it_speaks(tmp_path: Path) -> None:
    """``locales = ["nl", "en"]`` are for every configured skill: ``voice check DUTCH_SKILL`` checks
    it in Dutch instead of refusing English, which only the other skills speak."""
    folder = _skill(tmp_path, "check_dutch_skill", languages=("nl",))
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\nlocales = ["nl", "en"]\n')
    result = CliRunner().invoke(cli, ["check", str(folder), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("nl: ") and "en: " not in result.output  # stderr: the Alexa warning


def test_a_skill_checked_by_name_in_none_of_the_configured_languages_is_one_sentence(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "check_dutch_only_skill", languages=("nl",))
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\nlocales = ["en"]\n')
    result = CliRunner().invoke(cli, ["check", str(folder), "--config", str(config)])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
    assert "locales = ['en'] names no language that check_dutch_only_skill speaks (nl)" in result.output


def test_an_intent_given_twice_in_one_file_stops_the_check(tmp_path: Path) -> None:
    """The second ``Opening:`` block replaced the first without a word (its sentences stopped matching)."""
    folder = _skill(tmp_path, "check_twice")
    intents = folder / "locales" / "nl" / "intents.yaml"
    text = intents.read_text()
    intents.write_text(text.replace("\nlists:", '\n  Opening:\n    data: [{sentences: ["open"]}]\nlists:'))
    result = CliRunner().invoke(cli, ["check", str(folder)])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
    assert "the key 'Opening' is given twice; keep one" in result.output and str(intents) in result.output


def test_a_language_folder_without_intents_is_named_by_the_check_and_logged_at_the_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``locales/en/`` with only ``responses.yaml``: the skill spoke Dutch only, and nothing said why."""
    folder = _skill(tmp_path, "check_no_intents")
    (folder / "locales" / "en" / "intents.yaml").unlink()
    (folder / "locales" / "nl-BE").mkdir()  # a region's store texts, where the skill speaks the language
    (folder / "locales" / "nl-BE" / "skill.yaml").write_text("name: Check\n")
    router = Router([load_skill(folder)])
    assert [problem.message for problem in skill_problems(router)] == [
        f"skill 'check_no_intents': {folder / 'locales' / 'en'} has no intents.yaml, so the skill does not "
        f"speak 'en'; add {folder / 'locales' / 'en' / 'intents.yaml'}, or remove the folder."
    ]
    check_skills(router)
    assert "has no intents.yaml" in caplog.text and "'voice check' refuses this" in caplog.text


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("key", "written", "name", "nearest"),
    [
        ("ConfirmCollect", "Collect at {{ stret }}?", "stret", "street"),  # a flow's: its slots
        ("Collected", "Done at {{ hours }}.", "hours", "hour"),  # a handler's: its slots and what it passes
    ],
)
def test_a_response_reading_a_value_nobody_gives_is_a_problem(
    tmp_path: Path, key: str, written: str, name: str, nearest: str
) -> None:
    """{{ cake_nam }} in a confirmation passed voice check, and every "yes" failed the turn with
    "'cake_nam' is undefined": the caller could never finish."""
    folder = _skill(tmp_path, f"check_value_{key.lower()}")
    _rewrite(folder / "__init__.py", 'reply(turn, "Collected")', 'reply(turn, "Collected", hour=9)')
    responses = folder / "locales" / "nl" / "responses.yaml"
    _rewrite(responses, f"{key}: {FULL[key]!r}", f"{key}: {written!r}")
    assert _problems(folder) == [
        f"skill 'check_value_{key.lower()}': response {key!r} in {responses} uses {{{{ {name} }}}}, "
        "which is no slot of the intent that says it, no value the code passes or describes, and no skill "
        f"value (did you mean {nearest!r}?), so every turn that says it fails; fix the name, or pass "
        "the value."
    ]


GIVEN_CODE = """
    from voice import Reply, Skill, Slot, Turn
    skill = Skill("check_values_given", __file__)
    skill.values["shop"] = {"phone": "030 123"}

    def _describe(turn):
        values = {"street_name": str(turn.value("street")).title()}
        values["day"] = "Monday"
        return values

    def _extra(turn):
        return {"floor": 2} if turn.value("street") else dict(floor=0)

    street = Slot("street", prompt="AskStreet")
    skill.flow("Collect", slots=[street], confirm="ConfirmCollect", describe=_describe)

    @skill.intent("Collect")
    def collect(turn: Turn) -> Reply:
        return skill.reply(turn, "Collected" if turn else "Opening", number=4, **_extra(turn))

    @skill.intent("Opening")
    def opening(turn: Turn) -> Reply:
        values = {"late": True}
        return skill.say(turn, "Opening", **values) and skill.reply(turn, "Opening", **values)
"""
GIVEN_RESPONSES = {
    "AskStreet": "Which street? Call {{ shop.phone }} or {{ settings.desk }} {{ slots.street }}.",
    "ConfirmCollect": "{{ street_name }} ({{ street }}) on {{ day }} {{ dag }}?",  # one typo
    "Collected": "{{ number }}, {{ flor }}, {{ street }}{% if note is defined %}: {{ note }}{% endif %}",
    "Collected_no_person": "{{ number }}{{ missing | d('') }}{% for i in range(2) %}{{ i }}{% endfor %}"
    "{% if call %} Mail us.{% endif %}",  # Turn.call: every response gets it
    "Opening": "Open {{ late }} {{ unknowable }}.",  # **values: nobody can tell, so nothing is said
}


def test_values_the_code_gives_a_response_are_no_problem(tmp_path: Path) -> None:
    """Slots, what a handler passes (by name, **helper(turn)), a flow's describe, the skill's values and
    settings, ``call``, guarded names and Jinja's own: no false alarm, only the two typos. A response the code
    passes **values to, which cannot be followed, is left alone."""
    folder = _skill(tmp_path, "check_values_given", languages=("en",))
    (folder / "__init__.py").write_text(textwrap.dedent(GIVEN_CODE))
    body = "".join(f"  {key}: {value!r}\n" for key, value in GIVEN_RESPONSES.items())
    (folder / "locales" / "en" / "responses.yaml").write_text(f"responses:\n{body}")
    found = [
        re.search(r"response '(\w+)' .* uses (\{\{ \w+ \}\}).*(did you mean '\w+'\?)", p)
        for p in _problems(folder)
    ]
    assert [match.groups() if match else None for match in found] == [
        ("ConfirmCollect", "{{ dag }}", "did you mean 'day'?"),
        ("Collected", "{{ flor }}", "did you mean 'floor'?"),
    ]


def test_a_slot_twice_in_one_sentence_is_a_problem(tmp_path: Path) -> None:
    """ "(de naam is|er moet {cake_name} op|met de naam) {cake_name}": "er moet Zoë op" did not match it,
    and a bare "{cake_name}" took the whole sentence as the name. Alternatives with one each are fine."""
    folder = _skill(tmp_path, "check_twice", languages=("en",))
    intents = folder / "locales" / "en" / "intents.yaml"
    _rewrite(
        intents, '"collect [at] {street}"', '"collect [at] {street}", "(at {street} please|in) {street}"'
    )
    _rewrite(intents, '"opening"', '"opening", "(at {street}|in {street}) [now]"')
    assert _problems(folder) == [
        "skill 'check_twice': template '(at {street} please|in) {street}' of intent 'Collect' in "
        f"{intents} has {{street}} twice in one sentence, so it matches only a caller who says it twice; "
        "use {street} once on every path, writing the alternatives out."
    ]


def test_a_dialog_context_of_no_flow_is_a_problem(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """requires_context {dialog: X} matches only while flow X asks; for a plain handler it never does.
    The start only warns: these checks read the code without running it."""
    folder = _skill(tmp_path, "check_dialog_context", languages=("en",))
    intents = folder / "locales" / "en" / "intents.yaml"
    _rewrite(
        intents,
        'data: [{sentences: ["opening"]}]',
        'data: [{sentences: ["opening"]}, {requires_context: {dialog: Opening}, sentences: ["open"]},'
        ' {requires_context: {dialog: Collect}, sentences: ["at {street}"]}]',
    )
    assert _problems(folder) == [
        f"skill 'check_dialog_context': intent 'Opening' in {intents} has a block with requires_context "
        "{dialog: Opening}, but the skill has no flow 'Opening', and that context exists only while a flow "
        "asks, so the block never matches; declare skill.flow('Opening', slots=[...]) or fix the name "
        "(docs/skills.md, Flows)."
    ]
    check_skills(Router([load_skill(folder)]))
    assert "has no flow 'Opening'" in caplog.text and "('voice check' refuses this)" in caplog.text


def test_a_dialog_context_of_a_flow_is_no_problem_in_any_form(tmp_path: Path) -> None:
    """``{dialog: {value: Collect, slot: true}}`` names the flow Collect as ``{dialog: Collect}`` does (it was
    read as a flow named after the whole mapping); ``{slot: true}`` or null take any flow."""
    folder = _skill(tmp_path, "check_dialog_forms", languages=("en",))
    _rewrite(
        folder / "locales" / "en" / "intents.yaml",
        'data: [{sentences: ["opening"]}]',
        'data: [{sentences: ["opening"]}, {requires_context: {dialog: {value: Collect, slot: true}},'
        ' sentences: ["at {street}"]}, {requires_context: {dialog: [Collect]}, sentences: ["in {street}"]},'
        ' {requires_context: {dialog: {slot: true}}, sentences: ["near {street}"]}]',
    )
    assert _problems(folder) == []


@pytest.mark.parametrize("hours", [True, False], ids=["hours", "always"])
def test_voice_check_warns_of_a_no_person_that_never_says_when_the_team_is_back(
    tmp_path: Path, hours: bool
) -> None:
    """With ``[handoff] hours`` a caller after hours hears the skill's own ``no_person``: without ``back``
    it never tells them when a person can take the call (the Dutch one does, the English one not)."""
    folder = _skill(tmp_path, "check_no_person")
    said = {
        "en": "Sorry, nobody can take your call now.",
        "nl": "{% if back %}Onze collega's zijn er {{ back }} weer.{% endif %}",
    }
    for language, text in said.items():
        with (folder / "locales" / language / "responses.yaml").open("a") as file:
            file.write(f"builtin:\n  no_person: {text!r}\n")
    config = tmp_path / "voice.toml"
    team = '[handoff.hours]\nmonday = "09:00-17:00"\n' if hours else ""
    config.write_text(f'skills = ["{folder}"]\n{team}')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "no_person" in line]
    english = folder / "locales" / "en" / "responses.yaml"
    assert warnings == (
        [
            f"warning: skill 'check_no_person': no_person in {english} (builtin) does not tell callers when "
            "the team is back, though [handoff] hours is set; add {{ back }} to it (the framework's says "
            "{% if back %}Our colleagues are back {{ back }}.{% endif %})."
        ]
        if hours
        else []
    )


def _skill_to_warn_of(tmp_path: Path, name: str) -> Path:
    """An English skill with an outdated ``reading(..., either_half=True)`` call and a ``no_person`` that
    never says when the team is back: two warnings, none a refusal."""
    folder = _skill(tmp_path, name, languages=("en",))
    with (folder / "__init__.py").open("a") as code:
        code.write(
            "\n\ndef _when(hours, time, day):\n    return hours.reading(time, day, either_half=True)\n"
        )
    with (folder / "locales" / "en" / "responses.yaml").open("a") as file:
        file.write("builtin:\n  no_person: 'Sorry, nobody can take your call now.'\n")
    return folder


def test_the_start_warns_as_voice_check_does_of_an_outdated_call_and_a_no_person_without_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server started with an older skill's ``reading(..., either_half=True)`` (3 am booked at 15:00),
    or with a ``no_person`` that never says when the team is back, said nothing of either: only ``voice
    check`` did. The start logs each once, in voice check's words (no "refuses": neither is refused)."""
    folder = _skill_to_warn_of(tmp_path, "check_start_warns")
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["{folder}"]\nstore = "sqlite://:memory:"\n[handoff.hours]\nmonday = "09:00-17:00"\n'
    )
    checked = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    said = [line.removeprefix("warning: ") for line in checked.stderr.splitlines()]
    expected = [line for line in said if "either_half" in line or "no_person" in line]
    assert len(expected) == 2
    caplog.set_level(logging.WARNING)
    create_app({"ALEXA_VERIFY": False, "VOICE_CONFIG": str(config)})
    logged = [
        r.getMessage()
        for r in caplog.records
        if "either_half" in r.getMessage() or "no_person" in r.getMessage()
    ]
    assert logged == expected


def test_a_dutch_team_reads_voice_checks_warnings_in_dutch_as_the_start_logs_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``voice check`` warned a Dutch team in English, each line marked "warning:", of an outdated call,
    a no_person without back, a transfer a v2 webhook cannot send and Alexa without skill ids (its sample
    data warnings were already Dutch); the start logs the skills' warnings in the same words."""
    folder = _skill_to_warn_of(tmp_path, "check_dutch_team")
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["{folder}"]\nstore = "sqlite://:memory:"\n[insights]\nlanguage = "nl"\n'
        '[handoff]\ntransfer_to = "+31201234567"\n[handoff.hours]\nmonday = "09:00-17:00"\n'
    )
    checked = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    code, replies = folder / "__init__.py", folder / "locales" / "en" / "responses.yaml"
    line = next(n for n, text in enumerate(code.read_text().splitlines(), 1) if "either_half" in text)
    assert checked.stderr.splitlines() == [
        "waarschuwing: Alexa-verzoekverificatie staat aan en alexa_application_ids is leeg, dus de server "
        "(voice serve, gunicorn) weigert te starten; zet [server] alexa_application_ids op het id van uw "
        'skill (["amzn1.ask.skill.…"]), of gebruik alleen tijdens ontwikkeling voice serve --no-verify.',
        "waarschuwing: [handoff] transfer_to is ingesteld, maar de v2-webhookantwoorden van Dialogflow "
        "hebben geen doorverbindbericht, dus wordt er geen gesprek doorverbonden; zet [server] "
        'dialogflow_api_version = "v2beta1" als uw gateway v2beta1 aanroept.',
        f"waarschuwing: skill 'check_dutch_team': {code} regel {line} leest een tijd met reading(..., "
        'either_half=True), die "at 3 am" en "om drie uur \'s nachts" om 15:00 boekt; schrijf '
        "reading(time, day), zoals voice init nu doet (een tijd zonder dagdeel valt dan binnen de "
        "openingstijden).",
        f"waarschuwing: skill 'check_dutch_team': no_person in {replies} (builtin) zegt bellers niet wanneer "
        "het team terug is, terwijl [handoff] hours is ingesteld; voeg er {{ back }} aan toe (die van het "
        "framework zegt {% if back %}Onze collega's zijn er {{ back }} weer.{% endif %}).",
    ]
    caplog.set_level(logging.WARNING)
    create_app({"ALEXA_VERIFY": False, "VOICE_CONFIG": str(config)})
    said = [line.removeprefix("waarschuwing: ") for line in checked.stderr.splitlines()[1:]]
    assert [r.getMessage() for r in caplog.records if r.getMessage() in said] == said


def test_a_dutch_team_reads_voice_checks_problems_in_dutch(tmp_path: Path) -> None:
    """``voice check`` marked a Dutch team's problems "PROBLEM:" in English sentences: a handler of no
    intent, a knowledge folder of no language; they are the team's words now, English unchanged."""
    folder = _skill(tmp_path, "check_dutch_problems", handled="Colect")
    (folder / "knowledge" / "xx").mkdir(parents=True)
    said = {}
    for language in ("en", "nl"):
        config = tmp_path / f"{language}.toml"
        config.write_text(f'skills = ["{folder}"]\n[insights]\nlanguage = "{language}"\n')
        result = CliRunner().invoke(cli, ["check", "--config", str(config)])
        assert result.exit_code == 1, result.output
        said[language] = result.stdout.splitlines()
    intents, knowledge = f"{folder}/locales/*/intents.yaml", folder / "knowledge" / "xx"
    assert said["nl"] == [
        f"PROBLEEM: skill 'check_dutch_problems' heeft een handler voor intent 'Colect', maar geen template "
        f"in {intents} definieert dat; verbeter de naam (bedoelt u 'Collect'?) of voeg het intent toe.",
        f"PROBLEEM: skill 'check_dutch_problems': {knowledge}: er is geen kennislexicon voor de taal 'xx'; "
        "bekend zijn en, nl. Hernoem de map of verwijder hem.",
    ]
    assert said["en"] == [
        f"PROBLEM: skill 'check_dutch_problems' has a handler for intent 'Colect', which no template in "
        f"{intents} defines; fix the name (did you mean 'Collect'?) or add the intent.",
        f"PROBLEM: skill 'check_dutch_problems': {knowledge}: no knowledge lexicon for language 'xx'; "
        "known: en, nl. Rename the folder or remove it.",
    ]
