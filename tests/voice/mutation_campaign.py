"""A mutation campaign against the webhooks over real HTTP: shared by the tests and ``bench/mutations.py``.

``probes(endpoint, count, seed)`` builds raw HTTP requests from the recorded platform requests in
``fixtures/requests``, each changed in one way: a field replaced by arbitrary JSON or deleted,
session attributes / context parameters nested up to 1,500 levels deep or holding a lone surrogate,
bytes flipped, cut or inserted, another encoding, a huge number, a body over the size limit, another
Content-Type, or a chunked body (valid, malformed, truncated, too large). ``send`` writes one on a
fresh loopback connection and reads the whole answer; ``run`` sends many from a few threads and
counts the outcomes: an HTTP status, or a problem with the answer itself (``5xx``, an error that is
not our JSON, a 200 that is not strict JSON, a timeout). ``serve`` runs gunicorn on a free port.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "fixtures" / "requests"
GUNICORN = Path(sys.executable).parent / "gunicorn"
LIMIT = 128 * 1024
"""The server's default ``max_content_length``."""
ENDPOINTS = ("/alexa", "/dialogflow")
_TEXT = ["", "a", "é", "ß", "\u2028", "\x00", "\ud800", "\udfff", "\ud83d\ude00", "\U0001f600", "<b>&", '"\\']
_DEEP = "__deep__"


@dataclass(frozen=True, slots=True)
class Probe:
    kind: str
    """Which mutation made it (for the report)."""
    data: bytes
    """The whole HTTP request."""


def platform_requests(endpoint: str) -> list[dict[str, Any]]:
    """The recorded requests of one endpoint; Dialogflow's carry a ``voice-state`` context too."""
    found = []
    for path in sorted((REQUESTS / endpoint.strip("/")).glob("*.json")):
        document = json.loads(path.read_text())
        if endpoint == "/dialogflow":
            state = {"name": f"{document['session']}/contexts/voice-state", "lifespanCount": 5}
            state["parameters"] = {"visits": 2, "cart": {"items": ["a", "b"]}}
            document["queryResult"].setdefault("outputContexts", []).append(state)
        found.append(document)
    return found


def http_request(
    path: str, body: bytes, *, content_type: str | None = "application/json", framing: str = "length"
) -> bytes:
    """A raw HTTP/1.1 POST; ``framing`` is ``length``, ``chunked`` or one of ``BAD_CHUNKS``."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    if framing == "length":
        return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
    if framing == "long-length":  # more announced than sent: the client gives up mid-body
        return f"{head}Content-Length: {len(body) + 100}\r\n\r\n".encode() + body
    head += "Transfer-Encoding: chunked\r\n\r\n"
    return head.encode() + (chunked(body) if framing == "chunked" else BAD_CHUNKS[framing](body))


def chunked(body: bytes, size: int = 4096) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


BAD_CHUNKS: Mapping[str, Callable[[bytes], bytes]] = {
    "chunk-bad-size": lambda body: b"zz\r\n" + body + b"\r\n0\r\n\r\n",
    "chunk-size-too-big": lambda body: b"%x\r\n" % (len(body) + 50) + body + b"\r\n0\r\n\r\n",
    "chunk-no-terminator": lambda body: b"%x\r\n" % len(body) + body + b"XX0\r\n\r\n",
    "chunk-truncated": lambda body: b"%x\r\n" % len(body) + body[: len(body) // 2],
    "chunk-no-last": lambda body: b"%x\r\n" % len(body) + body + b"\r\n",
    "chunk-bad-extension": lambda body: b"%x;\x01\r\n" % len(body) + body + b"\r\n0\r\n\r\n",
    "chunk-bad-trailer": lambda body: chunked(body)[:-2] + b"bad trailer\r\n\r\n",
    "chunk-huge-size-line": lambda body: b"1" * 9000 + b"\r\n" + body + b"\r\n0\r\n\r\n",
}


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """Arbitrary JSON with awkward text (lone surrogates, NUL, emoji) and numbers."""
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(
            [None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e308, rng.choice(_TEXT), random_text(rng)]
        )
    if roll < 0.75:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {random_text(rng): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_TEXT) for _ in range(rng.randrange(4)))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _set(document: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return copy


def _with_state(document: dict[str, Any], state: Any) -> dict[str, Any]:
    """``document`` with ``state`` where the channel keeps what it echoes: Alexa's session attributes,
    the parameters of Dialogflow's voice-state context (the last one, see ``platform_requests``)."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    if "queryResult" in copy:
        copy["queryResult"]["outputContexts"][-1]["parameters"] = state
    else:
        copy.setdefault("session", {})["attributes"] = state
    return copy


