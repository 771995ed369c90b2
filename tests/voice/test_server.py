"""The webhook server: app factory, JSON errors, size limit, loopback HTTP (bad input: test_server_input)."""

from __future__ import annotations

import json
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import new_store_url
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from voice import Dialog, Reply, Router, Skill, Turn
from voice.assistant import MEMORY_STORE, Assistant, build_assistant
from voice.cli.serve import serve
from voice.config import Config
from voice.errors import ConfigError, VoiceError
from voice.server import create_app
from voice.store import open_store

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "fixtures" / "requests"
UNVERIFIED = {"ALEXA_VERIFY": False}
ENDPOINTS = ("/alexa", "/dialogflow")


def request_fixture(channel: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REQUESTS / channel / f"{name}.json").read_text())
    return data


VALID = {
    "/alexa": request_fixture("alexa", "order_status"),
    "/dialogflow": request_fixture("dialogflow", "order_status_nl"),
}


class Broken:
    """A responder with a bug (the dialog never raises; a stand-in in its place can)."""

    def respond(self, turn: Turn) -> Reply:
        raise ZeroDivisionError("bug")


def over(responder: Any, router: Router | None = None) -> Assistant:
    """An assistant whose dialog is ``responder``, with an in-memory store."""
    return Assistant(
        config=Config(),
        router=router if router is not None else Router([]),
        dialog=responder,
        store=open_store(MEMORY_STORE),
    )


def broken_skill(folder: Path) -> Skill:
    """A skill whose ``OrderStatus`` handler raises, in English and Dutch."""
    broken = Skill("broken", folder)
    for language in ("en", "nl"):
        (folder / "locales" / language).mkdir(parents=True)
        (folder / "locales" / language / "intents.yaml").write_text(
            f"language: {language}\nintents:\n  OrderStatus:\n"
            "    data: [{sentences: ['order {order_number}']}]\n"
            "lists:\n  order_number: {wildcard: true}\n"
        )

    @broken.intent("OrderStatus")
    def order_status(turn: Turn) -> Reply:
        raise ConnectionError("the order API refused the connection")

    return broken


