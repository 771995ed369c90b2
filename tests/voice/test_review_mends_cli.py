"""Review mends of the command line: script shapes, data commands, the chat language, config shapes,
number options, dead code. Every expected failure is one ``error:`` line, never a traceback."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from voice import SkillError
from voice.cli import cli
from voice.config import Config, load_config
from voice.errors import ConfigError
from voice.nlu import clock, dates
from voice.router import Router
from voice.testing import load_script

SHIPPED = Path(__file__).resolve().parents[2] / "skills" / "customer_service"
_NUMBER = itertools.count()


def _one_error(result: Result, *phrases: str) -> str:
    """The result failed with exactly one ``error:`` line holding every phrase, and no traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    return errors[0]


def _config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite:///{tmp_path / "sessions.db"}"\n{extra}', encoding="utf-8")
    return config


def _skill(tmp_path: Path, scripts: dict[str, str]) -> Path:
    """A small skill in a uniquely named folder (voice.skill caches modules by folder name)."""
    name = f"mends_skill_{next(_NUMBER)}_{tmp_path.name.replace('-', '_')}"
    folder = tmp_path / name
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "__init__.py").write_text(f"from voice import Skill\nskill = Skill({name!r}, __file__)\n")
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Hi:\n    data: [{sentences: [what are the opening hours]}]\n"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text("responses:\n  Hi: Nine to five.\n")
    for file, body in scripts.items():
        (folder / "tests" / file).write_text(textwrap.dedent(body))
    return folder


# -- 1. conversation scripts of the wrong shape ---------------------------------------------------

_FINE = "turns:\n  - user: what are the opening hours\n    reply: Nine to five.\n"
_SHAPES = {
    "stubs: 5": ("stubs: 5\n" + _FINE, "stubs"),
    "stub of a number": ("stubs: {booking_url: 5}\n" + _FINE, "booking_url"),
    "stub status of words": ("stubs: {booking_url: {status: ok}}\n" + _FINE, "status"),
    "stub of an unknown key": ("stubs: {booking_url: {stauts: 201}}\n" + _FINE, "stauts"),
    "slots of a list": ("turns:\n  - user: what are the opening hours\n    slots: [a]\n", "slots"),
    "state of a list": ("turns:\n  - user: what are the opening hours\n    state: [a]\n", "state"),
    "turns of a number": ("turns: 5\n", "turns"),
    "a turn of words": ("turns: [hello]\n", "turns"),
    "a turn without user": ("turns:\n  - reply: hello\n", "user"),
    "deadline of words": ("turns:\n  - user: hi\n    deadline: soon\n", "deadline"),
    "wait below zero": ("turns:\n  - user: hi\n    wait: -1\n", "wait"),
    "a list as script": ("- user: hi\n", "turns"),
}


@pytest.mark.parametrize(("body", "key"), _SHAPES.values(), ids=list(_SHAPES))
def test_a_script_value_of_the_wrong_shape_names_the_file_and_key(
    tmp_path: Path, body: str, key: str
) -> None:
    path = tmp_path / "shape.yaml"
    path.write_text(body)
    with pytest.raises(SkillError, match=rf"shape.yaml.*{key}"):
        load_script(path)


def test_voice_test_reports_scripts_of_the_wrong_shape_and_runs_the_others(tmp_path: Path) -> None:
    folder = _skill(
        tmp_path,
        {
            "a_stubs.yaml": "stubs: 5\n" + _FINE,
            "b_stub.yaml": "stubs: {booking_url: 5}\n" + _FINE,
            "c_slots.yaml": "turns:\n  - user: what are the opening hours\n    slots: [a]\n",
            "d_state.yaml": "turns:\n  - user: what are the opening hours\n    state: [a]\n",
            "e_fine.yaml": _FINE,
        },
    )
    result = CliRunner().invoke(cli, ["test", str(folder), "--config", str(_config(tmp_path))])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for name in ("a_stubs", "b_stub", "c_slots", "d_state"):
        assert f"FAIL {folder.name}/{name}.yaml" in result.output, result.output
    assert f"ok   {folder.name}/e_fine.yaml" in result.output
    assert "1 passed, 4 failed" in result.output


def test_voice_test_without_scripts_says_so_in_one_line(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {})
    result = CliRunner().invoke(cli, ["test", str(folder), "--config", str(_config(tmp_path))])
    _one_error(result, "no conversation scripts", "tests/")


# -- 2. voice data ----------------------------------------------------------------------------


def test_data_export_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.json"
    result = CliRunner().invoke(
        cli, ["data", "export", "anna", "-o", str(target), "--config", str(_config(tmp_path))]
    )
    _one_error(result, str(target))


