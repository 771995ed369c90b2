"""``voice dashboard user add/remove/list/hash`` and ``voice review``, through click's CliRunner, with a
temporary config, store and copy of the shipped skill; bad input gives one ``error:`` line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from werkzeug.security import check_password_hash, generate_password_hash

from voice.analytics import Filters, read_not_understood
from voice.analytics.review import add_phrasing
from voice.cli import cli
from voice.config import load_config, store_url
from voice.dashboard import Accounts, DashboardSettings
from voice.knowledge import DecisionKind, KnowledgeBase
from voice.knowledge.reviewed import read_reviewed
from voice.router import Router
from voice.skill_loading import load_skill
from voice.store import open_store

from .seed import missed

SKILL = Path(__file__).resolve().parents[3] / "skills" / "customer_service"
PASSWORD = "correct horse battery"
MISSED_NL = "blorp de zorp eens"
MISSED_EN = "quux the zorp blorp"
OFF_TOPIC = "wat is het weer morgen"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A config over a copy of the skill and a store in ``tmp_path``, with a user in the config file."""
    skill = tmp_path / f"skill_{tmp_path.name}"  # a folder name no other test imports
    shutil.copytree(SKILL, skill, ignore=shutil.ignore_patterns("__pycache__", ".index*"))
    store = tmp_path / "sessions.db"
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["{skill}"]\nstore = "sqlite://{store}"\n\n'
        f'[dashboard]\nusers = {{ bea = "{generate_password_hash(PASSWORD)}" }}\n',
        encoding="utf-8",
    )
    return config, skill


def _voice(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(config)], input=input)


def _one_error(result: Result, words: str) -> None:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.output


# -- voice dashboard user ---------------------------------------------------------------------------