@pytest.fixture(scope="module")
def assistant(store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The production assistant of the customer_service skill, once on SQLite and once on PostgreSQL."""
    url = new_store_url(store_kind, tmp_path_factory.mktemp("store"))
    built = build_assistant(Config(skills=("customer_service",)), store=url)
    yield built
    built.close()


@pytest.fixture(scope="module")
def app(assistant: Assistant) -> Flask:
    return create_app(UNVERIFIED, assistant=assistant)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_json_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    message: str = error["message"]
    return message


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_unknown_path_and_wrong_method_are_json(client: FlaskClient) -> None:
    assert_json_error(client.get("/nowhere"), 404)
    response = client.get("/alexa")
    assert_json_error(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b"{}", "application/json", 400),
        (b'{"request": {"type": "Nonsense"}, "queryResult": 5}', "application/json", 400),
        (b"{}", "text/plain", 415),
        (b"{}", "", 415),
        (b"a=1", "application/x-www-form-urlencoded", 415),
    ],
    ids=["malformed", "binary", "array", "empty-object", "unknown-type", "text-plain", "no-type", "form"],
)
def test_bad_requests_are_4xx_json(
    client: FlaskClient, endpoint: str, body: bytes, content_type: str, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_json_error(client.post(endpoint, data=body, headers=headers), status)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_oversized_bodies_are_413_json(assistant: Assistant, endpoint: str) -> None:
    client = create_app({**UNVERIFIED, "MAX_CONTENT_LENGTH": 4096}, assistant=assistant).test_client()
    padded = {**VALID[endpoint], "padding": "x" * 5000}
    assert_json_error(client.post(endpoint, json=padded), 413)
    assert client.post(endpoint, json=VALID[endpoint]).status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "speech"),
    [
        ("/alexa", lambda data: data["response"]["outputSpeech"]["ssml"]),
        ("/dialogflow", lambda d: d["fulfillmentText"]),
    ],
    ids=ENDPOINTS,
)
def test_a_raising_handler_gets_a_spoken_apology(endpoint: str, speech: Any, tmp_path: Path) -> None:
    """The dialog turns a skill's failure into an apology; the channels render it like any reply."""
    router = Router([broken_skill(tmp_path)])
    store = open_store(MEMORY_STORE)
    assistant = Assistant(config=Config(), router=router, dialog=Dialog(router, store), store=store)
    client = create_app(UNVERIFIED, assistant=assistant).test_client()
    response = client.post(endpoint, json=VALID[endpoint])
    assistant.close()
    assert response.status_code == 200
    assert "went wrong" in speech(response.get_json()) or "ging bij mij iets mis" in speech(
        response.get_json()
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_raising_responder_is_a_json_500_without_a_traceback(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The channels do not catch a responder's bug: Flask's handler answers 500 and logs it."""
    client = create_app(UNVERIFIED, assistant=over(Broken())).test_client()
    message = assert_json_error(client.post(endpoint, json=VALID[endpoint]), 500)
    assert "bug" not in message and "Traceback" not in message
    assert "ZeroDivisionError: bug" in caplog.text


def test_our_own_bugs_are_a_json_500_without_a_traceback(assistant: Assistant) -> None:
    app = create_app(UNVERIFIED, assistant=assistant)

    def boom() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule("/boom", view_func=boom)
    message = assert_json_error(app.test_client().get("/boom"), 500)
    assert "secret" not in message and "Traceback" not in message


def test_create_app_without_arguments_serves_the_configured_skills(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("VOICE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no voice.toml here: the defaults load every shipped skill
    monkeypatch.setenv("VOICE_DIALOGFLOW_TOKEN", "from-env")
    monkeypatch.setenv("VOICE_ALEXA_APPLICATION_IDS", '["amzn1.ask.skill.1"]')
    client = create_app().test_client()
    body = VALID["/dialogflow"]
    assert_json_error(client.post("/dialogflow", json=body), 401)
    response = client.post("/dialogflow", json=body, headers={"X-Voice-Token": "from-env"})
    assert response.get_json()["fulfillmentText"].startswith("Bestelling 1 2 3 4")
    assert_json_error(client.post("/alexa", json=VALID["/alexa"]), 400)  # verification is on


def test_voice_config_setting_names_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text('skills = ["customer_service"]\nlocales = ["en"]\n')
    client = create_app({**UNVERIFIED, "VOICE_CONFIG": str(config)}).test_client()
    assert client.post("/alexa", json=VALID["/alexa"]).status_code == 200


def test_the_server_table_sets_settings_and_refuses_unknown_ones(tmp_path: Path) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(
        'skills = ["customer_service"]\n[server]\ndialogflow_token = "from-file"\n'
        'alexa_application_ids = ["amzn1.ask.skill.1"]\n'
    )
    client = create_app({"VOICE_CONFIG": str(config)}).test_client()
    assert client.post("/dialogflow", json=VALID["/dialogflow"]).status_code == 401
    answered = client.post("/dialogflow", json=VALID["/dialogflow"], headers={"X-Voice-Token": "from-file"})
    assert answered.status_code == 200
    config.write_text('[server]\nalexa_aplication_ids = ["amzn1.ask.skill.1"]\n')
    with pytest.raises(
        ConfigError, match="unknown \\[server\\] setting 'alexa_aplication_ids'.*alexa_application_ids"
    ):
        create_app({"VOICE_CONFIG": str(config)})


def test_unknown_test_config_keys_are_refused(assistant: Assistant) -> None:
    with pytest.raises(ConfigError, match="unknown \\[server\\] setting 'ALEXA_VERIFI'.*alexa_verify"):
        create_app({"ALEXA_VERIFI": False}, assistant=assistant)


@pytest.mark.parametrize(
    "unverified", [{"alexa_verify": False}, {"ALEXA_VERIFY": False}], ids=["lower", "upper"]
)
def test_settings_are_accepted_in_lower_and_upper_case(
    assistant: Assistant, unverified: dict[str, Any]
) -> None:
    client = create_app(unverified, assistant=assistant).test_client()
    assert client.post("/alexa", json=VALID["/alexa"]).status_code == 200  # unsigned, yet accepted


HANDLER = 'from voice import Reply, Skill, Turn\n\nskill = Skill("{name}", __file__)\n\n\n{handler}'
ORPHAN = '@skill.intent("Goodbye")\ndef goodbye(turn: Turn) -> Reply:\n    return Reply(speech="Bye.")\n'
BROKEN_SKILLS = {
    # name: (intents.yaml, a handler, what the one sentence names)
    "orphan_handler": ("intents:\n  Hello:\n    data: [{sentences: ['hello there']}]\n", ORPHAN, "'Goodbye'"),
    "yaml_typo": ("intents: [\n", "", "intents.yaml"),
    "unknown_list": ("intents:\n  Hello:\n    data: [{sentences: ['hello {colleague}']}]\n", "", "colleague"),
}


def broken_config(folder: Path, name: str) -> Path:
    """A config whose only skill is the broken skill ``name`` of ``BROKEN_SKILLS``."""
    intents, handler, _ = BROKEN_SKILLS[name]
    skill = folder / f"server_{name}"  # skill folders are imported once per name and process
    (skill / "locales" / "en").mkdir(parents=True)
    (skill / "__init__.py").write_text(HANDLER.format(name=name, handler=handler))
    (skill / "locales" / "en" / "intents.yaml").write_text(f"language: en\n{intents}")
    config = folder / "voice.toml"
    config.write_text(f'skills = ["{skill}"]\n')
    return config


@pytest.mark.parametrize(
    "name",
    ["orphan_handler", "yaml_typo", "unknown_list"],
)
def test_a_broken_skill_stops_create_app_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    config = broken_config(tmp_path, name)
    with pytest.raises(VoiceError) as raised:
        create_app({"VOICE_CONFIG": str(config)})
    message = raised.value.message
    assert BROKEN_SKILLS[name][2] in message
    assert "\n" not in message.strip(), message
    from gunicorn.errors import AppImportError

    monkeypatch.setitem(sys.modules, "gunicorn.arbiter", types.ModuleType("gunicorn.arbiter"))
    with pytest.raises(AppImportError) as under_gunicorn:
        create_app({"VOICE_CONFIG": str(config)})
    assert str(under_gunicorn.value) == f"error: {message}"


def test_gunicorn_refuses_a_dutch_teams_start_in_dutch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under gunicorn the refused start was English, "error: ...", where voice serve says it in the
    team's words; a config that does not load (no language known) keeps English."""
    from gunicorn.errors import AppImportError

    config = broken_config(tmp_path, "orphan_handler")
    config.write_text(f'{config.read_text()}[insights]\nlanguage = "nl"\n')
    monkeypatch.setitem(sys.modules, "gunicorn.arbiter", types.ModuleType("gunicorn.arbiter"))
    with pytest.raises(AppImportError) as dutch:
        create_app({"VOICE_CONFIG": str(config)})
    assert str(dutch.value).startswith(
        "fout: skill 'orphan_handler' heeft een handler voor intent 'Goodbye', "
    )
    config.write_text("skills = [\n")
    with pytest.raises(AppImportError) as unread:
        create_app({"VOICE_CONFIG": str(config)})
    assert str(unread.value).startswith("error: ")


@pytest.mark.parametrize(
    ("server_table", "starts"),
    [
        ("", False),
        ("alexa_application_ids = []\n", False),
        ("alexa_accept_any_skill = true\n", True),
        ('alexa_application_ids = ["amzn1.ask.skill.1"]\n', True),
        ("alexa_verify = false\n", True),
    ],
    ids=["nothing", "empty-ids", "any-skill", "ids", "unverified"],
)
def test_verification_without_skill_ids_needs_an_explicit_opt_in(
    tmp_path: Path, assistant: Assistant, caplog: pytest.LogCaptureFixture, server_table: str, starts: bool
) -> None:
    config = tmp_path / "voice.toml"
    config.write_text(f"[server]\n{server_table}")
    if not starts:
        with pytest.raises(ConfigError) as refused:
            create_app({"VOICE_CONFIG": str(config)}, assistant=assistant)
        assert refused.value.message == (
            "alexa_application_ids is empty while Alexa verification is on, so any skill could call this "
            'webhook; set [server] alexa_application_ids = ["amzn1.ask.skill.…"] to your skill\'s id, '
            "or alexa_accept_any_skill = true to accept every skill."
        )
        return
    caplog.set_level("WARNING", logger="voice.channels.alexa_verify")
    client = create_app({"VOICE_CONFIG": str(config)}, assistant=assistant).test_client()
    assert client.get("/healthz").status_code == 200
    assert ("ANY Alexa skill is accepted" in caplog.text) == ("any_skill" in server_table)


def test_voice_serve_builds_the_app_and_runs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs: list[tuple[Flask, dict[str, Any]]] = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: runs.append((self, kwargs)))
    config = tmp_path / "voice.toml"
    config.write_text(
        'skills = ["customer_service"]\n[server]\nalexa_application_ids = ["amzn1.ask.skill.1"]\n'
    )
    result = CliRunner().invoke(serve, ["--port", "8123", "--config", str(config), "--no-verify"])
    assert result.exit_code == 0, result.output
    ((app, kwargs),) = runs
    assert kwargs == {"host": "127.0.0.1", "port": 8123}
    assert app.test_client().post("/alexa", json=VALID["/alexa"]).status_code == 200  # unsigned: accepted
    verified = CliRunner().invoke(serve, ["--port", "8123", "--config", str(config)])
    assert verified.exit_code == 0, verified.output
    assert_json_error(runs[-1][0].test_client().post("/alexa", json=VALID["/alexa"]), 400)


# --- a real HTTP server on loopback ---------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def http_post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_real_http_server_serves_both_channels(base_url: str) -> None:
    with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}
    status, alexa = http_post(f"{base_url}/alexa", json.dumps(VALID["/alexa"]).encode())
    assert status == 200 and "has been shipped" in alexa["response"]["outputSpeech"]["ssml"]
    status, dialogflow = http_post(f"{base_url}/dialogflow", json.dumps(VALID["/dialogflow"]).encode())
    assert status == 200 and dialogflow["fulfillmentText"].startswith("Bestelling")
    status, error = http_post(f"{base_url}/dialogflow", b"{oops")
    assert (status, error["error"]["status"]) == (400, 400)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("size", [200_000, 3 * 1024 * 1024])
def test_real_http_server_answers_a_body_over_the_limit_413_at_once(
    base_url: str, endpoint: str, size: int
) -> None:
    """werkzeug's development server (``voice serve``) hung until the client gave up: the 413's drain
    read past the Content-Length from the socket itself, waiting for bytes that never came."""
    padded = json.dumps({**VALID[endpoint], "padding": "x" * size}).encode()
    started = time.monotonic()
    status, error = http_post(f"{base_url}{endpoint}", padded)
    assert (status, error["error"]["status"]) == (413, 413)
    assert time.monotonic() - started < 5