def test_data_migrate_of_a_damaged_file_says_it_is_damaged(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (tmp_path / "sessions.db").write_bytes(b"this is no database at all" * 100)
    result = CliRunner().invoke(cli, ["data", "migrate", "--config", str(config)])
    _one_error(result, "is damaged")


def test_data_copy_refuses_a_missing_sqlite_source(tmp_path: Path) -> None:
    source = tmp_path / "missing.db"
    result = CliRunner().invoke(
        cli, ["data", "copy", f"sqlite:///{source}", f"sqlite:///{tmp_path / 'target.db'}"]
    )
    _one_error(result, str(source), "does not exist")
    assert not source.exists()


# -- 3. a language no skill speaks --------------------------------------------------------------


@pytest.mark.parametrize("command", [["chat", "--memory"], ["run", "--memory"]], ids=["chat", "run"])
def test_chat_and_run_refuse_a_language_no_skill_speaks(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(
        cli, [*command, "-l", "fr", "--config", str(_config(tmp_path))], input="bonjour\n"
    )
    _one_error(result, "no skill speaks 'fr'")
    assert "Sorry" not in result.output


# -- 4. config shapes ----------------------------------------------------------------------------

_CONFIGS = {
    "dashboard of text": ('dashboard = "x"\n', "'dashboard' is 'x'"),
    "privacy of text": ('privacy = "x"\n', "privacy"),
    "model of a number": ("[models]\nnl = 3\n", "nl = 3"),
    "voice of a number": ("[voices]\nnl = 3\n", "nl = 3"),
    "skill settings of a number": ("[skill]\ncustomer_service = 3\n", "customer_service = 3"),
}


@pytest.mark.parametrize(("text", "phrase"), _CONFIGS.values(), ids=list(_CONFIGS))
def test_a_setting_of_the_wrong_shape_is_named(tmp_path: Path, text: str, phrase: str) -> None:
    path = tmp_path / "voice.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="must be") as caught:
        load_config(path)
    assert phrase in caught.value.message
    assert "unknown" not in caught.value.message


def test_a_model_of_a_number_must_be_text(tmp_path: Path) -> None:
    path = tmp_path / "voice.toml"
    path.write_text("[models]\nnl = 3\n")
    with pytest.raises(ConfigError, match=r"\[models\] nl = 3; it must be text"):
        load_config(path)


def test_voice_check_refuses_what_the_server_refuses(tmp_path: Path) -> None:
    config = _config(tmp_path, "[server]\ntypo = 1\n")
    result = CliRunner().invoke(cli, ["check", str(SHIPPED), "--config", str(config)])
    _one_error(result, "unknown [server] setting 'typo'")


# -- 5. number options -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["samples", "customer_service", "-n", "0"],
        ["samples", "customer_service", "-n", "-3"],
        ["check", "customer_service", "--per-template", "0"],
        ["report", "--days", "-3"],
        ["report", "--days", "0"],
    ],
    ids=["samples-0", "samples-minus", "per-template-0", "days-minus", "days-0"],
)
def test_number_options_below_their_minimum_are_refused(tmp_path: Path, arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, [*arguments, "--config", str(_config(tmp_path))])
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output and "Traceback" not in result.output


# -- 6. dead code and double work --------------------------------------------------------------------


def test_the_old_time_parser_is_gone() -> None:
    for name in ("parse_time", "_relative_time", "_clock_time", "_DAY_PARTS", "_NAMED", "_CLOCK"):
        assert not hasattr(dates, name), name
    assert "parse_time" not in dates.__all__
    assert clock.parse_spoken_time("kwart over drie", "nl") == dt.time(3, 15)
    assert dates.parse_date("morgen", "nl", dt.date(2026, 11, 24)) == dt.date(2026, 11, 25)


def test_the_unused_left_marker_is_gone() -> None:
    from voice.dialog import signals

    assert not hasattr(signals, "_LEFT")


def test_voice_check_builds_the_router_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Any] = []
    original = Router.__init__

    def counting(self: Router, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Router, "__init__", counting)
    folder = tmp_path / f"mends_check_{next(_NUMBER)}"
    shutil.copytree(SHIPPED, folder)
    result = CliRunner().invoke(
        cli, ["check", str(folder), "-l", "en", "--per-template", "1", "--config", str(_config(tmp_path))]
    )
    assert "en:" in result.output, result.output
    assert len(built) == 1


def test_config_defaults_still_load() -> None:
    assert Config.from_dict({"dashboard": {}, "privacy": {"redact": False}, "models": {"nl": "/m"}}).models
