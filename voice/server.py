"""The webhook server: ``create_app()`` builds the Flask app that serves every webhook channel.

Development: ``voice serve``. Production (the factory reads the config file itself)::

    gunicorn -w 4 -k gthread --threads 8 -b 127.0.0.1:8000 'voice.server:create_app()'

behind a proxy that buffers request bodies (docs/deployment.md).

Each channel of ``voice.channels.WEBHOOKS`` is served at its ``path`` by one small view that
hands it the raw request; Flask does nothing else. The insights dashboard (``voice.dashboard``,
behind a login) is served under ``/dashboard``. Settings are the config file's ``[server]``
table: ``max_content_length`` and each channel's keys (see docs/channels.md). ``VOICE_*``
environment variables (``VOICE_ALEXA_VERIFY=false``, values read as JSON) or, instead of them,
``test_config`` override them. Every error is answered as JSON
``{"error": {"status": ..., "message": ...}}``: 4xx for the caller's mistakes (a body that is
too large, malformed, nested too deeply or not Unicode included), and a 500 that never shows a
traceback for ours. A broken skill or config stops the start with one sentence.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, cast

from flask import Config as FlaskConfig
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as WerkzeugResponse

from .analytics.team import Team, Texts, marked, texts
from .assistant import UNREACHABLE_HANDOFF, Assistant, build_assistant
from .channels import WEBHOOKS, WebhookChannel, WebRequest, WebResponse
from .channels.dialogflow import check_intent_map, unsent_transfer
from .config import Config, load_config
from .config_shapes import Check, check_value, is_count
from .dashboard import dashboard_error, register_dashboard
from .dialog import Dialog
from .dialog.deadline import wait_for_turns
from .errors import ConfigError, VoiceError
from .examples import examples_in_use
from .fastpath import FastWebhooks
from .skill_check import skill_warnings

__all__ = [
    "SERVER_DEFAULTS",
    "SERVER_FORMS",
    "StartSettings",
    "create_app",
    "server_settings",
    "settings_from_env",
    "start_settings",
]

_LOGGER = logging.getLogger(__name__)

FINISH_TURNS_S = 10.0
"""How long a stopping worker waits for its late turns (keep it below gunicorn's --graceful-timeout)."""

SERVER_DEFAULTS: Mapping[str, Any] = {
    "max_content_length": 128 * 1024,  # bytes; Alexa and Dialogflow requests are a few KB
    **{key: value for channel in WEBHOOKS for key, value in channel.settings.items()},
}
"""Every ``[server]`` key with its default."""
SERVER_FORMS: Mapping[str, Check] = {
    "max_content_length": (
        is_count,
        "the largest request body in bytes, a whole number above 0, like max_content_length = 131072",
    ),
    **{key: form for channel in WEBHOOKS for key, form in channel.forms.items()},
}
"""The form every ``[server]`` key needs."""
TEXT_SETTINGS = frozenset(key for channel in WEBHOOKS for key in channel.text_settings)
"""``[server]`` keys whose values are text, whatever they look like."""
_DRAIN_BYTES = 1024 * 1024
"""How much of a body over the limit is read and dropped, so that its client hears the 413."""


def create_app(test_config: Mapping[str, Any] | None = None, *, assistant: Assistant | None = None) -> Flask:
    """Build the app over ``assistant`` (by default the one the config file describes).

    ``test_config`` holds settings (``alexa_verify`` or ``ALEXA_VERIFY``, ``alexa_verifier``) and
    ``VOICE_CONFIG``, the config file; they go on top of the ``VOICE_*`` environment variables, which
    are read either way: an app built in code keeps the deployment's secrets.
    """
    _log_through_gunicorn()
    try:
        return _create_app(test_config, assistant)
    except VoiceError as error:
        if "gunicorn.arbiter" in sys.modules:  # one line in gunicorn's log instead of a traceback
            from gunicorn.errors import AppImportError

            raise AppImportError(_refusal(error, test_config)) from None
        raise


def _refusal(error: VoiceError, test_config: Mapping[str, Any] | None) -> str:
    """The refused start's one line in gunicorn's log, in the team's words as ``voice serve`` says it;
    English when the config does not load either (its language is not known then)."""
    try:
        config = load_config(dict(test_config or {}).get("VOICE_CONFIG"))
    except VoiceError:
        return f"error: {error.message}"
    say = texts(Team.from_config(config).language, "commands")
    return marked(say, "error", error.told(say))


def _create_app(test_config: Mapping[str, Any] | None, assistant: Assistant | None) -> Flask:
    given = dict(test_config or {})
    config = load_config(given.pop("VOICE_CONFIG", None))  # else $VOICE_CONFIG, as every command reads it
    settings = start_settings(config, given).values
    if assistant is None:
        assistant = build_assistant(config, serving=True)
        atexit.register(_finish, weakref.ref(assistant))  # a stopping worker finishes its late turns
    check_intent_map(settings, assistant.router, config.source)
    say = texts(Team.from_config(assistant.config).language, "commands")
    if unsent_transfer(settings, config.handoff):
        _LOGGER.warning(say("unsent_transfer"))
    if isinstance(assistant.dialog, Dialog) and not assistant.dialog.reachable:
        _LOGGER.warning(UNREACHABLE_HANDOFF)
    _warn_of_skills(assistant, say)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings["max_content_length"]
    app.extensions["voice.assistant"] = assistant
    app.add_url_rule("/healthz", "healthz", _healthz)
    channels = [kind.create(assistant, {key: settings[key] for key in kind.settings}) for kind in WEBHOOKS]
    for channel in channels:
        app.add_url_rule(channel.path, channel.name, _view(channel), methods=["POST"])
    register_dashboard(app, assistant)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.wsgi_app = FastWebhooks(app.wsgi_app, channels, settings["max_content_length"])  # type: ignore[method-assign]
    return app


def _warn_of_skills(assistant: Assistant, say: Texts) -> None:
    """Name the example data callers would hear (a sample company's number, made-up orders), and what
    ``voice check`` warns of in the skills' code and replies (``skill_warnings``): warnings, not a stop,
    since a demo or a test server may serve the examples on purpose, and a skill may mean the rest; in
    the team's words ``say``."""
    for skill in assistant.router.skills.values():
        for line in examples_in_use(skill, None, say):
            _LOGGER.warning("skill %r: %s", skill.name, line)
        for line in skill_warnings(skill, assistant.config.handoff, say):
            _LOGGER.warning("%s", line)


@dataclass(frozen=True, slots=True)
class StartSettings:
    """The ``[server]`` settings a start uses, and the ``VOICE_*`` variables among their sources."""

    values: dict[str, Any]
    environment: tuple[str, ...]
    """The ``VOICE_*`` variables whose values are in ``values`` (``VOICE_ALEXA_VERIFY``), not their values:
    they may be secrets."""


def start_settings(config: Config, given: Mapping[str, Any] | None = None) -> StartSettings:
    """The settings every start uses (``voice serve``, gunicorn's ``create_app()``), which ``voice check``
    checks too: ``SERVER_DEFAULTS`` <- the config file's ``[server]`` <- ``VOICE_*`` <- ``given`` (a
    command's flags, ``create_app``'s ``test_config``; an unknown key there is refused)."""
    given = given or {}
    overridden = {str(key).upper() for key in given}
    environment = {
        key: value
        for key, value in settings_from_env().items()
        if key != "VOICE_CONFIG" and key not in overridden
    }
    values = server_settings(config, given, environment=environment)
    return StartSettings(values, tuple(f"VOICE_{key}" for key in environment))


def server_settings(
    config: Config,
    overrides: Mapping[str, Any],
    *,
    strict: bool = True,
    environment: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``SERVER_DEFAULTS`` <- the config file's ``[server]`` <- ``environment`` (``settings_from_env``)
    <- ``overrides`` (names in any case).

    An unknown key in the file (or, when ``strict``, in the overrides) is refused: a misspelt
    ``alexa_application_ids`` must not leave the webhook open. So is a value not of its form
    (``SERVER_FORMS``): ``voice check`` and every start refuse the same values, with one sentence
    that names where the value came from (the file, the ``VOICE_*`` variable).
    """
    settings = dict(SERVER_DEFAULTS)
    for source, key, value, refuse in _layers(config, environment or {}, overrides, strict):
        name = str(key).lower()
        if name in settings:
            if name in SERVER_FORMS:
                check_value("server", name, value, SERVER_FORMS[name], source)
            settings[name] = value
        elif refuse:
            known = ", ".join(sorted(SERVER_DEFAULTS))
            raise ConfigError(f"{source}: unknown [server] setting {key!r}; known settings: {known}.")
    return settings


def _layers(
    config: Config, environment: Mapping[str, Any], overrides: Mapping[str, Any], strict: bool
) -> Iterator[tuple[str, str, Any, bool]]:
    """Each setting with its source (for the error), in the order they go over each other, and whether an
    unknown key there is refused."""
    for key, value in config.server.items():
        yield config.source, key, value, True
    for key, value in environment.items():
        yield f"the environment variable VOICE_{str(key).upper()}", key, value, True
    for key, value in overrides.items():
        yield "settings", key, value, strict


def settings_from_env() -> dict[str, Any]:
    """Settings from ``VOICE_*`` environment variables, e.g. ``VOICE_DIALOGFLOW_TOKEN``; other ``VOICE_*``
    variables (``VOICE_VENV`` of the set-up scripts) are not settings and are left alone."""
    found = FlaskConfig(".")
    found.from_prefixed_env("VOICE")
    known = {key.upper() for key in SERVER_DEFAULTS} | {"CONFIG"}
    return {
        ("VOICE_CONFIG" if key == "CONFIG" else key): _as_text(key, value)
        for key, value in found.items()
        if key in known
    }


def _as_text(key: str, value: Any) -> Any:
    """A text setting as it was written: values are read as JSON, which makes the token 123456 a number
    (quoting it, ``'"123456"'``, gives the same text)."""
    if key.lower() in TEXT_SETTINGS and not isinstance(value, str):
        return os.environ[f"VOICE_{key}"]
    return value


def _finish(assistant: weakref.ref[Assistant]) -> None:
    """At the worker's exit: let turns that answered "one moment" commit, then close the store."""
    if not wait_for_turns(FINISH_TURNS_S):
        _LOGGER.error("turns were still running %g s after the worker was told to stop", FINISH_TURNS_S)
    found = assistant()
    if found is not None:
        found.close()


def _healthz() -> Response:
    """Liveness for load balancers: the worker is up and its skills are loaded."""
    return jsonify(status="ok")


def _view(channel: WebhookChannel) -> Callable[[], Response]:
    """The Flask view of one channel: the raw request in, the channel's response out."""

    def respond() -> Response:
        web = WebRequest(
            headers=cast(Mapping[str, str], request.headers),  # case-insensitive, as channels expect
            body=_body(),
            is_json=request.is_json,
            content_type=request.mimetype,
        )
        try:
            answer = channel.handle(web)
        except VoiceError as error:
            answer = channel.error_response(error)
        return _response(answer)

    respond.__name__ = f"{channel.name}_webhook"
    return respond


def _body() -> bytes:
    """The raw body: 413 past ``max_content_length`` (chunked too), 400 for one the server could not read.

    With a Content-Length, werkzeug refuses a body over the limit before reading it. A chunked body
    it cuts off at the limit silently, so one more byte means it was too long. The WSGI server's
    own errors while reading (gunicorn's ``InvalidChunkSize``, ``ChunkMissingTerminator`` ...)
    are the client's malformed framing, never a bug of ours.
    """
    limit = request.max_content_length
    try:
        body = request.get_data()
        chunked = request.content_length is None
        if chunked and limit is not None and len(body) >= limit and request.input_stream.read(1):
            raise RequestEntityTooLarge()
    except RequestEntityTooLarge:
        _drain(request.input_stream, min(request.content_length or _DRAIN_BYTES, _DRAIN_BYTES))
        raise RequestEntityTooLarge(f"the request body is larger than the limit of {limit} bytes.") from None
    except ClientDisconnected:
        raise BadRequest("the request body ended before it was complete; send all of it.") from None
    except HTTPException:
        raise
    except Exception as error:  # noqa: BLE001 - whatever the server raises, the framing was broken
        raise BadRequest(
            f"the request body could not be read ({type(error).__name__}); check its chunked encoding."
        ) from None
    return body


def _drain(stream: IO[bytes], most: int) -> None:
    """Read and drop up to ``most`` bytes of what is left of the body.

    A server that closes the connection with unread bytes makes the kernel send a reset, and the
    client may lose the 413 that was on its way; past ``most`` bytes that is the client's problem.
    ``most`` must not pass the Content-Length of a body refused unread: werkzeug's development
    server hands over the socket itself, and reading past the body waits for bytes that never come.
    A chunked body's stream ends at its last chunk under both servers.
    """
    try:
        while most > 0 and (piece := stream.read(min(most, 65536))):
            most -= len(piece)
    except Exception:  # noqa: BLE001, S110 - the answer is a 413 whatever the rest of the body is
        pass


def _response(answer: WebResponse) -> Response:
    return Response(
        answer.body, status=answer.status, content_type=answer.content_type, headers=dict(answer.headers)
    )


def _log_through_gunicorn() -> None:
    """Under gunicorn, our warnings and errors go to its error log, in its format and at its level.

    Without this they would reach stderr bare (no time, no level), or be lost with ``--error-logfile``.
    Nothing changes when the application has configured logging itself.
    """
    server_log = logging.getLogger("gunicorn.error")
    if not server_log.handlers or logging.getLogger().handlers:
        return
    for name in ("voice", "speech", "skills"):
        ours = logging.getLogger(name)
        if not ours.handlers:
            ours.handlers = list(server_log.handlers)
            ours.setLevel(server_log.level)


def _json_error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def _http_error(error: HTTPException) -> WerkzeugResponse:
    """Werkzeug's own errors (404, 405, 413 ...) as JSON, keeping headers such as ``Allow``; a page for a
    browser under ``/dashboard``."""
    page = dashboard_error(error)
    if page is not None:
        return page
    response = error.get_response()
    response.set_data(json.dumps(_json_error(error.code or 500, error.description or error.name)))
    response.content_type = "application/json"
    return response


def _unexpected_error(error: Exception) -> tuple[Response, int]:
    _LOGGER.exception("unexpected error while serving a webhook request", exc_info=error)
    return jsonify(_json_error(500, "internal server error; the details are in the server's log.")), 500