def _deep(rng: random.Random, levels: int) -> str:
    opening, closing = rng.choice([('{"a":', "}"), ("[", "]"), ('{"a":[', "]}")])
    return opening * levels + json.dumps(rng.choice(_TEXT)) + closing * levels


def _body_mutation(rng: random.Random, document: dict[str, Any]) -> tuple[str, bytes]:
    """One change to the document or its bytes, named."""
    roll = rng.randrange(10)
    if roll < 3:
        path = rng.choice(list(_paths(document)))
        if path and rng.random() < 0.3:
            return "delete", json.dumps(_set(document, path, None, delete=True)).encode()
        return "replace", json.dumps(_set(document, path, random_json(rng))).encode()
    if roll == 3:  # nested deep in what is echoed; the text is built by hand, json.dumps would recurse
        levels = rng.choice([rng.randrange(1, 80), rng.randrange(80, 1500)])
        marked = json.dumps(_with_state(document, {"deep": _DEEP}))
        return "deep-state", marked.replace(json.dumps(_DEEP), _deep(rng, levels)).encode()
    if roll == 4:  # a lone surrogate (or other awkward text) as a value or a key of the state
        text = rng.choice(["\ud800", "\udc00", "a\udfffb", "\ud83d", random_text(rng)])
        attributes = {text: 1} if rng.random() < 0.3 else {"name": text}
        return "odd-text-state", json.dumps(_with_state(document, attributes)).encode()
    raw = json.dumps(document, ensure_ascii=rng.random() < 0.5).encode()
    if roll == 5:
        return "bytes", _byte_mutation(rng, raw)
    if roll == 6:
        encoding = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "utf-8-sig"])
        return f"encoding-{encoding}", raw.decode().encode(encoding, "replace")
    if roll == 7:
        number = rng.choice(["1" * 5000, "1e999", "-1e999", "NaN", "Infinity", "0.1e-400"])
        marked = json.dumps(_set(document, rng.choice(list(_paths(document))), _DEEP))
        return "number", marked.replace(json.dumps(_DEEP), number).encode()
    if roll == 8:
        return "oversized", json.dumps({**document, "pad": "x" * (LIMIT + rng.randrange(20000))}).encode()
    return "valid", raw


def _byte_mutation(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(data))
        operation = rng.randrange(3)
        if operation == 0:
            data[at] = rng.randrange(256)
        elif operation == 1:
            del data[at : at + rng.randrange(1, 50)]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    return bytes(data)


def probes(endpoint: str, count: int, seed: int = 0) -> list[Probe]:
    """``count`` mutated requests for ``endpoint``, the same for the same seed."""
    rng = random.Random(f"{endpoint}:{seed}")
    documents = platform_requests(endpoint)
    made = []
    for _ in range(count):
        kind, body = _body_mutation(rng, rng.choice(documents))
        roll = rng.random()
        content_type: str | None = "application/json"
        framing = "length"
        if roll < 0.1:
            content_type = rng.choice([None, "text/plain", "application/json; charset=latin-1", "a/b+json"])
        elif roll < 0.25:
            framing = rng.choice(["chunked", "long-length", *BAD_CHUNKS])
        if framing != "length" or content_type != "application/json":
            kind = f"{kind}+{framing}+{content_type}"
        made.append(Probe(kind, http_request(endpoint, body, content_type=content_type, framing=framing)))
    return made


