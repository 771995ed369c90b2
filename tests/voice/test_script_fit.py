"""A conversation script must fit the skill it is played against: a stub names a setting the skill has
(a misspelt one left the real API of voice.toml in place), and the locale is one the skill speaks (a
script in German was reported ok on the apology "Sorry, I can't help in that language yet.")."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from booking_api import BookingApi, serving_booking_api
from click.testing import CliRunner

from voice import SkillError
from voice.cli import cli
from voice.config import load_config
from voice.testing import assistant_for_tests, load_script, run_script

_NUMBER = itertools.count()
_RESPONSES = {"en": "Booked: {{ number }}.", "nl": "Geboekt: {{ number }}."}
_SENTENCES = {"en": "book it", "nl": "boek het"}
_BOOKING = """
import json
import urllib.request

from voice import Reply, Skill

skill = Skill({name!r}, __file__)


@skill.intent("Book")
def book(turn):
    {read}
    request = urllib.request.Request(url, data=b"{{}}", method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return skill.reply(turn, "Book", number=json.load(answer)["id"])
"""


def _skill(
    tmp_path: Path, scripts: dict[str, str], *, languages: tuple[str, ...] = ("en",), read: str = ""
) -> Path:
    """A booking skill in a uniquely named folder (voice.skill caches modules by folder name) that POSTs
    to the setting its handler reads (``read``: default ``skill.settings.get("booking_url")``)."""
    name = f"fit_skill_{next(_NUMBER)}_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / name
    (folder / "tests").mkdir(parents=True)
    read = read or 'url = skill.settings.get("booking_url")'
    (folder / "__init__.py").write_text(_BOOKING.format(name=name, read=read))
    for language in languages:
        (folder / "locales" / language).mkdir(parents=True)
        (folder / "locales" / language / "intents.yaml").write_text(
            f"language: {language}\nintents:\n  Book:\n    data: [{{sentences: [{_SENTENCES[language]}]}}]\n"
        )
        (folder / "locales" / language / "responses.yaml").write_text(
            f'responses:\n  Book: "{_RESPONSES[language]}"\n'
        )
    for file, body in scripts.items():
        (folder / "tests" / file).write_text(body)
    return folder


@pytest.fixture
def real_api() -> Iterator[tuple[BookingApi, str]]:
    """The company's real booking API, as voice.toml names it: it counts what reaches it."""
    with serving_booking_api() as running:
        yield running


def _config(tmp_path: Path, folder: Path, url: str, key: str = "booking_url") -> Path:
    config = tmp_path / "voice.toml"
    config.write_text(
        f'store = "sqlite:///{tmp_path / "sessions.db"}"\n[skill.{folder.name}]\n{key} = "{url}"\n',
        encoding="utf-8",
    )
    return config


def _booking(stub: str, locale: str = "en") -> str:
    return (
        f"locale: {locale}\nstubs: {{{stub}: {{status: 201, json: {{id: A17}}}}}}\n"
        "turns:\n  - user: book it\n    reply: 'Booked: A17.'\n"
    )


def test_voice_test_refuses_a_misspelt_stub_and_the_real_api_hears_nothing(
    tmp_path: Path, real_api: tuple[BookingApi, str]
) -> None:
    api, url = real_api
    folder = _skill(
        tmp_path, {"a_misspelt.yaml": _booking("bookng_url"), "b_right.yaml": _booking("booking_url")}
    )
    result = CliRunner().invoke(cli, ["test", str(folder), "--config", str(_config(tmp_path, folder, url))])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"FAIL {folder.name}/a_misspelt.yaml" in result.output
    assert (
        f"a_misspelt.yaml line 2: stub 'bookng_url' names no setting of {folder.name} "
        "(its settings: booking_url); did you mean 'booking_url'?"
    ) in result.output
    assert f"ok   {folder.name}/b_right.yaml" in result.output  # the stub answered, not the real API
    assert api.bookings == []


@pytest.mark.parametrize(
    ("read", "table"),
    [
        ('url = skill.settings.get("booking_url")', "other_url"),
        ('url = skill.settings["booking_url"]', "other_url"),
        (
            'url = skill.settings["booking" + "_url"]',
            "booking_url",
        ),  # read by no literal name: the table says
    ],
    ids=["read with get", "read by index", "only in the config table"],
)
def test_a_stub_may_name_a_setting_the_code_reads_or_the_config_table_has(
    tmp_path: Path, real_api: tuple[BookingApi, str], read: str, table: str
) -> None:
    api, url = real_api
    folder = _skill(tmp_path, {"right.yaml": _booking("booking_url")}, read=read)
    config = load_config(_config(tmp_path, folder, url, key=table))
    assistant = assistant_for_tests(str(folder), tmp_path, config)
    try:
        assert run_script(load_script(folder / "tests" / "right.yaml"), assistant) == []
    finally:
        assistant.close()
    assert api.bookings == []


def test_a_stub_far_from_every_setting_names_where_settings_come_from(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {"far.yaml": _booking("calendar")})
    _assert_refused(
        folder / "tests" / "far.yaml",
        tmp_path,
        r"far.yaml line 2: stub 'calendar' names no setting of .* \(its settings: booking_url\); "
        r"name a setting the skill reads \(skill.settings.get\(\"name\"\)\) or its config table has.$",
    )


@pytest.mark.parametrize("locale", ["de", "fr-FR"])
def test_voice_test_refuses_a_locale_no_skill_speaks(tmp_path: Path, locale: str) -> None:
    language = locale[:2]
    folder = _skill(tmp_path, {"foreign.yaml": _booking("booking_url", locale)}, languages=("en", "nl"))
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"FAIL {folder.name}/foreign.yaml" in result.output
    assert (
        f"foreign.yaml line 1: locale {locale!r}: no loaded skill speaks {language!r} (they speak en, nl); "
        f"write one of those, or give the skill locales/{language}/."
    ) in result.output


def _dutch_script() -> str:
    return _booking("booking_url", "nl").replace("book it", "boek het").replace("Booked", "Geboekt")


def _dutch_only(tmp_path: Path) -> Path:
    config = tmp_path / "voice.toml"
    config.write_text('locales = ["nl"]\n', encoding="utf-8")
    return config


def test_voice_test_skips_the_scripts_of_a_language_the_config_does_not_serve(tmp_path: Path) -> None:
    """A Dutch-only team (locales = ["nl"]) got every _en script failed with "no loaded skill speaks 'en'
    ... give the skill locales/en/", although the skill has locales/en/: the config left it out."""
    scripts = {"english.yaml": _booking("booking_url"), "dutch.yaml": _dutch_script()}
    folder = _skill(tmp_path, scripts, languages=("en", "nl"))
    config = _dutch_only(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(folder), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (
        f"skip {folder.name}/english.yaml" in result.output
        and f"ok   {folder.name}/dutch.yaml" in result.output
    )
    assert result.output.endswith(
        "1 passed, 0 failed, 1 skipped\n"
        f'skipped 1 script in en: the config {config} serves only nl (locales = ["nl"]), not en; add en to '
        "its locales to run them, or run them with a config that serves en (voice test --config FILE).\n"
    )


def test_a_script_in_a_language_the_config_does_not_serve_names_the_config(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {"english.yaml": _booking("booking_url")}, languages=("en", "nl"))
    config = load_config(_dutch_only(tmp_path))
    assistant = assistant_for_tests(str(folder), tmp_path, config)
    try:
        with pytest.raises(
            SkillError, match=r"english.yaml line 1: locale 'en': the config .* serves only nl"
        ):
            run_script(load_script(folder / "tests" / "english.yaml"), assistant)
    finally:
        assistant.close()


def test_a_script_without_locale_runs_in_the_one_language_of_the_skill(tmp_path: Path) -> None:
    script = _booking("booking_url").replace("locale: en\n", "").replace("book it", "boek het")
    script = script.replace("Booked", "Geboekt")
    folder = _skill(tmp_path, {"dutch.yaml": script}, languages=("nl",))
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"ok   {folder.name}/dutch.yaml" in result.output


def test_a_script_without_locale_for_a_skill_of_two_languages_is_refused(tmp_path: Path) -> None:
    script = "turns:\n  - user: book it\n"
    folder = _skill(tmp_path, {"which.yaml": script}, languages=("en", "nl"))
    _assert_refused(
        folder / "tests" / "which.yaml",
        tmp_path,
        r"which.yaml: the script has no locale and the skills speak en, nl; write which one it is "
        r"in, like locale: en.$",
    )


def _assert_refused(script: Path, tmp_path: Path, match: str) -> None:
    """Playing ``script`` against its skill raises a ``SkillError`` matching ``match``."""
    assistant = assistant_for_tests(str(script.parent.parent), tmp_path)
    try:
        with pytest.raises(SkillError, match=match):
            run_script(load_script(script), assistant)
    finally:
        assistant.close()