def test_users_are_added_listed_and_removed(setup: tuple[Path, Path]) -> None:
    config, _ = setup
    added = _voice(config, "dashboard", "user", "add", "anna", "--password", PASSWORD)
    assert (added.exit_code, added.output) == (0, "dashboard user anna can log in\n")
    asked = _voice(config, "dashboard", "user", "add", "carl", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.exit_code == 0 and "dashboard user carl can log in" in asked.output
    listed = _voice(config, "dashboard", "user", "list")
    assert listed.exit_code == 0 and sorted(listed.output.split()) == ["anna", "bea", "carl"]
    removed = _voice(config, "dashboard", "user", "remove", "anna")
    assert removed.output == "dashboard user anna removed\n"
    again = _voice(config, "dashboard", "user", "remove", "anna")
    assert again.exit_code == 0 and again.output == "dashboard user anna was not in the store\n"
    assert sorted(_voice(config, "dashboard", "user", "list").output.split()) == ["bea", "carl"]


def _locked_out(config: Path, name: str) -> Accounts:
    """Accounts over the config's store, after five wrong passwords for ``name``."""
    loaded = load_config(config)
    accounts = Accounts(open_store(store_url(loaded)), DashboardSettings.from_config(loaded.dashboard))
    verdicts = [accounts.login(name, "wrong password") for _ in range(5)]
    assert verdicts[-1].locked_for_s > 0 and accounts.login(name, PASSWORD).locked_for_s > 0
    return accounts


def test_a_new_password_or_a_new_user_lifts_a_lockout(setup: tuple[Path, Path]) -> None:
    """After five wrong passwords 'user add' said 'can log in' and the login stayed locked."""
    config, _ = setup
    assert _voice(config, "dashboard", "user", "add", "anna", "--password", PASSWORD).exit_code == 0
    accounts = _locked_out(config, "anna")
    added = _voice(config, "dashboard", "user", "add", "anna", "--password", "a new password")
    assert added.output == "dashboard user anna can log in (the lockout after failed logins is lifted)\n"
    assert accounts.login("anna", "a new password").ok
    _locked_out(config, "anna")
    assert _voice(config, "dashboard", "user", "remove", "anna").output == "dashboard user anna removed\n"
    again = _voice(config, "dashboard", "user", "add", "anna", "--password", PASSWORD)
    assert again.output == "dashboard user anna can log in\n" and accounts.login("anna", PASSWORD).ok
    accounts.store.close()


def test_a_user_of_the_config_file_is_unlocked_not_given_a_password_that_would_not_work(
    setup: tuple[Path, Path],
) -> None:
    """The config file's hash wins over the store's: 'user add bea' said 'can log in' with a password that
    could never log in."""
    config, _ = setup
    _one_error(
        _voice(config, "dashboard", "user", "add", "bea", "--password", "a new password"),
        "dashboard user bea has its password in the config file ([dashboard.users])",
    )
    accounts = _locked_out(config, "bea")
    unlocked = _voice(config, "dashboard", "user", "unlock", "bea")
    assert (unlocked.exit_code, unlocked.output) == (0, "dashboard user bea can log in again\n")
    assert accounts.login("bea", PASSWORD).ok
    assert (
        _voice(config, "dashboard", "user", "unlock", "bea").output == "dashboard user bea was not locked\n"
    )
    accounts.store.close()


def test_a_short_password_or_a_bad_dashboard_table_is_one_error_line(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    config, _ = setup
    _one_error(_voice(config, "dashboard", "user", "add", "anna", "--password", "short"), "8 characters")
    assert "anna" not in _voice(config, "dashboard", "user", "list").output
    typo = tmp_path / "typo.toml"
    typo.write_text(f'store = "sqlite://{tmp_path / "t.db"}"\n[dashboard]\nlockout = 3\n', encoding="utf-8")
    _one_error(_voice(typo, "dashboard", "user", "list"), "unknown setting 'lockout' in [dashboard]")
    missing = _voice(tmp_path / "absent.toml", "dashboard", "user", "list")
    _one_error(missing, "does not exist")


def test_hash_prints_a_hash_of_the_password() -> None:
    result = CliRunner().invoke(cli, ["dashboard", "user", "hash"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0
    hashed = result.output.strip().splitlines()[-1]
    assert hashed.startswith("scrypt:") and check_password_hash(hashed, PASSWORD)
    mismatch = CliRunner().invoke(cli, ["dashboard", "user", "hash"], input=f"{PASSWORD}\nother\n")
    assert mismatch.exit_code != 0  # click asks again, then the input runs out


# -- voice review -----------------------------------------------------------------------------------


def _missed(store_url: str, *said: tuple[str, str]) -> None:
    """Not-understood turns of today, one conversation each."""
    with open_store(store_url) as store:
        missed(store, *said, at=dt.datetime.now(dt.UTC).timestamp())


def _store_url(config: Path) -> str:
    return f"sqlite://{config.parent / 'sessions.db'}"


def _still_to_review(config: Path) -> list[str]:
    with open_store(_store_url(config)) as store:
        return [group.text for group in read_not_understood(store, Filters.last_days(7))]


def test_review_lists_adds_a_sentence_and_a_phrasing_and_marks_out_of_scope(setup: tuple[Path, Path]) -> None:
    config, skill = setup
    _missed(_store_url(config), ("nl", MISSED_NL), ("en", MISSED_EN), ("nl", OFF_TOPIC), ("nl", OFF_TOPIC))
    listed = _voice(config, "review", "list", "--days", "7")
    assert listed.exit_code == 0, listed.output
    rows = listed.output.splitlines()
    assert len(rows) == 3 and OFF_TOPIC in rows[0] and rows[0].split()[:2] == ["2", "nl"]
    assert "customer_service" in rows[0]
    english = _voice(config, "review", "list", "--locale", "en").output
    assert MISSED_EN in english and MISSED_NL not in english

    sentence = _voice(
        config, "review", "sentence", MISSED_NL, "--intent", "OrderStatus", "--skill", "customer_service",
        "--locale", "nl",
    )  # fmt: skip
    intents = skill / "locales" / "nl" / "intents.yaml"
    assert sentence.exit_code == 0 and f"added to {intents}" in sentence.output, sentence.output
    assert f'"{MISSED_NL}"' in intents.read_text(encoding="utf-8")
    phrasing = _voice(
        config, "review", "phrasing", MISSED_EN, "--entry", "delivery-time", "--skill", "customer_service",
        "--locale", "en",
    )  # fmt: skip
    assert phrasing.exit_code == 0, phrasing.output
    faq = skill / "knowledge" / "en" / "faq.yaml"
    assert faq.read_bytes() == (SKILL / "knowledge" / "en" / "faq.yaml").read_bytes()  # the team's file
    reviewed = read_reviewed(faq.parent)  # as the caller said it: lower case, as the matcher compares
    assert reviewed.phrasings == {"delivery-time": (MISSED_EN,)}
    scoped = _voice(config, "review", "out-of-scope", OFF_TOPIC, "--locale", "nl")
    assert scoped.output == f"marked out of scope: {OFF_TOPIC}\n"
    assert _still_to_review(config) == []
    assert _voice(config, "review", "list").output == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["sentence", MISSED_NL, "--intent", "OrderStatus", "--skill", "weather", "--locale", "nl"],
         "there is no skill 'weather' in the config; choose one of customer_service (a name or its folder)."),
        (["sentence", MISSED_NL, "--intent", "Nonsense", "--skill", "customer_service", "--locale", "nl"],
         "intent Nonsense has no sentence list in"),
        (["sentence", "?!", "--intent", "OrderStatus", "--skill", "customer_service", "--locale", "nl"],
         "the utterance has no words to add"),
        (["phrasing", MISSED_EN, "--entry", "no-such-entry", "--skill", "customer_service", "--locale", "en"],
         "there is no knowledge entry 'no-such-entry' in"),
    ],
    ids=["unknown-skill", "unknown-intent", "no-words", "unknown-entry"],
)  # fmt: skip
def test_bad_review_input_is_one_error_line_and_changes_nothing(
    setup: tuple[Path, Path], args: list[str], words: str
) -> None:
    config, skill = setup
    before = {path: path.read_text(encoding="utf-8") for path in skill.rglob("*.yaml")}
    _one_error(_voice(config, "review", *args), words)
    assert {path: path.read_text(encoding="utf-8") for path in skill.rglob("*.yaml")} == before


REDACTED = "[name]"
"""What the list shows of an answer to the name question that filled no name (``voice.redaction``)."""


@pytest.mark.parametrize(
    "args",
    [
        ["sentence", REDACTED, "--intent", "Capabilities", "--skill", "customer_service", "--locale", "nl"],
        ["phrasing", REDACTED, "--entry", "levertijd", "--skill", "customer_service", "--locale", "nl"],
        ["entry", REDACTED, "--answer", "Ja.", "--skill", "customer_service", "--locale", "nl"],
        ["out-of-scope", REDACTED, "--locale", "nl"],
    ],
    ids=["sentence", "phrasing", "entry", "out-of-scope"],
)  # fmt: skip
def test_a_placeholder_on_the_list_is_shown_but_no_review_takes_it(
    setup: tuple[Path, Path], args: list[str]
) -> None:
    """ "[name]" (a caller's name taken out) stayed on the list with the question it answered, and "add
    sentence" wrote "name" into the skill as a sentence of the booking."""
    config, skill = setup
    _missed(_store_url(config), ("nl", REDACTED), ("nl", "[name]."))
    before = {path: path.read_bytes() for path in skill.rglob("*") if path.is_file()}
    _one_error(_voice(config, "review", *args), "stands for words taken out as personal data")
    assert {path: path.read_bytes() for path in skill.rglob("*") if path.is_file()} == before
    assert _still_to_review(config) == [REDACTED]


PARTLY_REDACTED = "ik wil een afspraak op naam van [name]"
IN_DUTCH = ["--skill", "customer_service", "--locale", "nl"]


@pytest.mark.parametrize(
    "args",
    [
        ["sentence", PARTLY_REDACTED, "--intent", "BookAppointment", *IN_DUTCH],
        ["phrasing", PARTLY_REDACTED, "--entry", "levertijd", *IN_DUTCH],
        ["entry", PARTLY_REDACTED, "--answer", "Ja.", *IN_DUTCH],
    ],
    ids=["sentence", "phrasing", "entry"],
)  # fmt: skip
def test_words_with_a_placeholder_are_not_learnt(setup: tuple[Path, Path], args: list[str]) -> None:
    """ "op naam van [name]" was written into the skill as "op naam van name": the placeholder's word
    became one a caller says. Words that hold a placeholder may still be marked out of scope."""
    config, skill = setup
    _missed(_store_url(config), ("nl", PARTLY_REDACTED))
    before = {path: path.read_bytes() for path in skill.rglob("*") if path.is_file()}
    _one_error(_voice(config, "review", *args), "holds words taken out as personal data")
    assert {path: path.read_bytes() for path in skill.rglob("*") if path.is_file()} == before
    marked = _voice(config, "review", "out-of-scope", PARTLY_REDACTED, "--locale", "nl")
    assert marked.exit_code == 0, marked.output


def test_review_needs_its_options() -> None:
    result = CliRunner().invoke(cli, ["review", "sentence", MISSED_NL, "--skill", "customer_service"])
    assert result.exit_code == 2 and "Missing option '--intent'" in result.output


@pytest.mark.parametrize(
    ("command", "target", "file", "written"),
    [
        ("sentence", ["--intent", "OrderStatus"], "locales/nl/intents.yaml", f'"{MISSED_NL}"'),
        ("phrasing", ["--entry", "levertijd"], "knowledge/reviewed/nl.yaml", f"- {MISSED_NL}\n"),
    ],
)
def test_a_second_review_of_the_same_words_says_they_are_there_and_adds_nothing(
    setup: tuple[Path, Path], command: str, target: list[str], file: str, written: str
) -> None:
    """``voice review sentence`` run twice appended the same sentence twice."""
    config, skill = setup
    args = ["review", command, MISSED_NL, *target, "--skill", "customer_service", "--locale", "nl"]
    first = _voice(config, *args)
    assert first.exit_code == 0 and "added to" in first.output, first.output
    changed = (skill / file).read_text(encoding="utf-8")
    again = _voice(config, *[arg.upper() if arg == MISSED_NL else arg for arg in args])
    assert again.exit_code == 0, again.output
    shown = f" as “{MISSED_NL}”" if command == "sentence" else ""  # a sentence shows what was written
    assert again.output == f"already in {skill / file} ({target[1]}){shown}; nothing was added\n"
    assert (skill / file).read_text(encoding="utf-8") == changed and changed.count(written) == 1


PARCEL = {
    "nl": ("waar blijft mijn pakket", "waar blijft mijn pakketje"),
    "en": ("where is my parcel", "where is my parcels"),
}
SCOPED = {
    "nl": (
        "buiten het bereik gemarkeerd: {}",
        "ook van de lijst, als vergelijkbare formuleringen uit de groep: “{}”",
    ),
    "en": ("marked out of scope: {}", "also off the list, as similar phrasings of its group: “{}”"),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_review_takes_the_whole_group_off_the_list_and_says_which_phrasings(
    setup: tuple[Path, Path], language: str
) -> None:
    """The list said "(+1 vergelijkbaar)", yet out-of-scope took only the phrasing it was given."""
    config, _ = setup
    said, similar = PARCEL[language]
    _missed(
        _store_url(config), (language, said), (language, said), (language, similar), (language, OFF_TOPIC)
    )
    listed = _voice(config, "review", "list", "-l", language, "--locale", language, "--all").output
    assert f"{said}  (+1 " in listed and f"\n             1  {similar}\n" in listed, listed
    assert similar not in _voice(config, "review", "list", "--locale", language).output  # counted, not listed
    scoped = _voice(config, "review", "out-of-scope", said, "--locale", language, "-l", language)
    marked, also = SCOPED[language]
    assert scoped.output.splitlines() == [marked.format(said), also.format(similar)], scoped.output
    assert _still_to_review(config) == [OFF_TOPIC]


@pytest.mark.parametrize("only", [True, False])
def test_a_sentence_takes_its_group_off_the_list_unless_only(setup: tuple[Path, Path], only: bool) -> None:
    config, skill = setup
    said, similar = PARCEL["nl"]
    _missed(_store_url(config), ("nl", said), ("nl", said), ("nl", similar))
    args = [
        "review",
        "sentence",
        said,
        "--intent",
        "OrderStatus",
        "--skill",
        "customer_service",
        "--locale",
        "nl",
    ]
    result = _voice(config, *args, *(["--only"] if only else []))
    assert result.exit_code == 0 and (similar in result.output) is not only, result.output
    assert _still_to_review(config) == ([similar] if only else [])
    intents = (skill / "locales" / "nl" / "intents.yaml").read_text(encoding="utf-8")
    assert f'"{said}"' in intents and f'"{similar}"' not in intents  # the sentence is the words given


NOW = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)  # a Thursday


@pytest.mark.parametrize(
    ("locale", "said", "written", "other", "slots"),
    [
        ("nl", "ik wil zaterdag om elf uur langskomen voor advies",
         "ik wil {date} {time} langskomen voor {topic}",
         "ik wil vrijdag om tien uur langskomen voor een retour",
         {"date": dt.date(2026, 11, 27), "time": dt.time(10), "topic": "return"}),
        ("en", "I want to come by on Saturday at eleven for advice.",
         "i want to come by {date} {time} for {topic}",
         "i want to come by on friday at ten for a refund",
         {"date": dt.date(2026, 11, 27), "time": dt.time(10), "topic": "return"}),
    ],
    ids=["nl", "en"],
)  # fmt: skip
def test_a_sentence_keeps_its_day_time_and_topic_as_slots(
    setup: tuple[Path, Path], locale: str, said: str, written: str, other: str, slots: dict[str, object]
) -> None:
    """A reviewed sentence was written word for word: said again it filled no slot (the caller was asked
    for the day just given), and another day, time or topic was still not understood."""
    config, skill = setup
    args = ["review", "sentence", said, "--intent", "BookAppointment", "--skill", "customer_service"]
    added = _voice(config, *args, "--locale", locale)
    assert added.exit_code == 0 and f"as “{written}”" in added.output, added.output
    assert f'          - "{written}"\n' in (skill / "locales" / locale / "intents.yaml").read_text("utf-8")
    router = Router([load_skill(skill)])
    again = router.parse(said, locale, now=NOW)
    assert again is not None and again.template == written
    assert {name: value.value for name, value in again.slots.items()} == {
        "date": dt.date(2026, 11, 28), "time": dt.time(11), "topic": "advice"
    }  # fmt: skip
    variant = router.parse(other, locale, now=NOW)
    assert variant is not None and variant.intent == "BookAppointment"
    assert {name: value.value for name, value in variant.slots.items()} == slots
    there = _voice(config, "review", "sentence", other, *args[3:], "--locale", locale)
    assert there.exit_code == 0 and "already in" in there.output and f"“{written}”" in there.output


def test_a_sentence_no_slot_takes_a_word_of_is_written_as_said(setup: tuple[Path, Path]) -> None:
    """The words of the intent's own sentences stay words: the "een" of "een afspraak" is no time
    (one o'clock) to the intent, though the time parser reads it so."""
    config, skill = setup
    said = "ik wil een afspraak bij jullie in de winkel"
    args = ["sentence", said, "--intent", "BookAppointment", "--skill", "customer_service", "--locale", "nl"]
    added = _voice(config, "review", *args, "-l", "nl")
    assert added.exit_code == 0 and f"(BookAppointment) als “{said}”;" in added.output, added.output
    assert f'          - "{said}"\n' in (skill / "locales" / "nl" / "intents.yaml").read_text("utf-8")
    found = Router([load_skill(skill)]).parse(said, "nl", now=NOW)
    assert found is not None and (found.intent, found.template, dict(found.slots)) == (
        "BookAppointment", said, {}
    )  # fmt: skip


TABLE = {"nl": "reserveer een tafel voor {number} personen", "en": "book a table for {number} people"}
"""Per language: an intent's sentence whose number counts the people (ReserveTable, added to the copy)."""


def _with_table_intent(skill: Path, locale: str) -> None:
    """The copied skill with an intent ReserveTable, whose ``{number}`` slot is the party's size."""
    intents = skill / "locales" / locale / "intents.yaml"
    text = intents.read_text(encoding="utf-8")
    added = (
        f'  ReserveTable:\n    data:\n      - sentences:\n          - "{TABLE[locale]}"\n  Capabilities:\n'
    )
    intents.write_text(text.replace("  Capabilities:\n", added, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("locale", "said", "written", "people"),
    [
        ("nl", "ik wil twee stoelen bij een tafel voor vier personen",
         "ik wil twee stoelen bij een tafel voor {number} personen", 4),
        ("en", "I want three chairs at a table for four people",
         "i want three chairs at a table for {number} people", 4),
        ("nl", "ik wil twee stoelen", "ik wil twee stoelen", None),
        ("en", "I want two chairs", "i want two chairs", None),
    ],
    ids=["nl", "en", "nl-no-slot", "en-no-slot"],
)  # fmt: skip
def test_a_number_that_counts_another_thing_stays_a_word(
    setup: tuple[Path, Path], locale: str, said: str, written: str, people: int | None
) -> None:
    """A ``{number}`` slot took the "twee" of "twee stoelen": said again, the table was for two people."""
    config, skill = setup
    _with_table_intent(skill, locale)
    args = ["review", "sentence", said, "--intent", "ReserveTable", "--skill", "customer_service"]
    added = _voice(config, *args, "--locale", locale)
    assert added.exit_code == 0 and f"as “{written}”" in added.output, added.output
    again = Router([load_skill(skill)]).parse(said, locale, now=NOW)
    assert again is not None and again.intent == "ReserveTable" and again.template == written
    assert again.value("number") == people


TEMPLATES = {
    "nl": "ik wil {date} {time} langskomen voor {topic}",
    "en": "i want to come by {date} {time} for {topic}",
}


@pytest.mark.parametrize(
    ("locale", "said", "time"),
    [
        ("nl", "ik wil zaterdag om drie uur 's middags langskomen voor advies", dt.time(15)),
        ("nl", "ik wil zaterdag om 3.30 uur langskomen voor advies", dt.time(15, 30)),
        ("en", "I want to come by on Saturday at three in the afternoon for advice", dt.time(15)),
        ("en", "I want to come by on Saturday at 3 o’clock for advice", dt.time(15)),
    ],
    ids=["nl-middags", "nl-3.30-uur", "en-afternoon", "en-o-clock"],
)  # fmt: skip
def test_a_time_slot_takes_the_words_the_matcher_reads_as_the_time(
    setup: tuple[Path, Path], locale: str, said: str, time: dt.time
) -> None:
    """The review's own normalisation cut "3.30" and "o’clock" apart: the time took "om 3 30" and left
    "uur" behind ("{time} uur"), or left "clock" behind, and a caller saying it again was not understood."""
    config, skill = setup
    written = TEMPLATES[locale]
    args = ["review", "sentence", said, "--intent", "BookAppointment", "--skill", "customer_service"]
    added = _voice(config, *args, "--locale", locale)
    assert added.exit_code == 0 and f"as “{written}”" in added.output, added.output
    again = Router([load_skill(skill)]).parse(said, locale, now=NOW)
    assert again is not None and again.template == written
    assert (again.value("date"), again.value("time")) == (dt.date(2026, 11, 28), time)
    assert again.value("topic") == "advice"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_dry_run_prints_the_template_and_changes_nothing(setup: tuple[Path, Path], locale: str) -> None:
    """There was no way to see the template before it was written into the skill."""
    config, skill = setup
    said = {
        "nl": "ik wil zaterdag om elf uur langskomen voor advies",
        "en": "I want to come by on Saturday at eleven for advice.",
    }[locale]
    written = TEMPLATES[locale]
    _missed(_store_url(config), (locale, said))
    intents = skill / "locales" / locale / "intents.yaml"
    before = intents.read_text(encoding="utf-8")
    args = ["review", "sentence", said, "--intent", "BookAppointment", "--skill", "customer_service"]
    dry = _voice(config, *args, "--locale", locale, "--dry-run")
    assert (
        dry.exit_code == 0 and dry.output.startswith("would be added to ") and f"as “{written}”" in dry.output
    )
    assert intents.read_text(encoding="utf-8") == before and _still_to_review(config) == [said]
    as_said = _voice(config, *args, "--locale", locale, "--dry-run", "--as-said", "-l", "nl")
    assert f"als “{said.lower().rstrip('.')}”; er is niets geschreven" in as_said.output, as_said.output
    done = _voice(config, *args, "--locale", locale)
    assert done.exit_code == 0 and f'          - "{written}"\n' in intents.read_text(encoding="utf-8")
    assert _still_to_review(config) == []


# -- the team's own FAQ file, imported again; new entries; a skill's folder ---------------------------

CSV_HEADER = '\ufeff"id";"question";"phrasings";"answer"\r\n'
CSV_ROWS = (
    '"betalen";"Hoe kan ik betalen?";"Welke betaalmethoden zijn er? | Kan ik met iDEAL betalen?";'
    '"Met iDEAL of creditcard; ""achteraf"" ook."\r\n'
    '"retour";"Hoe stuur ik iets terug?";"";"Binnen 30 dagen,\r\nmet het retourlabel."\r\n'
)


def _team_file(skill: Path, text: str) -> Path:
    """The team's FAQ, as a spreadsheet saves it (BOM, ``;``, CRLF, quotes), imported into the skill in
    place of its Dutch content."""
    (skill / "knowledge" / "nl" / "faq.yaml").unlink()
    team = skill.parent / "team" / "faq.csv"
    team.parent.mkdir()
    team.write_bytes(text.encode("utf-8"))
    imported = CliRunner().invoke(cli, ["knowledge", "import", str(team), "--skill", str(skill), "-l", "nl"])
    assert imported.exit_code == 0, imported.output
    return team


def test_a_phrasing_of_an_entry_of_the_teams_file_leaves_the_file_as_it_is(setup: tuple[Path, Path]) -> None:
    """Content imported as faq.csv: "add to knowledge entry" failed on the missing faq.yaml."""
    config, skill = setup
    _team_file(skill, CSV_HEADER + CSV_ROWS)
    said = "Kan ik met Maestro pinnen?"
    result = _voice(
        config, "review", "phrasing", said, "--entry", "betalen", "--skill", str(skill), "--locale", "nl"
    )
    reviewed = skill / "knowledge" / "reviewed" / "nl.yaml"
    assert result.exit_code == 0 and f"added to {reviewed} (betalen)" in result.output, result.output
    assert (skill / "knowledge" / "nl" / "faq.csv").read_bytes().decode("utf-8") == CSV_HEADER + CSV_ROWS
    again = _voice(config, "review", "phrasing", said.upper(), "--entry", "betalen", "--skill",
                   "customer_service", "--locale", "nl")  # fmt: skip
    assert "nothing was added" in again.output, again.output
    assert read_reviewed(reviewed.parent.parent / "nl").phrasings == {
        "betalen": ("kan ik met maestro pinnen",)
    }
    with open_store(_store_url(config)) as store:
        assert store.select("SELECT skill, target FROM reviews") == [("customer_service", "betalen")]


def test_a_reviewed_phrasing_still_answers_after_the_team_imports_its_own_file_again(
    setup: tuple[Path, Path],
) -> None:
    """The review wrote the phrasing into the skill's copy of faq.csv, which the next import replaced."""
    config, skill = setup
    team = _team_file(skill, CSV_HEADER + CSV_ROWS)
    _missed(_store_url(config), ("nl", MISSED_NL))
    args = ["review", "phrasing", MISSED_NL, "--entry", "betalen", "--skill", "customer_service"]
    assert _voice(config, *args, "--locale", "nl").exit_code == 0
    again = CliRunner().invoke(cli, ["knowledge", "import", str(team), "--skill", str(skill), "-l", "nl"])
    assert again.exit_code == 0, again.output
    assert (
        "knowledge/reviewed/nl.yaml: kept what reviews added: 1 phrasings and 0 new entries" in again.output
    )
    decision = KnowledgeBase.load(skill, "nl").ask(MISSED_NL)
    assert decision.kind is DecisionKind.ANSWER and decision.candidates[0].id == "betalen", decision.reason


def test_an_import_names_reviewed_phrasings_whose_entry_is_gone(setup: tuple[Path, Path]) -> None:
    config, skill = setup
    team = _team_file(skill, CSV_HEADER + CSV_ROWS)
    args = ["review", "phrasing", MISSED_NL, "--entry", "retour", "--skill", "customer_service"]
    assert _voice(config, *args, "--locale", "nl").exit_code == 0
    team.write_bytes((CSV_HEADER + CSV_ROWS.split('"retour"')[0]).encode("utf-8"))
    again = CliRunner().invoke(cli, ["knowledge", "import", str(team), "--skill", str(skill), "-l", "nl"])
    assert again.exit_code == 0, again.output
    assert (
        "knowledge/reviewed/nl.yaml: the phrasings reviews added to 'retour' are not used, as no entry has "
        "that id now; move them to another entry there or delete them"
    ) in again.output


NEW_ENTRIES = {
    "nl": ("Mag mijn hond mee in de winkel?", "Honden aan de lijn zijn welkom in al onze winkels."),
    "en": ("Can I bring my dog into the shop?", "Dogs on a lead are welcome in all our shops."),
}


@pytest.mark.parametrize("language", sorted(NEW_ENTRIES))
def test_a_question_it_could_not_answer_becomes_an_entry_that_answers_it(
    setup: tuple[Path, Path], language: str
) -> None:
    config, skill = setup
    question, answer = NEW_ENTRIES[language]
    args = [
        "review",
        "entry",
        question,
        "--answer",
        answer,
        "--skill",
        "customer_service",
        "--locale",
        language,
    ]
    made = _voice(config, *args)
    assert made.exit_code == 0 and "knowledge/reviewed" in made.output, made.output
    assert "nothing was added" in _voice(config, *args).output
    decision = KnowledgeBase.load(skill, language).ask(question.lower().rstrip("?"))
    assert decision.kind is DecisionKind.ANSWER, decision.reason
    assert decision.candidates[0].spoken == answer


def test_a_new_entry_takes_its_groups_similar_phrasings_as_its_own(setup: tuple[Path, Path]) -> None:
    """As the dashboard's form does: the group's other words become phrasings of the entry."""
    config, skill = setup
    asked, similar = "mag mijn hond mee in de winkel", "mag mijn hondje mee in de winkel"
    _missed(_store_url(config), ("nl", asked), ("nl", asked), ("nl", similar))
    answer = NEW_ENTRIES["nl"][1]
    args = ["review", "entry", asked, "--answer", answer, "--skill", "customer_service", "--locale", "nl"]
    made = _voice(config, *args)
    assert made.exit_code == 0 and f"“{similar}”" in made.output, made.output
    (entry,) = read_reviewed(skill / "knowledge" / "nl").entries
    assert similar in entry.phrasings and _still_to_review(config) == []


def test_an_entry_keeps_the_teams_case_and_gives_the_callers_lower_case_words_a_capital(
    setup: tuple[Path, Path],
) -> None:
    """The entry's question was the caller's lower-case words, which callers then heard back
    ('Bedoelt u: is de eettafel oslo leverbaar in eiken?'); docs/knowledge.md shows 'Mag mijn hond ...?'."""
    config, skill = setup
    entry = ["--answer", "Ja.", "--skill", "customer_service", "--locale", "nl"]
    said = "is de eettafel oslo leverbaar in eiken"
    assert _voice(config, "review", "entry", "mag mijn hond mee in de winkel", *entry).exit_code == 0
    assert _voice(config, "review", "entry", "Kan ik PINNEN?", *entry).exit_code == 0
    written = ["--question", "Is de eettafel Oslo leverbaar in eiken?"]
    assert _voice(config, "review", "entry", said, *written, *entry).exit_code == 0
    entries = {e.id: e for e in read_reviewed(skill / "knowledge" / "nl").entries}
    assert entries["mag-mijn-hond-mee-in-de-winkel"].title == "Mag mijn hond mee in de winkel?"
    assert entries["kan-ik-pinnen"].title == "Kan ik PINNEN?"  # the team's own text wins
    oslo = entries["is-de-eettafel-oslo-leverbaar-in-eiken"]
    assert oslo.title == "Is de eettafel Oslo leverbaar in eiken?" and oslo.phrasings == ()
    reworded = ["--question", "Welke houtsoorten heeft de Oslo?"]
    assert _voice(config, "review", "entry", "is de oslo er in noten", *reworded, *entry).exit_code == 0
    new = {e.id: e for e in read_reviewed(skill / "knowledge" / "nl").entries}[
        "welke-houtsoorten-heeft-de-oslo"
    ]
    assert new.phrasings == ("is de oslo er in noten",)  # the caller's words still find it
    decision = KnowledgeBase.load(skill, "nl").ask("is de oslo er in noten")
    assert decision.kind is DecisionKind.ANSWER and decision.candidates[0].spoken == "Ja.", decision.reason


def test_an_entry_without_an_answer_or_in_a_language_without_a_lexicon_is_one_error_line(
    setup: tuple[Path, Path],
) -> None:
    config, skill = setup
    args = ["review", "entry", "Mag mijn hond mee?", "--skill", "customer_service"]
    _one_error(_voice(config, *args, "--answer", " ", "--locale", "nl"), "write the answer")
    _one_error(
        _voice(config, *args, "--answer", "Ja.", "--locale", "ko"), "no knowledge lexicon for language 'ko'"
    )
    assert not (skill / "knowledge" / "reviewed").exists() and not (skill / "knowledge" / "ko").exists()


def test_an_entry_the_content_does_not_have_is_one_error_line(setup: tuple[Path, Path]) -> None:
    config, skill = setup
    _team_file(skill, CSV_HEADER + CSV_ROWS)
    result = _voice(config, "review", "phrasing", MISSED_NL, "--entry", "levertijd", "--skill",
                    "customer_service", "--locale", "nl")  # fmt: skip
    _one_error(result, f"there is no knowledge entry 'levertijd' in {skill / 'knowledge' / 'nl'}; choose one")
    assert not (skill / "knowledge" / "reviewed").exists()


def test_a_skill_is_named_or_given_by_its_folder(
    setup: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``voice knowledge import --skill`` takes a folder; ``voice review`` said there was no such skill."""
    config, skill = setup
    monkeypatch.chdir(tmp_path)
    relative = skill.relative_to(tmp_path)
    for folder in (str(skill), f"{relative}/"):
        result = CliRunner().invoke(
            cli,
            ["review", "sentence", MISSED_NL, "--intent", "OrderStatus", "--skill", folder, "--locale", "nl",
             "--config", str(config)],
        )  # fmt: skip
        assert result.exit_code == 0 and "OrderStatus" in result.output, result.output
    scoped = _voice(config, "review", "out-of-scope", OFF_TOPIC, "--skill", str(skill))
    assert scoped.exit_code == 0, scoped.output
    with open_store(_store_url(config)) as store:
        assert {row[0] for row in store.select("SELECT skill FROM reviews")} == {"customer_service"}
    report = _voice(config, "report", "--skill", str(skill))
    assert report.exit_code == 0 and "skill=customer_service" in report.output.splitlines()[0], report.output


def test_a_phrasing_finds_a_yaml_entry_by_the_id_made_from_its_question(tmp_path: Path) -> None:
    """An entry without an id (``faq:`` at the top) is found by the id its question gives it."""
    faq = tmp_path / "knowledge" / "nl" / "extra.yml"
    faq.parent.mkdir(parents=True)
    faq.write_text("faq:\n  - question: Hoe kan ik betalen?\n    answer: Met iDEAL.\n", encoding="utf-8")
    done = add_phrasing(tmp_path, "nl", "hoe-kan-ik-betalen", "Pinnen, kan dat?")
    assert done.path == tmp_path / "knowledge" / "reviewed" / "nl.yaml"
    assert read_reviewed(faq.parent).phrasings == {"hoe-kan-ik-betalen": ("pinnen kan dat",)}


# -- voice report ----------------------------------------------------------------------------------


def test_a_chat_with_its_own_clock_counts_its_conversation_on_that_day(setup: tuple[Path, Path]) -> None:
    """``voice chat --now 2026-11-23T10:00`` stored its turns on 11-23 but counted the conversation on
    the day it ran: the report of 11-23 showed 0 conversations and a recognition rate of 100%."""
    config, _ = setup
    chatted = _voice(config, "chat", "-l", "nl", "--now", "2026-11-23T10:00", input="blorp de zorp\nstop\n")
    assert chatted.exit_code == 0, chatted.output
    day = ("--from", "2026-11-23", "--to", "2026-11-23", "--channel", "chat", "--format", "json")
    report = json.loads(_voice(config, "report", *day).output)["current"]
    assert (report["conversations"], report["turns"], report["fallback_rate"]) == (1, 2, 0.5)
    assert report["gave_up"] == 1


def test_the_reports_funnel_lists_the_steps_as_the_flow_asks_them(setup: tuple[Path, Path]) -> None:
    """The steps came most reached first, by name when equal: date, name, time."""
    config, _ = setup
    booked = "ik wil een afspraak maken\nmorgen\nom tien uur\njan de vries\nstop\n"
    chatted = _voice(config, "chat", "-l", "nl", "--now", "2026-11-23T10:00", input=booked)
    assert chatted.exit_code == 0, chatted.output
    day = ("--from", "2026-11-23", "--to", "2026-11-23", "--format", "json")
    (funnel,) = json.loads(_voice(config, "report", *day).output)["current"]["flows"]
    assert (funnel["flow"], list(funnel["steps"].items())) == (
        "BookAppointment",
        [("date", 1), ("time", 1), ("name", 1)],
    )


def test_the_reports_table_names_a_flow_by_its_label_and_the_csv_by_its_intent(
    setup: tuple[Path, Path],
) -> None:
    """The table named the flow "BookAppointment" while the dashboard showed "Afspraak maken"
    (``flow_labels``); the CSV keeps the intent, which scripts read."""
    config, _ = setup
    booked = "ik wil een afspraak maken\nmorgen\nstop\n"
    chatted = _voice(config, "chat", "-l", "nl", "--now", "2026-11-23T10:00", input=booked)
    assert chatted.exit_code == 0, chatted.output
    day = ("--from", "2026-11-23", "--to", "2026-11-23")
    flows = [
        line for line in _voice(config, "report", *day, "-l", "nl").output.splitlines() if "flow" in line
    ]
    assert [line.split("  ")[0] for line in flows] == [
        f"flow {what}: Afspraak maken" for what in ("voltooid", "mislukt", "doorverbonden", "afgebroken")
    ]
    csv_text = _voice(config, "report", *day, "--format", "csv").output
    assert "flow completion: BookAppointment,%" in csv_text and "Afspraak" not in csv_text
