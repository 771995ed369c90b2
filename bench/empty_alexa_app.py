"""The benchmark's ceiling: a Flask app that answers every POST /alexa with one fixed response.

It reads no JSON, keeps no session and builds no model objects, so no Flask skill can be faster
on the same gunicorn and client. ``ceiling_ratio`` (its requests/s over the reference's) is the
highest ``rps_ratio`` any skill framework on this stack could reach in the same run.

    gunicorn -w 2 -b 127.0.0.1:8003 'bench.empty_alexa_app:create_app()'
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

ANSWER = json.dumps(
    {"version": "1.0", "response": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Goodbye.</speak>"}}}
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> Response:
        request.get_data()  # read the body, as every real skill must
        return Response(ANSWER, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
