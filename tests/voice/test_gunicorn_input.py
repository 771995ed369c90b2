"""Broken HTTP framing and a small mutation campaign through the real gunicorn, sync and gthread workers.

gunicorn parses a chunked body while the app reads it, so its errors (``InvalidChunkSize`` ...)
reach the app: each must be a 400 JSON answer, a body over the limit a 413, chunked or not, and
the worker keeps serving. Raw sockets send what no HTTP client library would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mutation_campaign import BAD_CHUNKS, ENDPOINTS, LIMIT, http_request, platform_requests, probes, run, send
from mutation_campaign import serve as serve_gunicorn

WORKERS = {"sync": ("-w", "2"), "gthread": ("-w", "2", "-k", "gthread", "--threads", "4")}
VALID = {endpoint: json.dumps(platform_requests(endpoint)[0]).encode() for endpoint in ENDPOINTS}


@pytest.fixture(scope="module", params=sorted(WORKERS))
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, Path]]:
    """gunicorn with the documented kind of worker; its port and error log."""
    with serve_gunicorn(tmp_path_factory.mktemp(request.param), *WORKERS[request.param]) as started:
        yield started


def sent(server: tuple[int, Path], data: bytes) -> tuple[int, bytes]:
    """``send``; a connection refused or cut means a worker or the whole server stopped."""
    port, error_log = server
    try:
        return send(port, data)
    except ConnectionError as error:  # refused, reset, ended: fail with gunicorn's log, which says why
        pytest.fail(f"{error!r}; gunicorn's log:\n{error_log.read_text()}")


def error_of(server: tuple[int, Path], data: bytes) -> tuple[int, str]:
    status, body = sent(server, data)
    error = json.loads(body)["error"]
    assert error["status"] == status
    message: str = error["message"]
    return status, message


def assert_still_serving(server: tuple[int, Path], endpoint: str) -> None:
    status, body = sent(server, http_request(endpoint, VALID[endpoint]))
    assert status == 200, body
    assert "error" not in json.loads(body)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("framing", sorted(BAD_CHUNKS))
def test_malformed_chunked_bodies_are_400_json(server: tuple[int, Path], endpoint: str, framing: str) -> None:
    error_log = server[1]
    status, message = error_of(server, http_request(endpoint, b'{"version": "1.0"}', framing=framing))
    assert status == 400
    assert "chunked" in message or "ended before" in message
    assert_still_serving(server, endpoint)
    assert "Traceback" not in error_log.read_text()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT + 5000, 3 * LIMIT])
@pytest.mark.parametrize("framing", ["chunked", "length"])
def test_bodies_over_the_limit_are_413_json(
    server: tuple[int, Path], endpoint: str, size: int, framing: str
) -> None:
    document = json.loads(VALID[endpoint])
    body = json.dumps({**document, "pad": ""}).encode()
    body = body.replace(b'"pad": ""', b'"pad": "' + b"x" * (size - len(body)) + b'"')
    assert len(body) == size
    status, message = error_of(server, http_request(endpoint, body, framing=framing))
    assert (status, message) == (413, f"the request body is larger than the limit of {LIMIT} bytes.")
    assert_still_serving(server, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_chunked_body_at_the_limit_is_served(server: tuple[int, Path], endpoint: str) -> None:
    body = VALID[endpoint].replace(b"{", b"{" + b" " * (LIMIT - len(VALID[endpoint])), 1)
    assert len(body) == LIMIT
    status, answer = sent(server, http_request(endpoint, body, framing="chunked"))
    assert status == 200, answer


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_small_mutation_campaign_gets_no_500(server: tuple[int, Path], endpoint: str) -> None:
    """300 mutated requests (the bench sends 5,000): every answer a 2xx/4xx of ours, never a 500."""
    port, error_log = server
    outcome = run(port, probes(endpoint, 300, seed=12), clients=4, seconds=20)
    assert outcome.failed == 0, (outcome.counts, outcome.examples, error_log.read_text()[-4000:])
    assert {"200", "400", "413", "415"} <= set(outcome.counts), outcome.counts
    assert_still_serving(server, endpoint)
    assert "Traceback" not in error_log.read_text()