def send(port: int, data: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send one raw request on a new connection; the answer's status and body (read to EOF)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:  # a broken pipe, a reset, "not connected": the server has stopped reading
            pass  # and may have answered already: read what is there
        answer = bytearray()
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = bytes(answer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


def verdict(status: int, body: bytes) -> str:
    """``"200"``, ``"400"`` ... for a proper answer, else what is wrong with it."""
    if status >= 500:
        return f"{status}!"
    try:
        data = json.loads(body, parse_constant=_refuse)
    except ValueError:
        return f"{status} not JSON!"
    if status >= 400:
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict) or error.get("status") != status or not error.get("message"):
            return f"{status} not our error!"
    return str(status)


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


@dataclass(slots=True)
class Outcome:
    counts: Counter[str]
    """How often each outcome came: ``"200"``, ``"413"``, ``"500!"``, ``"400 not JSON!"`` ..."""
    examples: dict[str, Probe]
    """The first probe of each failed outcome."""

    @property
    def failed(self) -> int:
        """Answers that were a 5xx, malformed or missing, and probes not sent in time."""
        return sum(n for outcome, n in self.counts.items() if outcome.endswith("!") or outcome == "not sent")


def run(port: int, made: list[Probe], *, clients: int = 4, seconds: float = 120.0) -> Outcome:
    """Send every probe (those left when ``seconds`` have passed are "not sent") from ``clients`` threads."""
    stop = time.monotonic() + seconds
    examples: dict[str, Probe] = {}

    def one(probe: Probe) -> str:
        if time.monotonic() > stop:
            return "not sent"
        try:
            outcome = verdict(*send(port, probe.data))
        except ConnectionResetError:
            # gunicorn stops reading at broken chunked framing; closing on the unread rest resets
            # the connection, and the kernel may drop the 400 on its way. Anywhere else: a failure.
            outcome = "reset (broken chunks)" if "+chunk-" in probe.kind else "ConnectionResetError!"
        except (OSError, ValueError, IndexError) as error:
            outcome = f"{type(error).__name__}!"
        if outcome.endswith("!"):
            examples.setdefault(outcome, probe)
        return outcome

    with ThreadPoolExecutor(clients) as pool:
        counts = Counter(pool.map(one, made))
    return Outcome(counts, examples)


@contextmanager
def serve(folder: Path, *args: str, store: str | None = None) -> Iterator[tuple[int, Path]]:
    """gunicorn with ``args`` (``-w 2 -k gthread ...``) serving the shipped skill on a free loopback port.

    Verification is off; the store is ``store`` (a URL), by default an SQLite file in ``folder``. Yields
    the port and the error log. Without a control socket, so that it never takes over the one of another
    gunicorn on this host.
    """
    config = folder / "voice.toml"
    store = store or f"sqlite:///{folder / 'sessions.db'}"
    config.write_text(f'skills = ["customer_service"]\nstore = "{store}"\n')
    environment = {**os.environ, "VOICE_CONFIG": str(config), "VOICE_ALEXA_VERIFY": "false"}
    for attempt in range(3):  # another program may take the free port before gunicorn binds it
        port, error_log = free_port(), folder / f"error-{attempt}.log"
        with error_log.open("ab") as stderr:  # a worker's own sentence ("error: ...") goes there too
            process = subprocess.Popen(
                [str(GUNICORN), *args, "-b", f"127.0.0.1:{port}", "--error-logfile", str(error_log)]
                + ["--no-control-socket", "voice.server:create_app()"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            if _wait_until_up(port, process, error_log, workers=_workers(args), last=attempt == 2):
                yield port, error_log
                return
        finally:
            process.terminate()
            process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _workers(args: Sequence[str]) -> int:
    """The worker count in gunicorn's ``args`` (``-w 2``; gunicorn's default is one)."""
    return int(args[args.index("-w") + 1]) if "-w" in args else 1


def _wait_until_up(
    port: int, process: subprocess.Popen[bytes], error_log: Path, *, workers: int, last: bool
) -> bool:
    """True once every worker has built the app and this gunicorn answers on ``port``; False if it exited
    over a taken port (try again); else ``RuntimeError`` with its log. ``workers`` is ``-w N`` of ``args``.

    Waiting for every worker (each logs that verification is off once its app is built: ``serve`` turns
    it off) keeps a worker that fails to boot later, and with it the whole server, out of the tests; the
    listening line with this process's id makes sure that no other server on the port answered."""
    deadline = time.monotonic() + 60
    listening = f"Listening at: http://127.0.0.1:{port} ({process.pid})"
    while True:
        log = error_log.read_text() if error_log.exists() else ""
        if listening in log and log.count("verification is OFF") >= workers and _answers(port):
            return True
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            if "in use" in log and not last:
                return False
            raise RuntimeError(f"gunicorn did not start; its log:\n{log}")
        time.sleep(0.2)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
            return True
    except OSError:
        return False
