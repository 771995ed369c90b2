"""The webhook server: ``create_app()`` builds the Flask app that serves Alexa and Dialogflow.

Development: ``voice serve``. Production (the factory reads the config file itself)::

    gunicorn -w 4 -b 0.0.0.0:8000 'voice.server:create_app()'

Settings are Flask config keys (see ``DEFAULTS``). Later sources win: the defaults, the config
file's ``[server]`` table (the same names in lower case), then either ``VOICE_*`` environment
variables (``VOICE_ALEXA_VERIFY=false``; values are read as JSON) or, instead of them,
``test_config``. Every error is answered as JSON ``{"error": {"status": ..., "message": ...}}``:
4xx for the caller's mistakes, and a 500 that never shows a traceback for ours.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, jsonify
from flask import Config as FlaskConfig
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from .app import build_dialog
from .channels import alexa, dialogflow
from .channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig
from .channels.base import Assistant, Catalog, catalog_of
from .channels.dialogflow import DEFAULT_INTENT_MAP, DialogflowSettings
from .config import Config, load_config
from .errors import ConfigError, VoiceError
from .turn import Responder

__all__ = ["DEFAULTS", "create_app", "settings_from_env"]

_LOGGER = logging.getLogger(__name__)

DEFAULTS: Mapping[str, Any] = {
    "VOICE_CONFIG": None,  # the TOML config file; None: $VOICE_CONFIG, else ./voice.toml, else defaults
    "MAX_CONTENT_LENGTH": 128 * 1024,  # bytes; Alexa and Dialogflow requests are a few KB
    "ALEXA_VERIFY": True,  # off only for local development
    "ALEXA_APPLICATION_IDS": [],  # empty accepts any skill id
    "DIALOGFLOW_REPARSE": False,
    "DIALOGFLOW_INTENT_MAP": {},  # displayName -> our intent, on top of DEFAULT_INTENT_MAP
    "DIALOGFLOW_USERNAME": None,
    "DIALOGFLOW_PASSWORD": None,
    "DIALOGFLOW_TOKEN_HEADER": "X-Voice-Token",
    "DIALOGFLOW_TOKEN": None,
    "DIALOGFLOW_STATE_LIFESPAN": 50,
}

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> Response:
    """Liveness for load balancers: the worker is up and its skills are loaded."""
    return jsonify(status="ok")


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    responder: Responder | None = None,
    verifier: AlexaVerifier | None = None,
    catalog: Catalog | None = None,
) -> Flask:
    """Build the app; without a ``responder`` it runs the dialog over the skills named by the config file.

    ``verifier`` replaces the Alexa verifier built from the settings (tests inject a test CA);
    ``catalog`` says which intents exist, by default read from the router's skills.
    """
    _log_through_gunicorn()
    app = Flask(__name__)
    overrides = dict(test_config) if test_config is not None else settings_from_env()
    config = load_config(overrides.get("VOICE_CONFIG"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(_file_settings(config))
    app.config.from_mapping(overrides)
    responder = responder if responder is not None else build_dialog(config)
    assistant = Assistant(responder, catalog if catalog is not None else catalog_of(responder))
    alexa_channel = alexa.AlexaChannel(assistant, verifier or _verifier(app.config))
    dialogflow_channel = dialogflow.DialogflowChannel(assistant, _dialogflow_settings(app.config))
    app.register_blueprint(health)
    app.register_blueprint(alexa.blueprint(alexa_channel))
    app.register_blueprint(dialogflow.blueprint(dialogflow_channel))
    app.register_error_handler(VoiceError, _voice_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def settings_from_env() -> dict[str, Any]:
    """Settings from ``VOICE_*`` environment variables, e.g. ``VOICE_DIALOGFLOW_TOKEN``."""
    found = FlaskConfig(".")
    found.from_prefixed_env("VOICE")
    return dict(found)


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


def _file_settings(config: Config) -> dict[str, Any]:
    """The config file's ``[server]`` table as Flask keys (``alexa_verify`` -> ``ALEXA_VERIFY``).

    A key we do not know is refused: a misspelt ``alexa_application_ids`` must not leave the webhook open.
    """
    known = sorted(key.lower() for key in DEFAULTS if key != "VOICE_CONFIG")
    for key in config.server:
        if str(key).lower() not in known:
            raise ConfigError(
                f"{config.source}: unknown [server] setting {key!r}; known settings: {', '.join(known)}."
            )
    return {str(key).upper(): value for key, value in config.server.items()}


def _verifier(settings: Mapping[str, Any]) -> AlexaVerifier:
    ids = settings["ALEXA_APPLICATION_IDS"]
    if isinstance(ids, str) or not all(isinstance(i, str) for i in ids):
        raise ConfigError('ALEXA_APPLICATION_IDS must be a list of skill ids, like ["amzn1.ask.skill.…"].')
    return AlexaVerifier(AlexaVerifyConfig(enabled=_flag(settings, "ALEXA_VERIFY"), application_ids=ids))


def _dialogflow_settings(settings: Mapping[str, Any]) -> DialogflowSettings:
    intent_map = settings["DIALOGFLOW_INTENT_MAP"]
    if not isinstance(intent_map, Mapping):
        raise ConfigError("DIALOGFLOW_INTENT_MAP must map Dialogflow intent names to ours.")
    if settings["DIALOGFLOW_PASSWORD"] is not None and settings["DIALOGFLOW_USERNAME"] is None:
        raise ConfigError("DIALOGFLOW_PASSWORD is set without DIALOGFLOW_USERNAME; set both for basic auth.")
    found = DialogflowSettings(
        intent_map={**DEFAULT_INTENT_MAP, **intent_map},
        reparse=_flag(settings, "DIALOGFLOW_REPARSE"),
        username=settings["DIALOGFLOW_USERNAME"],
        password=settings["DIALOGFLOW_PASSWORD"],
        token_header=settings["DIALOGFLOW_TOKEN_HEADER"],
        token=settings["DIALOGFLOW_TOKEN"],
        state_lifespan=int(settings["DIALOGFLOW_STATE_LIFESPAN"]),
    )
    if found.open:
        _LOGGER.warning(
            "the Dialogflow webhook accepts any caller; set DIALOGFLOW_TOKEN or DIALOGFLOW_USERNAME"
        )
    return found


def _flag(settings: Mapping[str, Any], key: str) -> bool:
    """A boolean setting; a string like "no" is refused so verification is never off by a typo."""
    value = settings[key]
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {value!r}.")
    return value


def _json_error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def _voice_error(error: VoiceError) -> tuple[Response, int, Mapping[str, str]]:
    return (
        jsonify(_json_error(error.http_status, error.message)),
        error.http_status,
        error.headers,
    )


def _http_error(error: HTTPException) -> WerkzeugResponse:
    """Werkzeug's own errors (404, 405, 413 ...) as JSON, keeping headers such as ``Allow``."""
    response = error.get_response()
    response.set_data(json.dumps(_json_error(error.code or 500, error.description or error.name)))
    response.content_type = "application/json"
    return response


def _unexpected_error(error: Exception) -> tuple[Response, int]:
    _LOGGER.exception("unexpected error while serving a webhook request", exc_info=error)
    return jsonify(_json_error(500, "internal server error; the details are in the server's log.")), 500
